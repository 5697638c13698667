"""The site's own search index (gkpublish.site.gkindex): substring ⇔ match, by construction.

For random small-alphabet texts (so that words repeat, overlap and nearly match) and
random queries, the reference query over the written index returns exactly the pages that
hold every query word as a substring of one run of their normalised text; the index reads
back into the pages' texts (what verify-site scans); a page's title words rank it first.
"""

from __future__ import annotations

import base64
import re
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.site import gkindex
from gkpublish.site.gkindex import (
    Entry,
    Reader,
    Writer,
    cover,
    decode_numbers,
    decode_occurrences,
    decode_pages,
    decode_texts,
    encode_numbers,
    encode_occurrences,
    encode_pages,
    normalise,
    query,
)

ALPHABET = "政府信息公开整改〔〕2024ab "


def _index(texts: list[str], titles: list[str] | None = None, facets: list[dict] | None = None) -> Reader:
    w = Writer()
    for i, text in enumerate(texts):
        w.add(Entry(url=f"/p{i}/", title=(titles or [""] * len(texts))[i], facets=(facets or [{}] * len(texts))[i]), text)
    out = tempfile.mkdtemp(prefix="hA-gkindex-", dir="/tmp")
    w.write(out)
    return Reader(out)


def _truth(texts: list[str], q: str) -> list[int]:
    words = normalise(q).split()
    runs = [normalise(t).split() for t in texts]
    return [i for i, rs in enumerate(runs) if words and all(any(w in r for r in rs) for w in words)]


def test_planar_numbers_round_trip_with_the_width_of_the_largest():
    assert encode_numbers([1, 2, 3]) == bytes([1, 1, 2, 3])
    assert encode_numbers([1, 256]) == bytes([2, 1, 0, 0, 1])  # low bytes, then high bytes
    assert list(decode_numbers(encode_numbers([0, 70000, 2**40]))) == [0, 70000, 2**40]
    assert decode_pages(encode_pages([3, 200, 9000])) == [3, 200, 9000]
    pages, positions = decode_occurrences(encode_occurrences([0, 0, 7], [5, 300, 2]))
    assert pages == [0, 0, 7] and list(positions) == [5, 300, 2]


@given(st.lists(st.integers(0, 2**63), max_size=50))
def test_planar_numbers_round_trip_any_numbers(nums):
    assert list(decode_numbers(encode_numbers(nums))) == nums


def test_a_list_that_is_not_planar_is_refused():
    import pytest

    for bad in (b"", bytes([0, 1]), bytes([9, 1]), bytes([2, 1, 2, 3])):
        with pytest.raises(ValueError):
            decode_numbers(bad)
    with pytest.raises(ValueError):
        decode_occurrences(bytes([1, 1, 5]))


def test_cover_grams_reach_every_character_of_the_word():
    assert cover("政府信息公") == [0, 1]
    assert cover("政府信息公开") == [0, 2]
    assert cover("责任清单和整改清单") == [0, 4, 5]
    assert cover("政府信息公开整改") == [0, 4]


def test_words_of_up_to_four_characters_are_one_page_list_and_longer_ones_occurrences():
    r = _index(["政府信息公开", "政府信息", "公开"])
    assert query(r, "政府信息") == [0, 1]
    assert set(r.fetched) == {"manifest.json"} | {k for k in r.fetched if k.startswith("s/")}
    assert query(r, "政府信息公开") == [0]


def test_a_word_split_by_a_paragraph_break_is_not_found():
    r = _index(["政府信息 公开", "政府信息公开"])
    assert query(r, "信息公开") == [1]
    assert query(r, "公开") == [0, 1]


def test_fullwidth_and_capital_letters_match_their_normal_form():
    r = _index(["江北府办发〔２０２４〕３号 ABC"])
    assert query(r, "〔2024〕") == [0]
    assert query(r, "abc") == [0]


def test_title_matches_are_listed_before_newer_pages():
    r = _index(["整改通知 正文", "无关 正文 整改", "整改"], titles=["旧文", "关于整改的通知", "另一"])
    assert query(r, "整改") == [1, 0, 2]


def test_filters_keep_pages_with_one_of_the_chosen_values():
    r = _index(["整改", "整改", "整改"], facets=[{"年份": "2026"}, {"年份": "2025"}, {"年份": "2024"}])
    assert query(r, "整改", {"年份": ["2026", "2024"]}) == [0, 2]
    assert r.manifest["facets"]["年份"] == ["2024", "2025", "2026"]


def test_a_big_token_lives_in_its_own_file():
    texts = ["政府" * 20000]
    r = _index(texts)
    assert query(r, "政府政府政") == [0]
    assert any(k.startswith("b/") for k in r.fetched)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(ALPHABET, max_size=40), min_size=1, max_size=8),
       st.lists(st.text(ALPHABET, min_size=1, max_size=6), min_size=1, max_size=3))
def test_reference_query_finds_exactly_the_pages_holding_every_word(texts, qwords):
    r = _index(texts)
    q = " ".join(qwords)
    assert sorted(query(r, q)) == _truth(texts, q)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(ALPHABET + "密件内容", max_size=60), min_size=1, max_size=5))
def test_the_index_reads_back_into_every_run_of_two_or_more_characters(texts):
    w = Writer()
    for i, text in enumerate(texts):
        w.add(Entry(url=f"/p{i}/", title=""), text)
    out = tempfile.mkdtemp(prefix="hA-gkindex-", dir="/tmp")
    w.write(out)
    decoded = decode_texts(out)
    for i, text in enumerate(texts):
        rebuilt = decoded.get(f"第 {i} 页的索引", "")
        for run in normalise(text).split():
            assert run in rebuilt


def test_shards_are_base64_json(tmp_path):
    w = Writer()
    w.add(Entry(url="/a/", title="标题"), "正文内容")
    w.write(str(tmp_path))
    import json

    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == gkindex.VERSION and manifest["pages"] == 1
    for f in (tmp_path / "s").iterdir():
        for v in json.loads(f.read_text(encoding="utf-8")).values():
            base64.urlsafe_b64decode(v)


def _plant(out: str, key: str, value: bytes) -> None:
    import json
    import os

    shard = os.path.join(out, "s", sorted(os.listdir(os.path.join(out, "s")))[0])
    with open(shard, encoding="utf-8") as fh:
        table = json.load(fh)
    table[key] = base64.urlsafe_b64encode(value).decode("ascii")
    with open(shard, "w", encoding="utf-8") as fh:
        json.dump(table, fh, ensure_ascii=False)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(ALPHABET + "密件内容", max_size=60), min_size=1, max_size=5), st.integers(0, 80),
       st.sampled_from(["bp", "tp", "b2", "b4", "t2", "b1"]))
def test_a_written_index_matches_its_texts_and_a_planted_token_does_not(texts, at, kind):
    """check_index (verify-site): every token of an index as written is the public text it
    ships; a token planted where the page's text (or title) does not hold it is reported —
    as an occurrence at any position, or as a page list of a word."""
    from gkpublish.site.gkindex import check_index

    w = Writer()
    for i, text in enumerate(texts):
        w.add(Entry(url=f"p{i}/", title=f"标题{i}"), text)
    out = tempfile.mkdtemp(prefix="hA-gkindex-", dir="/tmp")
    w.write(out)
    assert check_index(out) == []
    word = {"bp": "密件", "tp": "密件", "b1": "密", "b2": "密件", "t2": "密件", "b4": "密件内容"}[kind]
    source = normalise(w.texts[0] if kind[0] == "b" else w.entries[0].title)
    if kind.endswith("p"):
        if source[at:at + len(word)] == word:
            return
        value = encode_occurrences([0], [at])
    else:
        if any(word in normalise(t) for t in (texts if kind[0] == "b" else [e.title for e in w.entries])):
            return
        value = encode_pages([0])
    key = kind + word
    _plant(out, key, value)
    problems = check_index(out)
    assert problems and any(f"“{word}”" in p for p in problems), problems


def test_an_index_of_another_version_or_a_broken_value_is_refused(tmp_path):
    import json

    from gkpublish.site.gkindex import check_index

    w = Writer()
    w.add(Entry(url="a/", title="标题"), "正文内容")
    w.write(str(tmp_path))
    _plant(str(tmp_path), "bp正文", bytes([1, 1, 0]))
    assert any("无法读取" in p for p in check_index(str(tmp_path)))
    _plant(str(tmp_path), "bp正文", encode_occurrences([0], [0]))
    _plant(str(tmp_path), "x1正", encode_pages([0]))
    assert any("未知的词类" in p for p in check_index(str(tmp_path)))
    m = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    m["version"] = 1
    (tmp_path / "manifest.json").write_text(json.dumps(m), "utf-8")
    assert check_index(str(tmp_path)) and "版本" in check_index(str(tmp_path))[0]


class PlainWriter(Writer):
    """The writer as first written, a Python loop per position: the reference the chained
    built-ins of Writer._add_field must equal, token for token and byte for byte."""

    def __init__(self) -> None:
        super().__init__()
        self.plain: dict[str, dict[str, list[int]]] = {}
        self.plain_occ: dict[str, dict[str, tuple[list[int], list[int]]]] = {}

    def _add_field(self, page: int, text: str, f: str) -> None:
        occ = self.plain_occ.setdefault(f + "p", {})
        here: dict[str, list[int]] = {}
        for m in re.finditer(r"\S+", text):
            start, run = m.start(), m.group()
            for i in range(len(run)):
                here.setdefault(run[i:i + gkindex.K], []).append(start + i)
        for g, positions in here.items():
            pages, at = occ.setdefault(g, ([], []))
            pages.extend([page] * len(positions))
            at.extend(positions)
        for n in range(1, gkindex.K + 1):
            for w in {g[:n] for g in here if len(g) >= n}:
                self.plain.setdefault(f + str(n), {}).setdefault(w, []).append(page)

    def values(self):
        yield from ((kind + w, encode_pages(ids)) for kind, lists in self.plain.items() for w, ids in lists.items())
        yield from ((k + w, encode_pages(ids)) for k, lists in self.lists.items() if k == "f" for w, ids in lists.items())
        for kind, occ in self.plain_occ.items():
            for gram, (pages, positions) in occ.items():
                yield kind + gram, encode_occurrences(pages, positions)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.text(ALPHABET + "\n\u3000密", max_size=70), st.text(ALPHABET, max_size=12)),
                min_size=1, max_size=6))
def test_the_writer_equals_the_plain_loop_it_replaced(pages):
    fast, plain = Writer(), PlainWriter()
    for i, (text, title) in enumerate(pages):
        for w in (fast, plain):
            w.add(Entry(url=f"/p{i}/", title=title, facets={"栏目": "动态"}), text)
    assert dict(fast.values()) == dict(plain.values())


def test_the_writer_equals_the_plain_loop_on_long_pages():
    # positions past 255 and 65,535 (two- and three-byte planes), many pages (page planes)
    pages = [("政府信息公开" * (400 * (i % 3 + 1)) + f" 整改{i}", f"标题{i}") for i in range(300)]
    pages[7] = ("整改" * 40_000, "")
    fast, plain = Writer(), PlainWriter()
    for i, (text, title) in enumerate(pages):
        for w in (fast, plain):
            w.add(Entry(url=f"/p{i}/", title=title), text)
    assert dict(fast.values()) == dict(plain.values())
