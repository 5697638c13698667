"""A real browser on the demo site: home → column → seed document → metadata → Chinese search.

Playwright's Python package drives Debian's Chromium (/usr/bin/chromium; ``make test``
installs it, no browser is ever downloaded) against the demo repository, signed in a
temporary copy (the same bootstrap ``gkpublish init`` uses), built with ``gkpublish
build`` and served by ``http.server`` on 127.0.0.1. Screenshots are saved in the test's
temporary folder (printed at the end; run ``pytest -s -m browser`` to see where).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import PROJECT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEED_TITLE = "重庆市江北区人民政府办公室关于印发政府信息公开有关制度的通知"
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
    cells = pg.locator("table.gk-meta th, table.gk-meta td").all_inner_texts()
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
    assert meta["有效性"] == "有效" and meta["公开属性"] == "主动公开" and meta["主题分类"]
    assert pg.locator("h1.gk-title").inner_text() == SEED_TITLE
    shot(pg, "03-item")

    # Chinese search from the header box, then open the result
    pg.fill("#gk-q", "政府信息公开")
    pg.press("#gk-q", "Enter")
    pg.wait_for_url("**/search/?q=*")
    result = pg.locator(".pagefind-ui__result-link", has_text=SEED_TITLE)
    result.first.wait_for(timeout=15_000)
    assert "条与“政府信息公开”相关的信息" in pg.locator(".pagefind-ui__message").inner_text()
    shot(pg, "04-search")
    result.first.click()
    pg.wait_for_url(demo_url + SEED_URL)

    # the 文号 finds it too
    pg.goto(demo_url + "search/?q=" + "江北府办发〔2022〕37号")
    pg.locator(".pagefind-ui__result-link", has_text=SEED_TITLE).first.wait_for(timeout=15_000)
    shot(pg, "05-search-doc-no")

    # the 指南 and its 申请表 download
    pg.goto(demo_url + "guide/")
    assert "政府信息公开指南（2026年）" in pg.locator("h1").first.inner_text()
    href = pg.get_by_role("link", name="下载《政府信息公开申请表》（Word）").get_attribute("href")
    response = pg.request.get(pg.url + href)
    assert response.ok and response.body()[:2] == b"PK"
    shot(pg, "06-guide")

    assert pg.problems == [], pg.problems
    print(f"\n截图：{pg.shots}")
