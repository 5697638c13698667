"""gkpublish new: the next 索引号, the column's defaults, today's dates, and never overwriting."""

from __future__ import annotations

import datetime as dt

import frontmatter
import pytest

from gkpublish.scaffold import next_index_no
from tests.conftest import Site

TODAY = "2026-11-23"
PATTERN = "{code}/{year}-{serial:05d}"


def _new(site: Site, *args: str) -> tuple[int, str, str]:
    return site.cli("new", "--today", TODAY, *args)


def _post(site: Site, out: str) -> frontmatter.Post:
    return frontmatter.load(site.root / out.strip().splitlines()[0])


def _errors(site: Site, out: str) -> list:
    """Errors on the new item, sign-offs (GK3xx) aside: a new item is not signed yet."""
    path = out.strip().splitlines()[0]
    return [f for f in site.check().findings
            if f.path == path and f.severity == "error" and not f.rule.startswith("GK3")]


def _fill(site: Site, out: str, summary: str = "区政府办公室组织各科室参加政务公开业务培训。") -> None:
    """What the editor does next: the body and a 内容概述 of its own instead of the placeholders."""
    path = site.root / out.strip().splitlines()[0]
    text = path.read_text(encoding="utf-8").replace("（在此填写正文）", "11月20日，区政府办公室举办政务公开业务培训。")
    lines = [f"summary: {summary}" if line.startswith("summary:") else line for line in text.split("\n")]
    path.write_text("\n".join(lines), encoding="utf-8")


def _draft_only(site: Site, out: str) -> set[str]:
    """A fresh draft is refused only for its placeholders (GK110: body and summary = title)."""
    return {f.rule for f in _errors(site, out)}


def test_next_index_no_skips_gaps_other_years_and_other_organs() -> None:
    existing = ["SAMPLE001/2026-00001", "SAMPLE001/2026-00005",  # a gap is never filled
                "SAMPLE001/2025-00009",  # last year's serials do not count
                "SAMPLE002/2026-00042",  # nor another organ's
                "2026-999", "SAMPLE001/2026-7"]  # nor numbers that break the pattern (GK104's business)
    assert next_index_no(PATTERN, "SAMPLE001", dt.date(2026, 11, 23), existing) == "SAMPLE001/2026-00006"
    assert next_index_no(PATTERN, "SAMPLE001", dt.date(2027, 1, 4), existing) == "SAMPLE001/2027-00001"
    assert next_index_no(PATTERN, "SAMPLE003", dt.date(2026, 11, 23), existing) == "SAMPLE003/2026-00001"


def test_next_index_no_with_a_year_and_month_pattern() -> None:
    pattern = "{code}/{yyyymm}-{serial:04d}"
    existing = ["000014349/202610-0003", "000014349/202611-0001", "000014349/202512-0099"]
    # the serial runs through the year; the month is the publication month
    assert next_index_no(pattern, "000014349", dt.date(2026, 11, 23), existing) == "000014349/202611-0004"
    assert next_index_no(pattern, "000014349", dt.date(2027, 1, 2), existing) == "000014349/202701-0001"


def test_new_item_gets_next_index_no_today_and_passes_the_gate(site: Site) -> None:
    site.item("gzdt/a.md", index_no="SAMPLE001/2026-00001")
    site.item("gzdt/b.md", index_no="SAMPLE001/2026-00007")
    site.item("gzdt/c.md", index_no="SAMPLE001/2025-00030", published="2025-12-30")
    rc, out, err = _new(site, "--column", "gzdt", "--title", "区政府办公室开展政务公开培训（示例）")
    assert rc == 0, err
    assert out.strip() == "content/gzdt/2026-00008.md"
    post = _post(site, out)
    assert post["index_no"] == "SAMPLE001/2026-00008"
    assert post["column"] == "gzdt"
    assert post["attribute"] == "主动公开"
    assert post["publisher"] == "重庆市江北区人民政府办公室"
    assert str(post["published"]) == TODAY and str(post["written"]) == TODAY
    assert post["source"] == {"type": "原创"}
    assert _draft_only(site, out) == {"GK110"}  # placeholders never publish
    _fill(site, out)
    assert _errors(site, out) == []


def test_a_second_new_item_takes_the_following_number(site: Site) -> None:
    _new(site, "--column", "gzdt", "--title", "第一条动态（示例）")
    rc, out, _ = _new(site, "--column", "tzgg", "--title", "第一条通知（示例）")
    assert rc == 0
    assert _post(site, out)["index_no"] == "SAMPLE001/2026-00002"


def test_column_defaults_fill_publisher_department_topic_attribute(site: Site) -> None:
    cols = site.config_data("columns.yml")
    for c in cols["columns"]:
        if c["id"] == "tzgg":
            c["defaults"] = {"publisher": "重庆市綦江区审计局", "department": "局办公室",
                             "topic": "财政、金融、审计/审计", "attribute": "依申请公开"}
    site.config("columns.yml", cols)
    rc, out, err = _new(site, "--column", "tzgg", "--title", "关于示例事项的复函（示例）")
    assert rc == 0, err
    post = _post(site, out)
    assert post["publisher"] == "重庆市綦江区审计局"
    assert post["index_no"] == "SAMPLE002/2026-00001"
    assert post["department"] == "局办公室"
    assert post["topic"] == "财政、金融、审计/审计"
    assert post["attribute"] == "依申请公开"
    # 附件1 第五条: what is withheld gets a re-evaluation date
    assert post["review_date"] > dt.date(2026, 11, 23)
    assert _errors(site, out) == []


def test_the_command_line_overrides_the_column_defaults(site: Site) -> None:
    rc, out, _ = _new(site, "--column", "gzdt", "--title", "示例", "--publisher", "重庆市綦江区审计局")
    assert rc == 0
    post = _post(site, out)
    assert post["publisher"] == "重庆市綦江区审计局"
    assert post["department"] == "局办公室"  # the publisher's own unit, not another organ's


def test_document_column_gets_doc_no_validity_and_a_matching_note(site: Site) -> None:
    rc, out, err = _new(site, "--column", "zcwj", "--title", "关于示例工作的通知（示例）",
                        "--doc-no", "江北府办发〔2026〕901号")
    assert rc == 0, err
    post = _post(site, out)
    assert post["doc_no"] == "江北府办发〔2026〕901号"
    assert post["validity"] == "有效"
    assert "（此件公开发布）" in post.content
    assert _draft_only(site, out) == {"GK110"}
    _fill(site, out, "印发示例工作的通知。")
    assert _errors(site, out) == []


def test_document_column_without_doc_no_is_flagged_not_faked(site: Site) -> None:
    rc, out, err = _new(site, "--column", "zcwj", "--title", "关于示例工作的通知（示例）")
    assert rc == 0
    assert "文号" in err
    assert "doc_no" not in _post(site, out).metadata
    assert "GK103" in {f.rule for f in site.check().findings if f.path.endswith(out.strip())}


@pytest.mark.parametrize(("attribute", "rule"), [("不予公开", "GK202"), ("部分公开", "GK202")])
def test_withheld_parts_get_a_reason_placeholder_the_gate_rejects(site: Site, attribute: str, rule: str) -> None:
    rc, out, _ = _new(site, "--column", "gzdt", "--title", "示例", "--attribute", attribute)
    assert rc == 0
    assert rule in {f.rule for f in site.check().findings if f.path.endswith(out.strip())}


def test_unknown_column_exits_2_and_lists_the_columns(site: Site) -> None:
    rc, out, err = _new(site, "--column", "nosuch", "--title", "示例")
    assert rc == 2
    assert "nosuch" in err and "columns.yml" in err
    assert "gzdt（工作动态）" in err and "zcwj（政策文件）" in err
    assert "Traceback" not in err
    assert not list((site.root / "content").rglob("*.md"))


def test_unknown_publisher_exits_2(site: Site) -> None:
    rc, _, err = _new(site, "--column", "gzdt", "--title", "示例", "--publisher", "示例局")
    assert rc == 2
    assert "organisation.yml" in err


def test_never_overwrites(site: Site) -> None:
    existing = site.item("gzdt/mine.md")
    before = existing.read_bytes()
    rc, _, err = _new(site, "--column", "gzdt", "--title", "示例", "--out", "content/gzdt/mine.md")
    assert rc == 2
    assert "已存在" in err
    assert existing.read_bytes() == before


def test_default_name_taken_by_another_organ_gets_the_organ_code(site: Site) -> None:
    site.item("gzdt/2026-00001.md", index_no="SAMPLE002/2026-00001", publisher="重庆市綦江区审计局",
              department="局办公室")
    rc, out, _ = _new(site, "--column", "gzdt", "--title", "示例")
    assert rc == 0
    assert out.strip() == "content/gzdt/SAMPLE001-2026-00001.md"
    assert (site.root / "content/gzdt/2026-00001.md").read_text(encoding="utf-8").count("SAMPLE002") == 1


def test_drafter_from_the_option_or_the_units_only_clerk(site: Site) -> None:
    rc, out, _ = _new(site, "--column", "gzdt", "--title", "示例", "--drafter", "zhao-jb")
    assert rc == 0 and _post(site, out)["drafter"] == "zhao-jb"
    rc, out, err = _new(site, "--column", "gzdt", "--title", "示例二")
    assert rc == 0 and "drafter" not in _post(site, out).metadata  # two clerks in 政务公开科: ask
    assert "zhang-jb" in err and "zhao-jb" in err
    roster = site.config_data("roster.yml")
    roster["people"] = [p for p in roster["people"] if p["id"] != "zhao-jb"]
    site.config("roster.yml", roster)
    rc, out, _ = _new(site, "--column", "gzdt", "--title", "示例三")
    assert _post(site, out)["drafter"] == "zhang-jb"
    rc, _, err = _new(site, "--column", "gzdt", "--title", "示例四", "--drafter", "nobody")
    assert rc == 2 and "roster.yml" in err
