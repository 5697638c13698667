"""GK110's fast path finds exactly what the line-by-line reading finds.

GK110 reads every public line of every item. It used to normalise and squash each line in
Python (≈ 10 s of a 10,000-item check); now it asks ``placeholder_in`` only about lines
holding a character that could become a placeholder letter, and ``placeholder_in`` maps
characters with ``str.translate``. The reference below is the former code, kept verbatim:
for every generated line and body, both give the same answer.
"""

from __future__ import annotations

import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.public import HTML_COMMENT_RE, is_published
from gkpublish.rules import editorial
from gkpublish.rules.editorial import _CN_KEYS, _CN_PLACEHOLDER, _key_letter, _suspect_re, placeholder_in
from tests.conftest import Site

# -- the reference: GK110 as it read each line before the fast path ---------------------------
_INVISIBLE = {"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"}
_ASCII_PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9])(?:TODO|TBD|FIXME|lorem\s*ipsum)(?![A-Za-z0-9])", re.I)
_XXX = re.compile(r"(?<![A-Za-z0-9])X{3,}(?![A-Za-z0-9])")


def _ref_clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE or ch in " \t")


def _ref_squash(text: str) -> str:
    return "".join(ch for ch in _ref_clean(text) if unicodedata.category(ch)[0] in "LN")


def reference_placeholder_in(text: str) -> str | None:
    squashed = _ref_squash(text)
    m = _CN_PLACEHOLDER.search(squashed)
    if m:
        return m.group()
    spaced = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in _ref_clean(text))
    m = _ASCII_PLACEHOLDER.search(spaced) or _XXX.search(spaced)
    if m:
        return m.group()
    if squashed.upper() in ("TODO", "TBD", "FIXME") or re.fullmatch(r"X{3,}", squashed):
        return squashed
    return None


def reference_findings(repo) -> list[tuple[str, int, str]]:
    """(path, line, placeholder) of every public line GK110 reported, read line by line."""
    out = []
    for item in repo.items:
        if not is_published(item):
            continue
        body = HTML_COMMENT_RE.sub(lambda m: "\n" * m.group().count("\n"), item.body)
        scan = item.block_scan()
        for i, line in enumerate(body.split("\n")):
            what = None if scan.is_hidden(i) else reference_placeholder_in(line)
            if what:
                out.append((item.path, item.body_line + i, what))
    return out


# -- generated text: Chinese prose with every kind of character a placeholder can hide behind ---
KEYS_IN_DISGUISE = [chr(cp) for cp in range(0xF900, 0xFB00)
                    if any(c in _CN_KEYS for c in unicodedata.normalize("NFKC", chr(cp)))]
ALPHABET = st.one_of(
    st.sampled_from("各单位认真统计报表本通知自发布之日起施行政务公开工作这里此处在请正文内容完善写入充"),
    st.sampled_from(sorted(_CN_KEYS) + KEYS_IN_DISGUISE),
    st.sampled_from("TODOtodoTBDFIXMEfixmeXxloremipsum ſKıİ"),  # ſ, Kelvin K, ı, İ fold to ASCII
    st.sampled_from("ＴＯＤＯｘＸⓧⓉ𝐓𝐎𝐃ℹ︎ﬁ"),  # full-width, circled, mathematical letters, a ligature
    st.sampled_from("，。、；：？！（）()【】[]〔〕「」《》<>…—-·“”‘’ \t\u3000\u00a0"),
    st.sampled_from("\u200b\u200d\u2060\ufeff\u0301\u0307\u0338\u20dd\u1160\u3164"),  # invisible, combining
    st.sampled_from("0123456789０１２３①⑴㈠㊀㉐㍱℡№™"),
    st.characters(codec="utf-8", exclude_characters="\n"),
)
PLACEHOLDERS = ["在此填写正文", "此处录入", "这里补充", "待填写", "待补充", "待完善", "请填写", "填写正文",
                "正文内容待", "TODO", "tbd", "FixMe", "XXX", "lorem ipsum", "Lorem\tIpsum"]


@st.composite
def lines(draw) -> str:
    parts = draw(st.lists(st.one_of(st.text(ALPHABET, max_size=12), st.sampled_from(PLACEHOLDERS)),
                          max_size=5))
    gap = draw(st.sampled_from(["", " ", "\u200b", "\u3000", "（"]))
    return gap.join(parts)


@settings(max_examples=600, deadline=None)
@given(lines())
def test_placeholder_in_gives_the_line_by_line_answer_and_only_suspect_lines_hold_one(line):
    expected = reference_placeholder_in(line)
    assert placeholder_in(line) == expected
    if expected is not None:
        assert _suspect_re().search(line), repr(line)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("在此处这里填写输入录补充待完善请正文内容一二"), max_size=12))
def test_every_chinese_placeholder_holds_a_key_character(text):
    if _CN_PLACEHOLDER.search(text):
        assert set(text) & _CN_KEYS


def test_every_placeholder_word_is_suspect():
    for word in PLACEHOLDERS:
        assert reference_placeholder_in(word) and _suspect_re().search(word), word


def test_a_composed_letter_that_could_be_a_placeholder_letter_decomposes_into_one():
    """NFKC composes only what NFKD produced: a canonical composite that is (case-insensitively)
    an ASCII letter must come from one, or lines holding only harmless characters could compose
    a placeholder letter. Checked for every character of this Python's Unicode."""
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        decomposition = unicodedata.decomposition(ch)
        if decomposition and not decomposition.startswith("<") and _key_letter(ch):
            assert any(_key_letter(c) for c in unicodedata.normalize("NFD", ch)), hex(cp)


def test_harmless_characters_stay_harmless_after_normalisation():
    """Every character the suspect regex lets through has no placeholder letter in NFKD or NFKC."""
    harmless = [chr(cp) for lo, hi in editorial._TEXT_RANGES for cp in range(lo, hi + 1)
                if not _suspect_re().match(chr(cp))]
    assert len(harmless) > 30000  # the CJK ideographs and the punctuation of Chinese text
    for ch in harmless:
        for form in ("NFKD", "NFKC"):
            assert not any(_key_letter(c) for c in unicodedata.normalize(form, ch)), hex(ord(ch))
    assert not _suspect_re().search("各单位：请于12月1日前报送统计表（附件1），联系电话：023-12345678。")


def test_characters_beyond_the_translate_cache_give_the_same_answer(monkeypatch):
    monkeypatch.setattr(editorial._CharMap, "_CAP", 0)
    fresh = {name: editorial._CharMap(getattr(editorial, name)._entry) for name in ("_VISIBLE", "_SQUASH", "_SPACED")}
    for name, table in fresh.items():
        monkeypatch.setattr(editorial, name, table)
    for line in ["ＴＯＤＯ：补上", "（在此填写正文）", "会议由XXX同志主持。", "正常的一行。"]:
        assert placeholder_in(line) == reference_placeholder_in(line)
    assert all(len(table) == 0 for table in fresh.values())


def _bodies(draw_lines: list[str]) -> Iterator[str]:
    for n in range(0, len(draw_lines), 4):
        yield "\n".join(draw_lines[n:n + 4]) + "\n"


@settings(max_examples=10, deadline=None)
@given(st.lists(st.one_of(lines(), st.sampled_from(["<!-- 待填写", "TODO -->", '::: 不公开 理由="个人隐私"',
                                                   ":::", "<!-- XXX -->正文"])),
                min_size=8, max_size=40))
def test_gk110_reports_the_lines_the_line_by_line_reading_reports(generated):
    """Bodies of generated lines (comments and non-public blocks among them), a batch per
    example: the rule's findings are the reference's, line for line."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Site(Path(tmp) / "repo")
        for n, body in enumerate(_bodies(generated)):
            site.item(f"gzdt/v{n}.md", body="正文第一段。\n\n" + body, index_no=f"SAMPLE001/2026-{n + 1:05d}",
                      summary=f"第{n}个条目的内容概述。", attribute="部分公开",
                      reason={"ground": "个人隐私", "basis": "含申请人姓名"})
        repo = site.load()
        found = sorted((p.path, p.line, p.message) for p in editorial.draft_leftovers(repo)
                       if p.message.startswith("正文第"))
        expected = sorted((path, line, f"正文第 {line} 行仍是占位文字“{what}”：请换成要公开的正文，或删除这一行")
                          for path, line, what in reference_findings(repo))
    assert found == expected
