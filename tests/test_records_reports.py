"""The office's records: report requests, the 台账 (ledger) and the 审签表 (review form);
applicant names and contacts planted in the register appear in none of their outputs."""

from __future__ import annotations

import datetime as dt
import json

import yaml
from openpyxl import load_workbook

from tests.test_annual_report import annual_files

NAME, CONTACT = "隐私姓名标记甲子", "隐私联系标记乙丑"


def planted_register(site) -> None:
    for n, (received, answered) in enumerate((("2026-11-02", None), ("2026-10-08", "2026-10-20"),
                                               ("2026-09-01", None)), 1):
        data = {"id": f"2026-{n:04d}", "received": received,
                "applicant": {"type": "自然人", "name": f"{NAME}{n}", "contact": f"{CONTACT}{n}"}, "request": "某信息"}
        if answered:
            data.update(answered=answered, outcome="予以公开")
        site.write(f"records/requests/2026-{n:04d}.yml", yaml.safe_dump(data, allow_unicode=True))


def test_report_requests_json_lists_open_applications_with_due_and_overdue(site):
    planted_register(site)
    rc, out, err = site.cli("report", "requests", "--as-of", "2026-11-23", "--format", "json")
    assert rc == 0, err
    data = json.loads(out)
    assert data["version"] == 1 and data["as_of"] == "2026-11-23"
    by_id = {r["id"]: r for r in data["requests"]}
    assert set(by_id) == {"2026-0001", "2026-0003"}  # 2026-0002 is answered
    assert by_id["2026-0001"]["due"] == "2026-11-30" and not by_id["2026-0001"]["overdue"]
    assert by_id["2026-0001"]["workdays_left"] == 5 and by_id["2026-0001"]["status"] == "期限将至"
    assert by_id["2026-0003"]["overdue"] and by_id["2026-0003"]["due"] == "2026-09-29"


def test_report_requests_text_says_what_is_overdue(site):
    planted_register(site)
    rc, out, _ = site.cli("report", "requests", "--as-of", "2026-11-23")
    assert rc == 0 and "已逾期" in out and "2026-0003" in out


def test_report_without_a_subcommand_is_exit_2(site):
    rc, _, err = site.cli("report")
    assert rc == 2 and "gkpublish report columns" in err and "requests" in err


def test_ledger_xlsx_has_frozen_header_filters_dates_and_chinese_widths(site):
    site.item("gzdt/a.md", published="2026-11-02", written="2026-10-30", drafter="zhang-jb")
    site.item("gzdt/b.md", title="依申请公开的条目", attribute="依申请公开", index_no="SAMPLE001/2026-00002",
              review_date="2027-06-30")
    site.item("gzdt/c.md", title="已撤回的条目", index_no="SAMPLE001/2026-00003", published="2025-05-01",
              withdrawn={"date": "2026-01-05", "reason": "内容已过时"}, drafter="zhang-jb")
    site.sign_all()
    out = site.root / "台账.xlsx"
    rc, _, err = site.cli("report", "ledger", "--out", str(out))
    assert rc == 0, err
    ws = load_workbook(out).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:N3"
    assert [c.value for c in ws[1]][:3] == ["索引号", "标题", "栏目"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"区政府办公室召开政务公开工作推进会（示例）", "已撤回的条目"}  # 依申请公开 never
    a = rows["区政府办公室召开政务公开工作推进会（示例）"]
    assert a[8] == dt.datetime(2026, 11, 2)  # a date cell, not text
    assert all(ws.cell(r, 9).number_format == "yyyy-mm-dd" for r in (2, 3))
    assert "科室负责人" in a[10] and "同意" in a[10] and len(a[11]) == 64
    assert rows["已撤回的条目"][13].startswith("2026-01-05")
    assert ws.column_dimensions["B"].width >= 2 * len("区政府办公室召开政务公开工作推进会（示例）")
    # printed for the archive: A4 landscape, one page wide, the header row repeated, and rows tall
    # enough for their wrapped sign-off lines (else they print on top of each other)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
    signoffs = rows["区政府办公室召开政务公开工作推进会（示例）"][10].count("\n") + 1
    assert signoffs >= 3 and ws.row_dimensions[2].height >= 15 * signoffs


def test_ledger_year_filter_and_csv(site):
    site.item("gzdt/a.md", published="2026-11-02", drafter="zhang-jb")
    site.item("gzdt/c.md", index_no="SAMPLE001/2025-00003", published="2025-05-01")
    out = site.root / "t.csv"
    rc, _, err = site.cli("report", "ledger", "--out", str(out), "--year", "2025")
    assert rc == 0, err
    text = out.read_bytes().decode("utf-8-sig")
    assert "SAMPLE001/2025-00003" in text and "SAMPLE001/2026-00001" not in text


def test_review_form_shows_hashes_signers_and_verification(site):
    path = site.item("gzdt/a.md", published="2026-11-02", drafter="zhang-jb")
    site.sign_all()
    site.approve("gzdt/a.md", "分管领导", "liu-fg", key="sun-zy", comment="用别人的密钥签的")  # forged
    rc, _, err = site.cli("report", "form", "content/gzdt/a.md", "--out", "forms", "--no-pdf")
    assert rc == 0, err
    assert not list((site.root / "forms").glob("*.pdf"))
    html = (site.root / "forms" / "SAMPLE001_2026-00001.html").read_text("utf-8")
    import hashlib

    assert hashlib.sha256(path.read_bytes()).hexdigest() in html
    assert "@page" in html and "A4" in html
    assert "签名有效" in html and "签名无效" in html and "用别人的密钥签的" in html


def test_review_form_of_something_that_is_not_an_item_is_exit_2(site):
    rc, _, err = site.cli("report", "form", "nothing.md", "--out", "forms")
    assert rc == 2 and "不是站点中的条目" in err


def test_applicant_data_is_in_no_report_output(site):
    """Markers planted as applicant names and contacts: none appears in check, report
    requests, the ledger, the annual report or a review form."""
    planted_register(site)
    site.item("gzdt/a.md", published="2026-11-02", drafter="zhang-jb")
    site.sign_all()
    annual_files(site, year=2026)
    outputs = []
    for args in (("check", "--as-of", "2026-11-23"), ("check", "--as-of", "2026-11-23", "--format", "json"),
                 ("report", "requests", "--as-of", "2026-11-23"),
                 ("report", "requests", "--as-of", "2026-11-23", "--format", "json"),
                 ("report", "ledger", "--out", "l.csv"), ("report", "ledger", "--out", "l.xlsx"),
                 ("report", "annual", "--year", "2026", "--out", "a.md"),
                 ("report", "annual", "--year", "2026", "--out", "a.html", "--format", "html"),
                 ("report", "annual", "--year", "2026", "--out", "a.json", "--format", "json"),
                 ("report", "form", "content/gzdt/a.md", "--out", "forms")):
        rc, out, err = site.cli(*args)
        assert rc in (0, 1), (args, err)
        outputs.append(out + err)
    for f in ("l.csv", "a.md", "a.html", "a.json"):
        outputs.append((site.root / f).read_text("utf-8-sig"))
    wb = load_workbook(site.root / "l.xlsx")
    outputs.append(" ".join(str(v) for row in wb.active.iter_rows(values_only=True) for v in row))
    outputs += [p.read_text("utf-8") for p in (site.root / "forms").glob("*.html")]
    text = "\n".join(outputs)
    assert NAME not in text and CONTACT not in text


def test_assessment_counts_per_department(site):
    site.item("gzdt/a.md", published="2026-11-02", written="2026-10-30", drafter="zhang-jb")
    site.item("gzdt/b.md", index_no="SAMPLE001/2026-00002", published="2026-11-02", written="2026-09-01",
              drafter="zhang-jb", corrections=[{"date": "2026-11-05", "note": "更正联系电话"}])
    site.write("records/requests/2026-0001.yml", yaml.safe_dump({
        "id": "2026-0001", "received": "2026-03-02", "department": "政务公开科", "answered": "2026-04-30",
        "outcome": "予以公开", "applicant": {"type": "自然人", "name": NAME}, "request": "x"}, allow_unicode=True))
    rc, out, err = site.cli("report", "assessment", "--year", "2026", "--format", "json")
    assert rc == 0, err
    u = json.loads(out)["departments"]["政务公开科"]
    assert u["published"] == 2 and u["late"] == 1 and u["corrected"] == 1
    assert u["median_days"] == (3 + 62) / 2
    assert u["requests_answered"] == 1 and u["requests_on_time"] == 0  # due 2026-03-30
    assert NAME not in out


def test_review_form_as_pdf_is_one_a4_page(site):
    import pytest

    weasyprint = pytest.importorskip("weasyprint")
    site.item("gzdt/a.md", published="2026-11-02", drafter="zhang-jb")
    site.sign_all()
    rc, _, err = site.cli("report", "form", "content/gzdt/a.md", "--out", "forms")  # PDF by default
    assert rc == 0, err
    pdf = (site.root / "forms" / "SAMPLE001_2026-00001.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    html = (site.root / "forms" / "SAMPLE001_2026-00001.html").read_text("utf-8")
    pages = weasyprint.HTML(string=html).render().pages
    # A4 (210 × 297 mm at 96 px per inch), as the print CSS asks; one sheet for one item
    assert len(pages) == 1 and round(pages[0].width * 25.4 / 96) == 210 and round(pages[0].height * 25.4 / 96) == 297


def test_review_form_keeps_records_of_earlier_content_marked_as_such(site):
    path = site.item("gzdt/a.md", published="2026-11-02", drafter="zhang-jb")
    site.sign_all()
    path.write_text(path.read_text("utf-8") + "\n补充一句。\n", encoding="utf-8")
    rc, _, err = site.cli("report", "form", "content/gzdt/a.md", "--out", "forms")
    assert rc == 0, err
    html = (site.root / "forms" / "SAMPLE001_2026-00001.html").read_text("utf-8")
    assert "审核的是旧内容" in html and "尚缺" in html


def test_without_weasyprint_the_form_is_html_only_unless_pdf_is_required(site, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if not installed
    site.item("gzdt/a.md", published="2026-11-02", drafter="zhang-jb")
    rc, _, err = site.cli("report", "form", "content/gzdt/a.md", "--out", "forms")
    assert rc == 0 and "只生成了 HTML" in err and not list((site.root / "forms").glob("*.pdf"))
    rc, _, err = site.cli("report", "form", "content/gzdt/a.md", "--out", "forms", "--pdf")
    assert rc == 2 and "gkpublish[pdf]" in err
