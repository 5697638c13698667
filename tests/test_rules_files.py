"""GK101–GK103: the file is UTF-8 text with front matter of the schema's shape."""

from __future__ import annotations

from tests.conftest import item_source, line_of


def test_utf8_item_passes_gk101_and_gk102(site):
    site.item("gzdt/a.md")
    assert not site.check().ids & {"GK101", "GK102"}


def test_gbk_item_fires_gk101(site):
    site.write("content/gzdt/gbk.md", item_source().encode("gbk"))
    (f,) = site.check().of("GK101")
    assert f.path == "content/gzdt/gbk.md" and "GBK" in f.message and "iconv" in f.message


def test_item_without_front_matter_fires_gk102(site):
    site.write("content/gzdt/plain.md", "# 会议纪要\n\n正文。\n")
    (f,) = site.check().of("GK102")
    assert f.line == 1 and "---" in f.message


def test_unclosed_front_matter_fires_gk102(site):
    site.write("content/gzdt/open.md", "---\ntitle: 会议\n\n正文。\n")
    (f,) = site.check().of("GK102")
    assert "没有结束" in f.message


def test_schema_conforming_front_matter_passes_gk103(site):
    site.item("zcwj/37.md", column="zcwj", doc_no="江北府办发〔2026〕37号", written="2026-10-30", validity="有效")
    assert "GK103" not in site.check().ids


def test_front_matter_of_the_wrong_type_fires_gk103_on_its_line(site):
    path = site.item("gzdt/a.md", important="是")
    (f,) = site.check().of("GK103")
    assert f.line == line_of(path, "important:") and "重要信息（important）" in f.message


def test_document_column_requires_doc_no_gk103(site):
    site.item("zcwj/37.md", column="zcwj", written="2026-10-30", validity="有效")
    (f,) = site.check().of("GK103")
    assert "doc_no" in f.message
