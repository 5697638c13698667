"""gkpublish report columns: every column's last update, interval, next due date and status.

What an inspection under 国办秘函〔2019〕19号 looks at (GK603/GK604), before it happens.
"""

from __future__ import annotations

import argparse
import json

from gkpublish.cli import find_root, parse_date_arg
from gkpublish.inspection import column_statuses, inspection_of
from gkpublish.loader import load_repository

NAME = "columns"
HELP = "各栏目最近更新、更新周期、下次应更新日期与状态（GK603/GK604）"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="按此日期计算（默认今天）")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")


def run(args: argparse.Namespace) -> int:
    repo = load_repository(find_root(args.directory), as_of=args.as_of)
    insp = inspection_of(repo)
    rows = column_statuses(repo)
    if args.format == "json":
        print(json.dumps({"version": 1, "as_of": repo.as_of.isoformat(),
                          "thresholds": {"max_stale": insp.max_stale, "max_long_stale": insp.max_long_stale,
                                         "long_stale_days": insp.long_stale_days, "max_empty": insp.max_empty,
                                         "home_days": insp.home_days, "categories": insp.categories},
                          "columns": [r.as_json() for r in rows]}, ensure_ascii=False, indent=2))
        return 0
    out = [f"栏目更新情况（截至 {repo.as_of}）", ""]
    out.append("栏目\t类别\t条目数\t最近更新\t更新周期\t下次应更新\t状态")
    for r in rows:
        interval = f"{r.interval} 天" if r.interval else "—"
        due = r.next_due
        status = r.status
        if r.category_stale:
            status += "（超过检查指标）"
        if r.long_stale:
            status += f"（超过 {insp.long_stale_days} 天）"
        out.append(f"{r.column.name}（{r.column.id}）\t{r.column.category}\t{r.items}\t{r.last or '—'}\t{interval}\t"
                   f"{due or '—'}\t{status}")
    stale = sum(r.category_stale for r in rows)
    empty = sum(r.empty for r in rows)
    out += ["", f"超过检查指标未更新 {stale} 个（达到 {insp.max_stale} 个为单项否决）；"
                f"空白栏目 {empty} 个（达到 {insp.max_empty} 个为单项否决）。"]
    print("\n".join(out))
    return 0
