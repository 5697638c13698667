"""The organ's emblem from ``site_config/``: shown in the header of every page and used as
the favicon (issue #12 item 6).

The file is ``site_config/emblem.png``, ``emblem.jpg`` / ``emblem.jpeg`` or
``emblem.webp``. It is part of the signed configuration (GK308 covers every file of
``site_config/``), and it is public output, so it is checked here, failing closed (GK121 in
``gkpublish check``; the public view carries only an emblem that passes, and the built-in
neutral SVG of ``theme/partials/logo.html`` stays the fallback):

* **only raster PNG, JPEG or WebP**, judged by the bytes (magic and structure), not the
  name: SVG can carry scripts and links, GIF and APNG/animated WebP move (适老化: no motion);
* **size limits**: at most :data:`MAX_BYTES` bytes and :data:`MAX_SIDE` pixels a side (a
  header emblem needs far less; a huge image is a decompression bomb for every visitor);
* **no metadata**: the file is read chunk by chunk (PNG: CRC checked) against an allow-list
  of image-data chunks; EXIF, XMP, ICC profiles, text chunks, comments, unknown chunks and
  bytes after the image's end are refused, never stripped silently — the office re-saves the
  file without them, so what is published is exactly the signed bytes.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

CONFIG_DIR = "site_config"
NAMES = ("emblem.png", "emblem.jpg", "emblem.jpeg", "emblem.webp")
MAX_BYTES = 256 * 1024
MAX_SIDE = 1024
MIN_SIDE = 16
FIX = "请用图片软件另存为不含元数据（EXIF、XMP、色彩配置文件、文字说明）的 PNG、JPEG 或 WebP 图片后替换"

# PNG chunks that are image data or its rendering parameters, nothing else (PNG spec §4, §11)
# (chunks that could carry free bytes — cHRM, bKGD, pHYs, sBIT … — are left out: a logo needs none)
PNG_CHUNKS = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"sRGB"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG markers of a baseline/progressive image: SOF0-2, DHT, DQT, DRI, SOS, APP0 (JFIF header)
JPEG_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC4, 0xDB, 0xDD, 0xDA, 0xE0})
WEBP_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH"})


@dataclass(frozen=True)
class Emblem:
    """An emblem that passed every check: published as ``assets/gkpublish/emblem.<ext>``."""

    source: str  # site_config/emblem.png (for messages)
    data: bytes
    ext: str  # png / jpg / webp
    width: int
    height: int

    @property
    def site_path(self) -> str:
        return f"assets/gkpublish/emblem.{self.ext}"

    @property
    def mime(self) -> str:
        return {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}[self.ext]


class EmblemProblem(ValueError):
    pass


def candidates(files: dict[str, bytes]) -> list[str]:
    """``site_config/emblem.*`` files of the configuration (any extension: emblem.svg is one too)."""
    return sorted(p for p in files if p.startswith(CONFIG_DIR + "/") and p.count("/") == 1
                  and p.split("/", 1)[1].casefold().split(".", 1)[0] == "emblem")


def problems(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """(file, message) for every problem of the configuration's emblem; [] when there is
    none or it passes."""
    found = candidates(files)
    if not found:
        return []
    out: list[tuple[str, str]] = []
    for path in found:
        name = path.split("/", 1)[1]
        if name not in NAMES:
            out.append((path, f"机关标志只接受 {'、'.join(NAMES)}（PNG、JPEG 或 WebP 位图）：SVG 可以携带脚本和链接，"
                              "GIF 会动；请转换为 PNG 并命名为 site_config/emblem.png"))
    named = [p for p in found if p.split("/", 1)[1] in NAMES]
    if len(named) > 1:
        out.append((named[1], f"只能有一个机关标志文件，现有 {'、'.join(named)}；请只保留一个"))
    for path in named[:1]:
        try:
            inspect(path, files[path])
        except EmblemProblem as exc:
            out.append((path, str(exc)))
    return out


def emblem_of(files: dict[str, bytes]) -> Emblem | None:
    """The configuration's emblem if there is exactly one and it passes, else None (the
    gate reports why: GK121; the site then shows the built-in neutral emblem)."""
    if problems(files):
        return None
    named = [p for p in candidates(files) if p.split("/", 1)[1] in NAMES]
    return inspect(named[0], files[named[0]]) if named else None


def inspect(path: str, data: bytes) -> Emblem:
    """The checked emblem, or EmblemProblem with a Chinese message naming the fix."""
    if len(data) > MAX_BYTES:
        raise EmblemProblem(f"文件大小 {len(data) // 1024} KB，超过机关标志的上限 {MAX_BYTES // 1024} KB；"
                            f"请缩小到每边不超过 {MAX_SIDE} 像素后另存")
    declared = path.rsplit(".", 1)[-1].casefold()
    if data.startswith(PNG_SIGNATURE):
        kind, (w, h) = "png", _png(data)
    elif data.startswith(b"\xff\xd8\xff"):
        kind, (w, h) = "jpg", _jpeg(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind, (w, h) = "webp", _webp(data)
    else:
        raise EmblemProblem("不是 PNG、JPEG 或 WebP 图片（按文件内容判断，不看扩展名）；"
                            "请把机关标志另存为 PNG 并命名为 site_config/emblem.png")
    if {"jpeg": "jpg"}.get(declared, declared) != kind:
        raise EmblemProblem(f"文件内容是 {kind.upper()} 图片，扩展名却是 .{declared}；请改为 emblem.{kind}")
    if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        raise EmblemProblem(f"图片为 {w}×{h} 像素；机关标志每边应在 {MIN_SIDE}–{MAX_SIDE} 像素之间，请缩放后另存")
    return Emblem(path, data, kind, w, h)


def _png(data: bytes) -> tuple[int, int]:
    """Chunk by chunk, CRC checked; only image-data chunks, each of the length the image
    allows, and the compressed pixels must be exactly the image (nothing after the zlib
    stream, nothing after IEND): there is no room for a text, a profile or a payload."""
    at, header = len(PNG_SIGNATURE), None
    seen_end = False
    idat: list[bytes] = []
    while at < len(data):
        if seen_end:
            raise EmblemProblem(f"PNG 图片结束（IEND）之后还有 {len(data) - at} 字节的其他数据；{FIX}")
        if at + 12 > len(data):
            raise EmblemProblem(f"PNG 文件不完整（第 {at} 字节处截断）；{FIX}")
        length, ctype = struct.unpack(">I4s", data[at:at + 8])
        end = at + 12 + length
        if end > len(data):
            raise EmblemProblem(f"PNG 文件不完整（{ctype.decode('latin-1')!r} 块超出文件末尾）；{FIX}")
        body = data[at + 8:at + 8 + length]
        if zlib.crc32(ctype + body) != struct.unpack(">I", data[end - 4:end])[0]:
            raise EmblemProblem(f"PNG 文件已损坏（{ctype.decode('latin-1')!r} 块的校验和不符）；{FIX}")
        if header is None and ctype != b"IHDR":
            raise EmblemProblem(f"PNG 文件的第一个块不是 IHDR；{FIX}")
        if ctype not in PNG_CHUNKS or (ctype == b"IHDR" and header is not None):
            what = {b"tEXt": "文字说明", b"zTXt": "文字说明", b"iTXt": "文字说明", b"eXIf": "EXIF 信息",
                    b"tIME": "修改时间", b"iCCP": "色彩配置文件", b"acTL": "动画"}.get(ctype, "图像数据以外的内容")
            raise EmblemProblem(f"PNG 图片含有{what}（{ctype.decode('latin-1')!r} 块），会随标志公开；{FIX}")
        if ctype == b"IHDR":
            header = _png_header(body)
        elif ctype == b"IDAT":
            idat.append(body)
        elif len(body) != _png_chunk_length(ctype, header, body):
            raise EmblemProblem(f"PNG 的 {ctype.decode('latin-1')!r} 块长度与图像不符（可能夹带了其他数据）；{FIX}")
        seen_end = ctype == b"IEND"
        at = end
    if not seen_end or header is None:
        raise EmblemProblem(f"PNG 文件不完整（没有 IEND）；{FIX}")
    w, h, depth, color = header
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    expected = h * (1 + (w * channels * depth + 7) // 8)
    z = zlib.decompressobj()
    try:
        pixels = z.decompress(b"".join(idat), expected + 1)
    except zlib.error:
        raise EmblemProblem(f"PNG 的图像数据无法解压（文件已损坏）；{FIX}") from None
    if len(pixels) != expected or not z.eof or z.unused_data or z.unconsumed_tail:
        raise EmblemProblem(f"PNG 的图像数据与图像尺寸不符（可能夹带了其他数据）；{FIX}")
    return w, h


def _png_header(body: bytes) -> tuple[int, int, int, int]:
    if len(body) != 13:
        raise EmblemProblem(f"PNG 文件的 IHDR 块长度不对；{FIX}")
    w, h, depth, color, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
    allowed = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
    if depth not in allowed.get(color, ()) or compression or filtering:
        raise EmblemProblem(f"PNG 文件头的颜色类型或位深不合规范；{FIX}")
    if interlace:
        raise EmblemProblem("PNG 为隔行扫描（Adam7）；请另存为非隔行扫描的 PNG 后替换")
    if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        raise EmblemProblem(f"图片为 {w}×{h} 像素；机关标志每边应在 {MIN_SIDE}–{MAX_SIDE} 像素之间，请缩放后另存")
    return w, h, depth, color


def _png_chunk_length(ctype: bytes, header: tuple[int, int, int, int] | None, body: bytes) -> int:
    """The only length each non-pixel chunk may have for this image (-1: none allowed)."""
    _, _, depth, color = header or (0, 0, 0, 0)
    if ctype == b"IEND":
        return 0
    if ctype == b"PLTE":  # a palette only for a palette image, whole RGB triples
        return len(body) if color == 3 and len(body) % 3 == 0 and 3 <= len(body) <= 3 * (1 << depth) else -1
    if ctype == b"tRNS":
        return {0: 2, 2: 6}.get(color, len(body) if color == 3 and len(body) <= 256 else -1)
    if ctype == b"gAMA":
        return 4
    if ctype == b"sRGB":
        return 1 if body[:1] in (b"\x00", b"\x01", b"\x02", b"\x03") else -1
    return -1


def _jpeg(data: bytes) -> tuple[int, int]:
    at, size = 2, None
    n = len(data)
    while True:
        if at + 2 > n or data[at] != 0xFF:
            raise EmblemProblem(f"JPEG 文件结构不完整（第 {at} 字节处）；{FIX}")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:  # EOI
            if at + 2 != n:
                raise EmblemProblem(f"JPEG 图片结束之后还有 {n - at - 2} 字节的其他数据；{FIX}")
            break
        if at + 4 > n:
            raise EmblemProblem(f"JPEG 文件不完整；{FIX}")
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        seg = data[at + 4:at + 2 + length]
        if length < 2 or at + 2 + length > n:
            raise EmblemProblem(f"JPEG 文件不完整（段超出文件末尾）；{FIX}")
        # APP0: the 14-byte JFIF header only (its optional thumbnail is an image of any bytes)
        jfif_ok = seg.startswith(b"JFIF\x00") and len(seg) == 14 and seg[12:14] == b"\x00\x00"
        if marker not in JPEG_MARKERS or (marker == 0xE0 and not jfif_ok):
            what = ("EXIF 或 XMP 信息" if marker == 0xE1 else "色彩配置文件" if marker == 0xE2 else
                    "注释" if marker == 0xFE else f"图像数据以外的内容（标记 FF{marker:02X}）")
            raise EmblemProblem(f"JPEG 图片含有{what}，会随标志公开；{FIX}")
        if marker in (0xC0, 0xC1, 0xC2):
            if len(seg) < 5:
                raise EmblemProblem(f"JPEG 文件的尺寸信息不完整；{FIX}")
            h, w = struct.unpack(">HH", seg[1:5])
            size = (w, h)
        at += 2 + length
        if marker == 0xDA:  # entropy-coded data up to the next marker that is not RSTn or a stuffed 00
            while True:
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= n:
                    raise EmblemProblem(f"JPEG 文件不完整（没有结束标记）；{FIX}")
                nxt = data[at + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    at += 1 if nxt == 0xFF else 2
                    continue
                break
    if size is None:
        raise EmblemProblem(f"JPEG 文件没有尺寸信息；{FIX}")
    return size


def _webp(data: bytes) -> tuple[int, int]:
    riff = struct.unpack("<I", data[4:8])[0]
    if riff + 8 != len(data):
        raise EmblemProblem(f"WebP 文件长度与文件头不符（可能附带了其他数据）；{FIX}")
    at, size = 12, None
    while at < len(data):
        if at + 8 > len(data):
            raise EmblemProblem(f"WebP 文件不完整；{FIX}")
        ctype, length = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        body = data[at + 8:at + 8 + length]
        if at + 8 + length > len(data):
            raise EmblemProblem(f"WebP 文件不完整（块超出文件末尾）；{FIX}")
        if ctype not in WEBP_CHUNKS:
            what = {b"EXIF": "EXIF 信息", b"XMP ": "XMP 信息", b"ICCP": "色彩配置文件",
                    b"ANIM": "动画", b"ANMF": "动画"}.get(ctype, "图像数据以外的内容")
            raise EmblemProblem(f"WebP 图片含有{what}（{ctype.decode('latin-1')!r} 块），会随标志公开；{FIX}")
        if ctype == b"VP8X" and len(body) >= 10:
            # flags: ICC 0x20, alpha 0x10 (allowed), EXIF 0x08, XMP 0x04, animation 0x02
            if body[0] & 0x2E:
                raise EmblemProblem(f"WebP 文件头声明了 EXIF、XMP、色彩配置文件或动画；{FIX}")
            size = (1 + int.from_bytes(body[4:7], "little"), 1 + int.from_bytes(body[7:10], "little"))
        elif ctype == b"VP8L" and size is None and len(body) >= 5 and body[0] == 0x2F:
            bits = int.from_bytes(body[1:5], "little")
            size = (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF))
        elif ctype == b"VP8 " and size is None and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
            w, h = struct.unpack("<HH", body[6:10])
            size = (w & 0x3FFF, h & 0x3FFF)
        at += 8 + length + (length & 1)  # chunks are padded to an even length
    if size is None:
        raise EmblemProblem(f"WebP 文件没有可识别的图像数据；{FIX}")
    return size


__all__ = ["Emblem", "EmblemProblem", "MAX_BYTES", "MAX_SIDE", "NAMES", "emblem_of", "inspect", "problems"]
