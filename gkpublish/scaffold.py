"""Writing a new item (``gkpublish new``): the front matter filled in, the next 索引号, today's dates.

What a clerk would otherwise copy by hand from the configuration comes from it: the
publisher, 主办科室 and 主题分类 from the column's ``defaults`` (``site_config/columns.yml``),
the organ code from ``organisation.yml``, the 索引号 pattern from ``site.yml``. What only the
clerk can know is left as a placeholder that the gate reports (a 不予公开 reason, a
non-public block's reason, a missing 文号), so a draft cannot pass by accident.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml

from gkpublish.errors import GkError
from gkpublish.model import ATTRIBUTES, Column, Repository
from gkpublish.rules.attribute import NOTE_FOR  # the 附注 of each attribute (附件1 第四条)
from gkpublish.rules.structure import index_no_pattern, index_no_regex

# 附件1 第五条: what is withheld is re-evaluated periodically; the first date is half a year on.
REEVALUATE_AFTER_DAYS = 180
# Placeholders the gate rejects: 待填写 is neither one of the eight grounds (GK202) nor a reason
# that names one (GK205).
TO_FILL = "待填写"
DEFAULT_TOPIC = "综合政务/政务公开"


class _Dumper(yaml.SafeDumper):
    """No anchors/aliases (written and published are the same date): the loader refuses them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


@dataclass
class Draft:
    """A new item before it is written: front matter, body, and reminders for the clerk."""

    meta: dict[str, Any]
    body: str
    reminders: list[str] = field(default_factory=list)

    def text(self) -> str:
        post = frontmatter.Post(self.body, **self.meta)
        return frontmatter.dumps(post, Dumper=_Dumper, sort_keys=False) + "\n"


def column_or_error(repo: Repository, column_id: str) -> Column:
    col = repo.config.columns.get(column_id)
    if col is not None:
        return col
    by_name = [c for c in repo.config.columns.values() if c.name == column_id]
    if len(by_name) == 1:
        return by_name[0]
    valid = "、".join(f"{c.id}（{c.name}）" for c in sorted(repo.config.columns.values(), key=lambda c: c.order))
    raise GkError(f"栏目“{column_id}”未在 site_config/columns.yml 中定义；可用的栏目：{valid}")


def organ_code(repo: Repository, organ: str) -> str:
    row = repo.config.organs.get(organ)
    if row is None or row.get("code") in (None, ""):
        valid = "、".join(repo.config.organs) or "（无）"
        raise GkError(f"发布机构“{organ}”未在 site_config/organisation.yml 中定义；可用的发布机构：{valid}")
    return str(row["code"])


def next_index_no(pattern: str, code: str, day: dt.date, existing: Iterable[str]) -> str:
    """The next 索引号 of an organ: the largest serial of that organ and year, plus one.

    ``existing`` are the 索引号 already in use. Numbers that do not follow ``pattern`` are
    ignored (GK104 reports them); gaps are not filled, because a 索引号 once published is never
    given to another item. With a ``{yyyymm}`` pattern the serial still runs through the year.
    """
    regex = index_no_regex(pattern, [code])
    serial = 0
    for value in existing:
        m = regex.fullmatch(value)
        if m is None:
            continue
        g = m.groupdict()
        if g.get("code") not in (None, code):
            continue
        year = g.get("year") or (g.get("yyyymm") or "")[:4] or None
        if year is not None and year != str(day.year):
            continue
        serial = max(serial, int(g["serial"]))
    try:
        return pattern.format(code=code, year=day.year, yyyymm=day.strftime("%Y%m"), serial=serial + 1)
    except (KeyError, ValueError, IndexError) as exc:
        raise GkError(f"site_config/site.yml: index_no.pattern“{pattern}”无法生成索引号（{exc}）") from None


def _department(repo: Repository, column: Column, publisher: str) -> str:
    """The column's default 主办科室 if it belongs to the publisher, else the publisher's first unit."""
    wanted = column.defaults.get("department")
    units = [u for u in repo.config.units.values() if u.organ == publisher]
    for u in units:
        if wanted in (u.name, u.id):
            return u.name
    if not units:
        raise GkError(f"发布机构“{publisher}”在 site_config/organisation.yml 中没有科室（units）；请先添加主办科室")
    return units[0].name


def _drafter(repo: Repository, department: str, wanted: str | None, reminders: list[str]) -> str | None:
    """The 经办人: ``wanted`` if the roster has it, else the unit's only 经办人 (none if several)."""
    unit = repo.config.unit_by_name(department)
    clerks = sorted(p.id for p in repo.config.people.values()
                    if "经办人" in p.steps and unit is not None and p.unit == unit.id)
    if wanted is not None:
        if wanted not in repo.config.people:
            listed = "、".join(clerks) or "（名册中该科室没有经办人）"
            raise GkError(f"经办人“{wanted}”不在 site_config/roster.yml 中；{department}的经办人：{listed}")
        return wanted
    if len(clerks) == 1:
        return clerks[0]
    reminders.append(f"请填写经办人（drafter）：{department}的经办人有 {'、'.join(clerks)}" if clerks
                     else f"请填写经办人（drafter）：名册中{department}还没有经办人")
    return None


def _written_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def draft_item(repo: Repository, column_id: str, title: str, *, attribute: str | None = None,
               publisher: str | None = None, doc_no: str | None = None, summary: str | None = None,
               drafter: str | None = None, today: dt.date | None = None) -> Draft:
    """Fill the front matter of a new item of ``column_id`` (see the module docstring)."""
    column = column_or_error(repo, column_id)
    today = today or dt.date.today()
    attribute = attribute or column.defaults.get("attribute") or "主动公开"
    if attribute not in ATTRIBUTES:
        raise GkError(f"公开属性“{attribute}”无效；应为：{' / '.join(ATTRIBUTES)}")
    publisher = publisher or column.defaults.get("publisher") or next(iter(repo.config.organs), "")
    code = organ_code(repo, publisher)
    existing = [it.meta["index_no"] for it in repo.items if isinstance(it.meta.get("index_no"), str)]
    document = column.kind == "document"
    reminders: list[str] = []

    meta: dict[str, Any] = {"title": title,
                            "index_no": next_index_no(index_no_pattern(repo), code, today, existing)}
    if doc_no:
        meta["doc_no"] = doc_no
    elif document:
        reminders.append("本栏目为公文栏目，请补填文号（doc_no），否则检查会报 GK103")
    meta.update({
        "publisher": publisher,
        "department": _department(repo, column, publisher),
        "column": column.id,
        "topic": column.defaults.get("topic") or DEFAULT_TOPIC,
        "written": today,
        "published": today,
    })
    if document:
        meta["validity"] = "有效"
    meta["attribute"] = attribute
    if attribute == "不予公开":
        meta["reason"] = {"ground": TO_FILL, "basis": TO_FILL}
        reminders.append("不予公开须说明理由：请在 reason.ground 填写条例第十四至十六条的情形"
                         "（国家秘密 / 个人隐私 / 内部事务信息 / 过程性信息 / ……），在 reason.basis 写明具体依据")
    if attribute in ("不予公开", "依申请公开"):
        meta["review_date"] = today + dt.timedelta(days=REEVALUATE_AFTER_DAYS)
    meta["summary"] = summary or title
    if not summary:
        reminders.append("内容概述（summary）暂用标题，请改写为对内容的概括")
    meta["source"] = {"type": "原创"}
    clerk = _drafter(repo, meta["department"], drafter, reminders)
    if clerk:
        meta["drafter"] = clerk

    body = ["（在此填写正文）", ""]
    if attribute == "部分公开":
        body += [f'::: 不公开 理由="{TO_FILL}"', "（在此填写不公开的内容；理由须写明条例第十四至十六条的情形，如“个人隐私（条例第十五条）”）",
                 ":::", ""]
        reminders.append("部分公开：请把不公开的内容放进 ::: 不公开 理由=\"……\" 块，并写明理由")
    if document:
        body += [publisher, "", _written_date(today), "", f"（{NOTE_FOR[attribute]}）", ""]
    return Draft(meta=meta, body="\n".join(body), reminders=reminders)


def default_path(repo: Repository, draft: Draft) -> str:
    """``content/<column>/<year>-<serial>.md``; the organ code is added when another organ's item
    already has that name. Returns an absolute path that does not exist yet."""
    index_no = str(draft.meta["index_no"])
    tail = index_no.rsplit("/", 1)[-1]
    code = organ_code(repo, str(draft.meta["publisher"]))
    folder = os.path.join(repo.root, "content", str(draft.meta["column"]))
    for name in (tail, f"{code}-{tail}"):
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
        path = os.path.join(folder, f"{safe}.md")
        if not os.path.exists(path):
            return path
    raise GkError(f"{os.path.relpath(path, repo.root)}: 文件已存在，不会覆盖；请用 --out 指定新文件名")


def write_draft(path: str, draft: Draft) -> None:
    """Write the item; never overwrite an existing file (exit 2)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(draft.text())
    except FileExistsError:
        raise GkError(f"{path}: 文件已存在，不会覆盖；请换一个文件名") from None


# -- the yearly 政府信息公开指南 (``gkpublish new --guide YEAR``) ----------------------------
# 条例 第十二条 and 綦江 第十二条(一): the 指南 is updated every year and marked with its year
# (GK605 checks site_config/guide.yml as of the check date). The tool does the mechanical part
# (the year in guide.yml, next year's 指南 item drafted from this year's); the office checks
# the facts and signs both, so the sign-offs stay human.
GUIDE_FILE = "site_config/guide.yml"
_YEAR_LINE = r"^year[ \t]*:[^\n]*"
# Front-matter keys of last year's item that do not carry over to a new item.
_NOT_CARRIED = ("imported", "index_no", "written", "published", "doc_no", "review_date")


@dataclass
class GuideDraft:
    """Next year's 指南: the item to write and the new bytes of guide.yml (None: unchanged)."""

    draft: Draft
    guide_yml: bytes | None
    previous: str | None  # the item it was drafted from


def _guide_column(repo: Repository) -> Column:
    from gkpublish.site.pages import GUIDE_COLUMN_NAMES  # the column whose nav entry is the 指南 page

    cols = [c for c in repo.config.columns.values() if c.name in GUIDE_COLUMN_NAMES]
    if not cols:
        raise GkError("site_config/columns.yml 中没有名为“政府信息公开指南”的栏目：请先添加该栏目，"
                      "再用 gkpublish new --guide 生成当年的指南")
    return cols[0]


def _with_year(text: str, old: int, new: int) -> str:
    """The year markers of a 指南 (（2026年）, 2026年度) moved to ``new``; other dates are facts
    the office checks (the reminders list every line that still names the old year)."""
    return text.replace(f"（{old}年）", f"（{new}年）").replace(f"{old}年度", f"{new}年度")


def _dates(value: Any) -> Any:
    """ISO date strings (the loader's normal form) back to dates, so YAML writes them unquoted."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    return value


def guide_yml_with_year(data: bytes, year: int) -> bytes:
    """guide.yml with ``year: YEAR``, comments and every other line kept as they are."""
    text = data.decode("utf-8")
    if re.search(_YEAR_LINE, text, re.M):
        text = re.sub(_YEAR_LINE, f"year: {year}", text, count=1, flags=re.M)
    else:
        lines = text.splitlines(keepends=True)
        at = next((i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")), len(lines))
        lines.insert(at, f"year: {year}\n")
        text = "".join(lines)
    return text.encode("utf-8")


def draft_guide(repo: Repository, year: int, today: dt.date | None = None) -> GuideDraft:
    """The 指南 of ``year``: drafted from the latest 指南 item (its text with the year markers
    moved, a new 索引号, today's dates), and guide.yml's ``year`` set to ``year``."""
    today = today or dt.date.today()
    column = _guide_column(repo)
    current = repo.config.guide.get("year")
    current = current if isinstance(current, int) and not isinstance(current, bool) else None
    if not 1000 <= year <= 9999:
        raise GkError(f"--guide {year}: 年份应为四位数，如 {today.year}")
    if current is not None and year < current:
        raise GkError(f"--guide {year}: {GUIDE_FILE} 已是 {current} 年的指南，不能改回更早的年份；"
                      f"请用 --guide {current + 1} 生成下一年的指南")
    items = [it for it in repo.items if it.meta.get("column") == column.id]
    marker = f"（{year}年）"
    if any(marker in str(it.meta.get("title", "")) for it in items):
        done = next(it.path for it in items if marker in str(it.meta.get("title", "")))
        raise GkError(f"{done}: {year} 年的指南条目已存在，不再新建；请核对并签审该条目"
                      + ("" if current == year else f"，并把 {GUIDE_FILE} 的 year 改为 {year}"))
    items.sort(key=lambda it: (str(it.meta.get("published", "")), it.path))
    previous = items[-1] if items else None
    organ = str(repo.config.guide.get("organ") or (previous.meta.get("publisher") if previous else "")
                or next(iter(repo.config.organs), ""))
    if previous is None:
        draft = draft_item(repo, column.id, f"{organ}政府信息公开指南（{year}年）",
                           summary=f"{year}年度政府信息公开指南", today=today)
        draft.body = (f"根据《中华人民共和国政府信息公开条例》第十二条编制本指南，本版适用于{year}年度。\n\n"
                      "（在此填写正文：分类和编排体系、获取方式、申请的提出与办理、工作机构的联系方式）\n")
    else:
        old = current if current is not None else year - 1
        fresh = draft_item(repo, column.id, "指南", publisher=str(previous.meta.get("publisher") or "") or None,
                           summary="指南", today=today)
        # last year's fields in last year's order; the 索引号 and dates are new, what only
        # applied to last year's item (imported, doc_no …) is dropped
        new = {"index_no": fresh.meta["index_no"], "written": today, "published": today}
        meta = {}
        for k, v in previous.meta.items():
            if k in new:
                meta[k] = new.pop(k)
            elif k not in _NOT_CARRIED:
                meta[k] = _dates(v)
        meta.update(new)
        meta["title"] = _with_year(str(previous.meta.get("title", "")), old, year)
        if isinstance(meta.get("summary"), str):
            meta["summary"] = _with_year(meta["summary"], old, year)
        if marker not in meta["title"]:
            meta["title"] = f"{organ}政府信息公开指南（{year}年）"
        draft = Draft(meta=meta, body=_with_year(previous.body.lstrip("\n"), old, year))
        left = [n for n, ln in enumerate(draft.body.splitlines(), 1) if str(old) in ln]
        if left:
            draft.reminders.append(f"正文第 {'、'.join(map(str, left[:10]))} 行（自正文起算）仍写有“{old}”："
                                   "请逐一核对是否应改为新的年份")
    draft.reminders.append(f"请核对新指南的正文，以及 {GUIDE_FILE} 中的办公地址、办公时间、电话、传真、网址是否仍然准确")
    if today.year < year:
        draft.reminders.append(f"今天早于 {year} 年：在 {year} 年 1 月 1 日之前，GK605 会报告指南年份“晚于”检查日期，"
                               f"请在 {year} 年 1 月 1 日及之后合入")
    data = repo.config.files.get(GUIDE_FILE)
    new_yml = None if current == year else guide_yml_with_year(data if data is not None else b"", year)
    return GuideDraft(draft=draft, guide_yml=new_yml, previous=previous.path if previous else None)
