"""Detectors for what must never be public (GK501–GK505), reusable on any text.

``gkpublish check`` runs them over each item's public content (:mod:`gkpublish.rules.privacy`,
which adds waivers and file lines); ``verify-site`` runs the same :func:`scan_text` over the
built HTML, so the gate and the final proof cannot disagree.

The detectors (domain.md, "Identifiers that must not leak"):

- GK501 居民身份证号 (GB 11643-1999): 18 characters, a known province code, a real birth
  date and a valid check character. 15-digit first-generation numbers are *not* detected:
  they have no check digit, and the 15-digit 工商注册号 of companies (public in 行政许可 and
  行政处罚 notices) has the same shape (6-digit area code + a date-like run), so every
  business licence would be a false alarm.
- GK502 手机号: ``(+86)1[3-9]xxxxxxxxx``, also written 3-4-4 with spaces or hyphens.
- GK503 银行卡号: 16–19 digits (or groups of four) passing the Luhn check, starting with a
  card-issuer digit (ISO/IEC 7812 major industry identifier 3–6, or 9 for old domestic
  cards), and being neither a valid 身份证号 nor a valid 统一社会信用代码.
- GK504 密级标志: 绝密/机密/秘密 followed by ★ (with its period, ``秘密★1年``), ``密级：机密``,
  内部资料, 注意保密, 内部使用. The words alone (国家秘密, 保密审查, 机密性) are ordinary
  legal language and do not fire.
- GK505 the site's own term lists (``site_config/terms.yml``), compiled by :func:`compile_terms`.

Every detector reads the text **normalised** (:func:`normalise`), the one normaliser of
the gate and of ``verify-site``: NFKC character by character; Unicode format characters
(category Cf: U+200B–U+200D, U+00AD, U+2060, U+FEFF, bidi controls) removed; HTML
entities decoded (named, decimal, hex, with or without ``;``); every space of any width
read as one space, every hyphen, dash and minus as ``-``, every dot and middle dot as
``.``; tags removed (an inline tag joins its neighbours, ``秘<span></span>密★1年``; a block
tag ends a line) with their text attribute values (``title``, ``alt``, ``aria-label``,
``data-*``…) scanned as lines of their own; in Markdown, every backslash
(``1\\3800138000``) and emphasis markers (``秘**密**★``) removed. Separators are
tolerated only between the groups people write: 3-4-4, 3-8 and 7-4 for a mobile, 6-8-4
and 6-4-4-4 for an ID number, 4-4-4-4(-1…3) and 6-rest for a card; a separator is one space, or one hyphen or dot with an optional
space either side. Slashes are not separators (dates, 索引号).

A number counts only as a whole token: a digit run inside a longer run of digits or Latin
letters (索引号, 统一社会信用代码, order numbers), a decimal amount or a sum followed by 元/万/亿
is not a mobile number. Masked forms (``1101**********002X``, ``138****8000``) never match.
Full-width digits (１３８…) are read as digits.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

ID_CARD = "GK501"
MOBILE = "GK502"
BANK_CARD = "GK503"
SECRECY_MARK = "GK504"
TERM = "GK505"


class Hit(NamedTuple):
    """One detection: ``(rule_id, start, end, value)``, offsets into the scanned text."""

    rule: str
    start: int
    end: int
    value: str


# Full-width digits, X, plus, hyphen and the ideographic space are read as their ASCII
# forms. One character for one, so offsets into the translated text are offsets into the
# original.
_HALF_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－　", "0123456789Xx+- ")

# A token boundary: not glued to a longer run of digits or Latin letters.
_NOT_AFTER_TOKEN = r"(?<![0-9A-Za-z])"
_NOT_BEFORE_TOKEN = r"(?![0-9A-Za-z])"
# …nor part of a decimal number or a thousands grouping (1,380,013.80).
_NOT_AFTER_NUMBER = r"(?<![0-9][.,])"
_NOT_BEFORE_NUMBER = r"(?![.,][0-9])"

# A separator between digit groups, as :func:`normalise` leaves it: one space, or one
# hyphen or dot with an optional space on either side (138 0013 8000, 138-0013-8000,
# 138 - 0013 - 8000, 138.0013.8000). Separators count only between the groups people
# write (see each detector), so a list of small numbers does not join into a phone number.
_SEP = r"(?: ?[-.] ?| )"

# Where a number can be: 11 or more digits, separators allowed between them. Found with a
# leading character class, which the regex engine scans fast; the exact detectors below
# then run only on a window around each such run.
_RUN_RE = re.compile(rf"[0-9](?:{_SEP}?[0-9]){{10,}}")
_BEFORE, _AFTER = 3, 8  # context the detectors' look-behinds and look-aheads need

# 6-8-4 (110105 19491231 002X) or 6-4-4-4, or unseparated; the check character decides.
ID_CARD_RE = re.compile(
    _NOT_AFTER_TOKEN + rf"[0-9]{{6}}{_SEP}?[0-9]{{4}}{_SEP}?[0-9]{{4}}{_SEP}?[0-9]{{3}}[0-9Xx]" + _NOT_BEFORE_TOKEN)

# 11 digits, or 3-4-4, 3-8, 7-4; optionally +86 / 0086 / 86 before.
MOBILE_RE = re.compile(
    r"(?<![0-9A-Za-z+¥￥$])" + _NOT_AFTER_NUMBER
    + rf"(?:(?:\+|00)?86{_SEP}?)?1[3-9][0-9](?:[0-9]{{8}}|{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}|[0-9]{{4}}{_SEP}[0-9]{{4}}"
    + rf"|{_SEP}[0-9]{{8}})"
    + rf"(?!{_SEP}[0-9])" + _NOT_BEFORE_TOKEN + _NOT_BEFORE_NUMBER
    + r"(?![ \t]*[元万亿%％])")  # 13800000000 元 is an amount, not a phone

# 16–19 digits, or 4-4-4-4(-1…3), or 6 and the rest.
BANK_CARD_RE = re.compile(
    _NOT_AFTER_TOKEN + _NOT_AFTER_NUMBER
    + rf"(?:[3-69][0-9]{{15,18}}|[3-69][0-9]{{3}}{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}(?:{_SEP}[0-9]{{1,3}})?"
    + rf"|[3-69][0-9]{{5}}{_SEP}[0-9]{{10,13}})(?!{_SEP}[0-9])"
    + _NOT_BEFORE_TOKEN + _NOT_BEFORE_NUMBER)

# 密级标志 (GB/T 9704 版头: 密级和保密期限, e.g. 秘密★1年; 条例 第十四条). 国家秘密, 保密审查,
# 密级和期限, 机密性 are ordinary words in legal text and must not fire: a level word counts
# only with its ★ or after 密级：.
_SPACE = r"[ \t　]*"
_PERIOD = rf"(?:{_SPACE}(?:长期|[0-9０-９]+{_SPACE}(?:年|个月|月|天|日)|[一二三四五六七八九十两]+{_SPACE}(?:年|个月)))?"
# Each pattern runs only on texts that contain one of its literal cues (a C-speed substring
# test): 保密 and 密级 are everywhere in legal text, ★ and 密级： are not.
SECRECY_MARK_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (("★", "密级：", "密级:"), re.compile(
        rf"(?:绝{_SPACE}密|机{_SPACE}密|秘{_SPACE}密){_SPACE}★+{_PERIOD}"
        rf"|密级[:：]{_SPACE}(?:绝密|机密|秘密)(?:{_SPACE}★+{_PERIOD})?")),
    (("内部",), re.compile(r"内部(?:资料(?!管理)|使用)")),
    (("注意保密",), re.compile(r"注意保密(?!工作)")),
)

# -- normalise before you scan ------------------------------------------------------------
# The gate (Markdown source) and verify-site (built HTML) read one text: what a visitor
# sees, whatever the bytes look like. :func:`normalise` is that one mechanism.

# Separators between digit groups, read as one ASCII form each: every Unicode space (the
# ideographic and no-break spaces, U+2000–U+200A …) is " ", every hyphen, dash and minus
# "-", every dot and middle dot ".". Slashes are not separators: 2026/06/15, 索引号.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_DOTS = "\u00b7\u2022\u2024\u2027\u2219\u22c5\u30fb\uff0e\uff65\u0387\u16eb"
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
# BMP and astral ranges that hold no compatibility characters (CJK, Hangul): skipped when
# the NFKC table is built, which keeps building it fast.
_NO_COMPAT = ((0x3400, 0xA000), (0xAC00, 0xD7A4), (0xD800, 0xF900), (0x20000, 0x2F800), (0x30000, 0x110000))


@functools.cache
def _tables() -> tuple[dict[int, str], re.Pattern[str], re.Pattern[str]]:
    """(one-for-one translation, pattern of what changes length, pattern of what the
    translation changes): NFKC character by
    character, the separators above, and the format characters (category Cf: zero-width
    spaces and joiners, soft hyphen, word joiner, BOM, bidi controls), which are removed."""
    one: dict[int, str] = {}
    special: list[str] = []
    cp = 0
    for lo, hi in (*_NO_COMPAT, (0x110000, 0x110000)):
        for c in map(chr, range(cp, lo)):
            if unicodedata.category(c) == "Cf":
                special.append(c)
                continue
            n = unicodedata.normalize("NFKC", c)
            if n != c:
                if len(n) == 1:
                    if _MATTERS(n):
                        one[ord(c)] = n
                else:
                    special.append(c)
        cp = hi
    for chars, to in ((_DASHES, "-"), (_DOTS, "."), (_SPACES, " ")):
        for c in chars:
            one[ord(c)] = to
    separators = {ord(c): to for chars, to in ((_DASHES, "-"), (_DOTS, "."), (_SPACES, " ")) for c in chars}
    for k, v in list(one.items()):  # NFKC may land on a separator (U+FF0D → "-")
        one[k] = separators.get(ord(v), v)
    # Ordinary characters (ASCII, CJK ideographs, the CJK and full-width punctuation that
    # nothing above changes), ideographs and ASCII first: a text without any other
    # character needs neither the translation nor the character-by-character work, and
    # this negated class is checked fast for every character of a Chinese text.
    changing = set(one) | set(map(ord, special))
    ordinary = [cp for lo, hi in ((0x3000, 0x3040), (0x2000, 0x2070), (0xFF00, 0xFFF0), (0x80, 0x100))
                for cp in range(lo, hi) if cp not in changing]
    unusual = re.compile(f"[^\u4e00-\u9fff\x00-\x7f{_ranges(ordinary)}]")
    return one, re.compile(f"[{_ranges(map(ord, special))}]"), unusual


def _MATTERS(target: str) -> bool:
    """Is a one-for-one NFKC mapping worth making? Only where the detectors read the result:
    digits and Latin letters (１３８, Ｘ), + and the separators, and ideographs (a
    compatibility ideograph or a Kangxi radical written for 秘 or 密). Full-width
    punctuation (，：（）) stays: every Chinese text has it, and no detector needs it."""
    return target.isascii() and (target.isalnum() or target in "+-. ") or "\u3400" <= target <= "\u9fff" \
        or target >= "\U00020000"


def _ranges(codepoints: Iterable[int]) -> str:
    """A regex class body of the code points, as ranges: a class of scattered single
    characters is searched far more slowly."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


# What changes the text's length, found in one pass: a tag (its attribute values are
# public content: they are scanned too), an entity (named, decimal, hex, with or without
# ';'), a run of spaces, and for Markdown the backslash escapes and emphasis markers.
_TAG_RE = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9-]*(?::[A-Za-z][A-Za-z0-9-]*)?)((?:"[^"]*"|'[^']*'|[^'">])*)>""")
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9A-Fa-f]{1,7};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_SPACE_RUN = re.compile(r" {2,}")
# (no look-arounds: every alternative starts with a known character, so the regex engine
# skips ahead to the next candidate at C speed; a run of four or more is kept as written)
# A backslash before any character is dropped, not only before the punctuation Markdown
# escapes: 1\3800138000 shows as "1\3800138000", which any reader reads as the number.
_MD_RE = re.compile(r"\\[^\n]|[*_~`]+")
_ATTR_VALUE_RE = re.compile(r"""([^\s"'<>/=]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
# Elements that end a line of text; every other tag joins what is on either side of it
# (秘<span></span>密, 138<b>0013</b>8000).
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br caption dd details div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul".split())
# Attributes that hold geometry, styling or identifiers, not text (an SVG path is digits
# and spaces by the hundred).
_NOT_TEXT_ATTRS = frozenset("d points viewbox transform class id style width height x y x1 x2 y1 y2 cx cy r rx ry "
                            "integrity nonce colspan rowspan tabindex".split())


class Normalised(NamedTuple):
    """The text a visitor reads, and anchors back to the scanned source: normalised offset
    ``norm[i]`` starts a stretch that begins at source offset ``orig[i]``."""

    text: str
    norm: list[int]
    orig: list[int]

    def source_offset(self, offset: int) -> int:
        i = max(0, bisect_right(self.norm, offset) - 1)
        at = self.orig[i] + offset - self.norm[i]
        return min(at, self.orig[i + 1] - 1) if i + 1 < len(self.norm) and self.orig[i + 1] > self.orig[i] else at


def _decode_entity(entity: str) -> str:
    return html.unescape(entity)


def normalise(text: str, markdown: bool = False, markup: bool = True) -> Normalised:
    """The text as read, for the detectors: NFKC (character by character), format
    characters removed, every space/dash/dot variant read as " "/"-"/"." and runs of
    spaces as one; with ``markup``, HTML entities decoded and tags removed (a block tag
    ends a line, an inline one joins its neighbours), every text attribute value (title,
    alt, aria-label, data-*, …) appended as a line of its own; with ``markdown``, every
    backslash and emphasis markers (``*``/``_``/``~``/`` ` `` runs of one to three) removed.
    Masked forms (``138****8000``) keep their four or more stars."""
    one, _, unusual = _tables()
    plain = unusual.search(text) is None
    t = text if plain else text.translate(one)
    pattern = _pattern(markdown, markup, plain)
    if pattern.search(t) is None:
        return Normalised(t, [0], [0])
    out: list[str] = []
    norm: list[int] = []
    orig: list[int] = []
    extra: list[tuple[str, int]] = []
    at = prev = 0
    for m in pattern.finditer(t):
        if m.start() > prev:
            norm.append(at)
            orig.append(prev)
            out.append(t[prev:m.start()])
            at += m.start() - prev
        prev = m.end()
        s = m.group()
        if s[0] == "<":
            close, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
            piece = "\n" if name in _BLOCK_TAGS else ""
            if not close and markup:
                for a in _ATTR_VALUE_RE.finditer(attrs):
                    if a.group(1).lower() not in _NOT_TEXT_ATTRS:
                        value = a.group(2).strip("\"'")
                        extra.append((normalise(value, markup=True).text.replace("<", " "), m.start()))
        elif s[0] == "&":
            piece = normalise(_decode_entity(s), markup=False).text
        elif s[0] == " ":
            piece = " "
        elif s[0] == "\\":
            piece = s[1]
        elif s[0] in "*_~`":
            piece = "" if len(s) <= 3 else s  # 138****8000 stays masked
        else:  # a format character (removed) or a compatibility character that expands
            piece = "" if unicodedata.category(s) == "Cf" else unicodedata.normalize("NFKC", s).translate(one)
        if piece:
            norm.append(at)
            orig.append(m.start())
            out.append(piece)
            at += len(piece)
    if prev < len(t):
        norm.append(at)
        orig.append(prev)
        out.append(t[prev:])
        at += len(t) - prev
    for value, where in extra:
        out.append("\n")
        norm.append(at + 1)
        orig.append(where)
        out.append(value)
        at += 1 + len(value)
    return Normalised("".join(out), norm or [0], orig or [0])


@functools.cache
def _pattern(markdown: bool, markup: bool, plain: bool = False) -> re.Pattern[str]:
    special = _tables()[1]
    alts = [_SPACE_RUN.pattern] if plain else [special.pattern, _SPACE_RUN.pattern]
    if markup:
        alts = [_TAG_RE.pattern, _ENTITY_RE.pattern, *alts]
    if markdown:
        alts.append(_MD_RE.pattern)
    return re.compile("|".join(alts))


# GB 11643-1999
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes (GB/T 2260), 71/81/82/83 for 台湾、香港、澳门 residence permits;
# 9x is the foreigners' permanent residence ID card (2023).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split())
_MAX_BIRTH_YEAR = dt.date.today().year

# GB 32100-2015
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def is_id_card(value: str) -> bool:
    """A checksum-valid 18-character 居民身份证号 with a known province and a real birth date."""
    s = value.translate(_HALF_WIDTH).replace(" ", "").replace("-", "").replace(".", "").upper()
    if len(s) != 18 or not s[:17].isdigit() or s[17] not in "0123456789X":
        return False
    if s[:2] not in _PROVINCES and s[0] != "9":
        return False
    try:
        born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= _MAX_BIRTH_YEAR:
        return False
    total = sum(int(c) * w for c, w in zip(s, _ID_WEIGHTS, strict=False))
    return _ID_CHECK[total % 11] == s[17]


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of a card number given as digits only."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_uscc(value: str) -> bool:
    """A checksum-valid 统一社会信用代码 (organisations: public, never a leak)."""
    s = value.upper()
    if len(s) != 18 or any(c not in _USCC_CHARS for c in s):
        return False
    total = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(s[:17]))
    return _USCC_CHARS[(31 - total % 31) % 31] == s[17]


def _is_mobile(value: str) -> bool:
    return True  # the pattern says it all: there is no check digit


def _digits(value: str) -> str:
    return "".join(c for c in value.translate(_HALF_WIDTH) if c.isdigit() or c in "Xx")


def _is_bank_card(value: str) -> bool:
    d = _digits(value)
    if not 16 <= len(d) <= 19 or not luhn_ok(d):
        return False
    # An 18-digit 身份证号 is GK501's finding; an all-digit 统一社会信用代码 is public.
    return not (len(d) == 18 and (is_id_card(d) or is_uscc(d)))


_NUMBER_DETECTORS = (
    (ID_CARD, ID_CARD_RE, is_id_card),
    (MOBILE, MOBILE_RE, _is_mobile),
    (BANK_CARD, BANK_CARD_RE, _is_bank_card),
)


@dataclass
class Terms:
    """``site_config/terms.yml`` compiled once: prohibited terms and wrong forms of official names."""

    prohibited: frozenset[str] = frozenset()  # casefolded
    correct_of: dict[str, str] = field(default_factory=dict)  # casefolded wrong form -> correct full name
    pattern: re.Pattern[str] | None = None  # every prohibited term and wrong form, longest first
    correct_pattern: re.Pattern[str] | None = None  # the correct names (a wrong form inside one is fine)

    def correct_for(self, value: str) -> str | None:
        """The correct full name when ``value`` is a listed wrong form; None for a prohibited term."""
        key = value.casefold()
        return None if key in self.prohibited else self.correct_of.get(key)


def _alternation(words: list[str]) -> re.Pattern[str] | None:
    words = sorted(set(words), key=lambda w: (-len(w), w))
    return re.compile("|".join(map(re.escape, words)), re.I) if words else None


def compile_terms(data: Any) -> tuple[Terms, list[str]]:
    """Compile the ``terms.yml`` mapping. Returns the terms and what is wrong with the file
    (each a Chinese sentence naming the entry); broken entries are left out."""
    problems: list[str] = []
    data = data if isinstance(data, dict) else {}
    prohibited: list[str] = []
    raw_prohibited = data.get("prohibited") or []
    if not isinstance(raw_prohibited, list):
        problems.append("prohibited 应为字符串列表（每项以“- ”开头）")
        raw_prohibited = []
    for n, term in enumerate(raw_prohibited, 1):
        if isinstance(term, str) and term.strip():
            prohibited.append(term.strip())
        else:
            problems.append(f"prohibited 第 {n} 项应为非空字符串")
    wrong_forms: dict[str, tuple[str, str]] = {}  # casefolded -> (as written, correct)
    raw_names = data.get("official_names") or []
    if not isinstance(raw_names, list):
        problems.append("official_names 应为列表，每项形如 {correct: 正确全称, wrong: [错误写法, …]}")
        raw_names = []
    for n, entry in enumerate(raw_names, 1):
        correct = entry.get("correct") if isinstance(entry, dict) else None
        wrong = entry.get("wrong") if isinstance(entry, dict) else None
        if isinstance(wrong, str):
            wrong = [wrong]
        if not isinstance(correct, str) or not correct.strip() or not isinstance(wrong, list) \
                or not all(isinstance(w, str) and w.strip() for w in wrong):
            problems.append(f"official_names 第 {n} 项应形如 {{correct: 正确全称, wrong: [错误写法, …]}}")
            continue
        for w in wrong:
            if w.strip().casefold() != correct.strip().casefold():
                wrong_forms[w.strip().casefold()] = (w.strip(), correct.strip())
    # the scanned text is normalised (full-width letters, spaces, dashes): so are the terms
    prohibited = [normalise(t, markup=False).text for t in prohibited]
    wrong_forms = {normalise(k, markup=False).text: (normalise(w, markup=False).text, normalise(c, markup=False).text)
                   for k, (w, c) in wrong_forms.items()}
    corrects = sorted({c for _, c in wrong_forms.values()})
    terms = Terms(prohibited=frozenset(t.casefold() for t in prohibited),
                  correct_of={k: c for k, (_, c) in wrong_forms.items()},
                  pattern=_alternation(prohibited + [w for w, _ in wrong_forms.values()]),
                  correct_pattern=_alternation(corrects))
    return terms, problems


def _scan_terms(text: str, terms: Terms) -> list[Hit]:
    if terms.pattern is None:
        return []
    hits = [Hit(TERM, m.start(), m.end(), m.group()) for m in terms.pattern.finditer(text)]
    if hits and terms.correct_pattern is not None:
        # 重庆市江北区人民政府 is right even when 江北区人民政府 is listed as a wrong short form.
        right = [(m.start(), m.end()) for m in terms.correct_pattern.finditer(text)]
        hits = [h for h in hits if h.value.casefold() in terms.prohibited
                or not any(a <= h.start and h.end <= b for a, b in right)]
    return hits


def scan_text(text: str, terms: Terms | None = None, markdown: bool = False, markup: bool = True) -> list[Hit]:
    """Every GK501–GK504 hit in ``text`` (and GK505 when ``terms`` are given), by position.

    ``text`` is read as a visitor reads it (:func:`normalise`; ``markdown`` for Markdown
    source, not ``markup`` for text that is already plain, such as search fragments):
    offsets point into ``text`` itself, values are the normalised text
    (``&#49;3800138000`` is reported as 13800138000). No waivers here: they belong to an
    item's front matter (:mod:`gkpublish.rules.privacy`).
    """
    n = normalise(text, markdown=markdown, markup=markup)
    hits = _scan_normalised(n.text, terms)
    if len(n.norm) == 1 and len(n.text) == len(text):
        return hits  # nothing moved: offsets are offsets into the source
    return [Hit(h.rule, n.source_offset(h.start), n.source_offset(h.end - 1) + 1, h.value) for h in hits]


def _scan_normalised(text: str, terms: Terms | None) -> list[Hit]:
    hits: list[Hit] = []
    for run in _RUN_RE.finditer(text):
        lo = max(0, run.start() - _BEFORE)
        window = text[lo:run.end() + _AFTER].translate(_HALF_WIDTH)
        pos = max(0, run.start() - lo - 1)  # one back: a leading "+" of +86
        for rule_id, regex, valid in _NUMBER_DETECTORS:
            for m in regex.finditer(window, pos):
                if valid(m.group()):
                    hits.append(Hit(rule_id, lo + m.start(), lo + m.end(), text[lo + m.start():lo + m.end()]))
    for cues, regex in SECRECY_MARK_PATTERNS:
        if any(c in text for c in cues):
            hits.extend(Hit(SECRECY_MARK, m.start(), m.end(), m.group()) for m in regex.finditer(text))
    if terms is not None:
        hits.extend(_scan_terms(text, terms))
    hits.sort(key=lambda h: (h.start, h.rule))
    return hits


def mask(rule_id: str, value: str) -> str:
    """The value as it may appear in a message or a CI log: personal numbers masked
    (1101**********002X, 138****8000, 6222 **** **** 1234), other values unchanged."""
    if rule_id not in (ID_CARD, MOBILE, BANK_CARD):
        return value
    n = len(_digits(value))
    keep_head = n - 8 if rule_id == MOBILE else 4  # +86 138****8000
    out, seen = [], 0
    for c in value:
        if c.isdigit() or c in "Xx":
            out.append(c if seen < keep_head or seen >= n - 4 else "*")
            seen += 1
        else:
            out.append(c)
    return "".join(out)


# -- names: file and folder names, URLs, anchors -------------------------------------------
# A name reaches the site as an address (the page's URL, the attachment's download link,
# the sitemap, the feed, the search index, every list that links it) and is read there as
# text: by a visitor in the address bar, by a crawler. It is scanned with the same detectors,
# read more widely than running text, because a name has no sentences: percent-encoding is
# decoded (repeatedly: %2531 is what a link to a file named "%31" carries), and every
# separator a file name uses between words (- _ . + ~ and the space) may join digit groups.

# Between two digits (or a digit and the check character X), any run of name separators:
# removed in the "compact" reading, so 1380-013-8000 and 110105_1949_1231_002X are read
# whole (running text keeps its stricter groupings: a list of small numbers is not a phone).
_NAME_DIGIT_GAP = re.compile(r"(?<=[0-9])[-_.+~ ]+(?=[0-9Xx])")
_NAME_PIECES = re.compile(r"[-_.+~ /#?&=]+")
# A level word in a name (机密-名单.xlsx, 【秘密】通知.pdf, 李四绝密材料.zip) marks the file as
# classified: a name is a label, and a level word on a label is GB/T 9704's 密级. Only the
# compounds of ordinary legal language pass: 国家秘密, 商业秘密, 工作秘密, 技术秘密, 经营秘密,
# 军事秘密 and 机密性 (a 国家秘密定密管理规定 is a public rule about secrets, not a secret).
NAME_SECRECY_RE = re.compile(r"(?<!国家)(?<!商业)(?<!工作)(?<!技术)(?<!经营)(?<!军事)(?:绝密|机密|秘密)(?!性)")
# What a name needs to hold a 密级标志 or to change when decoded (the fast path of scan_name)
_NAME_CUES = re.compile(r"[%&密]|内部")
MAX_PERCENT_DECODING = 4  # %25 nesting depth read; a name needing more is read at that depth


def name_readings(name: str) -> list[str]:
    """The ways a name can be read, each normalised (:func:`normalise`: NFKC, format
    characters removed, entities decoded, separators folded): percent-decoded (to a
    fixed point), separators between words read as hyphens, separators between digits
    removed, and each word on its own."""
    from urllib.parse import unquote

    decoded = name
    for _ in range(MAX_PERCENT_DECODING):
        step = unquote(decoded, errors="replace")
        if step == decoded:
            break
        decoded = step
    text = normalise(decoded, markup=True).text.replace("\n", " ")
    joined = re.sub(r"[_+~]", "-", text)
    compact = _NAME_DIGIT_GAP.sub("", joined)
    readings = dict.fromkeys([text, joined, compact, *(p for p in _NAME_PIECES.split(joined) if p)])
    return list(readings)


_DIGIT_GROUPS = re.compile(r"[0-9]+[Xx]?(?:[-_.+~ ]+[0-9]+[Xx]?)+")
_GROUP = re.compile(r"[0-9]+[Xx]?")
_MOBILE_DIGITS = re.compile(r"1[3-9][0-9]{9}")


def _group_numbers(reading: str) -> list[tuple[str, str]]:
    """Mobile, ID and bank card numbers made of consecutive digit groups of a
    separator-joined run (6200-0000-0000-0005-2026: the card, then a year)."""
    out: list[tuple[str, str]] = []
    for run in _DIGIT_GROUPS.finditer(reading.translate(_HALF_WIDTH)):
        groups = _GROUP.findall(run.group())
        if len(groups) > 12:  # a long list of numbers: the readings above have it
            continue
        for i in range(len(groups)):
            value = ""
            for j in range(i, len(groups)):
                if value[-1:] in ("X", "x"):
                    break  # the check character ends a number
                value += groups[j]
                if len(value) == 11 and _MOBILE_DIGITS.fullmatch(value):
                    out.append((MOBILE, value))
                elif len(value) == 18 and is_id_card(value):
                    out.append((ID_CARD, value.upper()))
                elif 16 <= len(value) <= 19 and value[:1] in "34569" and _is_bank_card(value):
                    out.append((BANK_CARD, value))
                if len(value) > 19:
                    break
    return out


def scan_name(name: str, terms: Terms | None = None) -> list[tuple[str, str]]:
    """Every GK501–GK505 hit in a name (a file or folder name, a URL path, an anchor), as
    ``(rule_id, value)`` pairs, each value once: the detectors of :func:`scan_text` over
    every reading of :func:`name_readings`, and a level word (绝密/机密/秘密) standing alone
    as a word of the name (GK504)."""
    if (terms is None or terms.pattern is None) and _tables()[2].search(name) is None \
            and sum(map(str.isdigit, name)) < 11 and not _NAME_CUES.search(name):
        return []  # plain characters only, too few digits for a number, no cue of a mark
    out: dict[tuple[str, str], None] = {}
    readings = name_readings(name)  # the first is the whole name, decoded and normalised
    for reading in readings:
        for hit in _scan_normalised(reading, terms):
            value = hit.value
            if hit.rule in (ID_CARD, MOBILE, BANK_CARD):
                value = _digits(value).upper()
            out.setdefault((hit.rule, value), None)
        for m in NAME_SECRECY_RE.finditer(reading):
            out.setdefault((SECRECY_MARK, m.group()), None)
    # a name has no sentences: in a run of digit groups joined by separators
    # (130-00000000-2026, 张三_110105_1949_1231_002X_1), any consecutive groups may be one
    # mobile or ID number, whatever stands before or after them
    for rule_id, value in _group_numbers(readings[0]):
        out.setdefault((rule_id, value), None)
    # one mark read several ways is one hit: 秘密 inside 秘密★1年 is the same mark
    marks = [v for r, v in out if r == SECRECY_MARK]
    return [(r, v) for r, v in out if r != SECRECY_MARK or not any(v != m and v in m for m in marks)]
