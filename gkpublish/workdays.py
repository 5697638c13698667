"""Working days of the People's Republic of China (holidays and 调休 workdays).

条例 第二十六条 (20 working days to publish), 第三十三条 (20 working days to answer an
application) and 第三十条 (7 working days for a 补正 notice) count 工作日. The calendar is
``chinesecalendar``, which knows the State Council's yearly holiday notice, including the
weekend days that become workdays (调休). A year it does not cover yet is *unknown*:
:class:`CalendarUnknown` is raised, never a guess from weekdays alone.

The counting convention is the one of the 条例 and of 民法典 第二百零一条: the start day is
not counted; ``add_workdays(d, 20)`` is the 20th working day after ``d``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


class CalendarUnknown(Exception):
    """The holiday calendar does not cover ``year`` (the State Council has not published it
    yet, or ``chinesecalendar`` is older than that notice)."""

    def __init__(self, year: int):
        super().__init__(year)
        self.year = year

    def __str__(self) -> str:
        return (f"节假日日历（chinesecalendar {chinese_calendar.__version__}）不含 {self.year} 年的安排，"
                "无法计算工作日；请在国务院办公厅公布该年放假安排后升级 chinesecalendar")


@lru_cache(maxsize=8192)
def is_workday(day: dt.date) -> bool:
    """A working day: not a public holiday, and a weekday or a 调休 workday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarUnknown(day.year) from None


@lru_cache(maxsize=8192)
def add_workdays(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself not counted); ``n`` ≥ 0.

    ``add_workdays(start, 0)`` is ``start``. Raises :class:`CalendarUnknown` when a day on
    the way is in a year the calendar does not cover.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    while n:
        day += dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days after ``a`` up to and including ``b`` (negative when ``b`` < ``a``).

    ``workdays_between(d, add_workdays(d, n)) == n``.
    """
    if b < a:
        return -workdays_between(b, a)
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
