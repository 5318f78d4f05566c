"""Reading and writing the files tests look at: logs, pidfiles, INI configs."""


def read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def write_ini(path, sections):
    """Writes {section: {key: value}} as an INI file; a value of None leaves the key out."""
    lines = []
    for section, entries in sections.items():
        lines.append("[%s]" % section)
        for key, value in entries.items():
            if value is not None:
                lines.append("%s = %s" % (key, value))
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def merge_config(base, overrides):
    """base updated by overrides ({section: {key: value or None to remove}} or
    {section: None} to remove a section). Returns a new dict."""
    result = {s: dict(e) for s, e in base.items()}
    for section, entries in (overrides or {}).items():
        if entries is None:
            result.pop(section, None)
            continue
        target = result.setdefault(section, {})
        for key, value in entries.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
    return result


def count_matching_lines(text, *needles):
    """Number of lines of `text` containing every needle."""
    return sum(1 for line in text.splitlines() if all(n in line for n in needles))
