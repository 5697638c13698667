"""gkpublish serve previews unsigned drafts (issue #12, item 1); gkpublish build never does.

The serve-mode build is driven through the plugin as ``mkdocs serve`` drives it
(``on_startup(command="serve")``, then a build into a temporary folder), without a server.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.model import ERROR, WARNING, Finding
from gkpublish.public import PREVIEW_RULES, public_view
from tests.conftest import Site, line_of
from tests.test_site_build import add_site_files, build_into

DRAFT_TITLE = "关于召开政务公开工作推进会的通知（草稿）"
HIDDEN = "预览中也不应出现的隐藏内容甲乙丙"


def _serve_build(site: Site, out: Path, as_of: str = "2026-11-23") -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(out))
    cfg.plugins["gkpublish"].config.as_of = as_of
    cfg.plugins.on_startup(command="serve", dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()


def _all_html(out: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in out.rglob("*.html"))


@pytest.fixture(scope="module")
def drafts(tmp_path_factory):
    root = tmp_path_factory.mktemp("preview")
    site = Site(root / "repo")
    add_site_files(site)
    site.item("gzdt/signed.md", "已签审的正文。\n", title="已签审的工作动态", index_no="SAMPLE001/2026-00001",
              summary="已签审条目的概述。", drafter="zhang-jb")
    site.sign_all()
    # written after signing: no record at all (GK301 …), a 部分公开 body with a hidden block
    draft = site.item("gzdt/draft.md", f"推进会定于12月1日召开。\n\n::: 不公开 理由=\"个人隐私（条例第十五条）\"\n{HIDDEN}\n:::\n",
                      title=DRAFT_TITLE, index_no="SAMPLE001/2026-00002", attribute="部分公开",
                      reason={"ground": "个人隐私", "basis": "含参会人员名单"},
                      summary="通知召开政务公开工作推进会。", drafter="zhang-jb")
    broken = site.item("gzdt/broken.md", "（在此填写正文）\n", title="仍是占位文字的条目", index_no="SAMPLE001/2026-00003",
                       summary="占位条目的概述。", drafter="zhang-jb")
    out = root / "preview"
    _serve_build(site, out)
    return site, out, draft, broken


def test_an_unsigned_draft_is_previewed_with_the_banner_in_page_and_title(drafts):
    site, out, _, _ = drafts
    assert {"GK301"} <= site.check().ids  # the gate still refuses it
    page = (out / "gzdt" / "draft" / "index.html").read_text("utf-8")
    assert "未签审（预览）" in page and 'class="gk-preview"' in page
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("【未签审（预览）】") and DRAFT_TITLE in title
    assert "推进会定于12月1日召开" in page


def test_the_preview_goes_through_the_public_view(drafts):
    _, out, _, _ = drafts
    assert HIDDEN not in _all_html(out)


def test_a_signed_item_has_no_banner_in_the_preview(drafts):
    _, out, _, _ = drafts
    page = (out / "gzdt" / "signed" / "index.html").read_text("utf-8")
    assert "已签审的正文" in page and "gk-preview" not in page


def test_an_item_with_other_errors_shows_its_findings_at_its_address(drafts):
    _, out, _, broken = drafts
    page = (out / "gzdt" / "broken" / "index.html").read_text("utf-8")
    assert "门禁未通过" in page and "GK110" in page
    assert f"content/gzdt/broken.md:{line_of(broken, '在此填写正文')}" in page
    assert "gk-findings" in page


def test_the_preview_says_what_it_shows_as_the_terminal_does(drafts):
    """The announce bar of every preview page: the errors' number and what happened to the
    failing items (drafts shown marked, the others' findings at their address), in the same
    words as the terminal message (plugin.gate_message)."""
    from gkpublish.site.plugin import PREVIEW_SHOWN, gate_message

    _, out, _, _ = drafts
    for path in ("index.html", "gzdt/signed/index.html", "gzdt/draft/index.html"):
        page = (out / path).read_text("utf-8")
        bar = page.split('data-md-component="announce"', 1)[1].split("</aside>", 1)[0]
        assert "门禁检查有" in bar and "个错误" in bar and "未显示" not in bar, path
        assert PREVIEW_SHOWN in bar.replace("&#8220;", "“").replace("&#8221;", "”") and "不能发布" in bar, path
    assert PREVIEW_SHOWN in gate_message([], 1, preview=True)


def test_build_refuses_what_serve_previews_and_no_banner_reaches_a_build(drafts, tmp_path):
    site, _, _, _ = drafts
    rc, stdout, _ = build_into(site, tmp_path / "site")
    assert rc == 1 and "GK301" in stdout and not (tmp_path / "site").exists()

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(tmp_path / "plain"))
    cfg.plugins["gkpublish"].config.as_of = "2026-11-23"
    cfg.plugins.on_startup(command="build", dirty=False)
    with pytest.raises(Abort):
        build(cfg)
    assert not (tmp_path / "plain" / "index.html").exists()


def test_once_signed_the_build_has_no_preview_markup(tmp_path):
    site = Site(tmp_path / "repo")
    add_site_files(site)
    site.item("gzdt/draft.md", "推进会定于12月1日召开。\n", title=DRAFT_TITLE, summary="通知召开推进会。",
              drafter="zhang-jb")
    site.sign_all()
    rc, stdout, stderr = build_into(site, tmp_path / "site")
    assert rc == 0, stdout + stderr
    html = _all_html(tmp_path / "site")
    assert DRAFT_TITLE in html and "gk-preview" not in html and "未签审（预览）" not in html


# -- one mechanism: only missing sign-offs are previewable, and only when asked -------------------
RULE_IDS = sorted(PREVIEW_RULES | {"GK302", "GK304", "GK110", "GK501", "GK105", "GK308"})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(RULE_IDS), st.sampled_from([ERROR, WARNING])), max_size=5))
def test_preview_shows_exactly_the_items_missing_only_sign_offs(found):
    repo = _REPO["repo"]
    path = "content/gzdt/a.md"
    findings = [Finding(path, 1, rid, sev, "…") for rid, sev in found]
    errors = {rid for rid, sev in found if sev == ERROR}
    built = {it.source_path: it for it in public_view(repo, findings).items}
    previewed = {it.source_path: it for it in public_view(repo, findings, preview=True).items}
    assert (path in built) == (not errors)  # the build's view: any error keeps it out
    assert not any(it.preview for it in built.values())
    assert (path in previewed) == (errors <= PREVIEW_RULES)
    if path in previewed:
        assert previewed[path].preview == bool(errors)


_REPO: dict = {}


@pytest.fixture(autouse=True, scope="module")
def _one_repo():
    with tempfile.TemporaryDirectory() as tmp:
        site = Site(Path(tmp) / "repo")
        site.item("gzdt/a.md")
        _REPO["repo"] = site.load()
        yield
