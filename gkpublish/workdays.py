"""Working days (工作日) per the national holiday calendar with 调休, from ``chinesecalendar``.

条例 counts every deadline in working days: 20 to answer an application (第三十三条), 7 for a
补正 notice (第三十条), the third party's 15 (第三十二条), 20 to publish (第二十六条). The
calendar only covers the years its data was published for; outside them every function
returns None, and callers must fail closed (say the deadline cannot be computed, never guess
with plain weekends).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

_ONE = dt.timedelta(days=1)


@lru_cache(maxsize=8192)  # every deadline walks the same weeks again
def is_workday(day: dt.date) -> bool | None:
    """Whether ``day`` is a working day (调休 weekends included); None outside the calendar."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def add_workdays(start: dt.date, n: int) -> dt.date | None:
    """The ``n``-th working day after ``start`` (``start`` itself not counted); ``start`` when n <= 0.

    None when the calendar does not cover a day on the way.
    """
    day, left = start, n
    while left > 0:
        day += _ONE
        work = is_workday(day)
        if work is None:
            return None
        if work:
            left -= 1
    return day


def workdays_between(a: dt.date, b: dt.date) -> int | None:
    """Working days ``d`` with ``a < d <= b`` (``a`` exclusive, ``b`` inclusive); 0 when b <= a.

    None when the calendar does not cover a day in between.
    """
    count, day = 0, a
    while day < b:
        day += _ONE
        work = is_workday(day)
        if work is None:
            return None
        count += work
    return count


def calendar_years() -> tuple[int, int]:
    """(first, last) year the installed calendar covers, for messages."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return years[0], years[-1]


def unknown_message(year: int | None = None) -> str:
    """Why a deadline cannot be computed: the calendar does not cover the year (Chinese)."""
    first, last = calendar_years()
    which = f" {year} 年" if year else "该年份"
    return (f"节假日日历（chinesecalendar {chinese_calendar.__version__}，含 {first}–{last} 年）不含{which}的安排，"
            "无法计算工作日；请在国务院办公厅公布该年放假安排后升级 chinesecalendar")
