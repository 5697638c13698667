"""Attachments are content: which files under ``content/`` may be published, and what they say.

Two questions, asked in two places:

* **By name** (the loader, for every file under ``content/``, without reading it):
  :func:`name_problem` — an item is exactly ``*.md`` (lower case); anything else must be
  an attachment of an allowed type (:data:`DEFAULT_ALLOWED`, narrowed in
  ``site_config/site.yml`` ``attachments: {allowed: [...]}``) at a path that does not
  collide with the theme or a generated page (:func:`gkpublish.site.pages.reserved_problem`).
* **By content** (once per command, only for the files the public site would publish):
  :func:`inspect` reads the bytes once and returns an :class:`Inspection`: whether the
  bytes are what the extension says (magic bytes, no front matter, no HTML in a text
  file), the text to scan for GK501–GK505 with its location (line, page, sheet/cell), and
  what an office file leaks besides its text (GK506: tracked changes, comments, author
  metadata, hidden text). A file that cannot be read (corrupt zip, encrypted PDF, an XML
  part with a DTD) is a problem, never a traceback.

Types are an allow-list because a browser runs what a site serves: ``.html``, ``.svg``,
``.js``, ``.css``, ``.xml`` or a second Markdown spelling (``.MD``, ``.markdown``) would
be a page or a script nobody reviewed. ``rar`` and ``7z`` are not offered: their content
cannot be inspected without extra software; publish a ``zip`` instead.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from gkpublish.errors import GkError

# What a 政务公开 site publishes (公文 as PDF/OFD/Word/WPS, tables, slides, images, archives
# of them, plain text/CSV data). Every type listed here has a content check below.
DEFAULT_ALLOWED = ("pdf", "ofd", "doc", "docx", "xls", "xlsx", "wps", "et", "dps", "ppt", "pptx",
                   "jpg", "jpeg", "png", "gif", "bmp", "zip", "txt", "csv")
KNOWN = frozenset(DEFAULT_ALLOWED)
CONFIG_KEYS = ("allowed",)
SITE_FILE = "site_config/site.yml"

# reading limits: an attachment is read whole once; a zip part is read up to this size
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
MAX_PART_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000


def allowed_types(site: dict[str, Any]) -> frozenset[str]:
    """The attachment types of this site: ``site.yml`` ``attachments.allowed`` (a subset of
    :data:`DEFAULT_ALLOWED`, lower case, without the dot), else all of them. A malformed
    setting stops the command (exit 2): the allow-list is site rules (GK308)."""
    cfg = site.get("attachments")
    if cfg is None:
        return KNOWN
    if not isinstance(cfg, dict):
        raise GkError(f"{SITE_FILE}: attachments 应为映射，例如 attachments: {{allowed: [pdf, docx, xlsx]}}")
    unknown = [str(k) for k in cfg if k not in CONFIG_KEYS]
    if unknown:
        raise GkError(f"{SITE_FILE}: attachments 中的 {'、'.join(unknown)} 不是可用的设置项；"
                      f"可用：{'、'.join(CONFIG_KEYS)}")
    allowed = cfg.get("allowed")
    if not isinstance(allowed, list) or not allowed or not all(isinstance(a, str) for a in allowed):
        raise GkError(f"{SITE_FILE}: attachments.allowed 应为扩展名列表（不带点），例如 [pdf, docx, xlsx]")
    bad = [a for a in allowed if a not in KNOWN]
    if bad:
        raise GkError(f"{SITE_FILE}: attachments.allowed 中的 {'、'.join(bad)} 不受支持"
                      f"（只能从 {'、'.join(DEFAULT_ALLOWED)} 中选择，小写、不带点）："
                      "网页、脚本、矢量图等会在访问者浏览器中运行的文件不能作为附件")
    return frozenset(allowed)


def extension(name: str) -> str:
    base = posixpath.basename(name)
    return base.rsplit(".", 1)[1] if "." in base.lstrip(".") else ""


# -- by name ---------------------------------------------------------------------------------

ITEM_SUFFIX = ".md"
MARKDOWN_LIKE = ("md", "markdown", "mdown", "mkd", "mkdn", "mdwn", "mdtxt", "mdtext", "rmd")
ACTIVE = ("html", "htm", "xhtml", "shtml", "svg", "svgz", "js", "mjs", "css", "xml", "xsl", "xslt",
          "json", "php", "asp", "aspx", "jsp", "swf", "wasm", "map")


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def name_problem(rel: str, allowed: frozenset[str]) -> str | None:
    """Why the file at repository path ``rel`` (under content/) can be neither an item nor
    an attachment, judged by its path alone; None when it may be one (an item when it ends
    in ``.md``)."""
    sub = rel[len("content/"):] if rel.startswith("content/") else rel
    name = sub.rsplit("/", 1)[-1]
    if _CONTROL_RE.search(sub):
        return "文件或文件夹名含有换行、制表符等控制字符：会破坏检查结果和网址；请改名"
    if (sub.startswith("_") or "/_" in sub):
        return ("以“_”开头的文件或文件夹名为系统保留（如 approvals/_site_config 是站点配置的签审记录），"
                "不能作为条目或附件；请改名（去掉开头的“_”）")
    if name.endswith(ITEM_SUFFIX):
        return _reserved(sub, item=True)
    ext = extension(name)
    low = ext.lower()
    if low in MARKDOWN_LIKE:
        return (f"扩展名“.{ext}”不是条目的扩展名：条目必须是小写 .md 文件，否则不经门禁检查就会被原样发布或渲染为页面；"
                f"请改名为 {name[:-len(ext)]}md（若是条目）或删除该文件")
    if low in ACTIVE:
        return (f"“.{ext}”文件（网页、脚本、样式或矢量图）会在访问者浏览器中运行，不能作为附件发布；"
                "请改为 PDF 等附件类型，或把内容写进条目正文")
    if low not in allowed:
        kinds = "、".join(sorted(allowed))
        what = f"扩展名“.{ext}”" if ext else "没有扩展名的文件"
        return (f"{what}不在本站允许的附件类型中（{kinds}；{SITE_FILE} attachments.allowed）："
                "content/ 下只能放条目（.md）和允许类型的附件；请转换格式、改名或删除该文件")
    if ext != low:
        return f"附件扩展名应为小写（.{low}，而不是 .{ext}）；请改名"
    return _reserved(sub, item=False)


def _reserved(sub: str, item: bool) -> str | None:
    global _RESERVED_PROBLEM
    if _RESERVED_PROBLEM is None:  # the site's own paths are the site package's to say
        from gkpublish.site.pages import reserved_problem

        _RESERVED_PROBLEM = reserved_problem
    return _RESERVED_PROBLEM(sub, item)


_RESERVED_PROBLEM: Any = None


# -- by content --------------------------------------------------------------------------------

@dataclass
class Text:
    """A piece of an attachment's text with where it is (``第 3 页``, ``工作表 sheet1 B2``)."""

    where: str
    text: str
    line: int | None = None  # file line (plain text / CSV)
    name: bool = False  # a file name (a zip member's): read as a name (privacy_patterns.scan_name)


@dataclass
class Inspection:
    kind_problem: str | None = None  # bytes are not what the name says / front matter (GK109)
    unreadable: str | None = None  # cannot be read at all (GK109)
    texts: list[Text] = field(default_factory=list)  # scanned for GK501–GK505
    leaks: list[str] = field(default_factory=list)  # GK506


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "doc": (_OLE2,), "xls": (_OLE2,), "ppt": (_OLE2,),
    # WPS Office saves .wps/.et/.dps as OLE2; newer versions may write OOXML
    "wps": (_OLE2, *_ZIP), "et": (_OLE2, *_ZIP), "dps": (_OLE2, *_ZIP),
    "docx": _ZIP, "xlsx": _ZIP, "pptx": _ZIP, "zip": _ZIP, "ofd": _ZIP,
}
_TYPE_NAMES = {"pdf": "PDF", "jpg": "JPEG 图片", "jpeg": "JPEG 图片", "png": "PNG 图片", "gif": "GIF 图片",
               "bmp": "BMP 图片", "doc": "Word 97-2003 文档", "xls": "Excel 97-2003 表格",
               "ppt": "PowerPoint 97-2003 演示文稿", "wps": "WPS 文字文档", "et": "WPS 表格", "dps": "WPS 演示",
               "docx": "Word 文档（zip 格式）", "xlsx": "Excel 表格（zip 格式）", "pptx": "PowerPoint 演示文稿（zip 格式）",
               "zip": "zip 压缩包", "ofd": "OFD 版式文件（zip 格式）", "txt": "文本", "csv": "CSV 文本"}
# text that a browser would run or render as a page if it sniffed the file
_ACTIVE_TEXT_RE = re.compile(rb"<\s*(?:script|html|svg|iframe|object|embed|body|meta|!doctype|\?xml)\b", re.I)
_OOXML_MAIN = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def _describe(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(_ZIP):
        return "zip 压缩包"
    if head.startswith(_OLE2):
        return "Office 97-2003 文件"
    if _ACTIVE_TEXT_RE.search(head[:2048]):
        return "网页/SVG/脚本"
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
        return "带前置元数据的 Markdown 文本"
    for ext, magics in _MAGIC.items():
        if ext in ("wps", "et", "dps") or not magics:
            continue
        if head.startswith(magics):
            return _TYPE_NAMES[ext]
    return "其他内容"


def inspect(name: str, data: bytes) -> Inspection:
    """What the bytes of attachment ``name`` are, say and leak (see the module docstring)."""
    ext = extension(name).lower()
    out = Inspection()
    if ext in ("txt", "csv"):
        _inspect_text(data, ext, out)
        return out
    magics = _MAGIC.get(ext)
    if magics is None or not data.startswith(magics):
        out.kind_problem = (f"文件内容与扩展名 .{ext} 不符：应为{_TYPE_NAMES.get(ext, ext)}，实际像是{_describe(data[:4096])}；"
                            "请上传真正的该类型文件，或按实际类型改名")
        return out
    try:
        if ext == "pdf":
            _inspect_pdf(data, out)
        elif data.startswith(_ZIP):
            _inspect_zip(ext, data, out)
        elif data.startswith(_OLE2):
            _inspect_ole2(data, out)
        elif ext in ("jpg", "jpeg"):
            _inspect_jpeg(data, out)
    except _Unreadable as exc:
        out.unreadable = str(exc)
    except Exception as exc:  # a hostile or broken file must never stop the check  # noqa: BLE001
        out.unreadable = f"无法解析（{type(exc).__name__}）"
    if out.unreadable:
        out.unreadable = (f"附件无法读取，门禁无法检查其内容：{out.unreadable}；"
                          "请重新导出（不加密、不损坏）后再上传")
    return out


class _Unreadable(Exception):
    pass


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (Windows 记事本/Excel 导出)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def _inspect_text(data: bytes, ext: str, out: Inspection) -> None:
    text = decode_text(data)
    if text is None:
        out.kind_problem = (f"文件内容与扩展名 .{ext} 不符：不是文本（UTF-8 或 GBK），实际像是{_describe(data[:4096])}；"
                            "请另存为 UTF-8 文本")
        return
    if text.lstrip("\ufeff").startswith("---"):
        out.kind_problem = ("文本附件以 --- 开头，带有 YAML 前置元数据，像是一个条目（可能含未公开的签审信息）："
                            "条目必须是 .md 文件并经门禁检查；请删除前置元数据，或改为 .md 条目")
        return
    if _ACTIVE_TEXT_RE.search(data if not data.startswith((b"\xff\xfe", b"\xfe\xff")) else text.encode()):
        out.kind_problem = (f".{ext} 附件中含有网页或脚本标记（如 <script>、<html>、<svg>）：浏览器可能把它当作网页运行；"
                            "请删除这些标记，或改为 PDF 等附件类型")
        return
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            out.texts.append(Text(f"第 {n} 行", line, n))


# -- zip based: docx / xlsx / pptx / ofd / zip -------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
DC = "{http://purl.org/dc/elements/1.1/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise _Unreadable(f"zip 结构损坏（{exc}）") from None
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _Unreadable(f"压缩包内文件过多（{len(infos)} 个）")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Unreadable(f"压缩包内的 {info.filename} 已加密")
    return zf


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise _Unreadable(f"{name} 解压后过大（{info.file_size} 字节）")
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _Unreadable(f"{name} 无法解压（{exc}）") from None
    if len(data) > MAX_PART_BYTES:
        raise _Unreadable(f"{name} 解压后过大")
    return data


def _xml(zf: zipfile.ZipFile, name: str) -> ET.Element | None:
    data = _read_part(zf, name)
    if data is None:
        return None
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # entity expansion: never in Office XML
        raise _Unreadable(f"{name} 含有 DTD/实体声明")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise _Unreadable(f"{name} 不是有效的 XML（{exc}）") from None


def _parts(zf: zipfile.ZipFile, pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return sorted((n for n in zf.namelist() if rx.fullmatch(n)), key=_natural)


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def _inspect_zip(ext: str, data: bytes, out: Inspection) -> None:
    zf = _open_zip(data)
    names = set(zf.namelist())
    if ext in _OOXML_MAIN or ext in ("wps", "et", "dps"):
        if "[Content_Types].xml" not in names:
            out.kind_problem = f"文件内容与扩展名 .{ext} 不符：是 zip 压缩包，但不是 Office 文档；请按实际类型改名"
            return
        kind = ext if ext in _OOXML_MAIN else next(
            (k for k, prefix in _OOXML_MAIN.items() if any(n.startswith(prefix) for n in names)), None)
        if kind is None or not any(n.startswith(_OOXML_MAIN[kind]) for n in names):
            out.kind_problem = f"文件内容与扩展名 .{ext} 不符：Office 压缩包中没有{_TYPE_NAMES.get(ext, ext)}的正文部分"
            return
        macros = [n for n in names if n.lower().endswith("vbaproject.bin")]
        if macros:
            out.kind_problem = (f"Office 文件含宏代码（{macros[0]}）：打开时可能运行；"
                                "请另存为不含宏的 .docx/.xlsx/.pptx 后再上传")
            return
        _office_properties(zf, out)
        {"docx": _docx, "xlsx": _xlsx, "pptx": _pptx}[kind](zf, out)
        _embedded_and_rest(zf, out)
    elif ext == "ofd":
        if "OFD.xml" not in names:
            out.kind_problem = "文件内容与扩展名 .ofd 不符：zip 压缩包中没有 OFD.xml"
            return
        _ofd(zf, out)
    else:  # a zip archive: every member is an attachment of its own
        _zip_members(zf, out)


# parts read by the extractors above, with their locations; and parts that hold layout only
_LOCATED = re.compile(r"(?:word/(?:document|header\d*|footer\d*|footnotes|endnotes|comments)"
                      r"|xl/(?:sharedStrings|workbook|worksheets/sheet\d+|comments\d*)"
                      r"|ppt/(?:slides/slide\d+|notesSlides/notesSlide\d+)|docProps/(?:core|app))\.xml")
_LAYOUT = re.compile(r"(?:.*/)?(?:theme\d*|styles|stylesWithEffects|fontTable|settings|webSettings|numbering"
                     r"|slideLayout\d*|slideMaster\d*|notesMaster\d*|handoutMaster\d*|presProps|viewProps|tableStyles"
                     r"|calcChain|\[Content_Types\])\.xml|.*\.rels")


def _embedded_and_rest(zf: zipfile.ZipFile, out: Inspection) -> None:
    """Fail closed over the rest of an Office file: an embedded file (an OLE object, a
    spreadsheet behind a chart) is published with it, and the text of every other XML part
    (text boxes of drawings, charts, custom XML, custom properties) is scanned too."""
    embedded = [n for n in zf.namelist() if "/embeddings/" in n and not n.endswith("/")]
    if embedded:
        out.leaks.append(f"含内嵌文件（{'、'.join(embedded[:3])}{' 等' if len(embedded) > 3 else ''}）：随附件一起公开，"
                         "门禁无法逐一检查；请删除内嵌对象或改为粘贴内容后重新导出")
    for part in sorted(zf.namelist(), key=_natural):
        if not part.endswith(".xml") or _LOCATED.fullmatch(part) or _LAYOUT.fullmatch(part):
            continue
        root = _xml(zf, part)
        if root is None:
            continue
        text = "\n".join(t for t in (el.text for el in root.iter()) if t and t.strip())
        if text:
            out.texts.append(Text(f"{part} 中", text))


def _office_properties(zf: zipfile.ZipFile, out: Inspection) -> None:
    """docProps/core.xml and app.xml: who wrote and last changed the file, for whom."""
    found = []
    core = _xml(zf, "docProps/core.xml")
    if core is not None:
        text = "\n".join(t for t in (el.text for el in core.iter()) if t and t.strip())
        if text:
            out.texts.append(Text("文档属性", text))
        for tag, label in ((f"{DC}creator", "作者"), (f"{CP}lastModifiedBy", "最后修改者")):
            for el in core.iter(tag):
                if (el.text or "").strip():
                    found.append(f"{label}“{el.text.strip()}”")
    app = _xml(zf, "docProps/app.xml")
    if app is not None:
        for tag, label in ((f"{EP}Company", "单位"), (f"{EP}Manager", "主管")):
            for el in app.iter(tag):
                if (el.text or "").strip():
                    found.append(f"{label}“{el.text.strip()}”")
    if found:
        out.leaks.append(f"文档属性含{'、'.join(found)}（docProps）：会随附件公开；"
                         "请在 Office“文件→信息→检查文档”或 WPS“文档加密→隐私”中删除个人信息后重新导出")


def _paragraph_texts(root: ET.Element, para: str, texts: tuple[str, ...]) -> list[str]:
    """Text per paragraph; runs are joined without separator (a number split over runs is one)."""
    out = []
    for p in root.iter(para):
        s = "".join(el.text or "" for el in p.iter() if el.tag in texts)
        if s.strip():
            out.append(s)
    return out


def _docx(zf: zipfile.ZipFile, out: Inspection) -> None:
    parts = (["word/document.xml"] + _parts(zf, r"word/(?:header|footer)\d*\.xml")
             + [p for p in ("word/footnotes.xml", "word/endnotes.xml", "word/comments.xml") if p in zf.namelist()])
    labels = {"word/document.xml": "正文", "word/footnotes.xml": "脚注", "word/endnotes.xml": "尾注",
              "word/comments.xml": "批注"}
    changes = hidden = 0
    for part in parts:
        root = _xml(zf, part)
        if root is None:
            continue
        label = labels.get(part) or ("页眉" if "header" in part else "页脚")
        for n, s in enumerate(_paragraph_texts(root, f"{W}p", (f"{W}t", f"{W}delText", f"{W}instrText")), 1):
            out.texts.append(Text(f"{label}第 {n} 段", s))
        changes += sum(1 for el in root.iter() if el.tag in (f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo"))
        for el in root.iter(f"{W}vanish"):
            if el.get(f"{W}val", "true").lower() not in ("0", "false", "off"):
                hidden += 1
        if part == "word/comments.xml" and any(True for _ in root.iter(f"{W}comment")):
            out.leaks.append("含批注（word/comments.xml）：审阅意见会随附件公开；请删除全部批注后重新导出")
    if changes:
        out.leaks.append(f"含修订痕迹（{changes} 处插入/删除，w:ins/w:del）：删除的原文仍在文件中；"
                         "请“接受所有修订”并关闭修订后重新导出")
    if hidden:
        out.leaks.append(f"含隐藏文字（{hidden} 处 w:vanish）：页面上看不到，但随文件公开；请删除隐藏文字后重新导出")


def _xlsx(zf: zipfile.ZipFile, out: Inspection) -> None:
    shared: list[str] = []
    sst = _xml(zf, "xl/sharedStrings.xml")
    if sst is not None:
        for si in sst.iter(f"{S}si"):
            shared.append("".join(t.text or "" for t in si.iter(f"{S}t")))
    wb = _xml(zf, "xl/workbook.xml")
    names: list[str] = []
    if wb is not None:
        for sheet in wb.iter(f"{S}sheet"):
            names.append(sheet.get("name") or "")
            if sheet.get("state") in ("hidden", "veryHidden"):
                out.leaks.append(f"含隐藏工作表“{sheet.get('name')}”：看不到，但随文件公开；请删除该工作表后重新导出")
    for n, part in enumerate(_parts(zf, r"xl/worksheets/sheet\d+\.xml")):
        root = _xml(zf, part)
        if root is None:
            continue
        sheet = names[n] if n < len(names) else posixpath.basename(part)[:-4]
        for c in root.iter(f"{S}c"):
            kind = c.get("t")
            v = c.find(f"{S}v")
            if kind == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{S}t"))
            elif v is None or v.text is None:
                continue
            elif kind == "s":
                i = int(v.text) if v.text.strip().isdigit() else -1
                value = shared[i] if 0 <= i < len(shared) else ""
            else:
                value = v.text
            if value.strip():
                out.texts.append(Text(f"工作表“{sheet}”{c.get('r') or ''} 单元格", value))
        hidden_rows = sum(1 for r in root.iter(f"{S}row") if r.get("hidden") in ("1", "true"))
        hidden_cols = sum(1 for col in root.iter(f"{S}col") if col.get("hidden") in ("1", "true"))
        if hidden_rows or hidden_cols:
            out.leaks.append(f"工作表“{sheet}”含隐藏的行或列（{hidden_rows} 行、{hidden_cols} 列）：看不到，但随文件公开；"
                             "请删除（而不是隐藏）不公开的数据后重新导出")
    for part in _parts(zf, r"xl/comments\d*\.xml") + _parts(zf, r"xl/threadedComments/.*\.xml"):
        root = _xml(zf, part)
        if root is not None and any(True for _ in root.iter()) and len(root):
            out.leaks.append(f"含批注（{part}）：审阅意见会随附件公开；请删除全部批注后重新导出")
            for n, s in enumerate(_paragraph_texts(root, root[0].tag, (f"{S}t",)) or [], 1):
                out.texts.append(Text(f"批注第 {n} 条", s))


def _pptx(zf: zipfile.ZipFile, out: Inspection) -> None:
    for part in _parts(zf, r"ppt/slides/slide\d+\.xml") + _parts(zf, r"ppt/notesSlides/notesSlide\d+\.xml"):
        root = _xml(zf, part)
        if root is None:
            continue
        label = ("备注" if "notes" in part else "幻灯片") + re.sub(r"\D", "", posixpath.basename(part))
        if root.get("show") in ("0", "false"):
            out.leaks.append(f"含隐藏的幻灯片（{part}）：放映时看不到，但随文件公开；请删除后重新导出")
        for n, s in enumerate(_paragraph_texts(root, f"{A}p", (f"{A}t",)), 1):
            out.texts.append(Text(f"{label} 第 {n} 段", s))
    comments = _parts(zf, r"ppt/comments/.*\.xml")
    if comments:
        out.leaks.append("含批注（ppt/comments）：审阅意见会随附件公开；请删除全部批注后重新导出")


def _ofd(zf: zipfile.ZipFile, out: Inspection) -> None:
    """OFD (GB/T 33190): text is in TextCode elements of each page's Content.xml."""
    for part in _parts(zf, r".*/Pages/[^/]+/Content\.xml"):
        root = _xml(zf, part)
        if root is None:
            continue
        page = re.search(r"Pages/([^/]+)/", part)
        s = "".join(el.text or "" for el in root.iter() if el.tag.endswith("TextCode"))
        if s.strip():
            out.texts.append(Text(f"第 {page.group(1) if page else '?'} 页", s))
    root = _xml(zf, "OFD.xml")
    if root is not None:
        authors = [el.text.strip() for el in root.iter() if el.tag.endswith("Author") and (el.text or "").strip()]
        if authors:
            out.leaks.append(f"OFD 文档信息含作者“{'、'.join(authors)}”（OFD.xml DocInfo/Author）：会随附件公开；请删除后重新导出")


def _zip_members(zf: zipfile.ZipFile, out: Inspection) -> None:
    """Each member of a zip archive is judged as an attachment of its own (type, content)."""
    for number, info in enumerate(zf.infolist(), 1):
        if info.is_dir():
            continue
        name = info.filename
        ext = extension(name).lower()
        if ext not in KNOWN or ext == "zip":
            out.kind_problem = (f"压缩包中的 {name} 不是允许的附件类型（{'、'.join(x for x in DEFAULT_ALLOWED if x != 'zip')}）："
                                "网页、脚本、嵌套压缩包等不能随附件发布；请从压缩包中删除")
            return
        # whoever downloads the archive sees its members' names: public content, read as names
        # (where: its position, not the name itself, which a CI log must not print unmasked)
        out.texts.append(Text(f"压缩包中第 {number} 个文件的文件名（请在压缩包中改名后重新打包）", name, name=True))
        sub = inspect(name, _read_part(zf, name) or b"")
        if sub.kind_problem or sub.unreadable:
            out.kind_problem = f"压缩包中的 {name}：{sub.kind_problem or sub.unreadable}"
            return
        out.texts.extend(Text(f"压缩包中的 {name} {t.where}", t.text) for t in sub.texts)
        out.leaks.extend(f"压缩包中的 {name}：{leak}" for leak in sub.leaks)


# -- OLE2 (Office 97-2003, WPS) ---------------------------------------------------------------

_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e\r\n\t]\x00|[\x00-\xff][\x4e-\x9f]|[\x00-\xff]\xff){4,}")
_ASCII_RUN = re.compile(rb"[\x20-\x7e]{6,}")


def _inspect_ole2(data: bytes, out: Inspection) -> None:
    """Office 97-2003 binary files hold their text as UTF-16LE or 8-bit runs; without a full
    parser, every such run is scanned (best effort: numbers and marks are found, the
    location is not)."""
    if "_VBA_PROJECT".encode("utf-16-le") in data or "Macros".encode("utf-16-le") + b"\x00\x00" in data:
        out.kind_problem = "Office 97-2003 文件含宏代码（VBA）：打开时可能运行；请另存为不含宏的文件后再上传"
        return
    for m in _UTF16_RUN.finditer(data):
        s = m.group().decode("utf-16-le", "ignore")
        if s.strip():
            out.texts.append(Text("文件内容", s))
    for m in _ASCII_RUN.finditer(data):
        out.texts.append(Text("文件内容", m.group().decode("ascii")))


# -- JPEG (EXIF) ---------------------------------------------------------------------------------

_EXIF_TAGS = {0x8825: "拍摄位置（GPS）", 0x013B: "作者（Artist）", 0x9C9D: "作者（XPAuthor）", 0x8298: "版权人（Copyright）"}


def _inspect_jpeg(data: bytes, out: Inspection) -> None:
    """A photo's EXIF can carry where it was taken (GPS) and who took it: published with it."""
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker, size = data[at + 1], struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker == 0xE1 and data[at + 4:at + 10] == b"Exif\x00\x00":
            found = _exif_tags(data[at + 10:at + 2 + size])
            if found:
                out.leaks.append(f"照片的 EXIF 信息含{'、'.join(found)}：会随图片公开；请用图片软件清除 EXIF（或另存）后重新上传")
            return
        if marker in (0xDA, 0xD9):  # start of scan: no more metadata
            return
        at += 2 + size


def _exif_tags(tiff: bytes) -> list[str]:
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return []
    order = "<" if tiff[:2] == b"II" else ">"
    ifd = struct.unpack(order + "I", tiff[4:8])[0]
    if ifd + 2 > len(tiff):
        return []
    count = struct.unpack(order + "H", tiff[ifd:ifd + 2])[0]
    found = []
    for n in range(min(count, 512)):
        entry = tiff[ifd + 2 + 12 * n:ifd + 14 + 12 * n]
        if len(entry) < 12:
            break
        tag = struct.unpack(order + "H", entry[:2])[0]
        if tag in _EXIF_TAGS:
            found.append(_EXIF_TAGS[tag])
    return found


# -- PDF ---------------------------------------------------------------------------------------

# software names in Creator/Producer are Latin; a Creator in Chinese characters only names a person
_PERSON_LIKE = re.compile(r"^[\u4e00-\u9fff·]{2,6}$")


def _inspect_pdf(data: bytes, out: Inspection) -> None:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about odd files are not findings
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - unknown algorithm, missing crypto support …
                raise _Unreadable(f"PDF 已加密（{type(exc).__name__}）") from None
            if not ok:
                raise _Unreadable("PDF 已加密，需要密码才能打开")
        pages = list(reader.pages)
    except _Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
        raise _Unreadable(f"PDF 结构损坏（{type(exc).__name__}）") from None
    info = {}
    try:
        info = dict(reader.metadata or {})
    except Exception:  # noqa: BLE001
        info = {}
    found = []
    author = str(info.get("/Author") or "").strip()
    if author:
        found.append(f"作者（Author）“{author}”")
    creator = str(info.get("/Creator") or "").strip()
    if creator and _PERSON_LIKE.match(creator):
        found.append(f"创建者（Creator）“{creator}”")
    try:
        xmp = reader.xmp_metadata
        creators = [c for c in (xmp.dc_creator or []) if str(c).strip()] if xmp is not None else []
    except Exception:  # noqa: BLE001 - broken XMP is not a finding of its own
        creators = []
    if creators:
        found.append(f"XMP 作者（dc:creator）“{'、'.join(map(str, creators))}”")
    if found:
        out.leaks.append(f"PDF 文档信息含{'、'.join(found)}：会随附件公开；请在导出前删除文档属性中的个人信息")
    _pdf_active_and_embedded(reader, data, out)
    hidden_pages = []
    notes: list[str] = []
    for n, page in enumerate(pages, 1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # noqa: BLE001
            raise _Unreadable(f"第 {n} 页无法提取文字（{type(exc).__name__}）") from None
        if text.strip():
            out.texts.append(Text(f"第 {n} 页", text))
        if _invisible_text(page, reader):
            hidden_pages.append(str(n))
        for text in _annotation_texts(page):
            notes.append(str(n))
            out.texts.append(Text(f"第 {n} 页批注", text))
    if hidden_pages:
        out.leaks.append(f"第 {'、'.join(hidden_pages)} 页含不可见文字（文字渲染模式 3，Tr 3）：页面上看不到，"
                         "但可被复制和检索；请删除后重新导出")
    if notes:
        out.leaks.append(f"第 {'、'.join(dict.fromkeys(notes))} 页含批注（注释）：审阅意见会随附件公开；请删除全部注释后重新导出")


_NOTE_SUBTYPES = ("/Text", "/FreeText", "/Popup", "/Highlight", "/Underline", "/StrikeOut", "/Squiggly",
                  "/Square", "/Circle", "/Ink", "/Stamp", "/Caret", "/FileAttachment", "/Sound")


def _annotation_texts(page: Any) -> list[str]:
    """The text of a page's comments (annotations other than links and form fields)."""
    out = []
    annots = page.get("/Annots")
    if annots is None:
        return out
    for ref in annots.get_object() or []:
        annot = ref.get_object()
        if annot.get("/Subtype") in _NOTE_SUBTYPES:
            out.append(str(annot.get("/Contents") or annot.get("/T") or annot.get("/Subtype")))
    return out


def _pdf_active_and_embedded(reader: Any, data: bytes, out: Inspection) -> None:
    """JavaScript runs in the reader's viewer (and some browsers); embedded files are
    published with the PDF but nobody reviewed them."""
    root = reader.trailer.get("/Root")
    root = root.get_object() if root is not None else {}
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names or "/OpenAction" in root and b"/JS" in data or b"/JavaScript" in data:
        out.kind_problem = "PDF 中含有 JavaScript 脚本：打开文件时会运行；请重新导出为不含脚本的 PDF"
    try:
        embedded = list(reader.attachments)
    except Exception:  # noqa: BLE001
        embedded = ["（无法列出）"] if "/EmbeddedFiles" in names else []
    if embedded:
        out.leaks.append(f"PDF 内嵌附件（{'、'.join(embedded[:3])}）：随 PDF 一起公开，门禁无法检查其内容；请删除后重新导出")


def _invisible_text(page: Any, reader: Any) -> bool:
    """Whether the page shows text in render mode 3 (neither filled nor stroked)."""
    from pypdf.generic import ContentStream

    contents = page.get_contents()
    if contents is None:
        return False
    mode = 0
    stack: list[int] = []
    for operands, op in ContentStream(contents, reader).operations:
        if op == b"Tr" and operands:
            try:
                mode = int(operands[0])
            except (TypeError, ValueError):
                continue
        elif op == b"q":
            stack.append(mode)
        elif op == b"Q" and stack:
            mode = stack.pop()
        elif op in (b"Tj", b"TJ", b"'", b'"') and mode == 3:
            shown = operands[-1] if operands else ""
            if isinstance(shown, list):
                shown = "".join(str(x) for x in shown if isinstance(x, str | bytes))
            if str(shown).strip():
                return True
    return False


# -- the files the public site publishes, inspected once per command ---------------------------

@dataclass
class PublicFile:
    """One content/ file the public site would publish, with what inspecting it found."""

    path: str  # repository path
    owners: list[str]  # the public items (or site_config/guide.yml) that publish it
    inspection: Inspection
    same_as: str | None = None  # why its bytes are non-public: an item file's, a non-public file's
    sha256: str | None = None  # of the bytes inspected (None when they could not be read)
    text_bytes: bytes | None = None  # the bytes of a txt/csv file, for verify-site's text check


EXTRA_KEY = "gkpublish.attachments"


def public_files(repo: Any) -> dict[str, PublicFile]:
    """The inspected public files of ``repo`` (computed by :func:`inspect_public`)."""
    cached = repo.extra.get(EXTRA_KEY)
    return cached if cached is not None else inspect_public(repo)


def inspect_public(repo: Any) -> dict[str, PublicFile]:
    """Read and inspect, once, every file the public site would publish: the attachments
    and linked files of every published item (:func:`gkpublish.public._attachments`, the
    same list the site is built from) and the 申请表 that guide.yml names. Unpublished
    files are not read, except a non-public file of the same size as a public one (its
    digest proves the two are not the same bytes: a symbolic or hard link, or a copy)."""
    import hashlib
    import os
    import stat

    from gkpublish.public import _attachments, is_published, public_body, secret_files

    owners: dict[str, list[str]] = {}
    for item in repo.items:
        if is_published(item):
            for a in _attachments(item, public_body(item), repo):
                owners.setdefault(a.path, []).append(item.path)
    form = repo.config.guide.get("application_form") if isinstance(repo.config.guide, dict) else None
    if isinstance(form, str) and form in repo.attachments:
        owners.setdefault(form, []).append("site_config/guide.yml")
    out: dict[str, PublicFile] = {}
    if owners:
        all_secrets = secret_files(repo)
        secrets = {p: why for p, why in all_secrets.items() if p not in owners}
        item_files = {it.sha256: it.path for it in repo.items}
        sizes: dict[int, list[tuple[str, str]]] = {}
        for path, why in secrets.items():
            full = repo.attachments.get(path) or os.path.join(repo.root, path)
            try:
                sizes.setdefault(os.stat(full).st_size, []).append((full, f"{path}（{why}）"))
            except OSError:
                continue
        for path, who in owners.items():
            full = repo.attachments[path]
            pf = PublicFile(path, who, Inspection())
            out[path] = pf
            if path in all_secrets:  # published by one item, non-public for another
                pf.same_as = f"同时是不公开的文件（{all_secrets[path]}）"
            try:
                st = os.stat(full)
                if not stat.S_ISREG(st.st_mode):
                    pf.inspection.unreadable = "不是普通文件；请放置文件本身"
                    continue
                if st.st_size > MAX_ATTACHMENT_BYTES:
                    pf.inspection.unreadable = (f"附件过大（{st.st_size / 1024 / 1024:.0f} MB，上限 "
                                                f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB）；请拆分或压缩后上传")
                    continue
                with open(full, "rb") as fh:
                    data = fh.read(MAX_ATTACHMENT_BYTES + 1)
            except OSError as exc:
                pf.inspection.unreadable = f"无法读取文件（{exc.strerror}）；请检查文件权限"
                continue
            digest = pf.sha256 = hashlib.sha256(data).hexdigest()
            if path.lower().endswith((".txt", ".csv")):
                pf.text_bytes = data
            if digest in item_files:
                pf.same_as = f"与条目文件 {item_files[digest]} 的内容完全相同（原样发布会公开前置元数据中的签审、起草人等内部信息）"
            for other, why in sizes.get(len(data), ()):
                try:
                    with open(other, "rb") as fh:
                        if hashlib.sha256(fh.read()).hexdigest() == digest:
                            pf.same_as = f"与不公开的文件 {why} 的内容完全相同（符号链接、硬链接或复制）"
                            break
                except OSError:
                    continue
            pf.inspection = inspect(path, data)
    repo.extra[EXTRA_KEY] = out
    return out
