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
    # (UTF-16 is recognised by its BOM before this).
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "GBK/GB18030"


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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(None, "文件是 UTF-16 编码，请另存为 UTF-8（例如 iconv -f UTF-16 -t UTF-8）")
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
