"""GK605–GK606: the 政府信息公开指南 and abolished 规范性文件 (GK6xx that need no git history).

条例 第十二条 requires every organ to publish and keep up to date its 政府信息公开指南
(how information is classified and arranged, how to obtain it, the office's name, address,
office hours, phone, fax and web contact) and its 政府信息公开目录; 第五十三条 makes failing
to update them a violation. 綦江 第十二条(一) adds: updated every year, marked with its year,
with a download link to the 政府信息公开申请表. 綦江 第十三条: the abolition of a 规范性文件
is announced under 履职依据, with its date and basis.

The 指南 is data in ``site_config/guide.yml``; the site generates the page, the 分类与编排
from ``columns.yml`` and the 申请表 itself (``gkpublish.site.guide``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gkpublish.model import Repository, parse_date
from gkpublish.rules import Problem, rule

GUIDE_FILE = "site_config/guide.yml"

# The parts of the 指南 that 条例 第十二条 and 綦江 第十二条(一) name, key → Chinese name.
GUIDE_PARTS: dict[str, str] = {
    "office": "政府信息公开工作机构名称",
    "address": "办公地址",
    "hours": "办公时间",
    "phone": "联系电话",
    "fax": "传真",
    "web": "网上联系方式（网址或电子邮箱）",
    # a path under content/ (the site ships that file) or a bare file name (the site generates the form)
    "application_form": "政府信息公开申请表（content/ 中的文件路径，或下载文件名如 政府信息公开申请表.docx）",
}
FORM_SUFFIXES = (".docx", ".doc", ".pdf", ".wps")


def _line(repo: Repository, key: str) -> int | None:
    data = repo.config.files.get(GUIDE_FILE)
    if data is None:
        return None
    m = re.search(rf"^{re.escape(key)}[ \t]*:", data.decode("utf-8", "replace"), re.M)
    return data.decode("utf-8", "replace").count("\n", 0, m.start()) + 1 if m else 1


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@rule("GK605", "E", "政府信息公开指南未按年度更新或内容不全", "条例 第十二条; 綦江 第十二条(一)")
def guide(repo: Repository) -> Iterator[Problem]:
    """The 政府信息公开指南 (``site_config/guide.yml``) is marked with the current year (as of
    the check date) and has every part the 条例 names; the site generates the page from it,
    with the 分类与编排 from the columns and a download link to the 申请表.

    Passing (checked in 2026)::

        year: 2026
        office: 区政府办公室政务公开科
        address: 重庆市江北区……
        hours: 工作日 9:00—12:00，14:00—17:30
        phone: 023-67000000
        fax: 023-67000001
        web: https://www.example.gov.cn/
        application_form: 政府信息公开申请表.docx

    Failing: ``year: 2025`` checked in 2026, or no ``fax``::

        site_config/guide.yml:2: GK605 政府信息公开指南标注的年份是 2025 年，检查日期为 2026 年：指南须每年更新 ……
        site_config/guide.yml:1: GK605 政府信息公开指南缺少“传真”（fax）……
    """
    g = repo.config.guide
    year = g.get("year")
    as_of = repo.as_of
    if _blank(year):
        yield Problem(GUIDE_FILE, _line(repo, "year"),
                      f"政府信息公开指南未注明年份（year）：指南须每年更新并注明年份（綦江 第十二条(一)），请填写 year: {as_of.year}")
    elif not isinstance(year, int) or isinstance(year, bool):
        yield Problem(GUIDE_FILE, _line(repo, "year"), f"year 应为四位数年份（如 {as_of.year}），现在是“{year}”")
    elif year != as_of.year:
        when = "早于" if year < as_of.year else "晚于"
        yield Problem(GUIDE_FILE, _line(repo, "year"),
                      f"政府信息公开指南标注的年份是 {year} 年，{when}检查日期所在的 {as_of.year} 年："
                      f"指南须每年更新（条例 第十二条、第五十三条；綦江 第十二条(一)），请核对各项内容后改为 year: {as_of.year}")
    for key, name in GUIDE_PARTS.items():
        if _blank(g.get(key)):
            yield Problem(GUIDE_FILE, _line(repo, key),
                          f"政府信息公开指南缺少“{name}”（{key}）：条例 第十二条要求指南载明此项，请在 {GUIDE_FILE} 中填写")
    form = g.get("application_form")
    if isinstance(form, str) and form.strip():
        form = form.strip()
        if not form.lower().endswith(FORM_SUFFIXES):
            yield Problem(GUIDE_FILE, _line(repo, "application_form"),
                          f"申请表文件名“{form}”应以 {' / '.join(FORM_SUFFIXES)} 结尾，站点按此名称提供下载")
        elif "/" in form and (form not in repo.attachments or form in repo.unsafe_paths):
            yield Problem(GUIDE_FILE, _line(repo, "application_form"),
                          f"申请表文件 {form} 不在 content/ 中：写仓库中的路径时，须把申请表放在该位置；"
                          "只写文件名（如 政府信息公开申请表.docx）则由站点按通行格式生成")


@rule("GK606", "E", "已废止的规范性文件缺少废止日期或依据", "綦江 第十三条")
def abolished(repo: Repository) -> Iterator[Problem]:
    """An abolished 规范性文件 carries its 废止 date and basis, consistently with 有效性,
    so that the site can announce it under 履职依据 (綦江 第十三条).

    The JSON Schema already reports ``validity: 废止`` without ``abolished`` and an
    ``abolished`` without ``date`` or ``basis`` under this ID. This rule adds what crosses
    fields: an ``abolished`` on an item that is not marked 废止, a 废止日期 before the 成文日期,
    and a 废止日期 after the check date while the item already says 废止.

    Passing::

        validity: 废止
        abolished:
          date: 2024-06-30
          basis: 《关于废止部分规范性文件的决定》（江北府发〔2024〕9号）

    Failing::

        validity: 有效
        abolished: {date: 2024-06-30, basis: ……}
        → content/zcwj/a.md:9: GK606 填写了废止信息（abolished），但有效性（validity）为“有效”……
    """
    for item in repo.items:
        ab = item.mapping("abolished")
        validity = item.text("validity")
        if not ab:
            continue
        if validity != "废止":
            yield Problem(item.path, item.line_of("validity") if "validity" in item.meta else item.line_of("abolished"),
                          f"填写了废止信息（abolished），但有效性（validity）为“{validity or '未填写'}”："
                          "已废止的文件请把 validity 改为 废止；未废止请删除 abolished")
            continue
        day = parse_date(ab.get("date"))
        written = item.date("written")
        if day is not None and written is not None and day < written:
            yield Problem(item.path, item.line_of("abolished"),
                          f"废止日期 {day} 早于成文日期 {written}，请核对")
        if day is not None and day > repo.as_of:
            yield Problem(item.path, item.line_of("abolished"),
                          f"废止日期 {day} 晚于检查日期 {repo.as_of}，文件尚未废止：请在废止生效后再把 validity 改为 废止")
