"""Recall and precision of the site's search, per term, as Chromium runs it.

    .venv/bin/python bench/search_quality.py SITE_DIR [TERM ...] [--bytes] [--json]

SITE_DIR is the output of ``gkpublish build`` (e.g. of a repository made by
bench/generate.py + bench/sign.py). Ground truth: the item pages whose indexed text
(:func:`gkpublish.site.search.index_text` of the part of the page inside
``data-pagefind-body``, without ``data-pagefind-ignore``) contains every word of the query
as a plain substring. The search is run in the page itself, served by ``http.server``, in
Debian's Chromium (Playwright with ``executable_path``, nothing downloaded):

* with the site's own client (``window.gkpublishSearch``, assets/gkpublish/gkpublish.js)
  when it has one: the URLs it returns, every one of them (the bench asks for all pages);
* otherwise (a site built before it) straight through Pagefind's JS API, as the old search
  page did: ``search(query)``, then ``data()`` of every result for its URL.

Prints a Markdown table (term, pages containing it, found, returned, recall, precision)
and the totals. ``--bytes`` also measures, in a fresh browser context per query, the bytes
the search page downloads for the query (bench/search_transfer.py: gzip as served).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gkpublish.site.search import page_text  # noqa: E402

# Chinese terms of 2–8 characters common in the generated text, rarer ones, and mixed
# queries (词 + 文号 fragments + numbers; space separated words must all be on the page).
TERMS = ("三审三校", "整改", "政府信息公开", "信访", "安全生产", "乡村振兴", "营商环境", "观音桥街道",
         "责任清单", "政策解读", "防汛抗旱", "养老服务", "河长制", "责任清单和整改清单",
         "整改 2026", "安全生产 2025", "府办发 2025", "〔2024〕", "政务公开 三审三校 2025")

# The search through Pagefind's own API (a site without the gkpublish client).
PAGEFIND_DIRECT = """async (q) => {
  const root = document.getElementById('gk-search');
  const base = new URL(root.dataset.base || './', location.href).pathname;
  const pf = await import(base + 'pagefind/pagefind.js');
  await pf.options({ baseUrl: base });
  for (const b of JSON.parse(root.dataset.merge || '[]')) await pf.mergeIndex(base + b, { baseUrl: base });
  const found = await pf.search(q);
  const data = await Promise.all(found.results.map((r) => r.data()));
  return { total: found.results.length, urls: data.map((d) => d.url) };
}"""
CLIENT = "async (q) => window.gkpublishSearch ? await window.gkpublishSearch(q) : null"


def item_documents(site_dir: str) -> Iterator[tuple[str, str]]:
    """(site-absolute URL such as ``/zcwj/2022-37/``, HTML) of every item page of a built site."""
    for dirpath, _dirs, files in os.walk(site_dir):
        if "index.html" not in files:
            continue
        with open(os.path.join(dirpath, "index.html"), encoding="utf-8") as fh:
            doc = fh.read()
        if "data-pagefind-body" not in doc:
            continue
        url = "/" + os.path.relpath(dirpath, site_dir).replace(os.sep, "/") + "/"
        yield ("/" if url == "/./" else url), doc


def item_texts(site_dir: str) -> dict[str, str]:
    """Site-absolute URL → indexed text, of every item page."""
    return {url: page_text(doc) for url, doc in item_documents(site_dir)}


def truth(texts: dict[str, str], query: str) -> set[str]:
    words = query.split()
    return {url for url, text in texts.items() if all(w in text for w in words)}


def run(site_dir: str, terms: list[str], with_bytes: bool) -> list[dict]:
    from playwright.sync_api import sync_playwright
    from search_transfer import ARGS, CHROMIUM, measure, served, totals

    texts = item_texts(site_dir)
    server, base = served(os.path.abspath(site_dir))
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            page.goto(base + "search/")
            page.wait_for_selector("#gk-search", state="attached")
            for term in terms:
                got = page.evaluate(CLIENT, term) or page.evaluate(PAGEFIND_DIRECT, term)
                expected = truth(texts, term)
                returned = {u if u.startswith("/") else "/" + u for u in got["urls"]}
                found = expected & returned
                row = {"term": term, "containing": len(expected), "found": len(found),
                       "returned": len(returned), "total_shown": got["total"]}
                if with_bytes:
                    _status, responses = measure(browser, base, term)
                    row["bytes_gzip"] = totals(responses)["gzip"]
                    row["search_bytes_gzip"] = sum(
                        r.gzip for r in responses
                        if r.path.startswith(("/search/index/", "/search/docno/", "/pagefind/")))
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
            context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return rows


def table(rows: list[dict], items: int) -> str:
    lines = [f"{items:,} item pages", "",
             "| term | pages containing it | found | returned | recall | precision |"
             + (" search bytes (gzip) |" if rows and "bytes_gzip" in rows[0] else ""),
             "|---|---:|---:|---:|---:|---:|" + ("---:|" if rows and "bytes_gzip" in rows[0] else "")]
    for r in rows:
        recall = r["found"] / r["containing"] if r["containing"] else 1.0
        precision = r["found"] / r["returned"] if r["returned"] else 1.0
        line = (f"| {r['term']} | {r['containing']:,} | {r['found']:,} | {r['returned']:,} | "
                f"{recall:.1%} | {precision:.1%} |")
        if "bytes_gzip" in r:
            line += f" {r['search_bytes_gzip'] / 1024:,.1f} KB |"
        lines.append(line)
    containing = sum(r["containing"] for r in rows)
    found = sum(r["found"] for r in rows)
    returned = sum(r["returned"] for r in rows)
    lines += ["", f"overall: recall {found / max(containing, 1):.1%}, precision {found / max(returned, 1):.1%}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="站内搜索的查全率与查准率（Chromium）")
    ap.add_argument("site", help="gkpublish build 生成的站点目录")
    ap.add_argument("terms", nargs="*", help="检索词（默认：一组常用词和混合检索）")
    ap.add_argument("--bytes", action="store_true", help="另外测量每次检索下载的字节数（gzip）")
    ap.add_argument("--json", action="store_true", help="输出 JSON 而不是 Markdown 表格")
    args = ap.parse_args(argv)
    if not os.path.isfile(os.path.join(args.site, "search", "index.html")):
        print(f"{args.site} 不是 gkpublish 生成的站点（没有 search/index.html）", file=sys.stderr)
        return 2
    rows = run(args.site, list(args.terms or TERMS), args.bytes)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print(table(rows, len(item_texts(args.site))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
