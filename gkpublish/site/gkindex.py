"""A static, sharded search index of the site's own (issue #13).

Written in Python at build time from the public view's item pages (the text
:func:`gkpublish.site.search.page_text` takes from each page: what the item page shows),
read by a small client (a Python reference here, :func:`query`; the browser client in
``assets/gkpublish/gkpublish.js`` follows the same format). Nothing in it depends on word
segmentation, so index and query cannot disagree:

* **Text.** NFKC, then lower case (:func:`normalise`; the browser does
  ``normalize("NFKC").toLowerCase()``), cut into *runs* at white space (page_text puts a
  space between blocks: a word never runs from one paragraph or cell into the next).
* **Grams.** At every position of a run, the *gram* of the :data:`K` (4) characters that
  start there (fewer at the end of the run). Han, Latin, digits and punctuation alike, so
  文号 pieces such as ``〔2024〕`` and numbers are found like words.
* **Tokens** (the key is a kind, then the text):

  ========  =====================================================================
  ``b1``…   ``b4``: the pages whose text holds that word of 1…4 characters (page
            ids only: a query of up to four characters is one list, exact)
  ``bp``    the occurrences of a gram: (page, position) of every place it starts
            (position = code point offset in the page's normalised text)
  ``t1``…   the same for the titles (``t1``…``t4``, ``tp``), so that title matches can
            be listed first
  ``f``     a filter value (栏目, 发布机构, 体裁, 年份): ``f<name>\\x1f<value>``, page ids
  ========  =====================================================================

* **Match.** A word of n ≤ 4 characters: its ``b<n>`` list. A longer word: the ``bp``
  occurrences of its covering grams (offsets 0, 4, 8 … and n-4, :func:`cover`) at the
  same offsets from one start on one page — the word as a substring of one run (a gram
  never crosses a run's end). Several words (space separated): every word. Why four: the
  Chinese terms people search for are mostly 2–4 characters; a common one (责任清单, 2025)
  is then one page list of a few KB even on 50,000 pages, where positions of its pairs of
  characters would be hundreds of KB (docs/benchmarks.md).
* **Pages** are numbered newest first (the order the writer is given them in), so a result
  list is a sorted id list and "newer first" is id order. A ``pages`` table in chunks of
  :data:`CHUNK` pages holds what a result shows (URL, title, 发布日期, 文号, the number of
  text blocks), fetched only for the results shown; the text of every page as written (not
  normalised: an excerpt shows 〔2024〕 and full-width punctuation as the page does) in blocks
  of :data:`BLOCK` characters (``x/<id>-<k>.txt``), fetched only for the excerpt of a result
  shown; the index's positions are those of the normalised text of all blocks together.
* **Numbers** are stored *planar*: a list of n numbers of at most w bytes each is one byte
  w, then the n lowest bytes, the n next bytes … (w planes). gzip squeezes the high planes,
  which are mostly zero, to almost nothing, and both the browser and Python (``array``)
  decode it without a loop per byte. A page list is the differences of its ascending ids
  (the first from 0); occurrences are two lists of equal length after a two-byte header
  (the two widths): page differences (0 on the same page) and positions.
* **Files.** Values are base64url in JSON shard files ``s/<h>.json`` (h = FNV-1a of the
  key, modulo the shard count, a power of two chosen so that a shard stays a few KB); a
  token whose value exceeds :data:`BIG` bytes gets a file of its own (``b/<h>-<n>.json``),
  named in its shard. ``manifest.json`` says the version, page count, shard count and the
  filter values, so that a portal can query the indexes of several organs and merge the
  results at query time (a sorted list per organ, merged by date).

:func:`check_index` reads every token back and compares it with the plain texts the
index ships (text blocks, titles, filter values), which verify-site scans like pages, so
no text that is not public can hide in the index's encoding (verify.index_leaks): every
occurrence against the page's text at its position, every page list against the pages
where a gram with that beginning occurs. :func:`decode_texts` rebuilds every page's text
from the occurrences alone (the tests' view).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import sys
import unicodedata
from array import array
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import itemgetter, sub

VERSION = 2
K = 4  # characters of a gram
CHUNK = 32  # pages per chunk of the pages table
BLOCK = 2048  # characters per text block (excerpts)
BIG = 12 * 1024  # value bytes above which a token gets its own file
SHARD_TARGET = 6 * 1024  # value bytes per shard aimed at
FACETS = ("栏目", "发布机构", "体裁", "年份")
FIELDS = ("b", "t")  # the page's text, its title
_RUN = re.compile(r"\S+")


def normalise(text: str) -> str:
    """The text as the index and the query see it (the same as the browser's
    ``normalize("NFKC").toLowerCase()``)."""
    return unicodedata.normalize("NFKC", text).lower()


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes (gkpublish.js ``fnv1a``)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


# -- planar numbers --------------------------------------------------------------------

_LITTLE = sys.byteorder == "little"


def _planes(nums: array) -> bytes:
    """The planes of ``nums`` (an array('Q')) without the width byte; the width."""
    if not len(nums):
        return b"", 1
    w = max(1, (max(nums).bit_length() + 7) // 8)
    if not _LITTLE:  # pragma: no cover - every machine this runs on is little-endian
        nums = array("Q", nums)
        nums.byteswap()
    raw = nums.tobytes()
    return b"".join(raw[j::8] for j in range(w)), w


def encode_numbers(nums: Iterable[int]) -> bytes:
    """A list of numbers (0 ≤ n < 2⁶⁴) in planar form: its width w, then w planes."""
    body, w = _planes(array("Q", nums))
    return bytes([w]) + body


def _unplane(data: bytes | memoryview, n: int, w: int) -> list[int] | array:
    if w == 1:
        return list(data)
    buf = bytearray(8 * n)
    for j in range(w):
        buf[j::8] = data[j * n:(j + 1) * n]
    out = array("Q", buf)
    if not _LITTLE:  # pragma: no cover
        out.byteswap()
    return out


def decode_numbers(data: bytes) -> list[int] | array:
    """The numbers of :func:`encode_numbers`. ValueError if ``data`` is not of the form."""
    if not data or not 1 <= data[0] <= 8 or (len(data) - 1) % data[0]:
        raise ValueError("搜索索引的数字表格式不对")
    w = data[0]
    return _unplane(memoryview(data)[1:], (len(data) - 1) // w, w)


def _differences(ids: Sequence[int]) -> list[int]:
    """Ascending numbers as their differences, the first from 0."""
    return [ids[0], *map(sub, ids[1:], ids)] if len(ids) else []


def encode_pages(ids: Iterable[int]) -> bytes:
    """Ascending page ids: the differences, the first from 0."""
    ids = list(ids)
    return encode_numbers(_differences(ids))


def decode_pages(data: bytes) -> list[int]:
    return list(accumulate(decode_numbers(data)))


def encode_occurrences(pages: Iterable[int], positions: Iterable[int]) -> bytes:
    """Occurrences in (page, position) order: [w1, w2], the page differences (w1 planes),
    the positions (w2 planes)."""
    pages = list(pages)
    diffs = array("Q", _differences(pages))
    a, w1 = _planes(diffs)
    b, w2 = _planes(array("Q", positions))
    if len(b) // w2 != len(a) // w1:
        raise ValueError("页面与位置的个数不同")
    return bytes([w1, w2]) + a + b


def decode_occurrences(data: bytes) -> tuple[list[int], list[int] | array]:
    """(pages, positions) of every occurrence, in order. ValueError if not of the form."""
    if len(data) < 2 or not 1 <= data[0] <= 8 or not 1 <= data[1] <= 8 or (len(data) - 2) % (data[0] + data[1]):
        raise ValueError("搜索索引的位置表格式不对")
    w1, w2 = data[0], data[1]
    n = (len(data) - 2) // (w1 + w2)
    view = memoryview(data)
    pages = list(accumulate(_unplane(view[2:2 + n * w1], n, w1)))
    return pages, _unplane(view[2 + n * w1:], n, w2)


# -- the writer --------------------------------------------------------------------------

_APPEND = array.append
_PREFIX = {n: itemgetter(slice(0, n)) for n in range(1, K)}


def _ids() -> array:
    return array("L")


def _packed() -> array:
    return array("Q")


def _drain(steps: Iterator[object]) -> None:
    """Run an iterator of steps for their effect."""
    deque(steps, maxlen=0)


def _encode_packed(packed: array) -> bytes:
    """:func:`encode_occurrences` of occurrences packed as page << 32 | position: the
    positions are the low 4 bytes of each 8, the pages the high 4 (machine byte order)."""
    n = len(packed)
    if not _LITTLE:  # pragma: no cover - every machine this runs on is little-endian
        return encode_occurrences([v >> 32 for v in packed], [v & 0xFFFFFFFF for v in packed])
    raw = packed.tobytes()
    empty = bytes(n)
    w2 = next((j + 1 for j in range(3, 0, -1) if raw[j::8] != empty), 1)
    pages = _unplane(b"".join(raw[4 + j::8] for j in range(4)), n, 4)
    a, w1 = _planes(array("Q", _differences(pages)))
    return bytes([w1, w2]) + a + b"".join(raw[j::8] for j in range(w2))


@dataclass
class Entry:
    """What a result shows and the filters of an item page, from the public view."""

    url: str
    title: str
    date: str = ""
    doc_no: str = ""
    facets: dict[str, str] = field(default_factory=dict)  # FACETS name → value


class Writer:
    """The index of one site, page after page in id order (newest first).

    Every position of every page is one gram (a slice) and one occurrence, and each page adds
    itself to the page list of every distinct word of 1–4 characters it holds: millions of
    small steps at 10,000 items. They run as chained built-ins (``map`` over bound methods,
    drained by a zero-length ``deque``) rather than a Python loop, which halves the time;
    tests/test_gkindex.py keeps the plain loop as the reference the output must equal."""

    def __init__(self) -> None:
        # kind ("b1" … "t4", "f") → text → page ids
        self.lists: dict[str, defaultdict[str, array]] = {
            f + str(n): defaultdict(_ids) for f in FIELDS for n in range(1, K + 1)}
        self.lists["f"] = defaultdict(_ids)
        # kind ("bp", "tp") → gram → occurrences, each page << 32 | position
        self.occ: dict[str, defaultdict[str, array]] = {f + "p": defaultdict(_packed) for f in FIELDS}
        self.entries: list[Entry] = []
        self.texts: list[str] = []  # each page's text as written, not normalised (the excerpt blocks)
        self.facet_values: dict[str, set[str]] = {f: set() for f in FACETS}

    def _add_field(self, page: int, text: str, f: str) -> None:
        if len(text) >= 1 << 32:
            raise ValueError("搜索索引：页面文字超过 2³² 个字符")
        base = page << 32
        grams: list[str] = []  # the gram at every position of every run, in order
        full: list[str] = []  # those of K characters
        tails: list[str] = []  # the shorter ones, at the end of a run
        positions: list[int] = []
        for m in _RUN.finditer(text):
            start, run = m.start(), m.group()
            n = len(run)
            cut = max(n - K + 1, 0)
            head = list(map(run.__getitem__, map(slice, range(cut), range(K, cut + K))))
            tail = [run[i:] for i in range(cut, n)]
            full += head
            tails += tail
            grams += head
            grams += tail
            positions += range(base + start, base + start + n)
        _drain(map(_APPEND, map(self.occ[f + "p"].__getitem__, grams), positions))
        words = dict.fromkeys(full)
        pages = repeat(page)
        _drain(map(_APPEND, map(self.lists[f + str(K)].__getitem__, words), pages))
        for n in range(1, K):
            short = dict.fromkeys(map(_PREFIX[n], words))
            short.update((t[:n], None) for t in tails if len(t) >= n)
            _drain(map(_APPEND, map(self.lists[f + str(n)].__getitem__, short), pages))

    def add(self, entry: Entry, text: str) -> int:
        """Page ``entry`` with its indexed text (page_text of its content); its id."""
        page = len(self.entries)
        self.entries.append(entry)
        self.texts.append(text)
        self._add_field(page, normalise(text), "b")
        self._add_field(page, normalise(entry.title), "t")
        for name in FACETS:
            value = entry.facets.get(name)
            if value:
                self.facet_values[name].add(value)
                self.lists["f"][name + "\x1f" + value].append(page)
        return page

    def values(self) -> Iterator[tuple[str, bytes]]:
        """(key, encoded value) of every token."""
        for kind, lists in self.lists.items():
            for text, ids in lists.items():
                yield kind + text, encode_pages(ids)
        for kind, occ in self.occ.items():
            for gram, packed in occ.items():
                yield kind + gram, _encode_packed(packed)

    def write(self, out_dir: str) -> list[str]:
        """Write the index under ``out_dir``; the files written, relative to it."""
        os.makedirs(out_dir, exist_ok=True)
        written: list[str] = []

        def put(rel: str, text: str) -> None:
            path = os.path.join(out_dir, *rel.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            written.append(rel)

        values = dict(self.values())
        total = sum(len(b) for b in values.values() if len(b) <= BIG)
        shards = 1
        while total / shards > SHARD_TARGET and shards < 1 << 16:
            shards <<= 1
        tables: list[dict[str, str]] = [{} for _ in range(shards)]
        big = 0
        for key, buf in values.items():
            h = fnv1a(key) & (shards - 1)
            text = base64.urlsafe_b64encode(buf).decode("ascii")
            if len(buf) > BIG:
                name = f"b/{h:x}-{big}.json"
                big += 1
                put(name, json.dumps(text))
                tables[h][key] = "@" + name
            else:
                tables[h][key] = text
        for h, table in enumerate(tables):
            if table:
                put(f"s/{h:x}.json", json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True))
        for k in range(0, len(self.entries), CHUNK):
            rows = [[e.url, e.title, e.date, e.doc_no, -(-max(len(t), 1) // BLOCK)]
                    for e, t in zip(self.entries[k:k + CHUNK], self.texts[k:k + CHUNK], strict=True)]
            put(f"p/{k // CHUNK}.json", json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
        for page, text in enumerate(self.texts):
            for k in range(0, max(len(text), 1), BLOCK):
                put(f"x/{page}-{k // BLOCK}.txt", text[k:k + BLOCK])
        manifest = {"version": VERSION, "pages": len(self.entries), "shards": shards, "chunk": CHUNK,
                    "block": BLOCK, "gram": K, "facets": {n: sorted(v) for n, v in self.facet_values.items()}}
        put("manifest.json", json.dumps(manifest, ensure_ascii=False, separators=(",", ":")))
        return written


# -- the reader (the Python reference client) ------------------------------------------

class Reader:
    """Reads an index as the browser client does, file by file, counting the bytes
    fetched (gzip as a web server with gzip sends them)."""

    def __init__(self, index_dir: str) -> None:
        self.dir = index_dir
        self.fetched: dict[str, int] = {}  # file → gzip bytes
        self.manifest = json.loads(self._get("manifest.json"))
        if self.manifest.get("version") != VERSION:
            raise ValueError(f"搜索索引版本 {self.manifest.get('version')} 不是 {VERSION}；请重新构建站点")
        self._shards: dict[int, dict[str, str]] = {}

    def _get(self, rel: str) -> str:
        with open(os.path.join(self.dir, *rel.split("/")), "rb") as fh:
            data = fh.read()
        self.fetched.setdefault(rel, len(gzip.compress(data, 6)))
        return data.decode("utf-8")

    def value(self, key: str) -> bytes | None:
        """The encoded value of ``key``, or None."""
        h = fnv1a(key) & (self.manifest["shards"] - 1)
        if h not in self._shards:
            try:
                self._shards[h] = json.loads(self._get(f"s/{h:x}.json"))
            except FileNotFoundError:
                self._shards[h] = {}
        value = self._shards[h].get(key)
        if value is None:
            return None
        if value.startswith("@"):
            value = json.loads(self._get(value[1:]))
        return base64.urlsafe_b64decode(value)

    def page_list(self, key: str) -> list[int]:
        data = self.value(key)
        return decode_pages(data) if data is not None else []

    def occurrences(self, key: str) -> tuple[list[int], list[int] | array]:
        data = self.value(key)
        return decode_occurrences(data) if data is not None else ([], [])

    def pages(self, ids: Iterable[int]) -> list[list[str]]:
        chunk = self.manifest["chunk"]
        out = []
        for i in ids:
            rows = json.loads(self._get(f"p/{i // chunk}.json"))
            out.append(rows[i % chunk])
        return out


def cover(word: str) -> list[int]:
    """The offsets of the grams that cover ``word`` (more than :data:`K` characters): 0,
    K, 2K … and n-K."""
    n = len(word)
    offs = list(range(0, n - K + 1, K))
    if offs[-1] != n - K:
        offs.append(n - K)
    return offs


def _word_pages(reader: Reader, word: str, f: str) -> set[int]:
    if len(word) <= K:
        return set(reader.page_list(f + str(len(word)) + word))
    lists = []
    for off in cover(word):
        pages, positions = reader.occurrences(f + "p" + word[off:off + K])
        if not pages:
            return set()
        lists.append((off, pages, positions))
    lists.sort(key=lambda x: len(x[1]))
    (first_off, first_pages, first_pos), rest = lists[0], lists[1:]
    others = [(off, {(p << 32) | q for p, q in zip(pages, positions, strict=True)}) for off, pages, positions in rest]
    found = set()
    for page, pos in zip(first_pages, first_pos, strict=True):
        if page in found:
            continue
        start = (page << 32) | (pos - first_off)
        if all(start + off in s for off, s in others):
            found.add(page)
    return found


def parse_query(query: str) -> list[str]:
    """The query's words: normalised, split at white space, each once."""
    return list(dict.fromkeys(normalise(query).split()))


def query(reader: Reader, text: str, filters: dict[str, list[str]] | None = None) -> list[int]:
    """The ids of the pages holding every word of ``text`` as a substring (and, with
    ``filters``, one of the values given for each filter): pages with every word in the
    title first, then the rest; each group newest first."""
    words = parse_query(text)
    if not words:
        return []
    found: set[int] | None = None
    for w in sorted(words, key=len):  # the shortest first: a page list, no positions
        pages = _word_pages(reader, w, "b")
        found = pages if found is None else found & pages
        if not found:
            return []
    assert found is not None
    for name, values in (filters or {}).items():
        allowed: set[int] = set()
        for v in values:
            allowed |= set(reader.page_list("f" + name + "\x1f" + v))
        found &= allowed
    titled = set(found)
    for w in words:
        titled &= _word_pages(reader, w, "t")
        if not titled:
            break
    return sorted(titled) + sorted(found - titled)


# -- decoding everything (verify-site) ---------------------------------------------------

def _shard_values(index_dir: str) -> Iterator[tuple[str, str, bytes]]:
    """(shard file name, key, encoded value) of every token in the index's shards (``s/``),
    a value kept in its own file (``@path``) read from there: the one reading of the shards
    for :func:`decode_texts` and :func:`check_index`."""
    shard_dir = os.path.join(index_dir, "s")
    for name in sorted(os.listdir(shard_dir)) if os.path.isdir(shard_dir) else []:
        with open(os.path.join(shard_dir, name), encoding="utf-8") as fh:
            table = json.load(fh)
        if not isinstance(table, dict):
            raise ValueError(f"s/{name} 不是词表")
        for key, value in table.items():
            if not isinstance(value, str):
                raise ValueError(f"s/{name}：词“{key[:20]}”的值不是字符串")
            if value.startswith("@"):
                rel = value[1:]
                if not re.fullmatch(r"b/[0-9a-f]+-[0-9]+\.json", rel):
                    raise ValueError(f"s/{name}：词“{key[:20]}”指向的文件名不对：{rel[:40]}")
                with open(os.path.join(index_dir, *rel.split("/")), encoding="utf-8") as fh:
                    value = json.load(fh)
                if not isinstance(value, str):
                    raise ValueError(f"{rel} 不是字符串")
            yield name, key, base64.urlsafe_b64decode(value)


def decode_texts(index_dir: str) -> dict[str, str]:
    """Every text the index holds, rebuilt from it: for each page (by id), its title's and
    its text from the occurrences (characters at unknown positions become line breaks); the
    words of the page lists; the filter values. Keyed by a label naming the page or file,
    for verify-site's messages. Raises ValueError for a file that is not of the format."""
    manifest_path = os.path.join(index_dir, "manifest.json")
    with open(manifest_path, encoding="utf-8") as fh:
        manifest = json.load(fh)
    body: dict[int, dict[int, str]] = {}
    title: dict[int, dict[int, str]] = {}
    extra: list[str] = []
    for _name, key, data in _shard_values(index_dir):
        kind, text = (key[:2], key[2:]) if key[:1] in FIELDS else (key[:1], key[1:])
        if kind in ("bp", "tp"):
            target = body if kind == "bp" else title
            pages, positions = decode_occurrences(data)
            for page, p in zip(pages, positions, strict=True):
                chars = target.setdefault(page, {})
                for i, c in enumerate(text):
                    chars[p + i] = c
        else:
            extra.append(text.replace("\x1f", "\n"))
    out: dict[str, str] = {}

    def spell(chars: dict[int, str]) -> str:
        if not chars:
            return ""
        return "".join(chars.get(i, "\n") for i in range(max(chars) + 1))

    for page in sorted(set(body) | set(title)):
        out[f"第 {page} 页的索引"] = spell(title.get(page, {})) + "\n" + spell(body.get(page, {}))
    out["索引中的词与筛选值"] = "\n".join(extra)
    out["索引清单"] = "\n".join(v for vals in manifest.get("facets", {}).values() for v in vals)
    return out


def _check_field(f: str, values: dict[str, bytes], source: list[str], problems: list[str]) -> set[str]:
    """Check the occurrences and page lists of field ``f`` against ``source`` (the texts
    or titles by page id); the keys checked."""
    pages_n = len(source)
    checked: set[str] = set()
    # unions[n]: (the beginning of n characters being collected, the pages of the grams with it)
    unions: list[tuple[str | None, set[int]]] = [(None, set()) for _ in range(K + 1)]

    def close(n: int) -> None:
        word, pages = unions[n]
        if word is None:
            return
        key = f + str(n) + word
        data = values.get(key)
        if data is not None:
            checked.add(key)
            listed = decode_pages(data)
            if not pages.issuperset(listed):
                problems.append(f"词“{word[:20]}”（{key[:2]}）列出的页面中有不含这个词的页面")

    for gram in sorted(k[2:] for k in values if k.startswith(f + "p")):
        key = f + "p" + gram
        checked.add(key)
        if not 1 <= len(gram) <= K:
            problems.append(f"位置表“{gram[:20]}”（{f}p）的长度不是 1 到 {K} 个字符")
            continue
        pages, positions = decode_occurrences(values[key])
        if pages and pages[-1] >= pages_n:  # ascending by construction (sums of numbers ≥ 0)
            problems.append(f"位置表“{gram}”（{f}p）指向不存在的页面")
            continue
        if not all(map(str.startswith, map(source.__getitem__, pages), repeat(gram), positions)):
            problems.append(f"位置表“{gram}”（{f}p）的位置与所指页面的文字不符")
            continue
        on = set(pages)
        for n in range(1, K + 1):
            if n > len(gram):
                break
            word = gram[:n]
            if unions[n][0] != word:
                for m in range(K, n - 1, -1):  # a new beginning of n closes those of n … K
                    close(m)
                    unions[m] = (None, set())
                unions[n] = (word, set(on))
            else:
                unions[n][1].update(on)
    for m in range(K, 0, -1):
        close(m)
    return checked


def check_index(index_dir: str) -> list[str]:
    """What of the index is not the public text it claims to index (verify-site): every
    token is read back and compared with the texts the index also ships as plain files —
    every occurrence (``bp``/``tp``) with the page's text block (``x/``) or title (pages
    table) at its position, every page list of a word (``b1``…``t4``) with the pages where
    an occurrence of a gram beginning with the word was just checked, every filter value
    with the manifest's. Those plain files are scanned by verify-site like any page, so an
    index that passes holds nothing they do not show. Problems are Chinese sentences; a
    file that is not of the format is a problem too (fails closed). The lists are decoded
    and compared by whole arrays (``array``, ``map``), not number by number in Python."""
    problems: list[str] = []
    try:
        with open(os.path.join(index_dir, "manifest.json"), encoding="utf-8") as fh:
            manifest = json.load(fh)
        if manifest.get("version") != VERSION:
            return [f"索引版本 {manifest.get('version')!r} 不是 {VERSION}"]
        pages, chunk = int(manifest["pages"]), int(manifest["chunk"])
        facets = {n: set(v) for n, v in manifest.get("facets", {}).items()}
        titles: list[str] = []
        texts: list[str] = []
        for k in range(0, pages, chunk):
            with open(os.path.join(index_dir, "p", f"{k // chunk}.json"), encoding="utf-8") as fh:
                rows = json.load(fh)
            for n, row in enumerate(rows):
                titles.append(normalise(str(row[1])))
                parts = []
                for b in range(int(row[4])):
                    with open(os.path.join(index_dir, "x", f"{k + n}-{b}.txt"), encoding="utf-8") as fh:
                        parts.append(fh.read())
                texts.append(normalise("".join(parts)))  # the blocks hold the text as written
        if len(texts) != pages:
            return [f"页面表有 {len(texts)} 页，manifest.json 写的是 {pages} 页"]
        values: dict[str, bytes] = {}
        for name, key, data in _shard_values(index_dir):
            if key in values:
                problems.append(f"s/{name}：词“{key[:20]}”出现两次")
            values[key] = data
        checked = _check_field("b", values, texts, problems) | _check_field("t", values, titles, problems)
        for key, data in values.items():
            if key in checked:
                continue
            if key.startswith("f"):
                fname, _, fvalue = key[1:].partition("\x1f")
                listed = decode_pages(data)
                if fvalue not in facets.get(fname, set()):
                    problems.append(f"筛选值“{fvalue[:20]}”不在 manifest.json 中")
                elif listed and (listed[-1] >= pages or listed[0] < 0):
                    problems.append(f"筛选值“{fvalue[:20]}”指向不存在的页面")
            elif key[:1] in FIELDS and key[1:2].isdigit() and 1 <= int(key[1:2]) <= K:
                problems.append(f"词“{key[2:22]}”（{key[:2]}）在索引的任何位置表中都没有出现")
            else:
                problems.append(f"未知的词类“{key[:20]}”")
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        problems.append(f"无法读取（{type(exc).__name__}: {exc}）")
    return problems


# -- the worker process (gkpublish.site.search.Indexer) ---------------------------------
#
#     python -m gkpublish.site.gkindex PARENT_PID WORK_DIR OUT_DIR
#
# WORK_DIR/entries.json lists the pages in id order ([src_uri, Entry fields]); each line
# "N" on stdin says WORK_DIR/N.html (the content of page N) is written; "end" writes the
# index to OUT_DIR and prints the files written (JSON list, relative to OUT_DIR). Pages
# may come in any order: page N is indexed once pages 0 … N-1 are (MkDocs renders them in
# id order, so nothing waits in practice).

def _worker(parent: int, work: str, out: str) -> int:
    import sys

    if sys.platform.startswith("linux"):  # a killed build leaves no indexer behind
        import ctypes

        ctypes.CDLL(None).prctl(1, 9)
        if os.getppid() != parent:
            return 1
    from gkpublish.site.search import page_text

    with open(os.path.join(work, "entries.json"), encoding="utf-8") as fh:
        entries = [Entry(**e) for _uri, e in json.load(fh)]
    writer = Writer()
    ready: set[int] = set()
    for line in sys.stdin:
        line = line.strip()
        if line == "end":
            break
        ready.add(int(line))
        while len(writer.entries) in ready:
            n = len(writer.entries)
            ready.discard(n)
            path = os.path.join(work, f"{n}.html")
            with open(path, encoding="utf-8") as fh:
                content = fh.read()
            os.remove(path)
            writer.add(entries[n], page_text(content))
    else:
        return 1  # the build went away without saying end
    if len(writer.entries) != len(entries):
        missing = [entries[i].url for i in range(len(writer.entries), len(entries))][:5]
        print(f"搜索索引缺少 {len(entries) - len(writer.entries)} 个条目页（如 {'、'.join(missing)}）", file=sys.stderr)
        return 3
    print(json.dumps(writer.write(out)))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_worker(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
