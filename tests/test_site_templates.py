"""The page markup comes from Jinja2 templates of the theme (theme/gk/*.html, autoescape on).

What a visitor sees is the public view's text, never markup made from it: every value is
escaped by the template engine, whatever an editor typed. An office restyles a page by a
file of the same name in its custom_dir; a broken override stops the build with the file
and line named, not with a traceback.
"""

from __future__ import annotations

import html.parser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.model import Column
from gkpublish.public import PublicAttachment, PublicItem, PublicTombstone, PublicView
from gkpublish.site import guide, pages, render

NEWS = Column(id="gzdt", name="工作动态", kind="item")
DOCS = Column(id="zcwj", name="政策文件", parent="法定主动公开内容/履职依据", kind="document")


def public_item(column: Column = DOCS, **meta) -> PublicItem:
    base = {"title": "关于印发示例办法的通知", "index_no": "SAMPLE001/2026-00001", "doc_no": "江北府办发〔2026〕1号",
            "publisher": "重庆市江北区人民政府办公室", "department": "综合科", "column": column.id,
            "topic": "综合政务/政务公开", "written": "2026-11-01", "published": "2026-11-03",
            "validity": "有效", "attribute": "主动公开", "summary": "示例。"}
    base.update(meta)
    return PublicItem(source_path=f"content/{column.id}/a.md", url=f"{column.id}/a/", meta=base, body="正文。\n",
                      source={"type": "原创"})


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


def parsed(markup: str) -> _Tags:
    p = _Tags()
    p.feed(markup)
    p.close()
    return p


def test_item_page_shows_the_metadata_of_a_document():
    page = pages.item_page(public_item(), DOCS, {})
    cells = parsed(page.before).text
    for label, value in (("主办科室", "综合科"), ("公开方式", "主动公开"), ("公开范围", "面向社会"), ("有效性", "有效")):
        assert label in cells and value in cells


def test_news_item_has_no_validity():
    page = pages.item_page(public_item(NEWS, doc_no=None, validity=None), NEWS, {})
    assert "有效性" not in page.before and "公开方式" in page.before


def test_breadcrumbs_name_the_parent_column():
    page = pages.item_page(public_item(), DOCS, {})
    text = "".join(parsed(page.before).text)
    assert "当前位置：首页 › 法定主动公开内容 › 履职依据 › 政策文件" in text
    assert 'href="../../columns/zcwj/"' in page.before


def test_templates_render_to_one_line_for_markdown():
    # a blank line would end MkDocs' raw HTML block and turn the rest into Markdown text
    for markup in (pages.item_page(public_item(), DOCS, {}).before, pages.column_pages(DOCS, [public_item()])[0].before):
        assert "\n" not in markup


HOSTILE = st.text(alphabet=st.sampled_from(list("<>&\"'/=` 示例scriptimgonerrorx")), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(title=HOSTILE, department=HOSTILE, doc_no=HOSTILE, what=HOSTILE, attachment=HOSTILE, reason=HOSTILE)
def test_no_value_of_the_public_view_becomes_markup(title, department, doc_no, what, attachment, reason):
    """For every generated value, the pages contain it as text and no element or attribute
    made from it: the tags and attributes are exactly those of the template."""
    item = public_item(title=title, department=department, doc_no=doc_no)
    item.corrections = [{"date": "2026-11-04", "what": what, "why": reason}]
    item.attachments = [PublicAttachment(path="content/zcwj/a.pdf", name="a.pdf", title=attachment)]
    tomb = PublicTombstone(source_path="content/zcwj/b.md", url="zcwj/b/", title=title, index_no=doc_no,
                           column="zcwj", date="2026-11-05", reason=reason)
    page = pages.item_page(item, DOCS, {"content/zcwj/a.pdf": 2048})
    outputs = [page.before + page.after, pages.tombstone_page(tomb, DOCS).before,
               pages.column_pages(DOCS, [item])[0].before,
               pages.catalog_pages(PublicView(site={}, guide={}, columns=[DOCS], items=[item]))[0].before]
    allowed_tags = {"nav", "span", "a", "dl", "div", "dt", "dd", "h1", "h2", "p", "ul", "li", "section", "table",
                    "thead", "tbody", "tr", "th", "td"}
    allowed_attrs = {"class", "aria-label", "data-pagefind-ignore", "href", "role", "download", "aria-hidden",
                     "scope", "data-label", "hidden", "data-pagefind-meta", "aria-current",
                     "data-pagefind-filter", "content"}  # the search filters (pages.search_filters)
    for markup in outputs:
        p = parsed(markup)
        assert p.tags <= allowed_tags and p.attrs <= allowed_attrs
    text = "".join(parsed(outputs[0]).text)
    for value in (title, department, what, attachment, reason):
        assert value.strip() in text


def test_an_office_overrides_a_template_in_its_custom_dir(tmp_path: Path):
    (tmp_path / "gk").mkdir()
    (tmp_path / "gk" / "crumbs.html").write_text('<p class="my-crumbs">您在：{{ column.name }}</p>\n', encoding="utf-8")
    render.use_dirs([str(tmp_path)])
    try:
        page = pages.item_page(public_item(), DOCS, {})
    finally:
        render.use_dirs([])
    assert '<p class="my-crumbs">您在：政策文件</p>' in page.before
    assert "gk-crumbs" not in page.before and "gk-meta" in page.before  # other templates: the package's


@pytest.mark.parametrize("source, words", [
    ("{% if %}\n", ("gk/crumbs.html", "第 1 行", "语法错误")),
    ("{{ nosuchname.x }}\n", ("gk/item_before.html", "无法渲染", "custom_dir")),
])
def test_a_broken_override_is_a_clear_error(tmp_path: Path, source, words):
    (tmp_path / "gk").mkdir()
    (tmp_path / "gk" / "crumbs.html").write_text(source, encoding="utf-8")
    render.use_dirs([str(tmp_path)])
    try:
        with pytest.raises(pages.SiteError) as err:
            pages.item_page(public_item(), DOCS, {})
    finally:
        render.use_dirs([])
    for word in words:
        assert word in str(err.value)


def test_earlier_guides_leave_out_the_current_one():
    col = Column(id="xxgkzn", name="政府信息公开指南")
    current = public_item(col, title="某区政府信息公开指南（2026年）")
    current.url = "xxgkzn/2026/"
    older = public_item(col, title="某区政府信息公开指南（2025年）")
    older.url = "xxgkzn/2025/"
    view = PublicView(site={}, guide={"year": 2026, "organ": "某区"}, columns=[col], items=[current, older])
    markup = guide.guide_page(view, [current, older], "guide/form.docx").before
    history = markup.split('id="history"')[1]
    assert "（2025年）" in history and "（2026年）" not in history
    # only this year's guide: no 往年指南 section at all
    markup = guide.guide_page(view, [current], "guide/form.docx").before
    assert 'id="history"' not in markup


def test_signature_and_date_of_a_document_are_right_aligned():
    body = "正文。\n\n重庆市江北区人民政府办公室\n\n2022年6月15日\n\n（此件公开发布）\n"
    markdown = pages._note_lines(body)
    assert '<p class="gk-luokuan gk-luokuan--first">重庆市江北区人民政府办公室</p>\n<p class="gk-luokuan">2022年6月15日</p>' in markdown
    assert '<p class="gk-fuzhu">（此件公开发布）</p>' in markdown


@pytest.mark.parametrize("body", [
    "会议于2026年11月9日召开。\n",  # a date inside a sentence
    "一、会议要求：\n\n- 准时参加\n",  # no date line at all
])
def test_text_that_is_no_signature_stays_as_written(body):
    assert "gk-luokuan" not in pages._note_lines(body)


@settings(max_examples=100, deadline=None)
@given(organ=st.text(alphabet=st.sampled_from(list("重庆市区政府办公室<>&\"' 审计局")), min_size=1, max_size=20),
       year=st.integers(1990, 2099), month=st.integers(1, 12), day=st.integers(1, 28))
def test_signature_text_is_kept_and_never_markup(organ, year, month, day):
    """Whatever the line before the date, its text survives (escaped) and no tag comes from it."""
    date = f"{year}年{month}月{day}日"
    out = pages._note_lines(f"正文。\n\n{organ}\n\n{date}\n")
    p = parsed(out)
    assert p.tags <= {"p"} and p.attrs <= {"class"}
    assert organ.strip() in "".join(p.text) and date in "".join(p.text)
