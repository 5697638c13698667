"""Search: the site's own index (gkpublish.site.gkindex) finds the seed document by words,
by 文号, and only item pages; the 文号 lookup files (gkpublish.site.docno) find it exactly.

Queries go through the site's own ``gkpublish.js`` (its index client) run by Node.js
against the site served on 127.0.0.1, exactly what the search page does in a browser; the
browser test repeats it through the UI.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.test_site_build import SEED_DOC_NO, SEED_TITLE, built  # noqa: F401  (module fixture)

QUERY_JS = r"""
const [script, base, query] = process.argv.slice(-3);
const { indexClient } = require(script);
let bytes = 0;
const get = async (url) => {
  const r = await fetch(url);
  if (!r.ok) { const e = new Error("HTTP " + r.status); e.status = r.status; throw e; }
  const text = await r.text();
  bytes += Buffer.byteLength(text);
  return text;
};
(async () => {
  const c = indexClient(base + "search/index/", get);
  const found = await c.query(query, {});
  const rows = await c.pages(found.ids.slice(0, 10));
  const texts = await Promise.all(found.ids.slice(0, 10).map(async (id) =>
    (await c.textAround(id, found.words)).text));
  console.log(JSON.stringify({ bytes, total: found.ids.length,
    results: rows.map((r, k) => ({ url: "/" + r[0], title: r[1], excerpt: texts[k] })) }));
})().catch((e) => { console.error(e); process.exit(1); });
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(directory: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def site_query(site_dir: Path, query: str) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js 不可用：检索测试改由浏览器测试覆盖（tests/test_browser.py）")
    server, base = serve(site_dir)
    try:
        proc = subprocess.run([node, "-e", QUERY_JS, str(site_dir / "assets" / "gkpublish" / "gkpublish.js"), base, query],
                              capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def site_search(site_dir: Path, query: str) -> list[dict]:
    return site_query(site_dir, query)["results"]


def test_chinese_words_find_the_seed_document(built):  # noqa: F811
    _, out = built
    results = site_search(out, "政府信息公开")
    assert {"url": "/zcwj/2022-37/", "title": SEED_TITLE} in [{k: r[k] for k in ("url", "title")} for r in results]


def test_doc_no_finds_the_seed_document(built):  # noqa: F811
    _, out = built
    results = site_search(out, SEED_DOC_NO)
    assert [r["url"] for r in results][:1] == ["/zcwj/2022-37/"]


def test_only_item_pages_are_indexed_and_chrome_is_not(built):  # noqa: F811
    _, out = built
    urls = {r["url"] for r in site_search(out, "政务公开")}
    assert urls and all(not u.startswith(("/columns/", "/catalog/", "/guide/", "/search/")) and u != "/" for u in urls)
    assert site_search(out, "主办单位") == []  # footer
    assert site_search(out, "当前位置") == []  # breadcrumbs
    from gkpublish.site.gkindex import decode_texts

    texts = decode_texts(str(out / "search" / "index"))
    pages = [t for label, t in texts.items() if label.startswith("第 ")]
    for chrome in ("网站标识码", "icp", "站内搜索", "政府信息公开目录", "信息基本情况", "发布日期"):
        assert not any(chrome in t for t in pages), chrome
    manifest = json.loads((out / "search" / "index" / "manifest.json").read_text("utf-8"))
    assert manifest["pages"] == 5  # the five items, nothing else


def test_search_page_is_the_sites_own_ui(built):  # noqa: F811
    _, out = built
    html = (out / "search" / "index.html").read_text("utf-8")
    assert 'id="gk-search"' in html and 'data-docno-shards="1"' in html and 'data-index="search/index/"' in html
    assert '<label class="gk-search__label" for="gk-search-q">检索词</label>' in html
    assert 'role="status" aria-live="polite"' in html and "<noscript><p>站内搜索需要启用 JavaScript" in html
    assert '<script src="../assets/gkpublish/gkpublish.js"></script>' in html
    assert not (out / "pagefind").exists()  # no Pagefind: the site's own index and client
    header = (out / "index.html").read_text("utf-8")
    assert 'class="gk-search-form" action="search/"' in header


DOCNO_JS = r"""
const [script, base, query] = process.argv.slice(-3);
const { normalizeDocNo, fnv1a } = require(script);
(async () => {
  const page = await (await fetch(base + "search/")).text();
  const shards = Number(page.match(/data-docno-shards="([0-9]+)"/)[1]);
  const docNo = normalizeDocNo(query);
  const file = "search/docno/" + (fnv1a(docNo) & (shards - 1)).toString(16) + ".json";
  const table = await (await fetch(base + file)).json();
  console.log(JSON.stringify({ docNo, file, entry: table[docNo] ?? null }));
})();
"""


def docno_lookup(site_dir: Path, query: str) -> dict:
    """What the search page does with a 文号: the site's own gkpublish.js normalises and
    hashes it, and the shard is fetched from the served site."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js 不可用：文号查找改由浏览器测试覆盖（tests/test_browser.py）")
    server, base = serve(site_dir)
    try:
        proc = subprocess.run([node, "-e", DOCNO_JS, str(site_dir / "assets" / "gkpublish" / "gkpublish.js"),
                               base, query], capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("query", [SEED_DOC_NO, "江北府办发[2022]037号", " 江北府办发（２０２２）第37号 "])
def test_seed_doc_no_resolves_to_the_seed_document_through_the_docno_files(built, query):  # noqa: F811
    _, out = built
    found = docno_lookup(out, query)
    assert found == {"docNo": SEED_DOC_NO, "file": "search/docno/0.json", "entry": {
        "items": [{"url": "zcwj/2022-37/", "title": SEED_TITLE, "date": "2022-06-22"}], "cited": []}}
    assert "/" + found["entry"]["items"][0]["url"] == "/zcwj/2022-37/"  # the page links base + url


def test_docno_files_are_in_the_manifest_and_hold_only_documents_of_the_site(built):  # noqa: F811
    _, out = built
    manifest = json.loads((out / "gkpublish-manifest.json").read_text("utf-8"))["files"]
    assert {p: e["kind"] for p, e in manifest.items() if p.startswith("search/docno/")} == {"search/docno/0.json": "search"}
    table = json.loads((out / "search" / "docno" / "0.json").read_text("utf-8"))
    assert sorted(table) == ["江北府办发〔2021〕9号", SEED_DOC_NO]


def test_results_are_newest_first_with_title_matches_first(built):  # noqa: F811
    _, out = built
    found = site_query(out, "政务公开")
    rows = found["results"]
    assert found["total"] == len(rows) and rows
    titled = [r for r in rows if "政务公开" in r["title"]]
    assert rows[:len(titled)] == titled  # title matches first


def test_metadata_searched_is_index_no_publisher_and_source_not_the_table(built):  # noqa: F811
    """The metadata table is not search content (its labels, dates and 主题分类 are on every
    page); 文号, 索引号, 发布机构 and a reprint's source are, once, unseen."""
    _, out = built
    assert "/zcwj/2022-37/" in {r["url"] for r in site_search(out, "SAMPLE001/2022-00001")}
    assert "/gzdt/reprint/" in {r["url"] for r in site_search(out, "中国政府网")}
    assert "/zcwj/2022-37/" in {r["url"] for r in site_search(out, "江北区人民政府办公室")}
    assert site_search(out, "综合政务") == []  # 主题分类 only
    seed = next(r for r in site_search(out, "政府信息公开") if r["url"] == "/zcwj/2022-37/")
    assert not seed["excerpt"].startswith(("综合政务", "sample001")), seed["excerpt"]


def test_the_excerpt_text_is_the_page_as_written_not_normalised(built):  # noqa: F811
    # the index is searched in normalised text (， is "," there); what a result shows is not
    _, out = built
    seed = next(r for r in site_search(out, "政府信息公开") if r["url"] == "/zcwj/2022-37/")
    assert "，" in seed["excerpt"] and "," not in seed["excerpt"], seed["excerpt"][:200]
