"""GK501–GK505: nothing secret or personal reaches public content (条例 第十四、十五条)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkpublish.privacy_patterns import compile_terms, is_id_card, is_uscc, luhn_ok, mask, scan_text
from gkpublish.public import public_body
from gkpublish.rules.privacy import PublicContent

SEEDS = Path(__file__).parent / "fixtures" / "seeds"

ID_NO = "11010519491231002X"  # GB 11643 example: valid check character
ID_BAD_CHECK = "110105194912310021"
MOBILE = "13800138000"
CARD16 = "6222021234567894"  # UnionPay, Luhn-valid
CARD19 = "6212261234567890128"  # UnionPay, Luhn-valid
CARD16_BAD = "6222021234567895"
GK5 = {"GK501", "GK502", "GK503", "GK504", "GK505"}

HIDDEN = '::: 不公开 理由="个人隐私（条例第十五条）"\n'
NOT_PUBLIC = {"attribute": "依申请公开", "review_date": "2027-06-30"}


def line_of(path: Path, text: str) -> int:
    """1-based line of the first occurrence of ``text`` in the file."""
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if text in line:
            return n
    raise AssertionError(text)


def body_with(value: str) -> str:
    return f"区政府办公室召开政务公开工作推进会。\n\n联系人：张某，{value}。\n"


# -- GK501 居民身份证号 -------------------------------------------------------------------

def test_valid_id_number_fires_on_its_line_masked(site):
    path = site.item("gzdt/id.md", body=body_with(f"身份证号{ID_NO}"))
    (f,) = site.check().of("GK501")
    assert f.severity == "error" and f.line == line_of(path, ID_NO)
    assert ID_NO not in f.message and "1101**********002X" in f.message


def test_id_number_with_wrong_check_digit_passes(site):
    site.item("gzdt/id.md", body=body_with(f"身份证号{ID_BAD_CHECK}"))
    assert not site.check().ids & GK5


@pytest.mark.parametrize("masked", ["1101**********002X", "110105********002X", "5001**********1234"])
def test_masked_id_number_passes(site, masked):
    site.item("gzdt/id.md", body=body_with(f"身份证号{masked}"))
    assert "GK501" not in site.check().ids


def test_id_number_written_in_groups_fires(site):
    site.item("gzdt/id.md", body=body_with("身份证号 110105 19491231 002X"))
    assert len(site.check().of("GK501")) == 1


def test_id_number_inside_a_longer_run_passes(site):
    site.item("gzdt/id.md", body=body_with(f"合同编号 9{ID_NO[:-1]}7"))
    assert not site.check().ids & GK5


def test_old_15_digit_number_is_not_reported(site):
    # 15-digit 工商注册号 (public in 行政许可 notices) share the shape of first-generation IDs.
    site.item("gzdt/id.md", body=body_with("注册号 500105000123456"))
    assert "GK501" not in site.check().ids


def test_id_number_in_hidden_block_of_partly_public_item_passes(site):
    body = f"公开部分：申请已办结。\n\n{HIDDEN}申请人身份证号 {ID_NO}\n:::\n"
    site.item("gzdt/part.md", body=body, attribute="部分公开")
    assert "GK501" not in site.check().ids


def test_id_number_in_public_part_of_partly_public_item_fires_on_its_line(site):
    body = f"{HIDDEN}申请人住址……\n:::\n\n<!-- 备注 -->公开部分：身份证号 {ID_NO}\n"
    path = site.item("gzdt/part.md", body=body, attribute="部分公开")
    (f,) = site.check().of("GK501")
    assert f.line == line_of(path, f"公开部分：身份证号 {ID_NO}")


def test_id_number_in_item_that_is_never_public_passes(site):
    site.item("gzdt/ysq.md", body=body_with(f"身份证号{ID_NO}"), **NOT_PUBLIC)
    assert not site.check().ids & GK5


def test_id_number_in_withdrawn_item_passes(site):
    site.item("gzdt/old.md", body=body_with(f"身份证号{ID_NO}"),
              withdrawn={"date": "2026-11-10", "reason": "含个人信息，已撤回"})
    assert "GK501" not in site.check().ids


def test_id_number_in_html_comment_passes(site):
    site.item("gzdt/c.md", body=f"正文。\n<!-- 审核备注：{ID_NO}\n-->\n")
    assert "GK501" not in site.check().ids


def test_id_number_in_public_front_matter_field_fires_on_that_field(site):
    summary = f"为申请人（身份证号{ID_NO}）办理的政府信息公开申请答复。"
    path = site.item("gzdt/fm.md", summary=summary)
    (f,) = site.check().of("GK501")
    assert f.line == line_of(path, "summary:") and "内容概述（summary）" in f.message


def test_id_number_in_attachment_title_fires(site):
    site.write("content/gzdt/a.pdf", b"%PDF-1.4\n")
    path = site.item("gzdt/att.md", attachments=[{"file": "a.pdf", "title": f"{ID_NO}的申请表"}])
    (f,) = site.check().of("GK501")
    assert f.line == line_of(path, ID_NO)


def test_id_number_in_internal_front_matter_passes(site):
    # drafter, reviewers, reason … are not shown on the site.
    site.item("gzdt/int.md", drafter=f"张某{ID_NO}")
    assert "GK501" not in site.check().ids


# -- GK502 手机号 ------------------------------------------------------------------------

@pytest.mark.parametrize("phone", [MOBILE, "+86 138-0013-8000", "138 0013 8000", "8613800138000"])
def test_mobile_number_fires_masked(site, phone):
    path = site.item("gzdt/m.md", body=body_with(f"手机{phone}"))
    (f,) = site.check().of("GK502")
    assert f.line == line_of(path, phone)
    flat = f.message.replace("-", "").replace(" ", "")
    assert "138****8000" in flat and "13800138000" not in flat


@pytest.mark.parametrize("text", [
    "手机138****8000",
    "联系电话：023-67000000",
    "传真：(023)67000001",
    "江北府办发〔2022〕37号",
    "索引号：SAMPLE001/2022-00037",
    "成文日期20220615",
    "预算13800000000元",
    "合计13800138000.50",
    "编号138001380001",
    "订单号A13800138000",
    "网站标识码5001050001",
])
def test_not_a_mobile_number(site, text):
    site.item("gzdt/m.md", body=body_with(text))
    assert not site.check().ids & GK5


# -- GK503 银行卡号 ----------------------------------------------------------------------

@pytest.mark.parametrize("card", [CARD16, CARD19, "6222 0212 3456 7894", "4111-1111-1111-1111"])
def test_luhn_valid_card_number_fires_masked(site, card):
    path = site.item("gzdt/b.md", body=body_with(f"退款账户{card}"))
    (f,) = site.check().of("GK503")
    assert f.line == line_of(path, card)
    digits = card.replace(" ", "").replace("-", "")
    assert digits not in f.message.replace(" ", "").replace("-", "") and digits[-4:] in f.message


@pytest.mark.parametrize("text", [
    f"退款账户{CARD16_BAD}",
    "退款账户6222 **** **** 7894",
    f"流水号{CARD16}1234",  # inside a longer run
    "2022061512345678",  # a date-based serial, no card prefix
])
def test_not_a_card_number(site, text):
    site.item("gzdt/b.md", body=body_with(text))
    assert "GK503" not in site.check().ids


def test_id_number_is_not_also_reported_as_card(site):
    site.item("gzdt/b.md", body=body_with("身份证号500101199001011029"))
    assert is_id_card("500101199001011029") and luhn_ok("500101199001011029")
    assert site.check().ids & GK5 == {"GK501"}


# -- GK504 密级标志 ----------------------------------------------------------------------

@pytest.mark.parametrize("mark", ["秘密★1年", "机密★", "绝密★长期", "密级：机密", "内部资料", "注意保密", "仅供内部使用"])
def test_secrecy_mark_fires(site, mark):
    path = site.item("gzdt/s.md", body=f"{mark}\n\n关于做好保密检查工作的通知\n")
    (f,) = site.check().of("GK504")
    assert f.line == line_of(path, mark)


def test_secrecy_mark_in_title_fires(site):
    site.item("gzdt/s.md", title="（内部资料）关于做好年度保密检查工作的通知")
    (f,) = site.check().of("GK504")
    assert "标题（title）" in f.message and "内部资料" in f.message


@pytest.mark.parametrize("text", [
    "依法确定为国家秘密的政府信息不予公开",
    "不履行保密审查义务的",
    "公文的密级及保密期限要根据保密法确定",
    "是否保密、密级和期限",
    "审核内容是公开信息的准确性和保密性",
    "保障数据的机密性和完整性",
    "涉及商业秘密、个人隐私的",
])
def test_ordinary_secrecy_words_pass(site, text):
    site.item("gzdt/s.md", body=body_with(text))
    assert not site.check().ids & GK5


# -- GK505 禁用词与规范名称 ---------------------------------------------------------------

TERMS = {"prohibited": ["某禁用词"],
         "official_names": [{"correct": "重庆市江北区人民政府", "wrong": ["江北区政府", "江北区人民政府"]}]}


def test_prohibited_term_fires(site):
    site.config("terms.yml", TERMS)
    path = site.item("gzdt/t.md", body=body_with("文中出现某禁用词"))
    (f,) = site.check().of("GK505")
    assert f.line == line_of(path, "某禁用词") and "禁用词“某禁用词”" in f.message


def test_wrong_official_name_says_the_correct_form(site):
    site.config("terms.yml", TERMS)
    path = site.item("gzdt/t.md", title="江北区政府办公室召开推进会")
    (f,) = site.check().of("GK505")
    assert f.line == line_of(path, "title:")
    assert "“江北区政府”是错误写法，应为“重庆市江北区人民政府”" in f.message


def test_correct_full_name_containing_a_wrong_short_form_passes(site):
    site.config("terms.yml", TERMS)
    site.item("gzdt/t.md", body=body_with("经重庆市江北区人民政府同意"))
    assert "GK505" not in site.check().ids


def test_malformed_terms_file_is_reported_against_it(site):
    site.config("terms.yml", {"prohibited": ["某禁用词", 3], "official_names": [{"correct": "某某"}]})
    r = site.check()
    assert {f.path for f in r.of("GK505")} == {"site_config/terms.yml"} and len(r.of("GK505")) == 2


def test_terms_are_scanned_without_terms_file(site):
    (site.root / "site_config" / "terms.yml").unlink()
    site.item("gzdt/t.md")
    assert not site.check().ids & GK5


# -- waivers ---------------------------------------------------------------------------

def test_waiver_suppresses_exactly_that_rule_and_value(site):
    waivers = [{"rule": "GK502", "value": MOBILE, "reason": "区长信箱值班手机，按指南须公开"}]
    site.item("gzdt/w.md", body=body_with(f"值班手机{MOBILE}，备用手机13900139000"), waivers=waivers)
    r = site.check()
    (f,) = r.of("GK502")
    assert "139****9000" in f.message


def test_waiver_matches_number_written_differently(site):
    waivers = [{"rule": "GK502", "value": "138-0013-8000", "reason": "区长信箱值班手机，按指南须公开"}]
    site.item("gzdt/w.md", body=body_with(f"值班手机+86 {MOBILE}"), waivers=waivers)
    assert not site.check().ids & GK5


def test_waiver_for_another_rule_does_not_suppress(site):
    waivers = [{"rule": "GK501", "value": MOBILE, "reason": "规则写错了的豁免"}]
    site.item("gzdt/w.md", body=body_with(f"手机{MOBILE}"), waivers=waivers)
    r = site.check()
    assert len(r.of("GK502")) == 1
    assert [f.severity for f in r.of("GK501")] == ["warning"]  # and the waiver itself is stale


def test_stale_waiver_is_a_warning_on_its_line_masked(site):
    waivers = [{"rule": "GK501", "value": ID_NO, "reason": "原文已删除，豁免未清理"}]
    path = site.item("gzdt/w.md", body="正文已脱敏。\n", waivers=waivers)
    (f,) = site.check().of("GK501")
    assert f.severity == "warning" and f.line == line_of(path, ID_NO)
    assert ID_NO not in f.message and "1101**********002X" in f.message


def test_waiver_of_an_item_that_is_never_public_is_not_reported(site):
    waivers = [{"rule": "GK502", "value": MOBILE, "reason": "依申请公开条目，不在网站发布"}]
    site.item("gzdt/w.md", body=body_with(f"手机{MOBILE}"), waivers=waivers, **NOT_PUBLIC)
    assert not site.check().ids & GK5


def test_waiver_suppresses_secrecy_word_in_prose(site):
    waivers = [{"rule": "GK504", "value": "内部资料", "reason": "正文论述资料管理，并非密级标志"}]
    site.item("gzdt/w.md", body=body_with("严禁将内部资料上传互联网"), waivers=waivers)
    assert not site.check().ids & GK5


# -- the demo content ------------------------------------------------------------------

@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_seed_documents_scan_clean(site, seed):
    text = (SEEDS / seed).read_text(encoding="utf-8")
    site.item("zcwj/seed.md", body=text, column="zcwj", doc_no="江北府办发〔2022〕37号")
    assert not {f.rule for f in site.check().findings if f.rule.startswith("GK5")}
    assert scan_text(text) == []


def test_both_seeds_are_present():
    assert len(list(SEEDS.glob("*.txt"))) == 2


# -- the detectors as a library (verify-site reuses them) ------------------------------

def test_scan_text_returns_rule_offsets_and_value():
    text = f"电话{MOBILE}；秘密★1年；身份证{ID_NO}；卡号{CARD16}"
    hits = scan_text(text)
    assert [h[0] for h in hits] == ["GK502", "GK504", "GK501", "GK503"]
    for rule_id, start, end, value in hits:
        assert text[start:end] == value and rule_id.startswith("GK50")


def test_full_width_digits_are_read_as_digits():
    assert [h.rule for h in scan_text("手机１３８００１３８０００")] == ["GK502"]


def test_checksums():
    assert is_id_card(ID_NO) and not is_id_card(ID_BAD_CHECK)
    assert not is_id_card("110105194913310028")  # month 13
    assert luhn_ok(CARD16) and luhn_ok(CARD19) and not luhn_ok(CARD16_BAD)
    assert is_uscc("91350100M000100Y43") and not is_uscc("91350100M000100Y44")


def test_mask_keeps_only_head_and_tail():
    assert mask("GK501", ID_NO) == "1101**********002X"
    assert mask("GK502", "+86 138-0013-8000") == "+86 138-****-8000"
    assert mask("GK503", "6222 0212 3456 7894") == "6222 **** **** 7894"
    assert mask("GK504", "秘密★1年") == "秘密★1年"


@pytest.mark.parametrize("body", [
    "a\n<!-- x -->b\n",
    f"{HIDDEN}x\n:::\n第二行<!-- 注释\n跨行 -->尾\n",
    f"前<!-- 开始\n{HIDDEN}隐藏\n:::\n结束 -->后\n末行\n",
    f"{HIDDEN}未闭合\n一直到结尾\n",
])
def test_public_content_mirrors_public_body(site, body):
    site.item("gzdt/p.md", body=body, attribute="部分公开")
    item = site.load().items[0]
    pc = PublicContent.of(item)
    assert pc.text[pc.body_start:] == public_body(item)
    for offset, ch in enumerate(pc.text[pc.body_start:]):
        if ch != "\n":
            _, line = pc.where(pc.body_start + offset)
            assert ch in item.raw.decode("utf-8").split("\n")[line - 1]


def test_compile_terms_is_case_insensitive_and_reports_broken_entries():
    terms, problems = compile_terms({"prohibited": ["BadWord", ""], "official_names": "x"})
    assert [h.value for h in scan_text("a badword b", terms)] == ["badword"]
    assert terms.correct_for("BADWORD") is None
    assert problems == ["prohibited 第 2 项应为非空字符串",
                        "official_names 应为列表，每项形如 {correct: 正确全称, wrong: [错误写法, …]}"]
