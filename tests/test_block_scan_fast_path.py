"""The block scanner reads only the lines its pre-filter lets through outside a block, and
finds them with one search of the body: the scan is the one that reads every line.

``scan_blocks`` ran a regex on each line of each body, and ran twice per item (the loader,
then the public body); now the public body reuses the item's scan, and ``candidate_lines``
finds the lines worth a look in one search. Generated bodies — the attack variants of
tests/test_nonpublic_blocks.py and lines of marker pieces — give the same blocks, problems
and hidden lines either way.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish import model
from gkpublish.loader import parse_item
from gkpublish.model import _scan_blocks, candidate_lines, scan_blocks, strip_blocks
from gkpublish.public import HTML_COMMENT_RE, public_body
from tests.conftest import item_source
from tests.test_nonpublic_blocks import LINE_PIECES, attack, body_of

PROSE = st.sampled_from(["公开的正文。", "不得擅自公开。", "依申请办理。", "时间：12:30", "1. 第一项", "", "```", "~~~",
                         "| 不予公开 | 理由 |", "> 引用", "  缩进的一行", "联系电话：023-12345678"])
LINES = st.one_of(PROSE, st.lists(LINE_PIECES, max_size=6).map("".join))


@st.composite
def bodies(draw) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        parts += draw(st.one_of(attack(), st.lists(LINES, max_size=6)))
    return body_of(*parts) if draw(st.booleans()) else "\n".join(parts)


@settings(max_examples=250, deadline=None)
@given(bodies(), st.integers(1, 30))
def test_the_scan_of_the_candidate_lines_is_the_scan_of_every_line(body, body_line):
    assert scan_blocks(body, body_line) == _scan_blocks(body, body_line, None)


@settings(max_examples=250, deadline=None)
@given(st.lists(LINES, max_size=12).map("\n".join))
def test_one_search_of_the_body_finds_the_lines_a_search_of_each_line_finds(body):
    assert candidate_lines(body) == {i for i, line in enumerate(body.split("\n"))
                                     if model._CANDIDATE_RE.search(line)}


@settings(max_examples=60, deadline=None)
@given(bodies())
def test_the_public_body_from_the_items_scan_is_the_public_body_from_a_new_scan(body):
    item, _ = parse_item("content/gzdt/x.md", item_source(body, attribute="部分公开").encode("utf-8"))
    assert item is not None
    assert public_body(item) == HTML_COMMENT_RE.sub("", strip_blocks(item.body))
