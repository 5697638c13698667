"""Front matter that PyYAML reads silently wrong or cannot read at all (issue #8, classes 6 and 8).

A key written twice, however quoted or escaped, is GK102 (PyYAML keeps the last value: a
quoted ``"attribute": 主动公开`` after ``attribute: 依申请公开`` would publish the item). Dates
that do not exist, numbers too long to convert and nesting deep enough to crash PyYAML are
findings with file and line; the other items are still checked.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.loader import MAX_DEPTH, parse_item
from tests.conftest import item_source

PATH = "content/gzdt/x.md"


def parse(text: str):
    return parse_item(PATH, text.encode("utf-8"))


def with_extra(extra: str, **meta) -> str:
    """An item whose front matter ends with the raw YAML ``extra`` (before the closing ---)."""
    src = item_source(**meta)
    end = src.index("\n---\n", 4)
    return src[:end + 1] + extra + src[end + 1:]


# -- class 6: duplicate keys -------------------------------------------------------------------

DUPLICATE_ATTRIBUTE = {
    "double quotes": '"attribute": 主动公开',
    "single quotes": "'attribute': 主动公开",
    "escaped": '"attr\\u0069bute": 主动公开',
    "hex escape": '"\\x61ttribute": 主动公开',
    "explicit key": "? attribute\n: 主动公开",
    "quoted explicit key": '? "attribute"\n: 主动公开',
}


@pytest.mark.parametrize("name", sorted(DUPLICATE_ATTRIBUTE))
def test_a_duplicate_attribute_however_quoted_is_gk102(name):
    text = with_extra(DUPLICATE_ATTRIBUTE[name] + "\n", attribute="依申请公开", review_date="2027-06-30")
    item, findings = parse(text)
    (f,) = findings
    assert f.rule == "GK102" and "attribute 重复出现" in f.message
    assert text.split("\n")[f.line - 1] == DUPLICATE_ATTRIBUTE[name].split("\n")[0]  # the repeated key's line
    assert item.meta["attribute"] == "主动公开"  # what PyYAML kept: hence the error


def test_a_top_level_flow_mapping_with_a_duplicate_is_gk102():
    item, findings = parse('---\n{title: 标题, attribute: 依申请公开, "attribute": 主动公开}\n---\n正文\n')
    assert [f.rule for f in findings] == ["GK102"] and "attribute" in findings[0].message


def test_a_nested_duplicate_names_the_path():
    text = with_extra("privacy:\n  touches: [个人隐私]\n  'touches': []\n")
    _, findings = parse(text)
    (f,) = findings
    assert f.rule == "GK102" and "privacy.touches" in f.message
    assert text.split("\n")[f.line - 1] == "  'touches': []"


def test_a_duplicate_inside_a_list_of_mappings_is_gk102():
    _, findings = parse(with_extra("attachments:\n  - file: a.pdf\n    \"file\": b.pdf\n"))
    assert [f.rule for f in findings] == ["GK102"] and "attachments[0].file" in findings[0].message


def test_int_and_string_keys_that_become_the_same_text_are_duplicates():
    _, findings = parse(with_extra("x:\n  1: a\n  '1': b\n"))
    assert [f.rule for f in findings] == ["GK102"]


def test_distinct_keys_are_not_duplicates():
    item, findings = parse(with_extra("privacy:\n  touches: [个人隐私]\n  rights_holder_opinion: {date: 2026-10-30, opinion: 同意}\n"))
    assert findings == [] and item.meta_lines["privacy"] > item.meta_lines["attribute"]


def test_quoted_top_level_keys_have_their_lines():
    item, findings = parse('---\n"title": 标题\n\'attribute\': 主动公开\n---\n正文\n')
    assert findings == [] and item.meta_lines == {"title": 2, "attribute": 3}


def test_a_merge_key_is_gk102():
    item, findings = parse(with_extra("x:\n  <<: {attribute: 主动公开}\n"))
    assert item is None and [f.rule for f in findings] == ["GK102"] and "<<" in findings[0].message


KEY_STYLES = [
    lambda k: k,
    lambda k: f'"{k}"',
    lambda k: f"'{k}'",
    lambda k: '"' + "".join(f"\\u{ord(c):04x}" for c in k) + '"',
    lambda k: '"' + k[0] + "".join(f"\\x{ord(c):02x}" for c in k[1:]) + '"',
]


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(["attribute", "title", "column", "published", "drafter"]),
       first=st.sampled_from(range(len(KEY_STYLES))), second=st.sampled_from(range(len(KEY_STYLES))),
       explicit=st.booleans(), nested=st.booleans(), value=st.sampled_from(["主动公开", "依申请公开", "x", "2026-11-02"]))
def test_every_quoting_of_a_repeated_key_is_gk102(key, first, second, explicit, nested, value):
    a, b = KEY_STYLES[first](key), KEY_STYLES[second](key)
    second_line = f"? {b}\n: {value}" if explicit else f"{b}: {value}"
    if nested:
        extra = f"wrapper:\n  {a}: 1\n" + "".join(f"  {line}\n" for line in second_line.split("\n"))
    else:
        extra = f"{a}: {value}\n{second_line}\n"
    _, findings = parse("---\n" + extra + "---\n正文\n")
    dup = [f for f in findings if f.rule == "GK102" and "重复出现" in f.message]
    assert len(dup) == 1 and key in dup[0].message


# -- class 8: never crash ------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "2026-11-02 25:00:00"])
def test_a_date_that_does_not_exist_is_a_gk103_naming_the_field(site, value):
    text = re.sub(r"^published: .*$", f"published: {value}", item_source(), count=1, flags=re.M)
    assert f"published: {value}" in text
    site.write("content/gzdt/bad.md", text)
    site.item("gzdt/good.md", index_no="SAMPLE001/2026-00002", title="另一条好的条目")
    r = site.check()
    (f,) = [f for f in r.of("GK103") if f.path == "content/gzdt/bad.md"]
    assert "published" in f.message and "YYYY-MM-DD" in f.message and value.split()[0] in f.message
    assert f.line == text.split("\n").index(f"published: {value}") + 1
    assert any(f.path == "content/gzdt/good.md" for f in r.findings)  # the other item was checked


def test_a_date_that_does_not_exist_in_corrections_is_a_finding_naming_the_field(site):
    text = with_extra("corrections:\n  - date: 2026-02-30\n    note: 更正了发布日期\n")
    site.write("content/gzdt/bad.md", text)
    r = site.check()
    bad = [f for f in r.findings if f.path == "content/gzdt/bad.md" and "2026-02-30" in f.message]
    assert bad and "corrections" in bad[0].message and "YYYY-MM-DD" in bad[0].message


def test_a_5001_digit_number_is_gk102_with_its_line():
    text = with_extra("extra: " + "9" * 5001 + "\n")
    item, findings = parse(text)
    (f,) = findings
    assert f.rule == "GK102" and "5001 位" in f.message and text.split("\n")[f.line - 1].startswith("extra: 999")


NESTINGS = {
    "flow sequences": lambda d: "k: " + "[" * d + "]" * d + "\n",
    "flow mappings": lambda d: "k: " + "{a: " * d + "1" + "}" * d + "\n",
    "compact block sequences": lambda d: "k:\n  " + "- " * d + "x\n",
    # indentation grows with the depth: 500 levels are 125,000 spaces, more would be GK101 (size)
    "indented block mappings": lambda d: "k:\n" + "".join(" " * i + f"a{i}:\n" for i in range(1, min(d, 500))) + " " * min(d, 500) + "x: 1\n",
}


@pytest.mark.parametrize("number", ["0x" + "f" * 5000, "0b" + "1" * 20000, "0" + "7" * 6000, "-" + "9" * 4400,
                                    "1_" + "0" * 5000])
def test_a_number_too_long_to_print_is_gk102_and_the_check_goes_on(site, number):
    """0x…, 0…(octal), 0b… convert at any length, but a message quoting one in decimal would raise."""
    site.write("content/gzdt/n.md", item_source().replace("attribute: 主动公开", f"attribute: {number}"))
    rc, out, err = site.cli("check", "--as-of", "2026-11-23")
    assert rc == 1 and "内部错误" not in out + err
    assert any(line.startswith("content/gzdt/n.md:9: GK102") and "过长" in line for line in out.split("\n"))


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ufffe"])
def test_a_control_character_in_front_matter_is_gk102_on_its_line(char):
    """NEL and the Unicode separators are line breaks to YAML and invisible to the editor:
    ``summary: 说明\u2028attribute: 主动公开`` would hide a field inside a value."""
    text = with_extra(f"summary: 说明{char}attribute: 主动公开\n", attribute=None)
    item, findings = parse(text)
    (f,) = findings
    assert item is None and f.rule == "GK102" and f"U+{ord(char):04X}" in f.message
    assert text.split("\n")[f.line - 1].startswith("summary: 说明")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 30_000])
@pytest.mark.parametrize("style", sorted(NESTINGS))
def test_deep_nesting_is_gk102_not_a_crash(depth, style):
    text = with_extra(NESTINGS[style](depth))
    item, findings = parse(text)
    assert item is None and [f.rule for f in findings] == ["GK102"] and "嵌套过深" in findings[0].message
    assert 1 <= findings[0].line <= text.count("\n")


def test_30000_deep_nesting_does_not_kill_the_process(tmp_path):
    """libyaml overflowed the C stack here (a segfault, not an exception): run it in a child."""
    code = ("from gkpublish.loader import parse_item\n"
            "d = 30000\n"
            "print(parse_item('content/x.md', ('---\\nk: ' + '{a: ' * d + '1' + '}' * d + '\\n---\\n').encode())[1][0].rule)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "GK102", out.stderr


def test_ordinary_nesting_is_read():
    item, findings = parse(with_extra("x:\n  - a:\n      b:\n        - [1, {c: [2]}]\n"))
    assert findings == [] and item.meta["x"][0]["a"]["b"][0][1]["c"] == [2]


def test_one_broken_item_does_not_stop_the_check(site):
    site.write("content/gzdt/deep.md", with_extra("k: " + "[" * 500 + "]" * 500 + "\n"))
    site.write("content/gzdt/num.md", with_extra("n: " + "1" * 5001 + "\n", index_no="SAMPLE001/2026-00003"))
    site.item("gzdt/good.md", index_no="SAMPLE001/2026-00002")
    rc, out, err = site.cli("check", "--as-of", "2026-11-23")
    assert rc == 1 and "内部错误" not in out + err
    assert "content/gzdt/deep.md:" in out and "content/gzdt/num.md:" in out and "content/gzdt/good.md:" in out


YAMLISH = st.lists(st.sampled_from(list("ab:-?[]{},'\"&*!|>#%@` \n\t12\\x9.e+") + ["2026-02-30", "\u00a0", "公开",
                                                                                      "9" * 5000, "<<", "!!binary", "\n  ",
                                                                                      "\x01", "\x85", "\u2028", "\x1b"]),
                   max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(fm=YAMLISH, deep=st.integers(0, 80))
def test_garbled_front_matter_never_raises(fm, deep):
    for text in (f"---\n{fm}\n---\n正文\n", f"---\nk: {'[' * deep}{fm}\n---\n", f"---\n{fm}"):
        item, findings = parse_item(PATH, text.encode("utf-8"))
        assert item is not None or findings
        assert all(f.rule in {"GK101", "GK102"} and (f.line is None or f.line >= 1) for f in findings)
        # each problem is caught where it arises, with its line, not by parse_item's last guard
        assert not any(f.message.startswith("前置元数据无法读取（") for f in findings), findings


FIELDS = ["published", "written", "attribute", "reviewers", "corrections", "source", "privacy", "attachments",
          "co_producers", "withdrawn", "abolished", "reason", "review_date", "doc_no", "title", "column",
          "drafter", "important", "validity", "lead", "keywords", "summary"]
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
              st.sampled_from(["2026-02-30", "2026-13-01", "2026-11-02", "", "主动公开", "转载", "个人隐私", "1" * 5000]),
              st.text(max_size=8)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["type", "date", "file", "ground",
                                                                                "basis", "unit", "touches", "forwarded",
                                                                                "opinion", "title", "organ"]),
                                                                inner, max_size=3),
    max_leaves=8)


def test_garbled_field_values_never_abort_the_check(tmp_path):
    """A batch of items, each with one field set to a generated value of any type, checked in
    one run: every item is reported or passes, and the check never fails as a whole."""
    import yaml

    from tests.conftest import Site

    site = Site(tmp_path / "site")
    written: list[str] = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(field=st.sampled_from(FIELDS), value=VALUES)
    def collect(field, value):
        n = len(written)
        text = item_source(index_no=f"SAMPLE001/2026-{n + 10:05d}")
        fm = yaml.safe_load(text.split("---\n")[1])
        fm[field] = value
        rel = f"content/gzdt/v{n}.md"
        site.write(rel, "---\n" + yaml.safe_dump(fm, allow_unicode=True, sort_keys=False) + "---\n\n正文。\n")
        written.append(rel)

    collect()
    rc, out, err = site.cli("check", "--as-of", "2026-11-23")
    assert rc in (0, 1) and "内部错误" not in out + err and "Traceback" not in err, err[-2000:]
    assert f"检查了 {len(written)} 个条目" in out


def test_privacy_touches_that_is_not_a_list_is_a_finding_not_an_abort(tmp_path):
    # found by the property above: `touches: 5` reached GK206's loop as an int
    import yaml

    from tests.conftest import Site

    site = Site(tmp_path / "site")
    fm = yaml.safe_load(item_source().split("---\n")[1])
    fm["privacy"] = {"touches": 5}
    site.write("content/gzdt/t.md", "---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n\n正文。\n")
    rc, out, err = site.cli("check", "--as-of", "2026-11-23")
    assert rc == 1 and "内部错误" not in out + err, err
    assert "content/gzdt/t.md:6: GK208" in out and "应为列表，现在是整数" in out
