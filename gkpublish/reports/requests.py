"""gkpublish report requests: every open 依申请公开 application, its deadline and what is overdue.

Internal (the register is never published), but still without applicant names or contacts:
the list is printed and forwarded; the id is how the office finds the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from gkpublish.approvals import trusted_roster
from gkpublish.cli import find_root, parse_date_arg
from gkpublish.loader import load_repository
from gkpublish.model import Repository
from gkpublish.register import deadline, open_applications, register_of
from gkpublish.rules.requests import DUE_SOON_DAYS
from gkpublish.workdays import workdays_between

NAME = "requests"
HELP = "依申请公开：列出未答复的申请、答复期限、剩余工作日与逾期情况"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="按此日期计算（默认今天）")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")


def rows(repo: Repository) -> list[dict[str, Any]]:
    """One dict per open application, oldest first (the contract's JSON keys first)."""
    people = set(trusted_roster(repo).people)
    out = []
    for app in open_applications(register_of(repo)):
        d = deadline(app, repo.as_of, people)
        left = workdays_between(repo.as_of, d.due) if d.due and d.due >= repo.as_of else 0 if d.due else None
        overdue = d.due is not None and d.due < repo.as_of
        if overdue:
            status = "已逾期"
        elif d.due is None:
            status = "等待补正" if d.paused and d.start is None else "无法计算期限"
        elif d.paused:
            status = "等待第三方意见"
        elif left is not None and left <= DUE_SOON_DAYS:
            status = "期限将至"
        else:
            status = "办理中"
        out.append({
            "id": app.id, "due": d.due.isoformat() if d.due else None, "overdue": overdue,
            "file": app.path, "received": app.received.isoformat() if app.received else None,
            "start": d.start.isoformat() if d.start else None, "workdays_left": left,
            "overdue_workdays": workdays_between(d.due, repo.as_of) if overdue and d.due else 0,
            "extended": d.extended, "status": status, "note": d.why,
        })
    out.sort(key=lambda r: (r["due"] or "9999", r["id"]))
    return out


def run(args: argparse.Namespace) -> int:
    root = find_root(os.path.abspath(args.directory))
    repo = load_repository(root, as_of=args.as_of)
    data = rows(repo)
    problems = register_of(repo).problems
    if args.format == "json":
        print(json.dumps({"version": 1, "as_of": repo.as_of.isoformat(), "requests": data},
                         ensure_ascii=False, indent=2))
    else:
        print(f"依申请公开：截至 {repo.as_of}，未答复的申请 {len(data)} 件")
        for r in data:
            due = r["due"] or "—"
            tail = (f"逾期 {r['overdue_workdays']} 个工作日" if r["overdue"] else
                    f"剩余 {r['workdays_left']} 个工作日" if r["workdays_left"] is not None else r["note"] or "")
            ext = "（已延长）" if r["extended"] else ""
            print(f"  {r['id']}  收到 {r['received'] or '—'}  期限 {due}{ext}  {r['status']}  {tail}  {r['file']}")
        overdue = sum(r["overdue"] for r in data)
        if overdue:
            print(f"其中已逾期 {overdue} 件：请立即答复（条例 第三十三条）")
    if problems:
        print(f"注意：登记中有 {len(problems)} 处格式问题（GK701），请运行 gkpublish check 查看", file=sys.stderr)
    return 0
