"""GK605 (政府信息公开指南 up to date and complete) and GK606 (abolished 规范性文件)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import AS_OF


def guide_findings(site, as_of=AS_OF):
    return site.check(as_of).of("GK605")


# -- GK605 --------------------------------------------------------------------------------

def test_current_complete_guide_passes(site):
    assert guide_findings(site) == []


def test_guide_of_last_year_is_stale(site):
    guide = site.config_data("guide.yml")
    guide["year"] = 2025
    site.config("guide.yml", guide)
    (f,) = guide_findings(site)
    assert f.path == "site_config/guide.yml" and f.line == 1 and f.severity == "error"
    assert "2025" in f.message and "year: 2026" in f.message


def test_guide_is_stale_when_the_year_turns(site):
    assert guide_findings(site, dt.date(2027, 1, 5))[0].rule == "GK605"


@pytest.mark.parametrize("key", ["office", "address", "hours", "phone", "fax", "web", "application_form"])
def test_guide_missing_a_part(site, key):
    guide = site.config_data("guide.yml")
    del guide[key]
    site.config("guide.yml", guide)
    (f,) = guide_findings(site)
    assert f.rule == "GK605" and f"（{key}）" in f.message


def test_guide_without_year(site):
    guide = site.config_data("guide.yml")
    del guide["year"]
    site.config("guide.yml", guide)
    assert "未注明年份" in guide_findings(site)[0].message


def test_application_form_path_must_exist(site):
    guide = site.config_data("guide.yml")
    guide["application_form"] = "content/xxgkzn/申请表.docx"
    site.config("guide.yml", guide)
    (f,) = guide_findings(site)
    assert "不在 content/ 中" in f.message
    site.write("content/xxgkzn/申请表.docx", b"PK\x03\x04")
    assert guide_findings(site) == []


def test_application_form_must_be_a_document(site):
    guide = site.config_data("guide.yml")
    guide["application_form"] = "申请表.exe"
    site.config("guide.yml", guide)
    assert guide_findings(site)[0].rule == "GK605"


# -- GK606 --------------------------------------------------------------------------------

DOC = dict(column="zcwj", doc_no="江北府办发〔2021〕9号", written="2021-03-01", published="2021-03-05")
BASIS = "《关于废止部分规范性文件的决定》（江北府发〔2026〕9号）"


def gk606(site):
    return site.check().of("GK606")


def test_abolished_with_date_and_basis_passes(site):
    site.item("zcwj/a.md", "（此件公开发布）\n", validity="废止",
              abolished={"date": "2026-06-30", "basis": BASIS}, **DOC)
    assert gk606(site) == []


# The JSON Schema reports these two (x-rule GK606 on ``abolished`` and on the if/then).
def test_abolished_without_abolished_data(site):
    site.item("tzgg/a.md", validity="废止", column="tzgg")
    assert [f.rule for f in gk606(site)] == ["GK606"]


def test_abolished_without_basis(site):
    site.item("tzgg/a.md", validity="废止", column="tzgg", abolished={"date": "2026-06-30"})
    assert [f.rule for f in gk606(site)] == ["GK606"]


def test_abolished_document_without_abolished_data(site):
    site.item("zcwj/a.md", "（此件公开发布）\n", validity="废止", **DOC)
    site.item("zcwj/b.md", "（此件公开发布）\n", validity="废止", abolished={"date": "2026-06-30"},
              **{**DOC, "doc_no": "江北府办发〔2021〕10号", "index_no": "SAMPLE001/2021-00010"})
    assert [f.rule for f in gk606(site)] == ["GK606", "GK606"]


def test_abolition_data_on_a_valid_document(site):
    path = site.item("zcwj/a.md", "（此件公开发布）\n", validity="有效",
                     abolished={"date": "2026-06-30", "basis": BASIS}, **DOC)
    (f,) = gk606(site)
    assert "validity" in f.message and path.read_text("utf-8").splitlines()[f.line - 1].startswith("validity:")


def test_abolished_before_it_was_written(site):
    site.item("zcwj/a.md", "（此件公开发布）\n", validity="废止",
              abolished={"date": "2020-01-01", "basis": BASIS}, **DOC)
    (f,) = gk606(site)
    assert "早于成文日期" in f.message


def test_abolished_in_the_future(site):
    site.item("zcwj/a.md", "（此件公开发布）\n", validity="废止",
              abolished={"date": "2027-01-01", "basis": BASIS}, **DOC)
    (f,) = gk606(site)
    assert "晚于检查日期" in f.message
