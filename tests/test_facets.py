"""分类浏览 (issue #12 item 6): the public items by 主题分类, 发布机构 and 体裁, besides the columns.

A signed fixture site (the demo-like items, more topics, a 行政规范性文件, and non-public items
carrying topics of their own) is built once; the property test builds the pages of many
generated sites (``build_site``, the page set MkDocs renders) and checks that nothing of a
non-public item reaches a facet page.
"""

from __future__ import annotations

import datetime as dt
import html
import random
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish.public import public_view
from gkpublish.site import facets
from gkpublish.site.pages import PAGE_SIZE, SiteError, build_site
from tests.conftest import AS_OF, Site
from tests.test_site_build import build_into, demo_like_site, nav_of, page, text_of

FACET_URI = re.compile(r"^browse/(?:index\.md|(?:topic|publisher|genre)/(?:v[0-9a-f]{16}/)?(?:[0-9]+/)?index\.md)$")
AUDIT_TOPIC = "财政、金融、审计/审计"


def _secret_topics(n: int) -> list[str]:
    """Topics only non-public items carry: odd characters, slashes and dots included."""
    rnd = random.Random(20261202)
    pieces = ["秘", "../", "/", "..", "%2e", "审计", "、", "<b>", "&amp;", "内部", " "]
    return [f"不公开主题{i}" + "".join(rnd.choice(pieces) for _ in range(5)) for i in range(n)]


SECRET_TOPICS = _secret_topics(4)
SECRET_TITLES = ["依申请公开条目标题甲乙", "不予公开条目标题丙丁", "已撤回条目标题戊己", "依申请公开条目标题庚辛"]


def facet_site(root: Path) -> Site:
    site = demo_like_site(root)
    for n in range(PAGE_SIZE + 2):  # one topic over two list pages
        site.item(f"gzdt/audit-{n:02d}.md", f"第 {n} 次审计工作动态。\n", title=f"审计工作动态第{n:02d}期",
                  topic=AUDIT_TOPIC, index_no=f"SAMPLE001/2026-{100 + n:05d}", published=f"2026-10-{n + 1:02d}",
                  summary=f"第{n:02d}期审计工作动态。", drafter="zhang-jb")
    site.item("zcwj/2026-5.md", "为规范示例管理工作，制定本办法。\n\n（此件公开发布）\n",
              title="重庆市江北区人民政府办公室关于印发示例规范性文件的通知", column="zcwj",
              doc_no="江北府办发〔2026〕5号", index_no="SAMPLE001/2026-00200", written="2026-09-01",
              published="2026-09-05", validity="有效", genre="行政规范性文件", topic="综合政务/其他",
              summary="印发示例规范性文件。", drafter="zhang-jb")
    # non-public items: their topics and titles must not reach any facet page
    site.item("tzgg/ysq-a.md", "依申请公开正文。\n", title=SECRET_TITLES[0], column="tzgg", attribute="依申请公开",
              topic=SECRET_TOPICS[0], index_no="SAMPLE001/2026-00301", published="2026-11-06",
              review_date="2027-06-30", reviewers={"科室负责人": "li-kz"}, drafter="zhang-jb")
    site.item("tzgg/byg-a.md", "不予公开正文。\n", title=SECRET_TITLES[1], column="tzgg", attribute="不予公开",
              topic=SECRET_TOPICS[1], index_no="SAMPLE001/2026-00302", published="2026-11-07",
              reason={"ground": "内部事务信息", "basis": "条例第十六条"}, review_date="2027-06-30", drafter="zhang-jb")
    site.item("gzdt/withdrawn-a.md", "撤回正文。\n", title=SECRET_TITLES[2], topic=SECRET_TOPICS[2],
              index_no="SAMPLE001/2026-00303", published="2026-10-01", summary="已撤回的信息。",
              withdrawn={"date": "2026-11-01", "reason": "信息有误"}, drafter="zhang-jb")
    site.item("gzdt/ysq-b.md", "依申请公开正文。\n", title=SECRET_TITLES[3], attribute="依申请公开",
              topic=SECRET_TOPICS[3], genre="规章", index_no="SAMPLE001/2026-00304", published="2026-11-06",
              review_date="2027-06-30", reviewers={"科室负责人": "li-kz"}, drafter="zhang-jb")
    site.sign_all()
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Site, Path]:
    root = tmp_path_factory.mktemp("facets") / "repo"
    site = facet_site(root)
    out = root.parent / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    return site, out


def _browse_pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in (out / "browse").rglob("index.html")}


# -- the pages -----------------------------------------------------------------------------------

def test_each_facet_lists_its_values_with_counts(built):
    _, out = built
    topics = text_of(page(out, "browse/topic"))
    assert "按主题分类浏览" in topics
    assert "财政、金融、审计" in topics and f"审计 （{PAGE_SIZE + 2}）" in topics  # under its first level
    assert "综合政务" in topics and "政务公开 （" in topics
    publishers = text_of(page(out, "browse/publisher"))
    assert "重庆市江北区人民政府办公室 （" in publishers
    genres = text_of(page(out, "browse/genre"))
    # 体裁: the column's category, and 行政规范性文件 of the item that says so
    for value in ("政策文件", "通知公告", "动态", "行政规范性文件 （1）"):
        assert value in genres, value


def test_a_value_lists_its_items_newest_first_on_pages(built):
    _, out = built
    url = facets.value_url(facets.FACETS[0], AUDIT_TOPIC)
    first, second = page(out, url), page(out, url + "2/")
    titles = re.findall(r'class="gk-list__title"[^>]*>([^<]+)<', first)
    assert len(titles) == PAGE_SIZE and titles[0] == f"审计工作动态第{PAGE_SIZE + 1:02d}期"
    dates = re.findall(r'class="gk-list__date">([^<]+)<', first)
    assert dates == sorted(dates, reverse=True)
    assert re.findall(r'class="gk-list__title"[^>]*>([^<]+)<', second) == ["审计工作动态第01期", "审计工作动态第00期"]
    assert "第 1 / 2 页" in first and f"共 {PAGE_SIZE + 2} 条信息" in first
    # breadcrumbs: 首页 › 分类浏览 › 主题分类 › the value
    crumbs = text_of(re.search(r'<nav class="gk-crumbs".*?</nav>', first, re.S).group(0))
    assert re.sub(r"\s+", "", crumbs) == f"当前位置：首页›分类浏览›主题分类›{AUDIT_TOPIC}"


def test_home_and_catalog_link_to_the_facets(built):
    _, out = built
    home = page(out, "")
    assert 'href="browse/"' in home and ">分类浏览<" in home
    catalog = page(out, "catalog")
    for f in facets.FACETS:
        assert f'href="../{facets.index_url(f)}"' in catalog, f.key
    assert ">分类浏览<" in nav_of(page(out, "zcwj/2022-37")).replace(" ", "").replace("\n", "")  # in the navigation
    assert "browse/" in (out / "404.html").read_text(encoding="utf-8")
    browse = text_of(page(out, "browse"))
    assert "按主题分类浏览" in browse and "按发布机构浏览" in browse and "按体裁浏览" in browse


def test_a_genre_item_is_under_its_genre_and_its_category(built):
    _, out = built
    genre = facets.FACETS[2]
    title = "重庆市江北区人民政府办公室关于印发示例规范性文件的通知"
    assert title in page(out, facets.value_url(genre, "行政规范性文件"))
    assert title in page(out, facets.value_url(genre, "政策文件"))


def test_non_public_items_reach_no_facet_page(built):
    _, out = built
    pages = _browse_pages(out)
    for text in SECRET_TOPICS + SECRET_TITLES + ["规章"]:  # 规章: only a 依申请公开 item has it
        for uri, content in pages.items():
            assert text not in content and html.escape(text) not in content, (text, uri)
    assert not any(facets.slug(t) in uri for t in SECRET_TOPICS for uri in pages)


def test_facet_addresses_stay_in_their_folder(built):
    _, out = built
    for uri in _browse_pages(out):
        assert FACET_URI.match(uri.removesuffix(".html") + ".md"), uri


# -- slugs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["../../index", "a/../../b", "%2e%2e/x", "/", "..", "审计/审计", "财政、金融、审计/审计"])
def test_a_value_with_slashes_or_dots_gets_a_plain_slug(value):
    url = facets.value_url(facets.FACETS[0], value)
    assert re.fullmatch(r"browse/topic/v[0-9a-f]{16}/", url)
    assert facets.slug(value) == facets.slug(value)  # stable: a hash of the value alone


@pytest.mark.parametrize("value,group,label", [("财政、金融、审计/审计", "财政、金融、审计", "审计"), ("审计", "", "审计"),
                                               ("审计/", "", "审计/"), ("/审计", "", "/审计"), ("a/b/c", "a", "b/c")])
def test_a_topic_is_shown_under_its_first_level_only_when_it_has_two(value, group, label):
    fv = facets.FacetValue(value)
    assert (fv.group, fv.label) == (group, label)  # never an empty link text


def test_two_values_with_one_slug_stop_the_build(site, monkeypatch):
    site.item("gzdt/a.md", title="甲", topic="综合政务/甲")
    site.item("gzdt/b.md", title="乙", topic="综合政务/乙", index_no="SAMPLE001/2026-00002")
    view = public_view(site.load())
    monkeypatch.setattr(facets, "slug", lambda value: "v0000000000000000")
    with pytest.raises(SiteError, match="浏览页地址相同.*请修改"):
        facets.collect(view)


def test_index_pages_are_paged_by_values(site, monkeypatch):
    monkeypatch.setattr(facets, "VALUES_PER_PAGE", 2)
    for n in range(5):
        site.item(f"gzdt/t{n}.md", title=f"条目{n}", topic=f"综合政务/主题{n}", index_no=f"SAMPLE001/2026-{n + 1:05d}")
    bundle = build_site(public_view(site.load()), {}, AS_OF)
    uris = {p.src_uri for p in bundle.pages}
    assert {"browse/topic/index.md", "browse/topic/2/index.md", "browse/topic/3/index.md"} <= uris
    assert "browse/topic/4/index.md" not in uris


# -- property: whatever the non-public items say, no facet page carries it --------------------------

_TEXT = st.text(st.sampled_from(list("秘密内部审计财政/.、%<>&\"' 甲乙")), min_size=1, max_size=12)
_KIND = st.sampled_from(["依申请公开", "不予公开", "撤回"])
_PUBLIC_TOPICS = ["综合政务/政务公开", "财政、金融、审计/审计", "城乡建设、环境保护/其他"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secrets=st.lists(st.tuples(_KIND, _TEXT, _TEXT, st.sampled_from([None, "规章", "行政规范性文件"])),
                        min_size=1, max_size=4),
       public=st.lists(st.sampled_from(_PUBLIC_TOPICS), min_size=0, max_size=3))
def test_generated_non_public_items_never_reach_facet_pages(secrets, public):
    root = Path(tempfile.mkdtemp(prefix="gk-facets-"))
    try:
        site = Site(root / "site")
        for n, topic in enumerate(public):
            site.item(f"gzdt/p{n}.md", title=f"公开条目{n}", topic=topic, index_no=f"SAMPLE001/2026-{n + 1:05d}")
        hidden: list[str] = []
        for n, (kind, topic, publisher, genre) in enumerate(secrets):
            extra: dict = {"attribute": "依申请公开" if kind == "撤回" else kind}
            if kind == "撤回":
                extra = {"withdrawn": {"date": "2026-11-01", "reason": "信息有误"}}
            title, topic, publisher = f"不公开标题{n}号{topic}", f"不公开主题{n}{topic}", f"不公开机构{n}{publisher}"
            site.item(f"tzgg/s{n}.md", "不公开正文。\n", title=title, column="tzgg", topic=topic, publisher=publisher,
                      genre=genre, index_no=f"SAMPLE001/2026-{100 + n:05d}", **extra)
            hidden += [title, topic, publisher, f"tzgg/s{n}"]
            if genre:
                hidden.append(genre)
        view = public_view(site.load())
        bundle = build_site(view, {}, dt.date(2026, 11, 23))
        browse = [p for p in bundle.pages if p.src_uri.startswith("browse/")]
        assert browse and all(FACET_URI.match(p.src_uri) for p in browse)
        for p in browse:
            shown = p.as_markdown() + p.title + p.src_uri
            for text in hidden:
                assert text not in shown and html.escape(text) not in shown, (text, p.src_uri)
            assert not any(facets.slug(v) in p.src_uri for v in hidden)
        # and every public topic is there
        for topic in public:
            assert any(p.src_uri == facets.value_url(facets.FACETS[0], topic) + "index.md" for p in browse)
    finally:
        shutil.rmtree(root, ignore_errors=True)
