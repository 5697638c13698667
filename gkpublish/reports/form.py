"""gkpublish report form: the 审签表 of an item, printable (A4), archived instead of paper
(附件3 第六条; 綦江 第十一条(三)). HTML, and PDF when WeasyPrint (the optional extra ``pdf``)
is installed.

Per item: the organ, title, 索引号, 公开属性 and its reason, the SHA-256 of the item and of
each attachment it references, every sign-off record of its chain (level, signer, decision,
date, comment) with whether its signature verifies against the trusted roster and whether it
approved the current content, and the levels still missing. An internal document (it shows
reviewers' comments): never part of the site.
"""

from __future__ import annotations

import argparse
import html
import os
import sys

from gkpublish.approvals import evaluate, key_problem, trust_label, trusted_roster
from gkpublish.cli import find_root
from gkpublish.errors import GkError
from gkpublish.loader import load_repository
from gkpublish.model import Item, Repository

NAME = "form"
HELP = "审签表：每个条目一份可打印（A4）的 HTML 审签表，含内容哈希与各级签审及其验证结果"

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif; font-size: 11pt; color: #000;
       max-width: 178mm; margin: 0 auto; }
h1 { text-align: center; font-size: 18pt; letter-spacing: .3em; margin: 0 0 4mm; }
p.organ { text-align: center; margin: 0 0 6mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 5mm; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: 2mm; vertical-align: top; text-align: left; }
th { width: 24mm; background: #f2f2f2; font-weight: bold; }
td.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
tr { page-break-inside: avoid; }
.ok { color: #060; } .bad { color: #b00; font-weight: bold; }
footer { font-size: 9pt; color: #333; margin-top: 4mm; }
table.signs th, table.signs td:first-child { width: auto; white-space: nowrap; }  /* 科室负责人 on one line */
@media print { body { max-width: none; } th { background: #eee !important; -webkit-print-color-adjust: exact; } }
"""


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("items", nargs="+", metavar="ITEM", help="条目文件（content/ 下的 .md）")
    p.add_argument("--out", required=True, metavar="DIR", help="输出目录：每个条目一个 HTML 文件")
    pdf = p.add_mutually_exclusive_group()
    pdf.add_argument("--pdf", action="store_true", default=None,
                     help="必须同时生成 PDF（需要 WeasyPrint：pip install 'gkpublish[pdf]'；默认有 WeasyPrint 时就生成）")
    pdf.add_argument("--no-pdf", dest="pdf", action="store_false", help="只生成 HTML")


def _e(value: object) -> str:
    return html.escape(str(value if value is not None else ""))


def form_html(repo: Repository, item: Item) -> str:
    evaluation = evaluate(repo)
    state = evaluation.items[item.path]
    roster = trusted_roster(repo)
    where = trust_label(repo)
    rows = [("发布机构", item.text("publisher")), ("主办科室", item.text("department")), ("标题", item.title),
            ("索引号", item.text("index_no")), ("文号", item.text("doc_no")), ("栏目", repo.config.columns[item.column].name if item.column in repo.config.columns else item.column),
            ("公开属性", item.attribute or item.text("attribute")), ("不公开理由", item.text("reason")),
            ("成文日期", item.text("written")), ("发布日期", item.text("published")), ("文件", item.path)]
    head = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows if v)
    hashes = [f"<tr><th>条目</th><td class=hash>{_e(item.path)}<br>{_e(item.sha256)}</td></tr>"]
    hashes += [f"<tr><th>附件</th><td class=hash>{_e(p)}<br>{_e(h)}</td></tr>" for p, h in sorted(item.attachments.items())]
    signs = []
    # the valid chain, then records that approved earlier content (kept for the archive)
    for rec in state.chain + [r for r in state.stale if r not in state.chain]:
        person = roster.people.get(rec.signer)
        bad = rec.crypto or key_problem(rec, roster, where)
        stale = rec.sha256 != item.sha256
        verdict = (f"<span class=bad>签名无效：{_e(bad)}</span>" if bad else
                   f"<span class=bad>签名有效，但审核的是旧内容（{_e(rec.sha256[:12])}…）</span>" if stale else
                   f"<span class=ok>签名有效（{_e(where)}），审核的是当前内容</span>")
        signs.append(f"<tr><td>{_e(rec.step)}</td><td>{_e(person.name if person else '')}<br><small>{_e(rec.signer)}</small></td>"
                     f"<td>{_e(rec.decision)}</td><td>{_e(rec.date)}</td><td>{_e(rec.comment)}</td><td>{verdict}</td></tr>")
    missing = []
    if state.levels:
        for level, rec in zip(state.levels, state.accepted + [None] * len(state.levels), strict=False):
            if rec is None:
                missing.append(level.label)
    status = ("<p class=ok>审核链完整。</p>" if state.complete and not missing else
              f"<p class=bad>尚缺：{_e('、'.join(missing) or '—')}</p>") if state.levels is not None else \
        "<p>此条目不需要审核链。</p>"
    title = f"审签表 — {item.title}"
    return (f"<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            f"<style>{CSS}</style></head><body>\n<h1>信息发布审签表</h1>\n<p class=organ>{_e(item.text('publisher'))}</p>\n"
            f"<table>{head}</table>\n<h2>内容哈希（SHA-256）</h2>\n<table>{''.join(hashes)}</table>\n"
            "<h2>审核签发</h2>\n<table class=signs><tr><th>层级</th><th>签审人</th><th>意见</th><th>日期</th><th>说明</th><th>验证</th></tr>"
            f"{''.join(signs) or '<tr><td colspan=6>尚无签审记录</td></tr>'}</table>\n{status}\n"
            f"<footer>由 gkpublish report form 生成；签名按{_e(where)}验证。内部文档，不公开。</footer>\n</body></html>\n")


def _item_path(repo: Repository, root: str, cwd: str, arg: str) -> Item:
    full = os.path.abspath(os.path.join(cwd, arg))
    rel = os.path.relpath(full, root).replace(os.sep, "/")
    item = repo.item(rel)
    if item is None:
        raise GkError(f"{arg}: 不是站点中的条目（应为 content/ 下能读取的 .md 文件）")
    return item


def run(args: argparse.Namespace) -> int:
    cwd = os.path.abspath(args.directory)
    root = find_root(cwd)
    repo = load_repository(root)
    items = [_item_path(repo, root, cwd, a) for a in args.items]
    write_pdf = None
    if args.pdf is not False:
        try:
            write_pdf = _pdf_writer()
        except GkError as exc:
            if args.pdf:  # asked for explicitly
                raise
            print(f"注意：只生成了 HTML（{exc}）", file=sys.stderr)
    out_dir = os.path.join(cwd, args.out)
    os.makedirs(out_dir, exist_ok=True)
    for item in items:
        name = (item.text("index_no") or item.path.removeprefix("content/").removesuffix(".md")).replace("/", "_")
        out = os.path.join(out_dir, f"{name}.html")
        text = form_html(repo, item)
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"已生成审签表：{out}", file=sys.stderr)
        if write_pdf is not None:
            write_pdf(text, out[:-5] + ".pdf")
            print(f"已生成审签表：{out[:-5]}.pdf", file=sys.stderr)
    return 0


def _pdf_writer():
    """WeasyPrint renders the HTML with its print CSS (A4) offline; it is an optional extra."""
    try:
        import weasyprint
    except ImportError:
        raise GkError("生成 PDF 需要 WeasyPrint：请运行 pip install 'gkpublish[pdf]'，或去掉 --pdf 后在浏览器中打印 HTML") from None
    except OSError as exc:  # the system's Pango/HarfBuzz libraries are missing
        raise GkError(f"WeasyPrint 无法加载系统库（{exc}）；请安装 Pango（如 apt-get install libpango-1.0-0），或去掉 --pdf") from None

    def write(html_text: str, path: str) -> None:
        weasyprint.HTML(string=html_text).write_pdf(path)

    return write
