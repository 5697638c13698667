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
