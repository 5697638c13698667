"""GK201–GK209: 公开属性 (附件1 公开属性源头认定制度; 綦江 第六条).

One scenario per test, named after what it shows. Other families (sign-offs, privacy)
add their own findings to the same fixtures, so each test asserts only the IDs of this
family.
"""

import json

import pytest

DOCUMENT = {"column": "zcwj", "doc_no": "江北府办发〔2022〕37号", "written": "2026-10-30", "validity": "有效"}
WITHHELD = {"attribute": "不予公开", "review_date": "2027-06-30",
            "reason": {"ground": "内部事务信息", "basis": "属于人事管理方面的内部事务信息（条例第十六条）"}}
BLOCK = '::: 不公开 理由="个人隐私（条例第十五条）"\n申请人张某，住址某路某号。\n:::\n'


def document(site, rel="zcwj/37.md", body="正文。\n\n（此件公开发布）\n", **meta):
    return site.item(rel, body=body, **{**DOCUMENT, **meta})


# -- GK201 ---------------------------------------------------------------------------------

def test_proactive_item_has_valid_attribute(site):
    site.item("gzdt/ok.md")
    assert "GK201" not in site.check().ids


@pytest.mark.parametrize("value", [None, "不公开", "公开"], ids=["missing", "qijiang_word", "unknown"])
def test_item_without_valid_attribute(site, value):
    site.item("gzdt/a.md", attribute=value)  # None drops the field
    r = site.check()
    assert len(r.of("GK201")) == 1 and not r.of("GK103")


def test_site_schema_loosened_still_requires_attribute(site):
    schema = json.loads((site.root / "schema" / "item.schema.json").read_text(encoding="utf-8"))
    schema["required"].remove("attribute")
    schema["properties"]["attribute"] = {"title": "公开属性", "type": "string"}
    site.write("schema/item.schema.json", json.dumps(schema, ensure_ascii=False))
    site.item("gzdt/a.md", attribute="随便")
    site.item("gzdt/b.md", attribute=None, index_no="SAMPLE001/2026-00002")
    site.item("gzdt/c.md", index_no="SAMPLE001/2026-00003")
    assert {f.path for f in site.check().of("GK201")} == {"content/gzdt/a.md", "content/gzdt/b.md"}


# -- GK202 ---------------------------------------------------------------------------------

def test_withheld_with_reason_naming_ground(site):
    site.item("gzdt/w.md", **WITHHELD)
    assert "GK202" not in site.check().ids


def test_withheld_without_reason(site):
    site.item("gzdt/w.md", attribute="不予公开", review_date="2027-06-30")
    assert len(site.check().of("GK202")) == 1


def test_withheld_reason_with_unknown_ground(site):
    site.item("gzdt/w.md", **{**WITHHELD, "reason": {"ground": "领导要求", "basis": "暂不公开"}})
    assert site.check().of("GK202")


def test_withheld_basis_cites_another_article_than_its_ground(site):
    site.item("gzdt/w.md", **{**WITHHELD, "reason": {"ground": "个人隐私", "basis": "依据条例第十六条不予公开"}})
    (f,) = site.check().of("GK202")
    assert "第十五条" in f.message and "第十六条" in f.message


def test_partial_block_reason_naming_ground_or_article_word(site):
    body = ("公开部分。\n\n" + BLOCK + '\n::: 不公开 理由="人事管理（条例第16条）"\n任免名单。\n:::\n'
            '\n::: 依申请公开 理由="法律、行政法规禁止公开"\n某内容。\n:::\n')
    site.item("gzdt/p.md", body=body, attribute="部分公开")
    assert "GK202" not in site.check().ids


def test_partial_block_reason_without_ground(site):
    path = site.item("gzdt/p.md", body='公开部分。\n\n::: 不公开 理由="领导要求"\n某内容。\n:::\n',
                     attribute="部分公开")
    (f,) = site.check().of("GK202")
    assert path.read_text(encoding="utf-8").splitlines()[f.line - 1].startswith("::: 不公开")
    assert "领导要求" in f.message


def test_partial_block_reason_with_article_but_no_ground(site):
    site.item("gzdt/p.md", body='公开。\n\n::: 不公开 理由="条例第十四条"\n某内容。\n:::\n', attribute="部分公开")
    assert site.check().of("GK202")


def test_partial_block_reason_ground_contradicts_article(site):
    site.item("gzdt/p.md", body='公开。\n\n::: 不公开 理由="个人隐私（条例第十四条）"\n某内容。\n:::\n',
              attribute="部分公开")
    assert site.check().of("GK202")


# -- GK203 ---------------------------------------------------------------------------------

def test_document_note_agrees_with_attribute(site):
    document(site)
    assert "GK203" not in site.check().ids


def test_partial_document_may_say_published_or_partly_public(site):
    document(site, "zcwj/a.md", body="正文。\n\n" + BLOCK + "\n（此件公开发布）\n", attribute="部分公开")
    document(site, "zcwj/b.md", body="正文。\n\n" + BLOCK + "\n（此件部分公开）\n", attribute="部分公开",
             doc_no="江北府办发〔2022〕38号", index_no="SAMPLE001/2026-00002")
    assert "GK203" not in site.check().ids


def test_document_note_disagrees_with_attribute(site):
    path = document(site, body="正文。\n\n（此件公开发布）\n", **WITHHELD)
    (f,) = site.check().of("GK203")
    assert f.severity == "error" and path.read_text(encoding="utf-8").splitlines()[f.line - 1] == "（此件公开发布）"


def test_unrecognised_note_wording(site):
    document(site, body="正文。\n\n（此件可以公开）\n")
    (f,) = site.check().of("GK203")
    assert f.severity == "error" and "此件公开发布" in f.message


def test_document_without_note_is_a_warning(site):
    document(site, body="正文。\n")
    (f,) = site.check().of("GK203")
    assert f.severity == "warning" and "（此件公开发布）" in f.message


def test_non_document_needs_no_note(site):
    site.item("gzdt/news.md", body="会议召开。\n")
    assert "GK203" not in site.check().ids


# -- GK204 ---------------------------------------------------------------------------------

def test_proactive_item_without_hidden_block(site):
    site.item("gzdt/ok.md", body="全部公开。\n")
    assert "GK204" not in site.check().ids


def test_proactive_item_with_hidden_block(site):
    path = site.item("gzdt/p.md", body="公开部分。\n\n" + BLOCK)
    (f,) = site.check().of("GK204")
    assert path.read_text(encoding="utf-8").splitlines()[f.line - 1].startswith("::: 不公开")
    assert "部分公开" in f.message


# -- GK205 ---------------------------------------------------------------------------------

def test_partial_item_with_reasoned_block(site):
    site.item("gzdt/p.md", body="公开部分。\n\n" + BLOCK, attribute="部分公开")
    assert "GK205" not in site.check().ids


def test_partial_item_without_hidden_block(site):
    site.item("gzdt/p.md", body="全部内容。\n", attribute="部分公开")
    assert len(site.check().of("GK205")) == 1


def test_partial_block_without_reason(site):
    site.item("gzdt/p.md", body="公开。\n\n::: 不公开\n某内容。\n:::\n", attribute="部分公开")
    r = site.check()
    assert len(r.of("GK205")) == 1 and "GK202" not in r.ids  # an empty reason is GK205's alone


def test_partial_block_unclosed(site):
    path = site.item("gzdt/p.md", body='公开。\n\n::: 不公开 理由="个人隐私（条例第十五条）"\n某内容。\n后文。\n',
                     attribute="部分公开")
    (f,) = site.check().of("GK205")
    assert path.read_text(encoding="utf-8").splitlines()[f.line - 1].startswith("::: 不公开")
    assert "文件末尾" in f.message


# -- GK206 ---------------------------------------------------------------------------------

FORWARDED = {"organ": "重庆市人民政府办公厅", "doc_no": "渝府办发〔2026〕1号"}


def test_forwarded_document_follows_original_attribute(site):
    site.item("gzdt/f.md", source={"type": "转发", "forwarded": {**FORWARDED, "attribute": "主动公开"}})
    assert "GK206" not in site.check().ids


def test_forwarded_document_with_other_attribute(site):
    site.item("gzdt/f.md", source={"type": "转发", "forwarded": {**FORWARDED, "attribute": "依申请公开"}})
    (f,) = site.check().of("GK206")
    assert "依申请公开" in f.message


def test_forwarded_original_without_attribute_and_issuer_consulted(site):
    consulted = {"date": "2026-10-28", "opinion": "同意主动公开"}
    site.item("gzdt/f.md", source={"type": "转发", "forwarded": {**FORWARDED, "consulted": consulted}})
    assert "GK206" not in site.check().ids


def test_forwarded_original_without_attribute_and_issuer_not_consulted(site):
    site.item("gzdt/f.md", source={"type": "转发", "forwarded": dict(FORWARDED)})
    (f,) = site.check().of("GK206")
    assert "consulted" in f.message


def test_forwarded_issuer_consulted_after_publication(site):
    consulted = {"date": "2026-11-20", "opinion": "同意主动公开"}
    site.item("gzdt/f.md", source={"type": "转发", "forwarded": {**FORWARDED, "consulted": consulted}})
    assert site.check().of("GK206")


def test_forward_without_forwarded_record(site):
    site.item("gzdt/f.md", source={"type": "转发"})
    r = site.check()
    assert r.of("GK206") and not r.of("GK103")


# -- GK207 ---------------------------------------------------------------------------------

def test_joint_item_with_lead_and_opinions(site):
    site.item("gzdt/j.md", lead="重庆市江北区人民政府办公室",
              co_producers=[{"unit": "重庆市綦江区审计局", "opinion": "同意主动公开", "opinion_date": "2026-10-20"}])
    assert "GK207" not in site.check().ids


def test_joint_item_without_lead(site):
    site.item("gzdt/j.md", co_producers=[{"unit": "重庆市綦江区审计局", "opinion": "同意主动公开"}])
    r = site.check()
    assert r.of("GK207") and not r.of("GK103")


def test_co_producer_without_opinion(site):
    site.item("gzdt/j.md", lead="重庆市江北区人民政府办公室",
              co_producers=[{"unit": "重庆市江北区人民政府办公室"}, {"unit": "重庆市綦江区审计局"}])
    (f,) = site.check().of("GK207")  # the lead itself owes no opinion
    assert "重庆市綦江区审计局" in f.message and "第 2 项" in f.message


# -- GK208 ---------------------------------------------------------------------------------

def test_privacy_item_with_rights_holder_consent(site):
    site.item("gzdt/p.md", privacy={"touches": ["商业秘密"],
                                    "rights_holder_opinion": {"date": "2026-10-20", "opinion": "同意公开，无异议"}})
    assert "GK208" not in site.check().ids


def test_privacy_item_public_without_rights_holder_opinion(site):
    site.item("gzdt/p.md", privacy={"touches": ["个人隐私"]})
    assert len(site.check().of("GK208")) == 1


def test_privacy_item_rights_holder_refuses_without_override(site):
    site.item("gzdt/p.md", privacy={"touches": ["商业秘密"],
                                    "rights_holder_opinion": {"date": "2026-10-20", "opinion": "不同意公开"}})
    assert site.check().of("GK208")


def test_privacy_item_public_interest_override(site):
    site.item("gzdt/p.md", privacy={
        "touches": ["商业秘密"],
        "rights_holder_opinion": {"date": "2026-10-20", "opinion": "不同意公开"},
        "public_interest_override": {"date": "2026-10-25", "basis": "涉及公共安全，不公开会对公共利益造成重大影响"}})
    assert "GK208" not in site.check().ids


def test_privacy_rights_holder_heard_after_publication(site):
    site.item("gzdt/p.md", privacy={"touches": ["个人隐私"],
                                    "rights_holder_opinion": {"date": "2026-11-20", "opinion": "同意"}})
    assert site.check().of("GK208")


def test_privacy_withheld_in_partial_item(site):
    site.item("gzdt/p.md", body="公开部分。\n\n" + BLOCK, attribute="部分公开", privacy={"touches": ["个人隐私"]})
    assert "GK208" not in site.check().ids


def test_privacy_item_not_public(site):
    site.item("gzdt/p.md", privacy={"touches": ["个人隐私"]}, **WITHHELD)
    assert "GK208" not in site.check().ids


# -- GK209 ---------------------------------------------------------------------------------

def test_withheld_item_review_date_ahead(site):
    site.item("gzdt/w.md", **WITHHELD)
    assert "GK209" not in site.check().ids


@pytest.mark.parametrize("attribute", ["不予公开", "依申请公开"])
def test_withheld_item_review_overdue(site, attribute):
    site.item("gzdt/w.md", **{**WITHHELD, "attribute": attribute, "review_date": "2026-06-30"})
    (f,) = site.check().of("GK209")
    assert "2026-06-30" in f.message


def test_withheld_item_without_review_date(site):
    site.item("gzdt/w.md", **{**WITHHELD, "review_date": None})
    r = site.check()
    assert r.of("GK209") and not r.of("GK103")
