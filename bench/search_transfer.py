"""Bytes a visitor downloads for one search on a built site, as Chromium fetches them.

    .venv/bin/python bench/search_transfer.py SITE_DIR 政府信息公开 江北府办发〔2026〕2号 [--top 20]

The site (the output of ``gkpublish build``) is served by ``http.server`` on 127.0.0.1;
Playwright drives Debian's Chromium (/usr/bin/chromium, no browser is downloaded) with an
empty cache to ``search/?q=<query>``, waits until the search page has answered (a result
count, a 文号 answer or a no-result message) and the network is quiet, and adds up the
body of every response. One JSON line per query:

* ``total`` (every response: page, Material's CSS/JS, gkpublish.js, search files),
  ``pagefind`` (under ``/pagefind/``) and ``docno`` (the 文号 lookup files,
  ``/search/docno/``), each ``{"raw": bytes, "gzip": bytes}``;
* ``raw`` is what ``http.server`` sends (no compression). ``gzip`` is what a web server
  with gzip on would send: each text response (HTML, CSS, JS, JSON, SVG, XML) compressed
  at level 6, and as is whatever is already gzip (Pagefind's index, fragments and
  WebAssembly) or binary (images, fonts).

``--top N`` also prints the N largest responses. Why not the Network panel: it reports the
bytes on the wire of one run by hand; this is repeatable and splits the search's own part.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import sys
import threading
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")
# The search page has answered: a count or a no-result message in the status line, or a
# 文号 answer; "正在……" means it is still at work.
ANSWERED = ("() => { const s = document.querySelector('.gk-search__status');"
            " return s && s.textContent !== '' && !s.textContent.startsWith('正在'); }")


@dataclass
class Response:
    path: str
    raw: int
    gzip: int


def served(site_dir: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=site_dir))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def gzip_size(body: bytes, content_type: str) -> int:
    """What a gzip-serving web server sends: text compressed, gzip and binary files as they are."""
    if body[:2] == b"\x1f\x8b" or not content_type.startswith(TEXT_TYPES):
        return len(body)
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def measure(browser, base: str, query: str) -> tuple[str, list[Response]]:
    """(the status line shown, every response) of one search in a fresh browser context."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    seen: list[Response] = []

    def on_response(r) -> None:
        try:
            body = r.body()
        except Exception:  # noqa: BLE001 - a redirect or aborted load has no body
            return
        seen.append(Response(urlsplit(r.url).path, len(body), gzip_size(body, r.headers.get("content-type", ""))))

    page.on("response", on_response)
    page.goto(base + "search/?q=" + quote(query))
    page.wait_for_function(ANSWERED, timeout=60_000)
    page.wait_for_load_state("networkidle")
    status = page.locator(".gk-search__status").inner_text()
    context.close()
    return status, seen


def totals(responses: list[Response], prefix: str = "/") -> dict[str, int]:
    chosen = [r for r in responses if r.path.startswith(prefix)]
    return {"raw": sum(r.raw for r in chosen), "gzip": sum(r.gzip for r in chosen)}


def report(query: str, status: str, responses: list[Response]) -> dict:
    return {"query": query, "status": status, "requests": len(responses), "total": totals(responses),
            "index": totals(responses, "/search/index/"), "pagefind": totals(responses, "/pagefind/"),
            "docno": totals(responses, "/search/docno/")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="一次站内搜索下载的字节数（Chromium，未压缩与 gzip）")
    ap.add_argument("site", help="gkpublish build 生成的站点目录")
    ap.add_argument("queries", nargs="+", help="检索词（每个检索词单独测一次）")
    ap.add_argument("--top", type=int, default=0, help="另外列出最大的 N 个响应")
    args = ap.parse_args(argv)
    if not os.path.isfile(os.path.join(args.site, "search", "index.html")):
        print(f"{args.site} 不是 gkpublish 生成的站点（没有 search/index.html）", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    server, base = served(os.path.abspath(args.site))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for query in args.queries:
                status, responses = measure(browser, base, query)
                print(json.dumps(report(query, status, responses), ensure_ascii=False))
                for r in sorted(responses, key=lambda r: -r.raw)[:args.top]:
                    print(f"  {r.raw:>9} {r.gzip:>9}  {r.path}")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
