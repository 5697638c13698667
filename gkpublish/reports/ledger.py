"""gkpublish report ledger: the 台账 of everything published (附件3 第六条; 綦江 第十一条(三)).

One row per item that is or was on the site (主动公开 / 部分公开, withdrawn ones included),
built from the published metadata only (the public view's whitelisted fields, 来源, 更正,
撤回) and the sign-off evaluation: never the register, never non-public fields or text.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import unicodedata
from typing import Any

from gkpublish.approvals import evaluate, trusted_roster
from gkpublish.cli import find_root
from gkpublish.errors import GkError
from gkpublish.loader import load_repository
from gkpublish.model import Item, Repository

NAME = "ledger"
HELP = "发布台账：每条公开过的信息一行（签审、内容哈希、更正、撤回），CSV 或 Excel"

HEADERS = ("索引号", "标题", "栏目", "公开属性", "文号", "发布机构", "主办科室", "成文日期", "发布日期", "来源",
           "签审（层级 姓名 日期 意见）", "内容哈希（SHA-256）", "更正", "撤回")
DATE_COLUMNS = {"成文日期", "发布日期"}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "xlsx"), help="输出格式（默认按 --out 的扩展名，否则 xlsx）")
    p.add_argument("--out", required=True, metavar="FILE", help="输出文件")
    p.add_argument("--year", type=int, metavar="YYYY", help="只列出此年发布的信息")


def _source(item: Item) -> str:
    src = item.mapping("source")
    kind = item.source_type
    reprint = src.get("转载来源")
    if isinstance(reprint, dict):
        parts = [str(reprint[k]) for k in ("organ", "publication", "url", "date") if reprint.get(k)]
        return f"{kind}（{'，'.join(parts)}）" if parts else kind
    fwd = src.get("forwarded")
    if isinstance(fwd, dict):
        parts = [str(fwd[k]) for k in ("organ", "doc_no") if fwd.get(k)]
        return f"{kind}（转发 {' '.join(parts)}）"
    return kind


def _corrections(item: Item) -> str:
    out = []
    for c in item.seq("corrections"):
        if isinstance(c, dict):
            out.append(f"{c.get('date', '')} {c.get('note') or c.get('reason') or ''}".strip())
    return "\n".join(out)


def _withdrawn(item: Item) -> str:
    w = item.mapping("withdrawn")
    return f"{w.get('date', '')} {w.get('reason', '')}".strip() if w else ""


def rows(repo: Repository, year: int | None = None) -> list[dict[str, Any]]:
    evaluation = evaluate(repo)
    people = trusted_roster(repo).people
    columns = repo.config.columns
    out = []
    for item in repo.items:
        if not item.is_public:
            continue  # 依申请公开 / 不予公开 never were on the site
        published = item.date("published")
        if year is not None and (published is None or published.year != year):
            continue
        state = evaluation.items.get(item.path)
        signoffs = []
        if state is not None and state.levels:
            for level, rec in zip(state.levels, state.accepted, strict=False):
                if rec is None:
                    signoffs.append(f"{level.label} （缺）")
                    continue
                person = people.get(rec.signer)
                signoffs.append(f"{rec.step} {person.name if person else rec.signer} {rec.date} {rec.decision}")
            signoffs += [f"{lv.label} （缺）" for lv in state.levels[len(state.accepted):]]
        col = columns.get(item.column or "")
        out.append({
            "索引号": item.text("index_no") or "", "标题": item.title, "栏目": col.name if col else item.column or "",
            "公开属性": item.attribute or "", "文号": item.text("doc_no") or "", "发布机构": item.text("publisher") or "",
            "主办科室": item.text("department") or "", "成文日期": item.date("written"), "发布日期": published,
            "来源": _source(item), "签审（层级 姓名 日期 意见）": "\n".join(signoffs),
            "内容哈希（SHA-256）": item.sha256, "更正": _corrections(item), "撤回": _withdrawn(item),
        })
    out.sort(key=lambda r: (r["发布日期"] or dt.date.min, r["索引号"]))
    return out


def as_csv(data: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADERS)
    for r in data:
        w.writerow([r[h].isoformat() if isinstance(r[h], dt.date) else r[h] or "" for h in HEADERS])
    return buf.getvalue().encode("utf-8-sig")  # the BOM lets Excel open it as UTF-8


def _width(text: str) -> int:
    """Display width: a CJK character is two columns wide."""
    longest = max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                   for line in str(text).split("\n")), default=0)
    return longest


def _lines(value: Any, width: int) -> int:
    """How many lines ``value`` wraps to in a column ``width`` characters wide."""
    if value is None:
        return 1
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return sum(max(1, -(-_width(line) // max(width - 1, 1))) for line in text.split("\n"))


def as_xlsx(data: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "发布台账"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r in data:
        ws.append([r[h] if r[h] not in (None, "") else None for h in HEADERS])
    for row in ws.iter_rows(min_row=2):
        for cell, h in zip(row, HEADERS, strict=True):
            if h in DATE_COLUMNS and cell.value is not None:
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    widths = []
    for i, h in enumerate(HEADERS, 1):
        widest = max([_width(h)] + [_width(r[h].isoformat() if isinstance(r[h], dt.date) else r[h] or "") for r in data])
        widths.append(min(max(widest + 2, 10), 60))
        ws.column_dimensions[get_column_letter(i)].width = widths[-1]
    # Row heights for the wrapped text: spreadsheet programs do not re-measure rows of a file
    # written by openpyxl, so without them wrapped titles print on top of the next row.
    for n, row in enumerate(ws.iter_rows(), 1):
        lines = max(_lines(cell.value, width) for cell, width in zip(row, widths, strict=True))
        ws.row_dimensions[n].height = 15 * max(lines, 1) + 3
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(ws.max_row, 1)}"
    # printed for the archive (附件3 第六条): A4 landscape, one page wide, the header on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(args: argparse.Namespace) -> int:
    root = find_root(os.path.abspath(args.directory))
    repo = load_repository(root)
    fmt = args.format or ("csv" if args.out.lower().endswith(".csv") else "xlsx")
    data = rows(repo, args.year)
    payload = as_csv(data) if fmt == "csv" else as_xlsx(data)
    personal = [v for v in (repo.extra.get("register").personal_values() if repo.extra.get("register") else [])
                if len(v) >= 2]
    text = payload.decode("utf-8-sig") if fmt == "csv" else "\n".join(str(v) for r in data for v in r.values())
    if any(v in text for v in personal):
        raise GkError("台账中出现了依申请公开登记中的申请人姓名或联系方式，未写出；请检查条目的公开字段")
    out = os.path.abspath(os.path.join(args.directory, args.out))  # like build and new: relative to -C DIR
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out + ".tmp", "wb") as fh:
        fh.write(payload)
    os.replace(out + ".tmp", out)
    print(f"已生成发布台账：{args.out}（{len(data)} 条）", file=sys.stderr)
    return 0

