"""GK104–GK107: 索引号 and 文号, columns, organs and units, attachments and links."""

from __future__ import annotations

import os

import pytest

from tests.conftest import line_of

OFFICE = "重庆市江北区人民政府办公室"  # code SAMPLE001 in the fixture organisation.yml
AUDIT = "重庆市綦江区审计局"  # code SAMPLE002; unit 局办公室


# -- GK104 索引号 / 文号 -----------------------------------------------------------------------

@pytest.fixture
def duplicate_index_no(site):
    site.item("gzdt/a.md")
    site.item("tzgg/b.md", column="tzgg")  # same default index_no SAMPLE001/2026-00001
    return site


def test_duplicate_index_no_fires_on_every_item_naming_the_other(duplicate_index_no):
    found = {f.path: f for f in duplicate_index_no.check().of("GK104")}
    assert set(found) == {"content/gzdt/a.md", "content/tzgg/b.md"}
    assert "content/tzgg/b.md" in found["content/gzdt/a.md"].message
    assert "content/gzdt/a.md" in found["content/tzgg/b.md"].message
    path = duplicate_index_no.root / "content/gzdt/a.md"
    assert found["content/gzdt/a.md"].line == line_of(path, "index_no:")


def test_unique_index_no_of_the_configured_pattern_passes(site):
    site.item("gzdt/a.md")
    site.item("gzdt/b.md", index_no="SAMPLE001/2026-00002")
    site.item("gzdt/c.md", index_no="SAMPLE002/2026-00001", publisher=AUDIT, department="局办公室")
    assert "GK104" not in site.check().ids


@pytest.mark.parametrize("index_no", ["2026-00001", "SAMPLE001/2026-1", "SAMPLE001-2026-00001", "SAMPLE001/2026-00001 "])
def test_malformed_index_no_fires_with_the_pattern(site, index_no):
    site.item("gzdt/bad.md", index_no=index_no)
    (f,) = site.check().of("GK104")
    assert "{code}/{year}-{serial:05d}" in f.message and "SAMPLE001/2026-00001" in f.message


def test_index_no_year_not_the_published_year_fires(site):
    site.item("gzdt/year.md", index_no="SAMPLE001/2025-00001")
    (f,) = site.check().of("GK104")
    assert "2025" in f.message and "发布日期" in f.message


def test_index_no_with_another_organs_code_fires(site):
    site.item("gzdt/code.md", index_no="SAMPLE002/2026-00001")
    (f,) = site.check().of("GK104")
    assert "SAMPLE001" in f.message and OFFICE in f.message


@pytest.fixture
def yyyymm_index_pattern(site):
    site.config("site.yml", {**site.config_data("site.yml"), "index_no": {"pattern": "{code}-{yyyymm}-{serial:04d}"}})
    return site


def test_yyyymm_pattern_passes_when_it_matches_the_published_month(yyyymm_index_pattern):
    yyyymm_index_pattern.item("gzdt/a.md", index_no="SAMPLE001-202611-0001")
    assert "GK104" not in yyyymm_index_pattern.check().ids


def test_yyyymm_pattern_fires_on_another_month(yyyymm_index_pattern):
    yyyymm_index_pattern.item("gzdt/a.md", index_no="SAMPLE001-202610-0001")
    (f,) = yyyymm_index_pattern.check().of("GK104")
    assert "202610" in f.message


def test_unsupported_index_placeholder_is_exit_2_naming_site_yml(site):
    site.config("site.yml", {**site.config_data("site.yml"), "index_no": {"pattern": "{organ}/{year}"}})
    site.item("gzdt/a.md")
    rc, _, err = site.cli("check")
    assert rc == 2 and err.count("\n") == 1 and "site_config/site.yml" in err and "{organ}" in err


def test_missing_index_no_is_reported_once_by_the_schema(site):
    site.item("gzdt/none.md", index_no=None)
    assert len(site.check().of("GK104")) == 1


@pytest.fixture
def reused_doc_no(site):
    site.item("zcwj/37.md", column="zcwj", doc_no="江北府办发〔2022〕37号", written="2026-10-30", validity="有效")
    site.item("zcwj/37b.md", column="zcwj", doc_no="江北府办发[2022]37号", written="2026-10-30", validity="有效",
              index_no="SAMPLE001/2026-00002")
    return site


def test_reused_doc_no_of_the_same_organ_fires_on_both(reused_doc_no):
    found = {f.path: f.message for f in reused_doc_no.check().of("GK104")}
    assert set(found) == {"content/zcwj/37.md", "content/zcwj/37b.md"}
    assert "content/zcwj/37b.md" in found["content/zcwj/37.md"]


def test_same_doc_no_of_different_organs_passes(site):
    site.item("zcwj/a.md", column="zcwj", doc_no="办发〔2022〕1号", written="2026-10-30", validity="有效")
    site.item("zcwj/b.md", column="zcwj", doc_no="办发〔2022〕1号", written="2026-10-30", validity="有效",
              publisher=AUDIT, department="局办公室", index_no="SAMPLE002/2026-00001")
    assert "GK104" not in site.check().ids


# -- GK105 栏目 --------------------------------------------------------------------------------

def test_undefined_column_fires_and_suggests_the_closest(site):
    path = site.item("gzdt/a.md", column="gzdtt")
    (f,) = site.check().of("GK105")
    assert "gzdtt" in f.message and "gzdt" in f.message.split("gzdtt")[-1]
    assert f.line == line_of(path, "column:")


def test_column_given_by_its_chinese_name_fires_with_the_id(site):
    site.item("gzdt/a.md", column="工作动态")
    (f,) = site.check().of("GK105")
    assert "gzdt" in f.message


def test_defined_column_passes(site):
    site.item("gzdt/a.md", column="gzdt")
    assert "GK105" not in site.check().ids


# -- GK106 发布机构 / 主办科室 / 共同制作单位 ----------------------------------------------------

def test_undefined_publisher_fires_and_suggests(site):
    path = site.item("gzdt/a.md", publisher="重庆市江北区人民政府办公厅")
    (f,) = site.check().of("GK106")
    assert f.line == line_of(path, "publisher:") and OFFICE in f.message


def test_department_of_another_organ_fires(site):
    site.item("gzdt/a.md", department="局办公室")
    (f,) = site.check().of("GK106")
    assert AUDIT in f.message and "谁主管谁审批" in f.message


def test_undefined_department_fires(site):
    path = site.item("gzdt/a.md", department="宣传科")
    (f,) = site.check().of("GK106")
    assert f.line == line_of(path, "department:")


def test_undefined_co_producer_fires_on_its_line(site):
    path = site.item("gzdt/a.md", lead=OFFICE, co_producers=[{"unit": AUDIT, "opinion": "同意公开"},
                                                              {"unit": "区财政局", "opinion": "同意公开"}])
    (f,) = site.check().of("GK106")
    assert "区财政局" in f.message and f.line == line_of(path, "区财政局")


def test_defined_publisher_department_and_co_producers_pass(site):
    site.item("gzdt/a.md", lead=OFFICE, co_producers=[{"unit": AUDIT, "opinion": "同意公开"},
                                                      {"unit": "综合科", "opinion": "同意公开"}])
    assert "GK106" not in site.check().ids


# -- GK107 附件与链接 ---------------------------------------------------------------------------

ATTACHMENT = [{"file": "2026-1/附件1.pdf", "title": "附件1"}]


def test_attachment_missing_fires_on_its_line(site):
    path = site.item("tzgg/a.md", column="tzgg", attachments=ATTACHMENT)
    (f,) = site.check().of("GK107")
    assert "content/tzgg/2026-1/附件1.pdf" in f.message and f.line == line_of(path, "附件1.pdf")


def test_attachment_present_and_linked_passes(site):
    site.write("content/tzgg/2026-1/附件1.pdf", b"%PDF-1.4\n")
    site.write("content/tzgg/2026-1/附件 2.docx", b"PK")
    site.item("tzgg/prev.md", column="tzgg", index_no="SAMPLE001/2026-00002")
    site.item("tzgg/a.md", column="tzgg", attachments=ATTACHMENT,
              body="详见[附件1](2026-1/附件1.pdf)、[附件2](2026-1/附件%202.docx)，另见[上一期](prev.md#正文)、"
                   "[中国政府网](https://www.gov.cn/)、[本栏目](./)和[联系我们](mailto:gkk@example.gov.cn)。\n")
    assert "GK107" not in site.check().ids


@pytest.fixture
def attachment_outside_content(site):
    site.write("records/申请登记.xlsx", b"PK")
    return site.item("tzgg/a.md", column="tzgg", attachments=[{"file": "../../records/申请登记.xlsx"}])


def test_attachment_outside_content_fires(site, attachment_outside_content):
    (f,) = site.check().of("GK107")
    assert "content/ 之外" in f.message


@pytest.mark.parametrize("target", ["/etc/passwd", "file:///C:/公文/a.docx", "C:\\公文\\a.docx", "../../approvals/x.json"])
def test_link_leaving_content_fires(site, target):
    path = site.item("gzdt/a.md", body=f"第一段。\n\n见[附件]({target})。\n")
    (f,) = site.check().of("GK107")
    assert f.line == line_of(path, "见[附件]")


def test_link_to_missing_item_fires(site):
    site.item("gzdt/a.md", body="另见[上一期](2026-0.md)。\n")
    (f,) = site.check().of("GK107")
    assert "条目" in f.message and "content/gzdt/2026-0.md" in f.message


def test_missing_image_and_html_src_fire(site):
    site.item("gzdt/a.md", body='![现场照片](img/1.jpg)\n\n<img src="img/2.jpg">\n\n[图]: img/3.jpg\n')
    assert len(site.check().of("GK107")) == 3


def test_links_in_code_are_not_checked(site):
    site.item("gzdt/a.md", body="写法示例：`[附件](附件.pdf)`\n\n```\n![](../../x.png)\n```\n")
    assert "GK107" not in site.check().ids


@pytest.fixture
def attachment_symlink_outside_content(site, tmp_path):
    secret = tmp_path / "outside" / "内部.pdf"
    secret.parent.mkdir()
    secret.write_bytes(b"%PDF secret")
    (site.root / "content" / "tzgg").mkdir(parents=True)
    os.symlink(secret, site.root / "content" / "tzgg" / "附件.pdf")
    site.item("tzgg/a.md", column="tzgg", attachments=[{"file": "附件.pdf"}])
    return site


def test_attachment_symlink_outside_content_fires_on_link_and_item(attachment_symlink_outside_content):
    found = {f.path: f for f in attachment_symlink_outside_content.check().of("GK107")}
    assert set(found) == {"content/tzgg/附件.pdf", "content/tzgg/a.md"}
    assert "符号链接" in found["content/tzgg/a.md"].message


# -- a public page must not link to an unpublished item --------------------------------------
def test_public_item_linking_to_unpublished_item(site):
    """public_links_to_withheld_item: the address would name the withheld item on the site."""
    site.item("zcwj/MARKERXYZ-withheld.md", attribute="依申请公开", review_date="2027-06-01",
              index_no="SAMPLE001/2026-00009", column="gzdt")
    path = site.item("gzdt/public.md", body="相关文件见[此处](../zcwj/MARKERXYZ-withheld.md)。\n")
    found = [f for f in site.check().of("GK107") if f.path == "content/gzdt/public.md"]
    assert len(found) == 1 and "未公开的条目" in found[0].message
    assert path.read_text("utf-8").splitlines()[found[0].line - 1].startswith("相关文件见")


def test_public_item_linking_to_public_item_is_fine(site):
    site.item("gzdt/other.md", index_no="SAMPLE001/2026-00009")
    site.item("gzdt/public.md", body="另见[上一期](other.md)。\n")
    assert not [f for f in site.check().of("GK107") if f.path == "content/gzdt/public.md"]


def test_public_view_unlinks_an_unpublished_item_even_without_the_gate(site):
    from gkpublish.public import public_view, secrets_of

    site.item("zcwj/MARKERXYZ-withheld.md", attribute="不予公开", review_date="2027-06-01",
              reason={"ground": "内部事务信息", "basis": "条例第十六条 内部工作流程"},
              index_no="SAMPLE001/2026-00009", column="gzdt")
    site.item("gzdt/public.md", body="见[此处](../zcwj/MARKERXYZ-withheld.md)和[那里](<../zcwj/MARKERXYZ-withheld.md>)。\n")
    repo = site.load()
    view = public_view(repo)  # no findings passed: the gate bypassed
    (pub,) = view.items
    assert "MARKERXYZ" not in pub.body and "此处" in pub.body and "那里" in pub.body
    assert ("content/zcwj/MARKERXYZ-withheld.md", "zcwj/MARKERXYZ-withheld/") in secrets_of(repo)
