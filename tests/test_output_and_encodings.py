"""Smaller fail-closed cases of issue #8, class 10: a file name cannot forge output lines, and
a wide Unicode encoding is named as what it is."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.model import Finding
from gkpublish.output import as_github, as_json, as_text, one_line
from gkpublish.textio import decode_item
from tests.conftest import item_source

FORGED = "content/gzdt/a\n::error file=content/x.md,line=1::伪造的错误\n.md"


def test_a_file_name_with_a_newline_cannot_add_a_line_to_the_text_output(site):
    site.write(FORGED, item_source())
    rc, out, _ = site.cli("check", "--as-of", "2026-11-23")
    assert rc == 1
    assert not any(line.startswith("::") for line in out.split("\n"))
    assert "content/gzdt/a\\n::error file=content/x.md,line=1::伪造的错误\\n.md:" in out


def test_a_file_name_with_a_newline_cannot_add_a_workflow_command(site):
    site.write(FORGED, item_source())
    rc, out, _ = site.cli("check", "--as-of", "2026-11-23", "--format", "github")
    lines = out.split("\n")
    assert not any("伪造的错误" in line and line.startswith("::error file=content/x.md") for line in lines)
    assert any("file=content/gzdt/a%0A%3A%3Aerror file=content/x.md%2Cline=1%3A%3A伪造的错误%0A.md," in line
               for line in lines)


def test_the_json_output_keeps_the_file_name_exactly(site):
    site.write(FORGED, item_source())
    rc, out, _ = site.cli("check", "--as-of", "2026-11-23", "--format", "json")
    assert FORGED in {f["path"] for f in json.loads(out)["findings"]}


def test_control_and_bidi_characters_are_spelt_out():
    assert one_line("a\rb\x1b[31mc\u202ed\u2028e\tf") == "a\\rb\\u001b[31mc\\u202ed\\u2028e\\tf"
    assert one_line("普通的路径/文件.md") == "普通的路径/文件.md"


@settings(max_examples=200, deadline=None)
@given(path=st.text(min_size=1, max_size=40), message=st.text(max_size=40))
def test_every_finding_is_one_line_in_text_and_github_output(path, message):
    findings = [Finding(path, 3, "GK101", "error", message)]
    text = as_text(findings, 1)
    assert len(text.split("\n")) == 3  # the finding, a blank line, the summary
    github = as_github(findings, 1)
    assert len(github.split("\n")) == 2 and github.startswith("::error file=")
    assert json.loads(as_json(findings, 1))["findings"][0]["path"] == path


TEXT = "---\ntitle: 关于政务公开的通知\nattribute: 主动公开\n---\n正文。\n"


@pytest.mark.parametrize("codec, named", [
    ("utf-32", "UTF-32LE，带 BOM"), ("utf-32-le", "UTF-32LE，没有 BOM"), ("utf-32-be", "UTF-32BE，没有 BOM"),
    ("utf-16", "UTF-16LE，带 BOM"), ("utf-16-le", "UTF-16LE，没有 BOM"), ("utf-16-be", "UTF-16BE，没有 BOM"),
])
def test_wide_encodings_are_named_as_they_are(codec, named):
    d = decode_item(TEXT.encode(codec))
    assert d.text is None and named in d.problem and "iconv" in d.problem


def test_utf_32_big_endian_with_bom_is_utf_32(site):
    site.write("content/gzdt/wide.md", b"\x00\x00\xfe\xff" + TEXT.encode("utf-32-be"))
    (f,) = site.check().of("GK101")
    assert "UTF-32BE，带 BOM" in f.message and "iconv -f UTF-32 -t UTF-8" in f.message


def test_a_binary_file_is_still_binary():
    d = decode_item(b"PK\x03\x04\x14\x00\x06\x00word/document.xml")
    assert d.text is None and "NUL" in d.problem
