"""The core: loading, schema routing to rule IDs, output formats and exit codes."""

import json

from tests.conftest import AS_OF


def test_valid_item_has_no_core_findings(site):
    site.item("gzdt/ok.md")
    r = site.check()
    assert not r.ids & {"GK101", "GK102", "GK103"}


def test_unknown_key_is_gk103_on_its_line(site):
    path = site.item("gzdt/typo.md", atribute="主动公开")
    f = site.check().of("GK103")
    assert len(f) == 1 and "atribute" in f[0].message and "attribute" in f[0].message
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[f[0].line - 1].startswith("atribute:")  # the misspelt key's own line


def test_schema_violation_covered_by_a_rule_carries_that_rule(site):
    site.item("gzdt/reprint.md", source={"type": "转载"})
    r = site.check()
    assert "GK401" in r.ids and not r.of("GK103")


def test_bad_date_names_field_in_chinese_and_key(site):
    site.item("gzdt/date.md", published="2026年1月1日")
    (f,) = site.check().of("GK103")
    assert "发布日期（published）" in f.message


def test_json_output_matches_contract(site):
    site.item("gzdt/a.md", attribute="随便")
    rc, out, err = site.cli("check", "--format", "json", "--as-of", AS_OF.isoformat())
    doc = json.loads(out)
    assert rc == 1 and doc["version"] == 1 and doc["ok"] is False
    assert set(doc["summary"]) == {"items", "errors", "warnings"}
    f = next(f for f in doc["findings"] if f["rule"] == "GK201")
    assert set(f) >= {"rule", "severity", "path", "line", "message"}
    assert f["path"] == "content/gzdt/a.md" and f["severity"] == "error"


def test_github_format_annotates_file_and_line(site):
    site.item("gzdt/a.md", attribute="随便")
    rc, out, _ = site.cli("check", "--format", "github")
    assert rc == 1
    assert any(line.startswith("::error file=content/gzdt/a.md,line=") and "GK201" in line
               for line in out.splitlines())


def test_paths_narrow_the_report(site):
    site.item("gzdt/a.md", attribute="随便")
    site.item("tzgg/b.md", column="tzgg", attribute="随便", index_no="SAMPLE001/2026-00002")
    rc, out, _ = site.cli("check", "--format", "json", "content/tzgg")
    paths = {f["path"] for f in json.loads(out)["findings"]}
    assert paths == {"content/tzgg/b.md"}


def test_bad_argument_is_exit_2_one_line(site):
    rc, out, err = site.cli("check", "--format", "xml")
    assert rc == 2 and err.count("\n") == 1 and "参数错误" in err and "Traceback" not in err


def test_text_output_is_path_line_id_message_and_summary(site):
    site.item("gzdt/a.md", attribute="随便")
    rc, out, _ = site.cli("check")
    assert rc == 1
    assert any(line.startswith("content/gzdt/a.md:") and " GK201 " in line for line in out.splitlines())
    assert out.rstrip().splitlines()[-1].startswith("检查了 1 个条目")


def test_missing_attribute_reports_gk201_not_gk103(site):
    site.item("gzdt/a.md", attribute=None)
    r = site.check()
    assert "GK201" in r.ids and not any("attribute" in f.message for f in r.of("GK103"))


def test_unquoted_numeric_organ_code_is_refused_not_silently_changed(site):
    data = site.config_data("organisation.yml")
    data["organs"][0]["code"] = 14349  # what YAML makes of an unquoted 000014349 (octal) or 14349
    site.config("organisation.yml", data)
    site.item("gzdt/a.md")
    rc, out, err = site.cli("check")
    assert rc == 2 and "organisation.yml" in err and "引号" in err


def test_document_kind_routes_through_its_ref_to_the_named_rule(site):
    """document.schema.json $refs item.schema.json: x-rule routing must survive the $ref."""
    site.item("zcwj/a.md", column="zcwj", doc_no="江北府办发〔2026〕1号", written="2026-11-01", validity="有效",
              attribute="不予公开", reason={"ground": "随便", "basis": "说明"}, review_date="2027-06-01")
    r = site.check()
    assert r.of("GK202") and not r.of("GK103")
