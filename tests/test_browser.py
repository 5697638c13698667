"""A real browser on the demo site: home → column → seed document → metadata → Chinese search → 文号.

Playwright's Python package drives Debian's Chromium (/usr/bin/chromium; ``make test``
installs it, no browser is ever downloaded) against the demo repository, signed in a
temporary copy (the same bootstrap ``gkpublish init`` uses), built with ``gkpublish
build`` and served by ``http.server`` on 127.0.0.1. Screenshots are saved in the test's
temporary folder (printed at the end; run ``pytest -s -m browser`` to see where).
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import PROJECT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEED_TITLE = "重庆市江北区人民政府办公室关于印发政府信息公开有关制度的通知"
SEED_DOC_NO = "江北府办发〔2022〕37号"
SEED_URL = "xxgkzd/jbfbf-2022-37/"
SEED_COLUMN = "政府信息公开制度"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} 不存在：浏览器测试需要 Debian 的 chromium（make test 会自动安装）"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    from gkpublish import approvals
    from gkpublish.cli import main

    base = tmp_path_factory.mktemp("browser")
    repo = base / "repo"
    repo.mkdir()
    for name in ("content", "site_config", "schema", "records", "site_pages"):
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, repo / name)
    shutil.copy(PROJECT / "mkdocs.yml", repo / "mkdocs.yml")
    (repo / "site_pages").mkdir(exist_ok=True)
    approvals.bootstrap(str(repo), str(base / "keys"))  # a fresh roster key per person, every chain signed
    out = base / "public"
    assert main(["-C", str(repo), "build", "--out", str(out), "--as-of", "2026-11-23"]) == 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            pg.problems = []
            pg.on("console", lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
            # ERR_ABORTED is a load cut short by the next navigation (the favicon), not a missing file
            pg.on("requestfailed", lambda r: pg.problems.append(f"requestfailed: {r.url} {r.failure}")
                  if "ERR_ABORTED" not in (r.failure or "") else None)
            pg.on("response", lambda r: pg.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
            pg.shots = tmp_path
            yield pg
        finally:
            browser.close()


def shot(pg, name: str) -> Path:
    path = pg.shots / f"{name}.png"
    pg.screenshot(path=str(path), full_page=False)
    return path


def metadata(pg) -> dict[str, str]:
    cells = pg.locator("dl.gk-meta dt, dl.gk-meta dd").all_inner_texts()
    return {cells[i].strip(): cells[i + 1].strip() for i in range(0, len(cells) - 1, 2)}


def test_citizen_reads_and_searches(demo_url, page):
    pg = page
    pg.goto(demo_url)
    assert "江北区政务公开" in pg.title()
    assert pg.locator(".gk-footer").inner_text().count("网站标识码") == 1
    shot(pg, "01-home")

    # the seed document, reached from its column
    card = pg.locator("section.gk-card", has=pg.locator("h2", has_text=SEED_COLUMN))
    card.get_by_role("link", name="更多").click()
    pg.wait_for_url(f"{demo_url}columns/xxgkzd/")
    shot(pg, "02-column")
    pg.get_by_role("link", name=SEED_TITLE, exact=True).click()
    pg.wait_for_url(demo_url + SEED_URL)
    meta = metadata(pg)
    assert meta["文号"] == "江北府办发〔2022〕37号"
    assert meta["索引号"] == "SAMPLE001/2022-00001"
    assert meta["发布机构"] == "重庆市江北区人民政府办公室"
    assert meta["成文日期"] == "2022-06-15" and meta["发布日期"] == "2022-06-22"
    assert meta["有效性"] == "有效" and meta["公开方式"] == "主动公开" and meta["主题分类"]
    assert pg.locator("h1.gk-title").inner_text() == SEED_TITLE
    shot(pg, "03-item")

    # Chinese search from the header box, then open the result
    pg.fill("#gk-q", "政府信息公开")
    pg.press("#gk-q", "Enter")
    pg.wait_for_url("**/search/?q=*")
    result = pg.locator("ol.gk-results .gk-result__title", has_text=SEED_TITLE)
    result.first.wait_for(timeout=15_000)
    assert pg.locator("#gk-search-q").input_value() == "政府信息公开"
    status = pg.locator(".gk-search__status")
    assert re.fullmatch(r"找到 \d+ 条包含“政府信息公开”的信息", status.inner_text())
    first = pg.locator("li.gk-result").first
    assert "发布日期：" in first.locator(".gk-result__meta").inner_text()
    assert first.locator(".gk-result__excerpt mark").count() >= 1  # the words found, highlighted
    shot(pg, "04-search")
    result.first.click()
    pg.wait_for_url(demo_url + SEED_URL)

    # the 文号 is answered by the 文号 lookup files, without loading the full-text index
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(demo_url + "search/?q=" + SEED_DOC_NO)
    docno = pg.locator("section.gk-docno")
    docno.locator(".gk-result__title", has_text=SEED_TITLE).wait_for(timeout=15_000)
    assert docno.locator(".gk-result__meta span").all_inner_texts() == [f"文号：{SEED_DOC_NO}", "发布日期：2022-06-22"]
    assert status.inner_text() == f"找到 1 份文号为“{SEED_DOC_NO}”的文件。"
    assert not [u for u in requests if "/search/index/" in u], requests
    shot(pg, "05-search-doc-no")
    docno.get_by_role("button", name=f"在全文中检索“{SEED_DOC_NO}”").click()  # then the index, on request
    pg.locator("ol.gk-results > li .gk-result__title", has_text=SEED_TITLE).first.wait_for(timeout=15_000)
    assert [u for u in requests if u.endswith("/search/index/manifest.json")]

    # a 文号 cited in another document's body; typing is searched after a pause, the URL follows
    pg.fill("#gk-search-q", "江北府办发［2021］905号")
    pg.wait_for_url("**/search/?q=%E6%B1%9F*")
    docno.locator(".gk-docno__cited a", has_text="关于废止部分行政规范性文件的决定").wait_for(timeout=15_000)
    assert docno.locator("h3").inner_text() == "正文中引用此文号的信息"
    shot(pg, "06-search-doc-no-cited")

    # an IME composing 政府 types "zheng" first: nothing is searched until the composition ends
    pg.dispatch_event("#gk-search-q", "compositionstart")
    pg.fill("#gk-search-q", "zheng")
    pg.wait_for_timeout(800)
    assert "q=zheng" not in pg.url and "905号" in status.inner_text()
    pg.fill("#gk-search-q", "政府")
    pg.dispatch_event("#gk-search-q", "compositionend")
    pg.wait_for_url("**/search/?q=%E6%94%BF%E5%BA%9C")
    pg.locator("ol.gk-results > li").first.wait_for(timeout=15_000)

    # a 文号 the site does not have is an exact answer too: no full-text search of its pieces
    # (江北/府/办发/2019/999/号 would match nearly every page) unless asked for
    requests.clear()
    pg.goto(demo_url + "search/?q=" + "江北府办发〔2019〕999号")
    docno.locator(".gk-docno__none").wait_for(timeout=15_000)
    assert status.inner_text() == "本站没有文号为“江北府办发〔2019〕999号”的文件。"
    assert not [u for u in requests if "/search/index/" in u], requests
    docno.get_by_role("button", name="在全文中检索“江北府办发〔2019〕999号”").click()
    pg.wait_for_function("document.querySelector('.gk-search__status').textContent.startsWith('找到')"
                         " || document.querySelector('.gk-search__status').textContent.startsWith('未找到')")

    # nothing found: a clear message with the way to the 目录
    pg.goto(demo_url + "search/?q=" + "鲸鱼迁徙")
    pg.wait_for_function("document.querySelector('.gk-search__status').textContent.startsWith('未找到')")
    assert status.get_by_role("link", name="政府信息公开目录").count() == 1
    shot(pg, "07-search-nothing")

    # the 指南 and its 申请表 download
    pg.goto(demo_url + "guide/")
    assert "政府信息公开指南（2026年）" in pg.locator("h1").first.inner_text()
    href = pg.get_by_role("link", name="下载《政府信息公开申请表》（Word）").get_attribute("href")
    response = pg.request.get(pg.url + href)
    assert response.ok and response.body()[:2] == b"PK"
    shot(pg, "08-guide")

    assert pg.problems == [], pg.problems
    print(f"\n截图：{pg.shots}")


def test_search_says_so_when_the_index_cannot_be_loaded(demo_url, page):
    pg = page
    pg.route("**/search/index/manifest.json", lambda route: route.fulfill(status=404, body="not found"))
    pg.goto(demo_url + "search/?q=" + "政府信息公开")
    status = pg.locator(".gk-search__status")
    pg.wait_for_function("document.querySelector('.gk-search__status').textContent.startsWith('搜索索引')")
    assert status.inner_text() == "搜索索引暂时无法加载，请稍后再试；也可以浏览政府信息公开目录查找信息。"
    shot(pg, "09-search-unavailable")
    status.get_by_role("link", name="政府信息公开目录").click()
    pg.wait_for_url(demo_url + "catalog/")
    # the missing file is the only problem (the browser logs the 404 itself); the page tells the reader
    assert pg.problems == [f"HTTP 404: {demo_url}search/index/manifest.json",
                           "console error: Failed to load resource: the server responded with a status of 404 (Not Found)"]


def test_doc_no_search_falls_back_to_full_text_when_the_lookup_fails(demo_url, page):
    pg = page
    pg.route("**/search/docno/*.json", lambda route: route.fulfill(status=503, body="unavailable"))
    pg.goto(demo_url + "search/?q=" + SEED_DOC_NO)
    note = pg.locator(".gk-search__note")
    note.wait_for(timeout=15_000)
    assert note.inner_text() == "文号查询暂时无法使用，以下是全文检索的结果。"
    pg.locator("ol.gk-results > li .gk-result__title", has_text=SEED_TITLE).first.wait_for(timeout=15_000)
    assert [p for p in pg.problems if "503" not in p] == []


# -- every page type at desktop and phone widths (issue 12 items 5–7) ----------------------------

PAGE_TYPES = {"首页": "", "栏目": "columns/xxgkzd/", "目录": "catalog/", "条目": SEED_URL, "指南": "guide/",
              "搜索": "search/?q=政府信息公开", "已废止": "abolished/", "404": "404.html",  # what the web server sends for a missing page
              "分类浏览": "browse/", "主题分类": "browse/topic/", "发布机构": "browse/publisher/", "体裁": "browse/genre/"}


@pytest.fixture(scope="module")
def page_types(demo_url) -> dict[str, str]:
    """PAGE_TYPES and one value's list page of each facet, found on the facet's index page
    (the demo's topics are the demo's: no value is named here)."""
    from urllib.request import urlopen

    out = dict(PAGE_TYPES)
    for facet, label in (("topic", "主题分类列表"), ("publisher", "发布机构列表"), ("genre", "体裁列表")):
        with urlopen(f"{demo_url}browse/{facet}/") as response:
            index = response.read().decode("utf-8")
        # the value with the most items: a full page, and a pager when there are more than 20
        counts = re.findall(r'href="(v[0-9a-f]{16}/)">[^<]*<span class="gk-values__count">（(\d+)）', index)
        assert counts, facet
        out[label] = f"browse/{facet}/" + max(counts, key=lambda c: int(c[1]))[0]
    return out


def _axe_source() -> str:
    """axe-core as shipped in the axe-playwright-python wheel (installed with the dev
    dependencies; nothing is downloaded at test time)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _open(pg, url: str) -> None:
    pg.goto(url)
    if "search/" in url:
        pg.locator(".gk-results li, .gk-search__status").first.wait_for()


@pytest.mark.parametrize("width", [1280, 390, 360, 414])
def test_every_page_fits_the_screen_and_passes_axe(demo_url, page_types, page, width):
    """No horizontal scrolling on any page type, and no serious or critical axe-core
    violation (GB/T 37668-2019 = WCAG 2.1 AA) at desktop and phone widths."""
    pg = page
    pg.set_viewport_size({"width": width, "height": 860})
    axe = _axe_source()
    problems = []
    for name, path in page_types.items():
        _open(pg, demo_url + path)
        scroll = pg.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems.append(f"{name}：页面宽 {scroll} px，超出屏幕 {width} px")
        if width in (1280, 390):
            pg.add_script_tag(content=axe)
            found = pg.evaluate("""async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',
                'wcag21aa', 'best-practice']})).violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => `${v.id}（${v.impact}）：${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join('; ')}`)""")
            problems += [f"{name}：{v}" for v in found]
            shot(pg, f"layout-{width}-{name}")
    assert not problems, "\n".join(problems)


def test_elder_mode_on_a_phone(demo_url, page_types, page):
    """大字版 is there at phone width; in it the text is ≥ 18 pt (24 px) with line spacing
    ≥ 1.3, buttons are ≥ 60 × 60 px, and the page still fits the screen."""
    pg = page
    pg.set_viewport_size({"width": 390, "height": 860})
    pg.goto(demo_url + SEED_URL)
    button = pg.locator("[data-gk-elder]")
    box = button.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    for path in page_types.values():
        _open(pg, demo_url + path)
        assert pg.evaluate("document.documentElement.classList.contains('gk-elder-mode')")
        size, line = pg.evaluate("""(() => { const s = getComputedStyle(document.querySelector('.md-content .md-typeset'));
            return [parseFloat(s.fontSize), parseFloat(s.lineHeight) / parseFloat(s.fontSize)]; })()""")
        assert size >= 24 and line >= 1.3, path
        # every visible piece of text in the content (dates, counts, breadcrumbs, the search
        # form and results), not only the container: a 13 px date is unreadable in 大字版 too
        small = pg.evaluate("""(() => [...document.querySelectorAll('.md-content *')].filter(el =>
            el.offsetParent && !el.closest('.gk-sr-only')
            && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
            && parseFloat(getComputedStyle(el).fontSize) < 24)
            .map(el => el.tagName + '.' + el.className + ' ' + getComputedStyle(el).fontSize))()""")
        assert not small, (path, small)
        for sel in ("[data-gk-elder]", ".gk-search-form__button"):
            b = pg.locator(sel).bounding_box()
            assert b["width"] >= 60 and b["height"] >= 60, (path, sel, b)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390, path
        shot(pg, "elder-390-" + (path.strip("/").replace("/", "_") or "home"))


def test_keyboard_reaches_the_content_and_the_search(demo_url, page_types, page):
    """The first Tab on every page is a skip link to the content; from the keyboard alone a
    visitor types a query into the header box and gets results."""
    pg = page
    for path in page_types.values():
        _open(pg, demo_url + path)
        pg.keyboard.press("Tab")
        assert pg.evaluate("document.activeElement.textContent.trim()") == "跳到正文", path
        pg.keyboard.press("Enter")
        assert pg.evaluate("document.activeElement.id") == "gk-main", path
    pg.goto(demo_url)
    for _ in range(8):
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.id") == "gk-q":
            break
    assert pg.evaluate("document.activeElement.id") == "gk-q"
    pg.keyboard.type("政府信息公开")
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(r".*/search/\?q=.*"))
    pg.locator(".gk-results li").first.wait_for()


def test_the_organs_emblem_is_in_the_header_and_is_the_favicon(demo_url, page):
    """site_config/emblem.png (the demo's neutral sample) in the header at desktop and phone
    widths, loaded, and named by the page's icon link."""
    pg = page
    for width in (1280, 390):
        pg.set_viewport_size({"width": width, "height": 860})
        pg.goto(demo_url)
        emblem = pg.locator(".md-header .md-logo img")
        assert emblem.is_visible(), width
        assert emblem.evaluate("img => img.complete && img.naturalWidth") == 128
        assert pg.locator(".md-header .gk-emblem").count() == 0  # not the built-in fallback
        icon = pg.locator("link[rel=icon]").get_attribute("href")
        assert icon.endswith("assets/gkpublish/emblem.png"), icon
        shot(pg, f"emblem-{width}")
    assert pg.problems == [], pg.problems


def test_no_motion_when_the_visitor_asks_for_none(demo_url, page):
    pg = page
    pg.emulate_media(reduced_motion="reduce")
    pg.goto(demo_url)
    moving = pg.evaluate("""[...document.querySelectorAll('*')].filter(e => { const s = getComputedStyle(e);
        return parseFloat(s.transitionDuration) > 0 || (s.animationName !== 'none' && parseFloat(s.animationDuration) > 0); })
        .map(e => e.className).slice(0, 5)""")
    assert moving == []


# -- the 404 page under a sub-path and at the root (issue #12 item 6) -----------------------------

class _Site(http.server.SimpleHTTPRequestHandler):
    """A web server as an office configures one: the site under ``prefix``, and for a
    missing address the site's own 404.html with status 404 (nginx ``error_page 404``)."""

    prefix = "/"

    def log_message(self, *args) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.path.split("?", 1)[0]
        if path.startswith(self.prefix):
            self.path = "/" + self.path[len(self.prefix):]
            local = self.translate_path(self.path)
            if os.path.isfile(local) or os.path.isfile(os.path.join(local, "index.html")):
                return super().send_head()
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@pytest.fixture(scope="module", params=["/gk/", "/"], ids=["sub-path", "root"])
def served_under(request, tmp_path_factory):
    """A small signed site whose site.yml url is https://example.gov.cn<prefix>, built and
    served at <prefix> of a local server (with the demo's emblem, so the 404 page has an image)."""
    import yaml

    from tests.test_site_build import build_into, demo_like_site

    prefix = request.param
    root = tmp_path_factory.mktemp("prefix") / "repo"
    site = demo_like_site(root)
    conf = yaml.safe_load((root / "site_config/site.yml").read_text(encoding="utf-8"))
    conf["url"] = "https://example.gov.cn" + prefix
    site.config("site.yml", conf)
    shutil.copy(PROJECT / "site_config" / "emblem.png", root / "site_config" / "emblem.png")
    site.sign_config()
    out = root.parent / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    handler = type("Handler", (_Site,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_missing_deep_address_gets_the_styled_404_page(served_under, page):
    """/gk/zcwj/no/such/page/ (or /zcwj/no/such/page/ at the root): the Chinese 404 page,
    every stylesheet, script and image it asks for is there, and gkpublish.css applies."""
    pg = page
    assets: list[tuple[str, int]] = []
    pg.on("response", lambda r: assets.append((r.url, r.status))
          if r.request.resource_type in ("stylesheet", "script", "image") else None)
    response = pg.goto(served_under + "zcwj/no/such/page/")
    assert response.status == 404
    assert pg.locator("h1").first.inner_text() == "页面不存在"
    pg.wait_for_load_state("networkidle")
    assert [a for a in assets if a[1] >= 400] == []
    urls = [u for u, _ in assets]
    for name in ("gkpublish.css", "gkpublish.js", "emblem.png"):
        assert [u for u in urls if u.split("?")[0].endswith(name) and u.startswith(served_under)], (name, urls)
    styled = pg.evaluate("""[getComputedStyle(document.querySelector('.gk-404__links li')).display,
                             getComputedStyle(document.querySelector('.md-header')).borderTopWidth]""")
    assert styled == ["inline-block", "4px"]  # rules of gkpublish.css
    emblem = pg.locator(".md-header img").first
    assert emblem.evaluate("img => img.complete && img.naturalWidth") == 128
    shot(pg, "404-" + served_under.rsplit(":", 1)[1].split("/", 1)[1].replace("/", "_"))
    pg.get_by_role("link", name="返回首页").click()
    pg.wait_for_url(served_under)
    assert pg.locator(".gk-hero h1").count() == 1  # the home page
    # the problems the page fixture records: only the 404 of the page itself
    assert [p for p in pg.problems if "zcwj/no/such/page" not in p and "404 (Not Found)" not in p] == []
