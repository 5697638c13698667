"""GK110–GK111: drafts do not publish — placeholders, empty bodies, summary = title, markup in titles."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.rules.editorial import placeholder_in
from tests.conftest import Site, line_of

TITLE = "区政府办公室召开政务公开工作推进会（示例）"


def test_the_body_gkpublish_new_writes_is_a_placeholder(site):
    p = site.item("gzdt/draft.md", body="（在此填写正文）\n")
    found = site.check().of("GK110")
    assert [(f.line, f.severity) for f in found] == [(line_of(p, "在此填写正文"), "error")]
    assert "占位文字" in found[0].message and "请换成要公开的正文" in found[0].message


def test_a_real_body_and_summary_pass(site):
    site.item("gzdt/ok.md", body="区政府办公室于11月16日召开推进会，部署年度重点工作。\n")
    assert "GK110" not in site.check().ids


def test_a_summary_equal_to_the_title_is_reported(site):
    p = site.item("gzdt/same.md", summary=TITLE)
    found = site.check().of("GK110")
    assert [f.line for f in found] == [line_of(p, "summary:")]
    assert "与标题相同" in found[0].message


def test_a_summary_differing_only_in_spacing_and_punctuation_is_the_title(site):
    site.item("gzdt/same.md", summary=" 区政府办公室召开政务公开工作推进会(示例)。")
    assert "GK110" in site.check().ids


def test_an_empty_body_is_reported_unless_an_attachment_is_published(site):
    site.item("gzdt/empty.md", body="\n\n")
    assert [f.rule for f in site.check().of("GK110")] == ["GK110"]
    assert "正文为空" in site.check().of("GK110")[0].message


def test_a_body_that_is_only_a_comment_is_empty(site):
    site.item("gzdt/empty.md", body="<!-- 稍后补上 -->\n")
    assert "正文为空" in site.check().of("GK110")[0].message


def test_an_empty_body_with_an_attachment_passes(site):
    site.write("content/gzdt/file.pdf", b"%PDF-1.4\n%%EOF\n")
    site.item("gzdt/with-file.md", body="", attachments=[{"file": "file.pdf", "title": "原件"}])
    assert "GK110" not in site.check().ids


def test_a_placeholder_inside_a_non_public_block_is_not_published_so_not_reported(site):
    body = ('申请人的信息已按规定处理。\n\n::: 不公开 理由="个人隐私（条例第十五条）"\n待填写\n:::\n')
    site.item("gzdt/part.md", body=body, attribute="部分公开",
              reason={"ground": "个人隐私", "basis": "含申请人姓名"})
    assert "GK110" not in site.check().ids


def test_an_unpublished_item_is_not_judged(site):
    site.item("gzdt/ysq.md", body="（在此填写正文）\n", attribute="依申请公开")
    assert "GK110" not in site.check().ids


def test_todo_and_xxx_left_in_the_text_are_reported(site):
    site.item("gzdt/todo.md", body="会议由XXX同志主持。\n\n具体时间：TODO\n")
    assert len(site.check().of("GK110")) == 2


def test_ordinary_words_are_not_placeholders():
    for text in ("会议要求各单位认真填写统计报表。", "Xinhua 新华社", "XX 路 12 号", "todolist",
                 "请在此基础上补充完善制度", "本通知自发布之日起施行。"):
        assert placeholder_in(text) is None, text


def test_a_title_with_html_is_reported(site):
    p = site.item("gzdt/html.md", title="关于<b>重要</b>事项的通知")
    found = site.check().of("GK111")
    assert [f.line for f in found] == [line_of(p, "title:")] and "<b>" in found[0].message


def test_a_title_with_an_entity_is_reported_and_a_plain_title_passes(site):
    site.item("gzdt/amp.md", title="A&amp;B 项目公示")
    site.item("gzdt/plain.md", title="关于印发《江北区政务公开工作要点》的通知", index_no="SAMPLE001/2026-00002")
    found = site.check().of("GK111")
    assert [f.path for f in found] == ["content/gzdt/amp.md"] and "字符实体" in found[0].message


# -- every way of writing a placeholder is still one --------------------------------------------
PLACEHOLDERS = ["在此填写正文", "待填写", "待补充", "此处填写内容", "TODO", "FIXME", "XXX"]
OPEN_CLOSE = [("", ""), ("（", "）"), ("(", ")"), ("【", "】"), ("[", "]"), ("〔", "〕"), ("「", "」"),
              ("《", "》"), ("<", ">")]
GAPS = st.sampled_from(["", " ", "\u3000", "\t", "\u200b", "\u00a0"])


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def placeholder_variants(draw) -> str:
    word = draw(st.sampled_from(PLACEHOLDERS))
    if draw(st.booleans()):
        word = _full_width(word)
    if word.isascii() and draw(st.booleans()):
        word = word.lower() if word != "XXX" else word
    gap = draw(GAPS)
    if draw(st.booleans()):
        word = gap.join(word)
    left, right = draw(st.sampled_from(OPEN_CLOSE))
    return draw(GAPS) + left + word + right + draw(st.sampled_from(["", "。", "…", "！"])) + draw(GAPS)


@settings(max_examples=300, deadline=None)
@given(placeholder_variants())
def test_every_spelling_of_a_placeholder_is_recognised(text):
    assert placeholder_in(text) is not None, repr(text)


@settings(max_examples=3, deadline=None)
@given(st.lists(placeholder_variants(), min_size=5, max_size=15))
def test_generated_placeholder_bodies_never_pass_the_gate(variants):
    """The same generator through the gate, a batch per example: every body is GK110."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Site(Path(tmp) / "repo")
        for n, text in enumerate(variants):
            site.item(f"gzdt/v{n}.md", body=f"正文第一段。\n\n{text}\n", index_no=f"SAMPLE001/2026-{n + 1:05d}",
                      summary=f"第{n}个条目的内容概述。")
        failed = {f.path for f in site.check().of("GK110")}
    assert failed == {f"content/gzdt/v{n}.md" for n in range(len(variants))}
