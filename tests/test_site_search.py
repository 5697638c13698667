"""Search: Pagefind's index finds the seed document by words, by 文号, and only item pages;
the 文号 lookup files (gkpublish.site.docno) find it without Pagefind.

Queries go through Pagefind's own JavaScript API (``pagefind.js`` + its WebAssembly) and
the site's own ``gkpublish.js`` run by Node.js against the site served on 127.0.0.1,
exactly what the search page does in a browser; the browser test repeats it through the UI.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.test_site_build import SEED_DOC_NO, SEED_TITLE, built  # noqa: F401  (module fixture)

QUERY_JS = r"""
const [base, query] = process.argv.slice(-2);
let bytes = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const r = await realFetch(...args);
  const buf = await r.clone().arrayBuffer();
  bytes += buf.byteLength;
  return r;
};
const src = await (await realFetch(base + "pagefind/pagefind.js")).text();
bytes += src.length;
const pf = await import("data:text/javascript;base64," + Buffer.from(src).toString("base64"));
await pf.options({ basePath: base + "pagefind/", baseUrl: "/" });
const page = await (await realFetch(base + "search/")).text();
const merge = JSON.parse((page.match(/data-merge="([^"]*)"/) || [, "[]"])[1].replace(/&quot;/g, '"'));
for (const bundle of merge) await pf.mergeIndex(base + bundle, { baseUrl: "/" });
const r = await pf.search(query);
const data = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
console.log(JSON.stringify({ bytes, results: data.map(d => ({ url: d.url, title: d.meta.title, excerpt: d.excerpt })) }));
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(directory: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def pagefind_query(site_dir: Path, query: str) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js 不可用：检索测试改由浏览器测试覆盖（tests/test_browser.py）")
    server, base = serve(site_dir)
    try:
        proc = subprocess.run([node, "--input-type=module", "-e", QUERY_JS, base, query],
                              capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def pagefind_search(site_dir: Path, query: str) -> list[dict]:
    return pagefind_query(site_dir, query)["results"]


def test_chinese_words_find_the_seed_document(built):  # noqa: F811
    _, out = built
    results = pagefind_search(out, "政府信息公开")
    assert {"url": "/zcwj/2022-37/", "title": SEED_TITLE} in [{k: r[k] for k in ("url", "title")} for r in results]


def test_doc_no_finds_the_seed_document(built):  # noqa: F811
    _, out = built
    results = pagefind_search(out, SEED_DOC_NO)
    assert [r["url"] for r in results][:1] == ["/zcwj/2022-37/"]


def test_only_item_pages_are_indexed_and_chrome_is_not(built):  # noqa: F811
    _, out = built
    urls = {r["url"] for r in pagefind_search(out, "政务公开")}
    assert urls and all(not u.startswith(("/columns/", "/catalog/", "/guide/", "/search/")) and u != "/" for u in urls)
    assert pagefind_search(out, "主办单位") == []  # footer
    assert pagefind_search(out, "当前位置") == []  # breadcrumbs
    fragments = [gzip.decompress(p.read_bytes()).decode("utf-8").replace("\u200b", "")
                 for p in (out / "pagefind" / "fragment").iterdir()]
    for chrome in ("网站标识码", "ICP", "站内搜索", "政府信息公开目录", "信息基本情况", "发布日期"):
        assert not any(chrome in f.split('"filters"')[0] for f in fragments), chrome
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert entry["languages"]["zh"]["page_count"] == 5  # the five items, nothing else


def test_search_page_is_the_sites_own_ui(built):  # noqa: F811
    _, out = built
    html = (out / "search" / "index.html").read_text("utf-8")
    assert 'id="gk-search"' in html and 'data-docno-shards="1"' in html and 'data-merge="[]"' in html
    assert '<label class="gk-search__label" for="gk-search-q">检索词</label>' in html
    assert 'role="status" aria-live="polite"' in html and "<noscript><p>站内搜索需要启用 JavaScript" in html
    assert '<script src="../assets/gkpublish/gkpublish.js"></script>' in html
    assert 'src="../pagefind/' not in html and 'href="../pagefind/' not in html  # imported when a search runs
    for path in out.rglob("*"):  # Pagefind's ready-made UI is used nowhere
        if path.suffix in (".html", ".js", ".css") and "pagefind" not in path.relative_to(out).parts:
            assert "pagefind-ui" not in path.read_text("utf-8"), path
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


def test_large_site_is_indexed_in_bundles_and_searched_as_one(tmp_path, monkeypatch):
    """Pagefind keeps a bundle's index in memory: big sites are indexed in bundles of at most
    SHARD_PAGES items, written as they are ready, and the search page merges them."""
    from gkpublish.site import pages
    from tests.test_site_build import build_into, demo_like_site

    monkeypatch.setattr(pages, "SHARD_PAGES", 2)
    site = demo_like_site(tmp_path / "repo")
    out = tmp_path / "out"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    bundles = sorted(p.parent.name for p in (out / "pagefind").rglob("pagefind-entry.json"))
    assert bundles == ["pagefind", "s2", "s3"]
    assert not list((out / "pagefind").rglob("pagefind-*ui*"))  # the site's own UI, none of Pagefind's
    assert 'data-merge="[&quot;pagefind/s2/&quot;, &quot;pagefind/s3/&quot;]"' in (out / "search" / "index.html").read_text("utf-8")
    assert [r["url"] for r in pagefind_search(out, SEED_DOC_NO)][:1] == ["/zcwj/2022-37/"]
    assert {r["url"] for r in pagefind_search(out, "转载")} >= {"/gzdt/reprint/"}
    rc, stdout, stderr = site.cli("verify-site", str(out))
    assert rc == 0, stdout + stderr


def test_metadata_searched_is_index_no_publisher_and_source_not_the_table(built):  # noqa: F811
    """The metadata table is not search content (its labels, dates and 主题分类 are on every
    page); 文号, 索引号, 发布机构 and a reprint's source are, once, unseen."""
    _, out = built
    assert "/zcwj/2022-37/" in {r["url"] for r in pagefind_search(out, "SAMPLE001/2022-00001")}
    assert "/gzdt/reprint/" in {r["url"] for r in pagefind_search(out, "中国政府网")}
    assert "/zcwj/2022-37/" in {r["url"] for r in pagefind_search(out, "江北区人民政府办公室")}
    assert pagefind_search(out, "综合政务") == []  # 主题分类 only
    seed = next(r for r in pagefind_search(out, "政府信息公开") if r["url"] == "/zcwj/2022-37/")
    assert "综合政务" not in seed["excerpt"] and "SAMPLE001" not in seed["excerpt"], seed["excerpt"]
