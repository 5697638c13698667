"""Exact 文号 lookup for the search page, without Pagefind.

Why: Pagefind segments a 文号 such as 江北府办发〔2026〕2号 into very common words
(江北/府/办发/2026/2/号) and downloads the index chunks of all of them (837 KB on
10,000 items). A 文号 is an identifier, not prose: the search page normalises the query
(:func:`normalize`), hashes it (:func:`fnv1a`) and fetches one small JSON shard,
``search/docno/<hex>.json``, that lists the documents carrying it and the public items
whose body cites it.

The search page repeats :func:`normalize` and :func:`fnv1a` in JavaScript
(``theme/assets/gkpublish/gkpublish.js``); the two must agree on every string
(tests/test_docno.py runs both on the same strings). Keep the rules in step.

Only the public view goes in (public items, their public bodies): nothing here can name
an unpublished item or a non-public block.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from gkpublish.public import PublicItem, PublicView

FOLDER = "search/docno"
PER_SHARD = 32  # 文号 per shard, on average (one shard is what a 文号 query downloads)
MAX_SHARDS = 4096
MAX_CITED = 50  # citing items listed per 文号, newest first

# Whitespace removed before matching (zero-width space: Pagefind puts it between words of
# its excerpts, so a 文号 copied from a result carries it). Same class in gkpublish.js.
_SPACE = re.compile("[ \t\n\r\f\v\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+")
# <机关代字>〔YYYY〕N号. After NFKC, ［］ and （） are [] and (), ﹝﹞ are 〔〕. BMP ideographs
# only, so that JavaScript (UTF-16) and Python (code points) see the same characters.
_ORGAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_NUMBER = "[〔\\[【(]([0-9]{4})[〕\\]】)]第?0*([1-9][0-9]*)号"
_DOC_NO = re.compile(f"({_ORGAN}{{1,20}}){_NUMBER}")
# A citation is found by its end as written (closing bracket, number, 号; full-width forms
# too), then normalised and read backwards from there: the number, then the 机关代字.
_CITED_END = re.compile("[〕\\]】)］）﹞]第?[0-9０-９]+号")
_WINDOW = 40  # characters before the closing bracket: 20 of 机关代字 and more
_CITED_NUMBER = re.compile(_NUMBER + r"\Z")
_ORGAN_CHAR = re.compile(_ORGAN)
# A cited 文号 whose 机关代字 matches no document of the site is taken as written only up
# to this length: in running text without brackets the preceding words would join it.
_MAX_CITED_ORGAN = 12


def normalize(doc_no: str) -> str | None:
    """The canonical form ``<机关代字>〔YYYY〕N号`` of a 文号, or None if the text is not one.

    NFKC (full-width digits and brackets), whitespace removed, any of 〔〕 [] 【】 () around
    the year, an optional 第 and leading zeros of the number dropped."""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", doc_no))
    m = _DOC_NO.fullmatch(text)
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号" if m else None


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over the UTF-8 bytes: tiny, and the same in JavaScript (Math.imul)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def shard_count(doc_nos: int) -> int:
    """A power of two (hash & (n - 1) picks the shard) with at most PER_SHARD 文号 each."""
    n = 1
    while n < MAX_SHARDS and doc_nos > n * PER_SHARD:
        n *= 2
    return n


def shard_path(doc_no: str, shards: int) -> str:
    return f"{FOLDER}/{fnv1a(doc_no) & (shards - 1):x}.json"


# Words that end what comes before a 机关代字 in running text: verbs and prepositions that
# introduce a citation (根据示例局发〔2026〕98号), the end of a previous 文号 (…1号和…), and
# the full names of organs written before their 机关代字 (市政府办公厅渝府办发…). The last one
# in the ideographs before the bracket is cut off with everything before it. None of them
# occurs inside a 机关代字 (abbreviations are 府, 办, 发, 函, 经信 …).
_LEADS = ("根据", "按照", "依据", "依照", "遵照", "参照", "对照", "转发", "印发", "关于", "执行", "落实",
          "贯彻", "结合", "详见", "参见", "对于", "通过", "办公厅", "办公室", "人民政府", "政府", "委员会",
          "号", "和", "及", "与", "或")
_LEAD_RE = re.compile("|".join(sorted(_LEADS, key=len, reverse=True)))
# single characters that introduce a citation only at the start of the run (经信 is a
# 机关代字, so 经 is cut only there, and only before a 机关代字 of three or more characters)
_LEAD_CHARS = frozenset("经据按依照将对由把从在为以见即")


def _without_lead(organ: str) -> str:
    """The 机关代字 of the ideographs before a 〔YYYY〕N号: what follows the last lead word."""
    cut = 0
    for m in _LEAD_RE.finditer(organ):
        if m.end() < len(organ):
            cut = m.end()
    organ = organ[cut:]
    if len(organ) > 3 and organ[0] in _LEAD_CHARS:
        organ = organ[1:]
    return organ


def _organ_before(text: str, end: int) -> str:
    """The ideographs (at most 20) just before ``end``: a 机关代字 and maybe words before it."""
    start = end
    while start > 0 and end - start < 20 and _ORGAN_CHAR.match(text, start - 1):
        start -= 1
    return text[start:end]


@dataclass(frozen=True)
class Citation:
    organ: str  # the ideographs before the bracket after the last lead word (_without_lead)
    number: str  # 〔YYYY〕N号, normalised
    bracketed: bool  # written 《标题》（文号） (GB/T 9704): the ideographs are the 机关代字

    def resolve(self, known: set[str]) -> str | None:
        """The 文号: the longest tail of ``organ`` that makes a known 文号, else ``organ``
        as written when short enough to be a 机关代字 alone (and not prose: no 的)."""
        tails = (self.organ[i:] + self.number for i in range(len(self.organ)))
        match = next((t for t in tails if t in known), None)
        if match is None and len(self.organ) <= _MAX_CITED_ORGAN and "的" not in self.organ:
            match = self.organ + self.number
        return match


def citations(body: str) -> list[Citation]:
    """Every 〔YYYY〕N号 of a body with the ideographs before it.

    Only a window before each closing bracket + number + 号 is normalised: NFKC of whole
    bodies took 1.1 s on 10,000 items, the windows 0.15 s."""
    found = []
    for end in _CITED_END.finditer(body):
        text = unicodedata.normalize("NFKC", body[max(0, end.start() - _WINDOW):end.end()])
        m = _CITED_NUMBER.search(text)
        run = _organ_before(text, m.start()) if m else ""
        organ = _without_lead(run)
        if organ:
            at = m.start() - len(run)
            found.append(Citation(organ, f"〔{m.group(1)}〕{m.group(2)}号", at > 0 and text[at - 1] == "("))
    return found


def _entry(item: PublicItem) -> dict[str, str]:
    return {"url": item.url, "title": item.title, "date": item.published}


def lookup_table(view: PublicView) -> dict[str, dict[str, list[dict[str, str]]]]:
    """Normalised 文号 → {"items": documents carrying it, "cited": items citing it}.

    Known 文号, whose 机关代字 a citation in running text is cut to, are those of the
    site's documents and those cited in brackets anywhere. ``view.items`` is newest first,
    so both lists are; an item citing its own 文号 is listed once, as the document."""
    table: dict[str, dict[str, list[dict[str, str]]]] = {}
    cited_by = [(item, citations(item.body)) for item in view.items]
    for item in view.items:
        own = normalize(str(item.meta.get("doc_no") or ""))
        if own:
            table.setdefault(own, {"items": [], "cited": []})["items"].append(_entry(item))
    known = set(table) | {c.organ + c.number for _, found in cited_by for c in found if c.bracketed}
    for item, found in cited_by:
        own = normalize(str(item.meta.get("doc_no") or ""))
        for doc_no in sorted({d for c in found if (d := c.resolve(known)) and d != own}):
            cited = table.setdefault(doc_no, {"items": [], "cited": []})["cited"]
            if len(cited) < MAX_CITED:
                cited.append(_entry(item))
    return table


def index_files(view: PublicView) -> tuple[int, dict[str, bytes]]:
    """(number of shards, site path → JSON bytes). Every shard is written, empty ones too:
    the search page may ask for any of them. Chinese is kept as is (not \\u-escaped), so
    verify-site reads these files like any other text."""
    table = lookup_table(view)
    shards = shard_count(len(table))
    parts: dict[str, dict] = {f"{FOLDER}/{n:x}.json": {} for n in range(shards)}
    for doc_no in sorted(table):
        parts[shard_path(doc_no, shards)][doc_no] = table[doc_no]
    return shards, {path: json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                    for path, part in parts.items()}
