"""A static, sharded, positional search index of the site's own (issue #13, candidate engine).

Written in Python at build time from the public view's item pages (the text
:func:`gkpublish.site.search.page_text` takes from each page: what the item page shows),
read by a small client (a Python reference here, :func:`query`; the browser client follows
the same format). Nothing in it depends on word segmentation, so index and query cannot
disagree:

* **Text.** NFKC, then lower case (:func:`normalise`; the browser does
  ``normalize("NFKC").toLowerCase()``), cut into *runs* at white space (page_text puts a
  space between blocks: a word never runs from one paragraph or cell into the next).
* **Tokens.** Every pair of adjacent characters of a run (a *bigram*: Han, Latin, digits and
  punctuation alike, so 文号 pieces such as ``〔2024〕`` and numbers are found like words),
  with its positions (code point offsets in the page's normalised text); every single
  character, without positions (a query of one character). The title has its own tokens
  (``t``/``v`` instead of ``b``/``u``) so that title matches can be listed first; the
  filters (栏目, 发布机构, 体裁, 年份) are tokens too (``f``), page ids only.
* **Match.** A query word of n ≥ 2 characters is found on a page exactly where the page has
  the word's covering bigrams (offsets 0, 2, 4 …, and n-2) at the same offsets from one
  start: that is the word as a substring of one run (substring ⇔ match, proven by a
  Hypothesis property in tests/test_gkindex.py). Fetching every other bigram halves the
  bytes of a query. A word of one character: its unigram postings. Several words
  (space separated): every word.
* **Pages** are numbered newest first (the order the writer is given them in), so a result
  list is a sorted id list and "newer first" is id order. A ``pages`` table in chunks of
  :data:`CHUNK` pages holds what a result shows (URL, title, 发布日期, 文号), fetched only
  for the results shown (and the number of text blocks of the page); the text of every page in blocks of :data:`BLOCK` characters
  (``x/<id>-<k>.txt``), fetched only for the excerpt of a result shown (the first hit's
  position says which block).
* **Files.** Postings are binary (varint deltas), base64url in JSON shard files
  ``s/<h>.json`` (h = FNV-1a of the token, modulo the shard count, a power of two chosen
  so that a shard stays a few KB); a token whose postings exceed :data:`BIG` bytes gets a
  file of its own (``b/<h>-<n>.json``), named in its shard. ``manifest.json`` says the
  version, page count, shard count and the filter values, so that a portal can query the
  indexes of several organs and merge the results at query time (a sorted list per organ,
  merged by date).

:func:`check_index` reads every token back and compares it with the plain texts the
index ships (text blocks, titles, filter values), which verify-site scans like pages, so
no text that is not public can hide in the index's encoding (verify.index_leaks).
:func:`decode_texts` rebuilds every page's text from the postings alone (the tests' view).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

VERSION = 1
CHUNK = 32  # pages per chunk of the pages table
BLOCK = 2048  # characters per text block (excerpts)
BIG = 12 * 1024  # postings bytes above which a token gets its own file
SHARD_TARGET = 6 * 1024  # postings bytes per shard aimed at
FACETS = ("栏目", "发布机构", "体裁", "年份")
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


# -- varints -----------------------------------------------------------------------------

_SMALL = [bytes([i]) for i in range(128)]


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _read_varints(data: bytes) -> list[int]:
    out, n, shift = [], 0, 0
    for byte in data:
        n |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            out.append(n)
            n, shift = 0, 0
    if shift:
        raise ValueError("搜索索引的倒排表被截断")
    return out


def decode_postings(data: bytes, positional: bool) -> dict[int, list[int]]:
    """Page id → positions (empty for a token without positions)."""
    nums = _read_varints(data)
    out: dict[int, list[int]] = {}
    i, page = 0, -1
    while i < len(nums):
        page += nums[i]
        i += 1
        pos: list[int] = []
        if positional:
            count, i = nums[i], i + 1
            at = -1
            for d in nums[i:i + count]:
                at += d
                pos.append(at)
            i += count
        out[page] = pos
    return out


# -- the writer --------------------------------------------------------------------------

@dataclass
class Entry:
    """What a result shows and the filters of an item page, from the public view."""

    url: str
    title: str
    date: str = ""
    doc_no: str = ""
    facets: dict[str, str] = field(default_factory=dict)  # FACETS name → value


class Writer:
    """The index of one site, page after page in id order (newest first)."""

    def __init__(self) -> None:
        self.post: dict[str, bytearray] = {}
        self.last: dict[str, int] = {}
        self.entries: list[Entry] = []
        self.texts: list[str] = []  # normalised text of each page (for the excerpt blocks)
        self.facet_values: dict[str, set[str]] = {f: set() for f in FACETS}

    def _add_token(self, key: str, page: int, positions: list[int] | None) -> None:
        buf = self.post.get(key)
        if buf is None:
            buf = self.post[key] = bytearray()
            prev = -1
        else:
            prev = self.last[key]
        self.last[key] = page
        _varint(page - prev, buf)
        if positions is not None:
            _varint(len(positions), buf)
            at = -1
            for p in positions:
                _varint(p - at, buf)
                at = p

    def _add_text(self, page: int, text: str, big: str, uni: str) -> None:
        bigrams: dict[str, list[int]] = {}
        chars: set[str] = set()
        for m in _RUN.finditer(text):
            start, run = m.start(), m.group()
            chars.update(run)
            for i in range(len(run) - 1):
                key = run[i:i + 2]
                found = bigrams.get(key)
                if found is None:
                    bigrams[key] = [start + i]
                else:
                    found.append(start + i)
        for key, positions in bigrams.items():
            self._add_token(big + key, page, positions)
        for c in chars:
            self._add_token(uni + c, page, None)

    def add(self, entry: Entry, text: str) -> int:
        """Page ``entry`` with its indexed text (page_text of its content); its id."""
        page = len(self.entries)
        self.entries.append(entry)
        body = normalise(text)
        self.texts.append(body)
        self._add_text(page, body, "b", "u")
        self._add_text(page, normalise(entry.title), "t", "v")
        for name in FACETS:
            value = entry.facets.get(name)
            if value:
                self.facet_values[name].add(value)
                self._add_token("f" + name + "\x1f" + value, page, None)
        return page

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

        total = sum(len(b) for b in self.post.values() if len(b) <= BIG)
        shards = 1
        while total / shards > SHARD_TARGET and shards < 1 << 16:
            shards <<= 1
        tables: list[dict[str, str]] = [{} for _ in range(shards)]
        big = 0
        for key, buf in self.post.items():
            h = fnv1a(key) & (shards - 1)
            if len(buf) > BIG:
                name = f"b/{h:x}-{big}.json"
                big += 1
                put(name, json.dumps(base64.urlsafe_b64encode(bytes(buf)).decode("ascii")))
                tables[h][key] = "@" + name
            else:
                tables[h][key] = base64.urlsafe_b64encode(bytes(buf)).decode("ascii")
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
                    "block": BLOCK, "facets": {n: sorted(v) for n, v in self.facet_values.items()}}
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

    def postings(self, key: str) -> dict[int, list[int]]:
        h = fnv1a(key) & (self.manifest["shards"] - 1)
        if h not in self._shards:
            try:
                self._shards[h] = json.loads(self._get(f"s/{h:x}.json"))
            except FileNotFoundError:
                self._shards[h] = {}
        value = self._shards[h].get(key)
        if value is None:
            return {}
        if value.startswith("@"):
            value = json.loads(self._get(value[1:]))
        return decode_postings(base64.urlsafe_b64decode(value), key[0] in "bt")

    def pages(self, ids: Iterable[int]) -> list[list[str]]:
        chunk = self.manifest["chunk"]
        out = []
        for i in ids:
            rows = json.loads(self._get(f"p/{i // chunk}.json"))
            out.append(rows[i % chunk])
        return out


def cover(word: str) -> list[int]:
    """The offsets of the bigrams that cover ``word`` (n ≥ 2 characters): 0, 2, 4 … and n-2."""
    n = len(word)
    offs = list(range(0, n - 1, 2))
    if offs[-1] != n - 2:
        offs.append(n - 2)
    return offs


def _word_pages(reader: Reader, word: str, big: str, uni: str) -> set[int]:
    if len(word) == 1:
        return set(reader.postings(uni + word))
    lists = [(off, reader.postings(big + word[off:off + 2])) for off in cover(word)]
    lists.sort(key=lambda x: len(x[1]))
    found = set()
    first_off, first = lists[0]
    for page, positions in first.items():
        others = []
        for _off, post in lists[1:]:
            p = post.get(page)
            if p is None:
                break
            others.append(set(p))
        else:
            for p in positions:
                start = p - first_off
                if all(start + off in s for (off, _), s in zip(lists[1:], others, strict=True)):
                    found.add(page)
                    break
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
    for w in sorted(words, key=len, reverse=True):
        pages = _word_pages(reader, w, "b", "u")
        found = pages if found is None else found & pages
        if not found:
            return []
    assert found is not None
    for name, values in (filters or {}).items():
        allowed: set[int] = set()
        for v in values:
            allowed |= set(reader.postings("f" + name + "\x1f" + v))
        found &= allowed
    titled = set(found)
    for w in words:
        titled &= _word_pages(reader, w, "t", "v")
        if not titled:
            break
    return sorted(titled) + sorted(found - titled)


# -- decoding everything (verify-site) ---------------------------------------------------

def _shard_entries(index_dir: str) -> Iterator[tuple[str, str, str, bytes]]:
    """(shard file name, token kind, token, encoded postings) of every token in the index's
    shards (``s/``), a posting list kept in its own file (``@path``) read from there: the one
    reading of the shards for :func:`decode_texts` and :func:`check_index`."""
    shard_dir = os.path.join(index_dir, "s")
    for name in sorted(os.listdir(shard_dir)) if os.path.isdir(shard_dir) else []:
        with open(os.path.join(shard_dir, name), encoding="utf-8") as fh:
            table = json.load(fh)
        for key, value in table.items():
            if value.startswith("@"):
                with open(os.path.join(index_dir, *value[1:].split("/")), encoding="utf-8") as fh:
                    value = json.load(fh)
            yield name, key[:1], key[1:], base64.urlsafe_b64decode(value)


def decode_texts(index_dir: str) -> dict[str, str]:
    """Every text the index holds, rebuilt from it: for each page (by id), its text from the
    bigram positions (characters at unknown positions become line breaks) and its title's;
    the pages table; the filter values. Keyed by a label naming the page or file, for
    verify-site's messages. Raises ValueError for a file that is not of the format."""
    manifest_path = os.path.join(index_dir, "manifest.json")
    with open(manifest_path, encoding="utf-8") as fh:
        manifest = json.load(fh)
    body: dict[int, dict[int, str]] = {}
    title: dict[int, dict[int, str]] = {}
    extra: list[str] = []
    for _name, kind, token, data in _shard_entries(index_dir):
        if kind in ("b", "t"):
            target = body if kind == "b" else title
            for page, positions in decode_postings(data, True).items():
                chars = target.setdefault(page, {})
                for p in positions:
                    chars[p] = token[0]
                    chars[p + 1] = token[1:]
        else:
            extra.append(token.replace("\x1f", "\n"))
    out: dict[str, str] = {}

    def spell(chars: dict[int, str]) -> str:
        if not chars:
            return ""
        return "".join(chars.get(i, "\n") for i in range(max(chars) + 1))

    for page in sorted(set(body) | set(title)):
        out[f"第 {page} 页的索引"] = spell(title.get(page, {})) + "\n" + spell(body.get(page, {}))
    out["索引中的单字与筛选值"] = "\n".join(extra)
    out["索引清单"] = "\n".join(v for vals in manifest.get("facets", {}).values() for v in vals)
    return out


def check_index(index_dir: str) -> list[str]:
    """What of the index is not the public text it claims to index (verify-site): every
    token is read back and compared with the texts the index also ships as plain files —
    a bigram at each of its positions in the page's text blocks (``x/``), a single
    character in that text, a title token in the page's title (pages table), a filter
    value among the manifest's. Those plain files are scanned by verify-site like any page,
    so an index that passes holds nothing they do not show. Problems are Chinese
    sentences; a file that is not of the format is a problem too (fails closed). Memory
    stays at the size of the texts (the postings are decoded one token at a time)."""
    problems: list[str] = []
    try:
        with open(os.path.join(index_dir, "manifest.json"), encoding="utf-8") as fh:
            manifest = json.load(fh)
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
                texts.append("".join(parts))
        if len(texts) != pages:
            return [f"页面表有 {len(texts)} 页，manifest.json 写的是 {pages} 页"]
        for name, kind, token, data in _shard_entries(index_dir):
            posts = decode_postings(data, kind in ("b", "t"))
            if kind in ("b", "t", "u", "v") and any(p < 0 or p >= pages for p in posts):
                problems.append(f"s/{name}：词“{token[:20]}”指向不存在的页面")
                continue
            if kind in ("b", "t"):
                if len(token) != 2:
                    problems.append(f"s/{name}：二元组“{token[:20]}”不是两个字符")
                    continue
                source = texts if kind == "b" else titles
                for page, positions in posts.items():
                    text = source[page]
                    if not all(text.startswith(token, p) for p in positions):
                        problems.append(f"s/{name}：二元组“{token}”在第 {page} 页的位置与该页正文不符")
                        break
            elif kind in ("u", "v"):
                source = texts if kind == "u" else titles
                if len(token) != 1 or any(token not in source[page] for page in posts):
                    problems.append(f"s/{name}：单字“{token[:20]}”不在所指页面的正文中")
            elif kind == "f":
                fname, _, fvalue = token.partition("\x1f")
                if fvalue not in facets.get(fname, set()):
                    problems.append(f"s/{name}：筛选值“{fvalue[:20]}”不在 manifest.json 中")
            else:
                problems.append(f"s/{name}：未知的词类“{kind}”")
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
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
