"""The national inspection's thresholds (国办秘函〔2019〕19号) and each column's update status.

19号 fails a site outright (单项否决) for: the home page not updated for 2 weeks; ≥5
columns not updated (动态/要闻 columns 2 weeks, 通知公告/政策文件 columns 6 months); ≥10
columns long unupdated; ≥5 empty columns. The defaults below are those numbers; a site may
set its own in ``site_config/site.yml``::

    inspection:
      max_stale: 5            # 未按期更新的栏目数达到此数即为错误（GK603）
      max_long_stale: 10      # 长期未更新的栏目数达到此数即为错误（GK603）
      long_stale_days: 365    # “长期未更新”：超过此天数没有新条目
      max_empty: 5            # 空白栏目数达到此数即为错误（GK604）
      home_days: 14           # 首页（全站）超过此天数没有新条目即为错误（GK603）
      categories:             # 栏目类别（columns.yml category）→ 未更新的阈值
        动态: {days: 14}
        要闻: {days: 14}
        通知公告: {months: 6}
        政策文件: {months: 6}
      emergency_signoff_days: 3   # 紧急发布后补齐签审的期限（天，GK608）
      history_since: 2026-11-24   # 此日期之前的提交视为建站与迁移，不检查更正与撤回留痕（GK607）

Unknown keys are a configuration error (exit 2), so a typo never silently keeps a default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gkpublish.errors import GkError
from gkpublish.model import Column, Repository, parse_date

SITE_FILE = "site_config/site.yml"
DEFAULT_CATEGORIES: dict[str, dict[str, int]] = {
    "动态": {"days": 14}, "要闻": {"days": 14}, "通知公告": {"months": 6}, "政策文件": {"months": 6},
}
INT_KEYS = {"max_stale": 5, "max_long_stale": 10, "long_stale_days": 365, "max_empty": 5, "home_days": 14,
            "emergency_signoff_days": 3}
KEYS = (*INT_KEYS, "categories", "history_since")


@dataclass(frozen=True)
class Inspection:
    max_stale: int = 5
    max_long_stale: int = 10
    long_stale_days: int = 365
    max_empty: int = 5
    home_days: int = 14
    emergency_signoff_days: int = 3
    categories: dict[str, dict[str, int]] = field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    history_since: dt.date | None = None


def _positive(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise GkError(f"{SITE_FILE}: {where} 应为正整数，现在是“{value}”")
    return value


def parse_inspection(site: dict[str, Any]) -> Inspection:
    """``site.yml``'s ``inspection:`` over the defaults; raises GkError (exit 2) when wrong."""
    data = site.get("inspection")
    if data is None:
        return Inspection()
    if not isinstance(data, dict):
        raise GkError(f"{SITE_FILE}: inspection 应为映射（键: 值），如 inspection: {{max_stale: 5}}")
    unknown = [str(k) for k in data if k not in KEYS]
    if unknown:
        raise GkError(f"{SITE_FILE}: inspection 中有未知项 {'、'.join(unknown)}；可填写：{'、'.join(KEYS)}")
    values: dict[str, Any] = {k: _positive(data[k], f"inspection.{k}") for k in INT_KEYS if k in data}
    cats = dict(DEFAULT_CATEGORIES)
    raw = data.get("categories")
    if raw is not None:
        if not isinstance(raw, dict):
            raise GkError(f"{SITE_FILE}: inspection.categories 应为映射，如 categories: {{动态: {{days: 14}}}}")
        for name, rule in raw.items():
            if not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in ("days", "months"):
                raise GkError(f"{SITE_FILE}: inspection.categories.{name} 应为 {{days: N}} 或 {{months: N}}")
            unit, n = next(iter(rule.items()))
            cats[str(name)] = {unit: _positive(n, f"inspection.categories.{name}.{unit}")}
    values["categories"] = cats
    if "history_since" in data:
        since = parse_date(data["history_since"])
        if since is None:
            raise GkError(f"{SITE_FILE}: inspection.history_since 应为日期 YYYY-MM-DD，现在是“{data['history_since']}”")
        values["history_since"] = since
    return Inspection(**values)


def inspection_of(repo: Repository) -> Inspection:
    got = repo.extra.get("inspection")
    if got is None:
        got = repo.extra["inspection"] = parse_inspection(repo.config.site)
    return got


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def category_due(last: dt.date, rule: dict[str, int]) -> dt.date:
    """The last day a column of this category may go without a new item after ``last``."""
    if "months" in rule:
        return add_months(last, rule["months"])
    return last + dt.timedelta(days=rule["days"])


@dataclass(frozen=True)
class ColumnStatus:
    column: Column
    items: int  # published items (public, not withdrawn) with a publication date up to the check date
    last: dt.date | None  # the newest publication date (None: the column is empty)
    interval: int | None  # update_interval_days
    due: dt.date | None  # next update due by the column's own interval
    category_due: dt.date | None  # the inspection's limit for the column's category
    stale: bool  # past its own interval
    category_stale: bool  # past the inspection's limit for its category (19号 “未更新”)
    long_stale: bool  # nothing for long_stale_days (19号 “长期未更新”)

    @property
    def next_due(self) -> dt.date | None:
        """The earlier of the column's own due date and its category's inspection limit."""
        days = [d for d in (self.due, self.category_due) if d is not None]
        return min(days) if days else None

    @property
    def empty(self) -> bool:
        return self.last is None

    @property
    def status(self) -> str:
        if self.empty:
            return "空白"
        if self.stale or self.category_stale:
            return "逾期"
        return "正常"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.column.id, "name": self.column.name, "category": self.column.category,
                "items": self.items, "last_update": self.last.isoformat() if self.last else None,
                "interval_days": self.interval, "next_due": self.next_due.isoformat() if self.next_due else None,
                "interval_due": self.due.isoformat() if self.due else None,
                "category_due": self.category_due.isoformat() if self.category_due else None,
                "status": self.status, "stale": self.stale, "category_stale": self.category_stale,
                "long_stale": self.long_stale}


def column_statuses(repo: Repository) -> list[ColumnStatus]:
    """Every configured column's update status as of ``repo.as_of``. An item without a
    publication date, or dated after the check date, does not count as an update."""
    cached = repo.extra.get("column_statuses")
    if cached is not None and cached[0] == repo.as_of:
        return cached[1]
    from gkpublish.public import is_published

    insp = inspection_of(repo)
    last: dict[str, dt.date] = {}
    count: dict[str, int] = {}
    for item in repo.items:
        day = item.date("published")
        if not is_published(item) or day is None or day > repo.as_of or item.column is None:
            continue
        count[item.column] = count.get(item.column, 0) + 1
        if item.column not in last or day > last[item.column]:
            last[item.column] = day
    out = []
    for col in sorted(repo.config.columns.values(), key=lambda c: c.order):
        d = last.get(col.id)
        rule = insp.categories.get(col.category)
        due = d + dt.timedelta(days=col.update_interval_days) if d and col.update_interval_days else None
        cdue = category_due(d, rule) if d and rule else None
        obliged = col.update_interval_days is not None or rule is not None
        out.append(ColumnStatus(
            column=col, items=count.get(col.id, 0), last=d, interval=col.update_interval_days, due=due,
            category_due=cdue, stale=due is not None and repo.as_of > due,
            category_stale=cdue is not None and repo.as_of > cdue,
            long_stale=obliged and d is not None and (repo.as_of - d).days > insp.long_stale_days))
    repo.extra["column_statuses"] = (repo.as_of, out)  # GK603 and GK604 share it
    return out
