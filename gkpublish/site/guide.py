"""The 政府信息公开指南 page and the 政府信息公开申请表 the site ships.

条例 第十二条: the 指南 states the classification and arrangement of information (here:
the site's columns), how to obtain it, and the disclosure office's name, address, office
hours, phone, fax and web contact. 綦江 第十二条(一): it is updated every year, marked with
its year, and links to a downloadable 申请表. Rule GK605 checks the data
(``site_config/guide.yml``); this module only renders it.

The 申请表 is generated here as a real Word document (.docx: WordprocessingML written with
:mod:`zipfile`, no template file and no extra dependency) with the fields the national
practice uses (申请人信息 for 公民 and 法人或者其他组织, 所需政府信息情况, 获取方式). The
file name comes from ``application_form`` in guide.yml. The zip is written with fixed
timestamps, so the same data always give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from gkpublish.public import PublicItem, PublicView
from gkpublish.rules.site import GUIDE_PARTS
from gkpublish.site.pages import PAGE_SIZE, SitePage, column_url
from gkpublish.site.render import render

DEFAULT_FORM = "政府信息公开申请表.docx"

DEFAULT_OBTAIN = {
    "主动公开": "主动公开的政府信息，可通过本网站政府信息公开专栏查阅、检索和下载，也可到政府信息公开查阅场所查阅。",
    "依申请公开": "申请获取主动公开以外的政府信息，可通过当面提交、邮寄、传真或网上提交等方式向本机关提出申请；"
                 "申请时请填写《政府信息公开申请表》，或以书面形式载明申请人的姓名或者名称、身份证明、联系方式，"
                 "申请公开的政府信息的名称、文号或者便于查询的其他特征性描述，以及获取信息的方式、途径（条例 第二十九条）。",
}
PROCEDURE = (
    "本机关收到申请后，能够当场答复的当场答复；不能当场答复的，自收到申请之日起 20 个工作日内予以答复；"
    "需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长期限最长不超过 20 个工作日（条例 第三十三条）。",
    "依申请提供政府信息，不收取费用；申请人申请公开政府信息的数量、频次明显超过合理范围的，可以依照国家规定收取信息处理费（条例 第四十二条）。",
)

REMEDY = ("公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，"
          "也可以依法申请行政复议或者提起行政诉讼（条例 第五十一条）。")


def guide_title(guide: dict[str, Any], organ: str = "") -> str:
    year = guide.get("year")
    return f"{organ}政府信息公开指南" + (f"（{year}年）" if year else "")


def form_name(guide: dict[str, Any]) -> str:
    name = str(guide.get("application_form") or DEFAULT_FORM).strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name.lower().endswith(".docx"):
        name = name.rsplit(".", 1)[0] + ".docx" if "." in name else name + ".docx"
    return name


def is_current_guide(item: PublicItem, year: Any) -> bool:
    """The item that is this year's 指南 itself (its title names the guide and guide.yml's
    year): the 指南 page is that guide, so 往年指南 must not list it again."""
    return bool(year) and "指南" in item.title and f"{year}年" in item.title


def guide_page(view: PublicView, guide_items: list[PublicItem], form_uri: str) -> SitePage:
    """The 指南 page (theme/gk/guide.html); ``form_uri`` is the site path of the 申请表."""
    g = view.guide
    organ = str(g.get("organ") or view.site.get("organiser") or "")
    title = guide_title(g, organ)
    obtain = g.get("obtain")
    obtain = obtain if isinstance(obtain, dict) and obtain else DEFAULT_OBTAIN

    office_rows: list[tuple[str, str, str | None]] = []
    for key in ("office", "address", "postcode", "hours", "phone", "fax", "web", "email"):
        value = g.get(key)
        if value in (None, ""):
            continue
        label = {"postcode": "邮政编码", "email": "电子邮箱"}.get(key) or GUIDE_PARTS[key].split("（")[0]
        if key == "office":
            label = "机构名称"
        href = None
        if key == "web" and str(value).startswith(("http://", "https://")):
            href = str(value)
        elif key in ("web", "email") and "@" in str(value):
            href = f"mailto:{value}"
        office_rows.append((label, str(value), href))

    # the newest earlier guides; the column page has them all (a page must not grow with the site)
    history = [it for it in guide_items if not is_current_guide(it, g.get("year"))]
    column = history[0].meta.get("column") if history else None
    more = column_url(column) if column and len(history) > PAGE_SIZE else None
    before = render("guide.html", title=title, organ=organ, g=g, base="guide/", columns=view.columns,
                    obtain=obtain, procedure=PROCEDURE, form_uri=form_uri, office_rows=office_rows,
                    remedy=REMEDY, history=history[:PAGE_SIZE], more=more)
    return SitePage(src_uri="guide/index.md", title=title, kind="guide", before=before)


# -- the 申请表 (.docx) ---------------------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/word/document.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
       '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
       "</Types>")
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="word/document.xml"/>'
         '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
         'Target="docProps/core.xml"/>'
         "</Relationships>")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _run(text: str, bold: bool = False, size: int = 24) -> str:
    rpr = f'<w:rPr><w:rFonts w:eastAsia="宋体"/>{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/></w:rPr>'
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r>'


def _para(text: str, bold: bool = False, size: int = 24, center: bool = False) -> str:
    ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    return f"<w:p>{ppr}{_run(text, bold, size)}</w:p>"


def _cell(text: str, width: int, span: int = 1, bold: bool = False, vmerge: str | None = None) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge is not None:
        props += f'<w:vMerge w:val="{vmerge}"/>' if vmerge else "<w:vMerge/>"
    props += '<w:vAlign w:val="center"/>'
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{_para(text, bold, 21)}</w:tc>"


def _form_rows() -> list[str]:
    # 4-column grid: group | label | value | label | value  → widths in twips
    g, lab, val = 1300, 1700, 2200
    rows: list[str] = []

    def row(*cells: str) -> None:
        rows.append(f'<w:tr><w:trPr><w:trHeight w:val="560"/></w:trPr>{"".join(cells)}</w:tr>')

    citizen = [("姓名", "工作单位"), ("证件名称", "证件号码"), ("联系电话", "电子邮箱"), ("通信地址", "邮政编码")]
    org = [("名称", "统一社会信用代码"), ("法定代表人或负责人", "联系人姓名"), ("联系电话", "电子邮箱"), ("通信地址", "邮政编码")]
    for group, pairs in (("公民", citizen), ("法人或者其他组织", org)):
        for n, (a, b) in enumerate(pairs):
            first = n == 0
            row(_cell("申请人信息·" + group if first else "", g, vmerge="restart" if first else ""),
                _cell(a, lab, bold=True), _cell("", val), _cell(b, lab, bold=True), _cell("", val))
    row(_cell("申请人签名或者盖章", g + lab, span=2, bold=True), _cell("", val),
        _cell("申请时间", lab, bold=True), _cell("", val))
    need = [("所需政府信息的名称", ""), ("所需政府信息的文号（如有）", ""),
            ("所需政府信息的内容描述", "（请尽量写明信息的名称、文号、制作机关、时间等特征性描述）")]
    for n, (label, hint) in enumerate(need):
        first = n == 0
        row(_cell("所需信息情况" if first else "", g, vmerge="restart" if first else ""),
            _cell(label, lab, bold=True), _cell(hint, val * 2 + lab, span=3))
    row(_cell("获取信息的方式", g + lab, span=2, bold=True),
        _cell("□ 纸质文本　□ 电子邮件　□ 光盘　□ 当场阅读、抄录", val * 2 + lab, span=3))
    row(_cell("信息的载体形式", g + lab, span=2, bold=True),
        _cell("□ 邮寄　□ 电子邮件　□ 传真　□ 自行领取", val * 2 + lab, span=3))
    return rows


def application_form(guide: dict[str, Any], site: dict[str, Any]) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the 政府信息公开申请表."""
    organ = str(site.get("organiser") or guide.get("office") or "")
    office = [f"受理机构：{guide.get('office') or organ}"]
    for key, label in (("address", "地址"), ("phone", "电话"), ("fax", "传真"), ("web", "网上联系方式")):
        if guide.get(key):
            office.append(f"{label}：{guide[key]}")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in (1300, 1700, 2200, 1700, 2200))
    borders = "".join(f'<w:{b} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
                      for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    table = (f'<w:tbl><w:tblPr><w:tblW w:w="9100" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
             f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(_form_rows())}</w:tbl>')
    body = (_para(f"{organ}", size=28, center=True)
            + _para("政府信息公开申请表", bold=True, size=36, center=True)
            + table
            + _para("")
            + "".join(_para(line, size=21) for line in office)
            + _para("说明：申请人应当提供身份证明；申请公开的政府信息涉及本人的，请一并说明。"
                    "本表可当面提交，也可邮寄、传真或通过网上联系方式提交。", size=21)
            + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
              '<w:pgMar w:top="1440" w:right="1200" w:bottom="1440" w:left="1200" w:header="720" w:footer="720" w:gutter="0"/>'
              "</w:sectPr>")
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
                f"<w:body>{body}</w:body></w:document>")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{xml_escape(organ)}政府信息公开申请表</dc:title><dc:creator>{xml_escape(organ)}</dc:creator>"
            "</cp:coreProperties>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS),
                           ("docProps/core.xml", core), ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8"))
    return form_name(guide), buf.getvalue()
