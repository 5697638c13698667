"""gkpublish report assessment: the 考核 figures per 科室 (綦江 第十五、十六条).

Per 主办科室 of the year's published items: how many, the median calendar days from 成文
(``written``) to publication, how many were published later than 20 working days after
they were formed (条例 第二十六条, the GK601 measure), how many carry a 更正; and per 承办科室
(the register's ``department``; 未填写 when absent) the applications answered in the year and
how many of them on time. Counts only: no titles of unpublished items, no applicant data.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from typing import Any

from gkpublish.approvals import trusted_roster
from gkpublish.cli import find_root
from gkpublish.loader import load_repository
from gkpublish.model import Repository
from gkpublish.public import is_published
from gkpublish.register import deadline, register_of
from gkpublish.workdays import add_workdays

NAME = "assessment"
HELP = "考核数据：各科室发布条数、成文到发布的天数、超期发布、更正、依申请公开办理及按时情况"
PUBLISH_DAYS = 20  # 条例 第二十六条
UNKNOWN = "未填写"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, metavar="YYYY", help="考核年度")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")


def figures(repo: Repository, year: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def unit(name: str) -> dict[str, Any]:
        return out.setdefault(name, {"published": 0, "median_days": None, "late": 0, "late_unknown": 0,
                                     "corrected": 0, "requests_answered": 0, "requests_on_time": 0, "_days": []})

    for item in repo.items:
        published = item.date("published")
        if not is_published(item) or published is None or published.year != year:
            continue
        u = unit(item.text("department") or UNKNOWN)
        u["published"] += 1
        written = item.date("written")
        if written is not None and written <= published:
            u["_days"].append((published - written).days)
            limit = add_workdays(written, PUBLISH_DAYS)
            if limit is None:
                u["late_unknown"] += 1
            elif published > limit:
                u["late"] += 1
        if item.seq("corrections"):
            u["corrected"] += 1
    people = set(trusted_roster(repo).people)
    for app in register_of(repo).applications:
        answered = app.answered
        if answered is None or answered.year != year:
            continue
        dept = app.data.get("department")
        u = unit(dept if isinstance(dept, str) and dept.strip() else UNKNOWN)
        u["requests_answered"] += 1
        d = deadline(app, answered, people)
        if d.due is not None and answered <= d.due:
            u["requests_on_time"] += 1
    for u in out.values():
        days = u.pop("_days")
        u["median_days"] = statistics.median(days) if days else None
    return dict(sorted(out.items()))


def run(args: argparse.Namespace) -> int:
    root = find_root(os.path.abspath(args.directory))
    repo = load_repository(root)
    data = figures(repo, args.year)
    if args.format == "json":
        print(json.dumps({"version": 1, "year": args.year, "departments": data}, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.year} 年考核数据（綦江 第十五、十六条）")
    print("科室\t发布条数\t成文到发布中位天数\t超过20个工作日发布\t有更正\t依申请答复\t按时答复")
    for name, u in data.items():
        median = "—" if u["median_days"] is None else f"{u['median_days']:g}"
        late = f"{u['late']}" + (f"（另 {u['late_unknown']} 条无法计算）" if u["late_unknown"] else "")
        print(f"{name}\t{u['published']}\t{median}\t{late}\t{u['corrected']}\t{u['requests_answered']}\t{u['requests_on_time']}")
    return 0
