/* /proc/<pid>/cgroup parser (see proc_cgroup.h). */
#include "proc_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Copies [s, s+n) into dst (size cap) as a C string; 0 if it does not fit. */
static int copy_span(char *dst, size_t cap, const char *s, size_t n) {
  if (n >= cap)
    return 0;
  memcpy(dst, s, n);
  dst[n] = '\0';
  return 1;
}

/* One line without its '\n'. Returns the number of skipped items in it. */
static int parse_line(const char *line, size_t n, struct fructosa_cgroups *out) {
  if (n == 0)
    return 0;
  const char *end = line + n;
  const char *c1 = memchr(line, ':', n);
  const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
  if (!c1 || !c2 || c1 == line)
    return 1;
  const char *ctrls = c1 + 1, *path = c2 + 1;
  size_t path_len = (size_t)(end - path);
  if (ctrls == c2) { /* "0::/path": the unified (v2) hierarchy */
    if (!copy_span(out->unified, sizeof out->unified, path, path_len))
      return 1;
    out->has_unified = 1;
    return 0;
  }
  int skipped = 0;
  const char *p = ctrls;
  while (p < c2) {
    const char *comma = memchr(p, ',', (size_t)(c2 - p));
    const char *name_end = comma ? comma : c2;
    size_t name_len = (size_t)(name_end - p);
    if (name_len > 0) {
      struct fructosa_cgroup_entry *e =
          out->count < FRUCTOSA_MAX_CGROUPS ? &out->entries[out->count] : NULL;
      if (e && copy_span(e->controller, sizeof e->controller, p, name_len) &&
          copy_span(e->path, sizeof e->path, path, path_len))
        ++out->count;
      else
        ++skipped;
    }
    p = name_end + 1;
  }
  return skipped;
}

int fructosa_parse_proc_cgroup(const char *text, struct fructosa_cgroups *out) {
  memset(out, 0, sizeof *out);
  int skipped = 0;
  const char *p = text ? text : "";
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    skipped += parse_line(p, n, out);
    p += n + (nl ? 1 : 0);
  }
  return skipped;
}

int fructosa_read_proc_cgroup(pid_t pid, struct fructosa_cgroups *out) {
  char path[64];
  if (pid > 0)
    snprintf(path, sizeof path, "/proc/%ld/cgroup", (long)pid);
  else
    snprintf(path, sizeof path, "/proc/self/cgroup");
  /* 16 controllers with long paths fit; a longer file is cut at a line end below. */
  static char text[16384];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t used = 0;
  for (;;) {
    ssize_t r = read(fd, text + used, sizeof text - 1 - used);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    if (r == 0 || (used += (size_t)r) == sizeof text - 1)
      break;
  }
  close(fd);
  text[used] = '\0';
  int truncated = 0;
  if (used == sizeof text - 1) { /* drop a partial last line */
    char *last_nl = strrchr(text, '\n');
    if (last_nl)
      last_nl[1] = '\0';
    truncated = 1;
  }
  return fructosa_parse_proc_cgroup(text, out) + truncated;
}
