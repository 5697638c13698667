"""GK110–GK111: a draft is not an item — placeholder text, an empty body, a summary that
only repeats the title, a title with markup.

``gkpublish new`` writes （在此填写正文） as the body and the title as the 内容概述, so that
the file passes the schema while it is being written. Signed by mistake, such a page would
be published as it is: 条例 第十二条 wants a 目录 entry whose 内容概述 describes the
information, and a page that says （在此填写正文） informs nobody. These rules decide that
a draft still looks like a draft, on the text the public view would publish (non-public
blocks and HTML comments are not published, so a placeholder left in them is not
reported here).

Placeholders are recognised after normalisation, so that full-width letters, spaces and
brackets of any kind do not hide them: NFKC, then invisible characters, whitespace and
brackets (（）()【】[]〔〕「」《》<>…) and punctuation removed. A line is a placeholder when
it then starts with 在此/此处/这里 + 填写/输入/录入/补充, or contains 待填写, 待补充, 待完善,
请填写, 填写正文, or the words TODO, TBD, FIXME, XXX (three or more X), lorem ipsum.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from gkpublish.model import Item, Repository
from gkpublish.public import HTML_COMMENT_RE, is_published, public_body
from gkpublish.rules import Problem, rule

# after _squash (no whitespace, no brackets, no punctuation)
_CN_PLACEHOLDER = re.compile(r"^(?:在此|此处|这里)(?:填写|输入|录入|补充)|待填写|待补充|待完善|请填写|填写正文|正文内容待")
# ASCII words: judged on the NFKC text with punctuation turned into spaces (word boundaries)
_ASCII_PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9])(?:TODO|TBD|FIXME|lorem\s*ipsum)(?![A-Za-z0-9])", re.I)
_XXX = re.compile(r"(?<![A-Za-z0-9])X{3,}(?![A-Za-z0-9])")  # XXX同志, ＸＸＸ局: a name not filled in
_ONLY_XXX = re.compile(r"X{3,}")
_INVISIBLE = {"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"}
_HTML_IN_TITLE = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]{2,8});")


class _CharMap(dict):
    """A ``str.translate`` table that computes each character's entry on first sight.

    The three per-character maps below depend only on the character's Unicode category,
    so filling them lazily gives exactly what a per-character Python loop gives, while
    the loop over a line runs in C (GK110 reads every public line of every item: the
    loop was ≈ 10 s of a 10,000-item check). The table holds at most one entry per
    distinct character seen, with a cap against a repository of a million distinct ones."""

    _CAP = 1 << 16

    def __init__(self, entry: Callable[[str], str | None]) -> None:
        super().__init__()
        self._entry = entry

    def __missing__(self, code: int) -> str | None:
        value = self._entry(chr(code))
        if len(self) < self._CAP:
            self[code] = value
        return value


def _letter_or_digit(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


_VISIBLE = _CharMap(lambda ch: ch if ch in " \t" or unicodedata.category(ch) not in _INVISIBLE else None)
_SQUASH = _CharMap(lambda ch: ch if _letter_or_digit(ch) else None)
_SPACED = _CharMap(lambda ch: ch if _letter_or_digit(ch) else " ")


def _clean(text: str) -> str:
    """NFKC, invisible characters dropped (so ＴＯＤＯ, T\u200bODO and T O D O look alike)."""
    return unicodedata.normalize("NFKC", text).translate(_VISIBLE)


def _squash(text: str) -> str:
    """Letters and digits only: brackets, punctuation, symbols and spaces removed."""
    return _clean(text).translate(_SQUASH)


def placeholder_in(text: str) -> str | None:
    """The placeholder a line of text still contains, as found (normalised); None if none."""
    cleaned = _clean(text)
    squashed = cleaned.translate(_SQUASH)
    m = _CN_PLACEHOLDER.search(squashed)
    if m:
        return m.group()
    spaced = cleaned.translate(_SPACED)
    m = _ASCII_PLACEHOLDER.search(spaced) or _XXX.search(spaced)
    if m:
        return m.group()
    # a line that is nothing but a placeholder word spaced out ("T O D O", "Ｔ　Ｏ　Ｄ　Ｏ")
    if squashed.upper() in ("TODO", "TBD", "FIXME") or _ONLY_XXX.fullmatch(squashed):
        return squashed
    return None


# Which lines can hold a placeholder at all. Every placeholder, once found, holds a letter
# that is an ASCII letter case-insensitively (TODO, XXX, lorem ipsum; ſ, K, ı too) or one of
# these Chinese characters — each Chinese placeholder contains one of them (在此填写/输入/
# 录入/补充, 待填写, 待补充, 待完善, 请填写, 填写正文, 正文内容待; tests/test_editorial_fast_path.py).
_CN_KEYS = frozenset("填输录补待")
_ASCII_LETTER_I = re.compile(r"[A-Za-z]", re.I)


def _key_letter(ch: str) -> bool:
    """Could ``ch``, in normalised text, be a letter of a placeholder?"""
    return (ch in _CN_KEYS or _ASCII_LETTER_I.match(ch) is not None
            or any(c.isascii() and c.isalpha() for c in ch.lower() + ch.upper() + ch.casefold()))


def _may_become_key(ch: str) -> bool:
    """Could ``ch`` in a line give a placeholder letter after NFKC (ＴＯＤＯ, ⓧ, a compatibility
    ideograph of 填 …)? NFKC composes only what NFKD produced, and a composite that is a
    placeholder letter decomposes into one (İ = I + U+0307; tested for every character)."""
    if unicodedata.is_normalized("NFKD", ch):  # most characters: NFKD and NFKC leave it as it is
        return _key_letter(ch)
    return any(_key_letter(c) for c in ch + unicodedata.normalize("NFKD", ch) + unicodedata.normalize("NFKC", ch))


# Latin-1 and Latin Extended, general punctuation and symbols, CJK punctuation and symbols,
# CJK ideographs (extension A and the main block), CJK compatibility and full-width forms
_TEXT_RANGES = ((0x0000, 0x02FF), (0x2000, 0x2BFF), (0x3000, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
                (0xFE30, 0xFFEF))


def _build_suspect() -> re.Pattern[str]:
    """A regex finding any character that is not known to be harmless.

    Harmless: the characters of the ranges most text is written in (ASCII, CJK punctuation,
    the CJK ideographs, full-width forms) that cannot become a placeholder letter, decided
    here with the running Python's own Unicode data. A line without a suspect character
    cannot contain a placeholder, so placeholder_in is asked only about the others; the
    answers are the same, ≈ 30 times faster on Chinese text."""
    safe = [cp for lo, hi in _TEXT_RANGES
            for cp in range(lo, hi + 1) if not _may_become_key(chr(cp))]
    runs: list[tuple[int, int]] = []
    for cp in safe:
        if runs and runs[-1][1] == cp - 1:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in runs)
    return re.compile(f"[^{cls}]")


_suspect: list[re.Pattern[str]] = []  # built on first use: only GK110 needs it


def _suspect_re() -> re.Pattern[str]:
    if not _suspect:
        _suspect.append(_build_suspect())
    return _suspect[0]


def _public_lines(item: Item) -> Iterator[tuple[int, str]]:
    """(file line, text) of the body lines the public view publishes that may hold a
    placeholder (the others hold no character that could become one)."""
    suspect = _suspect_re().search
    if not suspect(item.body):
        return
    body = HTML_COMMENT_RE.sub(lambda m: "\n" * m.group().count("\n"), item.body)
    scan = item.block_scan()
    for i, line in enumerate(body.split("\n")):
        if suspect(line) and not scan.is_hidden(i):
            yield item.body_line + i, line


def _same_text(a: str, b: str) -> bool:
    return _squash(a) == _squash(b)


@rule("GK110", "E", "正文为空或仍是占位文字，或内容概述照抄标题", "条例 第十二条")
def draft_leftovers(repo: Repository) -> Iterator[Problem]:
    """A published item (主动公开, 部分公开) has a real body and a 内容概述 of its own.

    Reported, each with its line: a public body that is empty (and has no attachment to
    publish instead); a line that is still placeholder text (（在此填写正文）, 待填写, 待补充,
    TODO, XXX …, in any width, spacing or brackets); a ``summary`` that is a placeholder or
    only repeats the title (the 目录 would say nothing more than the title).

    Passing::

        title: 关于开展2026年政务公开培训的通知
        summary: 通知各科室于12月参加政务公开业务培训。
        ---
        各科室：为提升政务公开工作水平……

    Failing::

        summary: 关于开展2026年政务公开培训的通知   # → 内容概述与标题相同
        ---
        （在此填写正文）                            # → 第 N 行仍是占位文字“在此填写”
    """
    for item in repo.items:
        if not is_published(item):
            continue
        found = False
        for line_no, line in _public_lines(item):
            what = placeholder_in(line)
            if what:
                found = True
                yield Problem(item.path, line_no,
                              f"正文第 {line_no} 行仍是占位文字“{what}”：请换成要公开的正文，或删除这一行")
        if not found and not public_body(item).strip() and not item.seq("attachments"):
            yield Problem(item.path, item.body_line,
                          "正文为空：公开的页面上没有任何内容；请在前置元数据（---）之后写正文，或以附件发布原件")
        summary, title = item.meta.get("summary"), item.meta.get("title")
        if not isinstance(summary, str) or not summary.strip():
            continue  # the schema reports a missing summary
        what = placeholder_in(summary)
        if what:
            yield Problem(item.path, item.line_of("summary"),
                          f"内容概述（summary）仍是占位文字“{what}”：请用一两句话概括公开的内容")
        elif isinstance(title, str) and _same_text(summary, title):
            yield Problem(item.path, item.line_of("summary"),
                          "内容概述（summary）与标题相同（gkpublish new 暂用标题）：请改写为对内容的概括，"
                          "如发布机构、事项、对象和要点")


@rule("GK111", "E", "标题含 HTML 标记或字符实体", "附件3 第五条")
def plain_title(repo: Repository) -> Iterator[Problem]:
    """``title`` is plain text: the site, the 目录, search and feeds show it as written, so
    markup would be shown literally (``<b>`` on the page) or differ between outputs.

    Passing: ``title: 关于印发《江北区政务公开工作要点》的通知``.

    Failing: ``title: 关于<b>重要</b>事项的通知`` → ``标题含 HTML 标记“<b>”``;
    ``title: A&amp;B`` → ``标题含 HTML 字符实体“&amp;”``.
    """
    for item in repo.items:
        title = item.meta.get("title")
        if not isinstance(title, str):
            continue
        m = _HTML_IN_TITLE.search(unicodedata.normalize("NFKC", title))
        if m:
            kind = "字符实体" if m.group().startswith("&") else "标记"
            yield Problem(item.path, item.line_of("title"),
                          f"标题含 HTML {kind}“{m.group()}”：标题是纯文本，请删除标记，直接写文字（如《》、“”）")
