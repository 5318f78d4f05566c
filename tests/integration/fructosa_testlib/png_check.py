"""A PNG reader and a "is this picture a real graph" check (standard library only).

Used on graphite-web's renders (fructosa_testlib.render_png): a PNG that decodes, has
the asked size and more than one colour can still be a picture of nothing. graphite-web
answers a render without data with a picture anyway: the background and a small red
"No Data" in its middle. So the check also asks that enough of the picture (axes, grid,
legend, lines) differs from its background colour, which such a picture does not.

The reader handles what cairo writes and a bit more: bit depth 8, colour types 0, 2, 3,
4 and 6, no interlacing. Anything else is reported as unsupported, not guessed at.
"""

import collections
import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Samples per pixel of each colour type (at bit depth 8: bytes per pixel).
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# The least share of pixels that must differ from the background for a graph (a
# 600x300 graph's axes, grid and legend alone cover several percent; "No Data" ~0.3 %).
MIN_FOREGROUND_SHARE = 0.01
# The least pixels of a line's own colour for it to count as drawn (a 3-pixel-wide line
# across a few seconds of an 800-pixel-wide graph has hundreds).
MIN_LINE_PIXELS = 30


class PngError(ValueError):
    """The bytes are not a PNG this reader can decode; the message says why."""


class Png:
    """A decoded PNG: width, height, size (bytes of the file) and colours, a Counter of
    pixel colours as (r, g, b, a) tuples (palette and grey pictures expanded)."""

    def __init__(self, width, height, size, colours):
        self.width = width
        self.height = height
        self.size = size
        self.colours = colours

    def background(self):
        """The most frequent colour and its share of the pixels."""
        colour, count = self.colours.most_common(1)[0]
        return colour, count / float(self.width * self.height)

    def count(self, rgb):
        """Pixels of exactly the colour `rgb` ((r, g, b)), any alpha."""
        return sum(n for c, n in self.colours.items() if c[:3] == tuple(rgb))


def _chunks(data):
    pos = len(SIGNATURE)
    while pos < len(data):
        if pos + 8 > len(data):
            raise PngError("cut off inside a chunk header at byte %d" % pos)
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise PngError("chunk %r cut off at byte %d" % (kind, pos))
        if zlib.crc32(kind + body) & 0xffffffff != struct.unpack(">I", crc)[0]:
            raise PngError("chunk %r has a wrong CRC" % kind)
        yield kind, body
        pos += 12 + length
        if kind == b"IEND":
            return
    raise PngError("no IEND chunk")


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw, width, height, bpp):
    """The scanlines of `raw` (each a filter byte and width*bpp bytes) without their filters."""
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise PngError("image data is %d bytes, %dx%d at %d bytes a pixel needs %d"
                       % (len(raw), width, height, bpp, height * (stride + 1)))
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        if ftype == 0:
            pass
        elif ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif ftype == 2:
            line = bytearray((a + b) & 0xff for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xff
        elif ftype == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xff
        else:
            raise PngError("scanline %d has unknown filter type %d" % (y, ftype))
        rows.append(line)
        prev = line
    return rows


def read_png(data):
    """Decodes `data` (the bytes of a PNG file) into a Png; raises PngError."""
    if not data.startswith(SIGNATURE):
        raise PngError("no PNG signature (starts with %r)" % data[:16])
    header, palette, idat = None, None, []
    for kind, body in _chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = [tuple(body[i:i + 3]) + (255,) for i in range(0, len(body), 3)]
        elif kind == b"IDAT":
            idat.append(body)
    if header is None:
        raise PngError("no IHDR chunk")
    width, height, depth, ctype, _, _, interlace = header
    if depth != 8 or ctype not in CHANNELS or interlace != 0:
        raise PngError("unsupported PNG: bit depth %d, colour type %d, interlace %d" % (depth, ctype, interlace))
    if width == 0 or height == 0:
        raise PngError("empty picture %dx%d" % (width, height))
    if not idat:
        raise PngError("no IDAT chunk")
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise PngError("image data does not inflate: %s" % e)
    bpp = CHANNELS[ctype]
    colours = collections.Counter()
    for line in _unfilter(raw, width, height, bpp):
        colours.update(bytes(line[i:i + bpp]) for i in range(0, len(line), bpp))
    rgba = collections.Counter()
    for px, n in colours.items():
        if ctype == 6:
            c = tuple(px)
        elif ctype == 2:
            c = tuple(px) + (255,)
        elif ctype == 0:
            c = (px[0], px[0], px[0], 255)
        elif ctype == 4:
            c = (px[0], px[0], px[0], px[1])
        else:
            if palette is None or px[0] >= len(palette):
                raise PngError("palette index %d without a PLTE entry" % px[0])
            c = palette[px[0]]
        rgba[c] += n
    return Png(width, height, len(data), rgba)


def picture_problem(data, width=None, height=None, min_bytes=2048, line_colours=()):
    """None if `data` is a PNG of a graph: decodes, `width` x `height` pixels (when
    given), at least `min_bytes` long, at least 2 colours, and at least
    MIN_FOREGROUND_SHARE of its pixels not of the background colour. Otherwise a
    sentence saying what is wrong.

    An empty frame (axes and grid of series without points in the time range) passes
    that; to tell it from a drawn graph, render with colorList and hideLegend=true and
    name the colours in `line_colours` ((r, g, b) each): each must cover at least
    MIN_LINE_PIXELS pixels."""
    try:
        png = read_png(data)
    except PngError as e:
        return "not a valid PNG: %s" % e
    if (width, height) != (None, None) and (png.width, png.height) != (width, height):
        return "%dx%d pixels, asked for %sx%s" % (png.width, png.height, width, height)
    if png.size < min_bytes:
        return "only %d bytes (a graph has at least %d)" % (png.size, min_bytes)
    if len(png.colours) < 2:
        return "blank: one colour %r" % (png.colours.most_common(1)[0][0],)
    colour, share = png.background()
    if 1.0 - share < MIN_FOREGROUND_SHARE:
        return ("near blank: %.2f %% of the pixels differ from the background %r (a graph has at least %.0f %%)"
                % (100.0 * (1.0 - share), colour, 100.0 * MIN_FOREGROUND_SHARE))
    for rgb in line_colours:
        n = png.count(rgb)
        if n < MIN_LINE_PIXELS:
            return "no line in colour #%02x%02x%02x: %d pixels (a drawn line has at least %d)" % (
                tuple(rgb) + (n, MIN_LINE_PIXELS))
    return None
