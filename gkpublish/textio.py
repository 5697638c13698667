"""Reading item files as text: the traps of real office files.

Clerks paste from Word and WPS on Windows: files arrive as GBK/GB18030, with a UTF-8
BOM, or with CRLF line endings. BOM and CRLF are harmless and accepted; anything that
is not UTF-8 is refused with the command that converts it, because guessing an encoding
silently corrupts 文号 and names.
"""

from __future__ import annotations

from dataclasses import dataclass

# An item is a Markdown page, not an archive: large material belongs in an attachment.
MAX_ITEM_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Decoded:
    text: str | None  # None when the bytes cannot be an item
    problem: str | None = None  # Chinese explanation when text is None
    line: int | None = None


def _looks_like(data: bytes) -> str | None:
    # GB18030 decodes nearly any byte string, so it is the only guess worth naming here
    # (UTF-16 and UTF-32 are recognised before this, with or without BOM).
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "GBK/GB18030"


# (BOM, codec, name for people and iconv); UTF-32 first: its little-endian BOM starts with
# UTF-16's (FF FE)
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32LE"), (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32BE"),
         (b"\xff\xfe", "utf-16-le", "UTF-16LE"), (b"\xfe\xff", "utf-16-be", "UTF-16BE"))


def _reads_as_text(data: bytes, codec: str) -> bool:
    """Does ``data`` decode strictly with ``codec`` into text (no NUL, nearly all printable)?"""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    if not text or "\x00" in text:
        return False
    printable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
    return printable >= 0.95 * len(text)


def wide_encoding(data: bytes) -> tuple[str, bool] | None:
    """(UTF-32LE / UTF-32BE / UTF-16LE / UTF-16BE, has a BOM) when the bytes are text in a
    wide Unicode encoding, with or without BOM; None otherwise."""
    for bom, _codec, name in _BOMS:
        if data.startswith(bom):
            return name, True
    if b"\x00" not in data:
        return None
    for _bom, codec, name in _BOMS:  # without BOM: the encoding whose strict decoding is text
        width = 4 if "32" in codec else 2
        if len(data) % width == 0 and _reads_as_text(data, codec):
            return name, False
    return None


def size_problem(size: int) -> str | None:
    """Why a file of ``size`` bytes cannot be an item (checked with os.stat before reading)."""
    if size <= MAX_ITEM_BYTES:
        return None
    return (f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {MAX_ITEM_BYTES // 1024 // 1024} MB）："
            "条目应为网页正文，大型材料请作为附件（attachments）上传")


def decode_item(data: bytes) -> Decoded:
    """Return the text of an item file, BOM removed and line endings normalised to LF."""
    if too_large := size_problem(len(data)):
        return Decoded(None, too_large)
    wide = wide_encoding(data) if data[:1] in (b"\xff", b"\xfe", b"\x00") or b"\x00" in data[:64] else None
    if wide is not None:
        name, bom = wide
        family = name[:6]
        how = "带 BOM" if bom else "没有 BOM"
        return Decoded(None, f"文件是 {family} 编码（{name}，{how}），请另存为 UTF-8"
                             f"（例如 iconv -f {family if bom else name} -t UTF-8 原文件 > 新文件，"
                             "或在编辑器中“另存为 UTF-8”）", 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return Decoded(None, "文件含有 NUL 字节，像是二进制文件（如 Word/PDF）而不是 Markdown 文本；"
                             "请把正文粘贴为 Markdown，原件作为附件", line)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        enc = _looks_like(data)
        if enc:
            hint = f"看起来是 {enc} 编码；请转换为 UTF-8，例如：iconv -f {enc.split('/')[-1].upper()} -t UTF-8 原文件 > 新文件，或在编辑器中“另存为 UTF-8”"
        else:
            hint = "无法识别其编码；请在编辑器中“另存为 UTF-8”"
        return Decoded(None, f"文件不是 UTF-8 编码：{hint}", line)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text)
