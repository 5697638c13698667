"""Bad site_config/ and schema/ input never crashes or hangs (issue 8, class 8, config part).

A FIFO (opening it blocks forever), a dangling or any symlink, a date that does not exist,
a 5,001-digit number, 30,000-deep nesting: each is one Chinese line naming the file (and
the line where YAML knows it), exit 2.
"""

from __future__ import annotations

import os

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gkpublish.config import load_config, read_config_files
from gkpublish.errors import GkError
from tests.conftest import line_of, public_line


def refused(site, *names: str) -> str:
    rc, out, err = site.cli("check", "--as-of", "2026-11-23")
    assert rc == 2, out + err
    assert "内部错误" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for name in names:
        assert name in err, err
    return err


@pytest.mark.parametrize("top", ["site_config", "schema"])
def test_a_fifo_in_the_configuration_is_refused_not_waited_for(site, top):
    os.mkfifo(site.root / top / "pipe.yml")
    refused(site, f"{top}/pipe.yml", "不是普通文件")


@pytest.mark.parametrize("top", ["site_config", "schema"])
def test_a_dangling_symlink_in_the_configuration_is_refused(site, top):
    os.symlink(site.root / "nowhere.yml", site.root / top / "gone.yml")
    refused(site, f"{top}/gone.yml", "符号链接")


def test_a_symlink_to_a_file_outside_is_refused_not_followed(site, tmp_path):
    outside = tmp_path / "secret-roster.yml"
    outside.write_text("people: []\n", "utf-8")
    (site.root / "site_config" / "roster.yml").unlink()
    os.symlink(outside, site.root / "site_config" / "roster.yml")
    refused(site, "site_config/roster.yml", "符号链接")


def test_a_symlinked_folder_in_the_configuration_is_refused(site, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", site.root / "site_config" / "extra")
    refused(site, "site_config/extra", "符号链接")


def test_a_symlinked_mkdocs_yml_is_refused(site, tmp_path):
    (tmp_path / "other.yml").write_text("site_name: x\n", "utf-8")
    os.symlink(tmp_path / "other.yml", site.root / "mkdocs.yml")
    refused(site, "mkdocs.yml", "符号链接")


@pytest.mark.parametrize("bad, where", [("2026-02-30", "added"), ("2026-13-01", "revoked")])
def test_an_impossible_date_in_the_roster_names_file_and_line(site, bad, where):
    path = site.root / "site_config" / "roster.yml"
    dates = {"added": "2026-01-01", "revoked": "null", where: bad}
    person = (f"  - id: zhang-jb\n    name: 张经办\n    unit: gkk\n    steps: [经办人]\n    keys:\n"
              f"      - key: \"{public_line('zhang-jb')}\"\n        added: {dates['added']}\n"
              f"        revoked: {dates['revoked']}\n")
    text = path.read_text("utf-8")
    first = next(line for line in text.splitlines(keepends=True) if "id: zhang-jb" in line)
    path.write_text(text.replace(first, person), "utf-8")
    n = line_of(path, bad)
    err = refused(site, f"site_config/roster.yml:{n}:", bad)
    assert "日期" in err


def test_an_impossible_quoted_date_in_the_roster_names_the_person(site):
    path = site.root / "site_config" / "roster.yml"
    text = path.read_text("utf-8")
    first = next(line for line in text.splitlines(keepends=True) if "id: zhang-jb" in line)
    key = public_line("zhang-jb")
    path.write_text(text.replace(first, f'  - {{id: zhang-jb, name: 张经办, unit: gkk, steps: [经办人], '
                                        f'keys: [{{key: "{key}", added: "2026-02-30", revoked: null}}]}}\n'), "utf-8")
    err = refused(site, "site_config/roster.yml", "zhang-jb", "2026-02-30", "存在的日期")
    assert "启用日期（added）" in err


def test_a_huge_integer_names_file_and_line(site):
    data = site.config_data("columns.yml")
    site.config("columns.yml", data)
    path = site.root / "site_config" / "columns.yml"
    path.write_text(path.read_text("utf-8") + "huge: " + "9" * 5001 + "\n", "utf-8")
    n = len(path.read_text("utf-8").splitlines())
    refused(site, f"site_config/columns.yml:{n}:", "整数")


@pytest.mark.parametrize("depth", [500, 30000])
def test_deep_nesting_is_refused_not_a_crash(site, depth):
    path = site.root / "site_config" / "terms.yml"
    path.write_text("deep: " + "[" * depth + "]" * depth + "\n", "utf-8")
    refused(site, "site_config/terms.yml:1:", "嵌套超过")


def test_an_alias_flood_is_refused(site):
    lines = ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 80)]
    (site.root / "site_config" / "terms.yml").write_text("\n".join(lines) + "\n", "utf-8")
    refused(site, "site_config/terms.yml", "别名")


@pytest.mark.parametrize("name", ["roster.yml", "terms.yml", "columns.yml", "site.yml"])
@pytest.mark.parametrize("doc", ["&a [*a]", "x: &a [*a]", "x: &a {y: *a}", "x: &a [[1, *a]]"])
def test_a_value_that_contains_itself_is_refused_naming_the_line(site, name, doc):
    # found by Hypothesis: roster.yml `&a [*a]` recursed until RecursionError in the
    # roster's normaliser; every reader of a self-containing value would
    (site.root / "site_config" / name).write_text("\n" + doc + "\n", "utf-8")
    refused(site, f"site_config/{name}:2:", "引用了包含它自己的集合")


def test_an_alias_to_a_finished_collection_is_not_a_cycle():
    from gkpublish.config import load_yaml_text
    assert load_yaml_text("a: &s [1, {b: 2}]\nc: *s\nd: [*s, *s]\n", "terms.yml") == {
        "a": [1, {"b": 2}], "c": [1, {"b": 2}], "d": [[1, {"b": 2}], [1, {"b": 2}]]}


def test_deeply_nested_json_schema_is_refused(site):
    (site.root / "schema" / "deep.schema.json").write_text("[" * 100000 + "]" * 100000, "utf-8")
    refused(site, "schema/deep.schema.json")


def test_the_base_configuration_reads_unchanged(site):
    files = read_config_files(str(site.root))
    assert "site_config/roster.yml" in files and "schema/item.schema.json" in files
    assert "mkdocs.yml" not in files  # the fixture site has none: the default is used


# -- the property: generated bad values anywhere in a configuration file ----------------------

BAD_VALUES = st.one_of(
    st.tuples(st.integers(1900, 2100), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),  # mostly impossible dates, unquoted
    st.integers(4301, 6000).map(lambda n: "9" * n),  # longer than Python converts
    st.integers(1, 60).map(lambda n: "1" + "0" * n + ".5e" + "9" * n),
    st.integers(40, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(40, 3000).map(lambda n: "{a: " * n + "1" + "}" * n),
    st.sampled_from(["!ENV X", "!!python/name:os.system", "*nowhere", "&a [*a]", "'unclosed", "{", "- - -", "\t1"]),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["site.yml", "organisation.yml", "columns.yml", "review.yml", "roster.yml",
                             "guide.yml", "terms.yml", "sources.yml"]),
       at=st.floats(0, 1), value=BAD_VALUES, key=st.sampled_from(["added", "update_interval_days", "x", "year"]))
def test_any_bad_value_in_any_configuration_file_is_a_one_line_reason(site, name, at, value, key):
    """For every generated file: the configuration loads, or a GkError names that file;
    never another exception (a traceback, 内部错误) and never a hang."""
    files = read_config_files(str(site.root))
    rel = f"site_config/{name}"
    lines = files[rel].decode("utf-8").splitlines()
    n = int(at * len(lines))
    indent = ""
    if n < len(lines):
        indent = lines[n][:len(lines[n]) - len(lines[n].lstrip(" "))]
    lines.insert(n, f"{indent}{key}: {value}")
    files = {**files, rel: ("\n".join(lines) + "\n").encode("utf-8")}
    try:
        load_config(str(site.root), files)
    except GkError as exc:
        assert str(exc).startswith(rel) or rel in str(exc), str(exc)
        assert "\n" not in str(exc)



CONFIG_VALUES = st.one_of(
    st.integers(-10**30, 10**30), st.floats(allow_nan=True), st.text(max_size=30), st.booleans(), st.none(),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.dates().map(str),
    st.sampled_from(["{", "{serial:099d}", "{serial:099999999999d}", "{code}{code}", "%", "{0}", "{year!r}"]))
CONFIG_TARGETS = [
    ("site.yml", ("title",)), ("site.yml", ("url",)), ("site.yml", ("language",)),
    ("site.yml", ("index_no", "pattern")), ("site.yml", ("index_no",)), ("site.yml", ("mkdocs",)),
    ("guide.yml", ("year",)), ("guide.yml", ("office",)),
    ("columns.yml", ("columns", 0, "update_interval_days")), ("columns.yml", ("columns", 0, "id")),
    ("columns.yml", ("columns", 0, "parent")), ("columns.yml", ("columns", 0, "kind")),
    ("columns.yml", ("columns", 0, "defaults")), ("organisation.yml", ("organs", 0, "code")),
    ("organisation.yml", ("units", 0, "organ")), ("organisation.yml", ("units", 0, "id")),
    ("review.yml", ("policies",)), ("terms.yml", ("banned",)), ("domains.yml", ("allowed",)),
    ("sources.yml", ("approved",)), ("roster.yml", ("people", 0, "steps")), ("roster.yml", ("people", 0, "keys")),
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(CONFIG_TARGETS), value=CONFIG_VALUES)
@example(target=("organisation.yml", ("units", 0, "organ")), value="\r")  # a line break in the reason
@example(target=("organisation.yml", ("units", 0, "organ")), value="a\nb")
@example(target=("site.yml", ("url",)), value=None)  # no site address: relative links still resolve
@example(target=("site.yml", ("url",)), value="关于本站")
def test_any_value_of_any_configuration_key_is_checked_or_refused_never_a_crash(site, target, value):
    """For every generated value at a real key: ``gkpublish check`` ends with a finding
    (exit 1), passes, or gives a one-line reason (exit 2) — never 内部错误."""
    if not (site.root / "content" / "gzdt" / "a.md").exists():
        site.item("gzdt/a.md", drafter="zhang-jb")
    name, path = target
    file = site.root / "site_config" / name
    original = file.read_text("utf-8")
    data = yaml.safe_load(original) or {}
    node = data
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    file.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    try:
        rc, out, err = site.cli("check", "--as-of", "2026-11-23")
    finally:
        file.write_text(original, "utf-8")
    assert rc in (0, 1, 2) and "内部错误" not in err, (target, value, err)
    if rc == 2:
        assert len(err.strip().splitlines()) == 1 and "site_config/" in err, err
