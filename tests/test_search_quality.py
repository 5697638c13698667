"""The search finds every page that contains the words, and only those (issue #13).

A generated site (bench/generate.py, a few hundred items, signed like bench/sign.py) is
built and searched in Chromium through the search page's own client
(``window.gkpublishSearch`` in gkpublish.js, the same code the visitor's search runs);
ground truth is every item page whose indexed text (``search.page_text``) contains each
word of the query as a plain substring. The bar: recall ≥ 99 %, precision ≥ 95 %, per
query, for Chinese terms of 2–8 characters and mixed queries. The bigram words are the
mechanism; the property tests show why recall cannot fail by construction (every
substring's bigram words are the page's) and that Python and JavaScript make the same words.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.site.search import SEPARATOR, bigram_runs, bigram_words, page_text, search_document
from tests.conftest import PROJECT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
JS = PROJECT / "gkpublish" / "site" / "theme" / "assets" / "gkpublish" / "gkpublish.js"
QUERIES = ("三审三校", "整改", "政府信息公开", "信访", "安全生产", "观音桥街道", "责任清单", "责任清单和整改清单",
           "整改 2026", "安全生产 2025", "府办发 2025", "〔2024〕")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", PROJECT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory):
    from gkpublish.approvals import sign_repository, write_roster_keys
    from gkpublish.cli import main

    base = tmp_path_factory.mktemp("quality")
    repo = base / "repo"
    _load("generate").generate(300, str(repo), seed=5, as_of=dt.date(2026, 11, 1))
    with tempfile.TemporaryDirectory() as keys_dir:
        sign_repository(str(repo), write_roster_keys(str(repo), keys_dir), from_scratch=True)
    out = base / "public"
    assert main(["-C", str(repo), "build", "--out", str(out), "--as-of", "2026-11-01"]) == 0
    return out


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} 不存在：浏览器测试需要 Debian 的 chromium")
def test_search_finds_every_page_holding_the_words_and_few_others(generated_site):
    from playwright.sync_api import sync_playwright

    texts = _load("search_quality").item_texts(str(generated_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(generated_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(locale="zh-CN")
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/")
            page.wait_for_function("typeof window.gkpublishSearch === 'function'")
            for query in QUERIES:
                got = page.evaluate("async (q) => await window.gkpublishSearch(q)", query)
                expected = {u for u, t in texts.items() if all(w in t for w in query.split())}
                returned = set(got["urls"])
                found = expected & returned
                assert expected, query  # the generator writes every one of these
                assert len(found) / len(expected) >= 0.99, (query, len(expected), len(found))
                assert len(found) / max(len(returned), 1) >= 0.95, (query, len(returned), len(found))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40)  # few characters: repeats, near misses
TEXT = st.text(alphabet=st.one_of(HAN, st.sampled_from(list("，。〔〕 0123456789ab\n"))), min_size=0, max_size=60)


def _phrase_in(phrase: list[str], words: list[str]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


@settings(max_examples=400, deadline=None)
@given(text=TEXT, query=TEXT)
def test_a_han_run_is_an_exact_phrase_of_the_page_exactly_when_it_is_a_substring(text, query):
    """Recall and precision by construction: a query's run of two or more Han characters is
    a phrase (consecutive words) of the page's bigram words exactly where it is a substring
    of the page's text. The variants are texts over few characters (many near misses:
    the parts of a term apart, across punctuation, in the next run)."""
    words = bigram_words(text)
    for run in bigram_runs(query):
        if not run:
            continue
        chars = "".join(chr(_code(w[:5])) for w in run) + chr(_code(run[-1][5:]))
        assert _phrase_in(run, words) == (chars in _nfkc(text)), (text, chars)
    assert SEPARATOR not in {w for r in bigram_runs(text) for w in r}


def _code(letters: str) -> int:
    return sum((ord(c) - 97) * 26 ** i for i, c in enumerate(letters))


def _nfkc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text)


@settings(max_examples=60, deadline=None)
@given(text=TEXT)
def test_the_indexed_document_holds_the_text_and_its_bigram_words(text):
    doc = search_document(f"<h1>标题</h1><p>{text.replace('<', '')}</p>", "zh")
    indexed = doc.split("<p>")[-1].split("</p>")[0].split()
    assert indexed == bigram_words("标题 " + text.replace("<", ""))
    assert page_text(doc).startswith("标题")


@pytest.mark.skipif(shutil.which("node") is None, reason="node 不存在")
def test_javascript_makes_the_same_bigram_words_as_python():
    samples = ["区审计局关于印发生态环境保护工作制度的通知", "三审三校", "整改 2026", "𠀀𠀁字", "Ａ〔２０２５〕府办发",
               "一", "", "abc 123", "問題清單", "责任清单、整改清单"]
    script = ("const m = require(process.argv[1]); const s = JSON.parse(process.argv[2]);"
              "console.log(JSON.stringify(s.map((t) => m.bigramRuns(t))));")
    proc = subprocess.run(["node", "-e", script, str(JS), json.dumps(samples)], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == [bigram_runs(t) for t in samples]


STATUS = "document.querySelector('.gk-search__status').textContent"


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} 不存在：浏览器测试需要 Debian 的 chromium")
def test_citizen_pages_filters_and_links_a_search_with_the_keyboard(generated_site):
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(generated_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            pg = browser.new_page(locale="zh-CN")
            problems = []
            pg.on("pageerror", lambda e: problems.append(str(e)))
            pg.goto(base + "search/")
            # keyboard only: the box has the focus, Enter searches
            pg.keyboard.type("整改")
            pg.keyboard.press("Enter")
            pg.wait_for_function(f"{STATUS}.startsWith('找到')")
            total = int(pg.locator(".gk-search__status").inner_text().split()[1])
            assert total > 20
            assert pg.locator("ol.gk-results > li").count() == 10
            assert "q=%E6%95%B4%E6%94%B9" in pg.url
            # the next page from the keyboard; the focus goes to its first result
            pg.locator(".gk-search__more").focus()
            pg.keyboard.press("Enter")
            pg.wait_for_function("document.querySelectorAll('ol.gk-results > li').length === 20")
            assert pg.evaluate("document.activeElement === document.querySelectorAll('ol.gk-results > li a')[10]")
            # a year range: every result published in it, the URL carries it
            pg.locator(".gk-search__filters summary").click()
            pg.wait_for_function("document.querySelector('select[name=from]').options.length > 1")
            pg.select_option("select[name=from]", "2025")
            pg.wait_for_url("**from=2025**")
            pg.select_option("select[name=to]", "2025")
            pg.wait_for_url("**to=2025**")
            pg.wait_for_function(f"{STATUS}.startsWith('找到')")
            dates = pg.locator("ol.gk-results .gk-result__date").all_inner_texts()
            assert dates and all("2025-" in d for d in dates), dates
            narrowed = int(pg.locator(".gk-search__status").inner_text().split()[1])
            assert narrowed < total
            # the link opens the same search, filters and all
            linked = pg.url
            pg.goto("about:blank")
            pg.goto(linked)
            pg.wait_for_function(f"{STATUS}.startsWith('找到')")
            assert int(pg.locator(".gk-search__status").inner_text().split()[1]) == narrowed
            assert pg.locator("select[name=to]").input_value() == "2025"
            # a column
            pg.goto(base + "search/?q=" + "整改")
            pg.wait_for_function(f"{STATUS}.startsWith('找到')")
            pg.locator(".gk-search__filters summary").click()
            pg.wait_for_function("document.querySelector('select[name=col]').options.length > 1")
            column = pg.locator("select[name=col] option").nth(1).get_attribute("value")
            pg.select_option("select[name=col]", column)
            pg.wait_for_url("**col=**")
            pg.wait_for_function(f"{STATUS}.startsWith('找到') || {STATUS}.startsWith('未找到')")
            # nothing found says so, and where to look instead
            pg.goto(base + "search/?q=" + "鲸鱼迁徙")
            pg.wait_for_function(f"{STATUS}.startsWith('未找到')")
            assert pg.locator(".gk-search__status a[href$='catalog/']").count() == 1
            assert not problems, problems
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
