"""The 年度报告 (国办公开办函〔2021〕30号): tables from the items and the register, 勾稽关系
enforced, applicant data never in any output."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish.register import APPLICANT_TYPES, OUTCOMES
from gkpublish.reports.annual import TABLE3_LABELS, balance_breaks, table3

SECTIONS = "前言。\n\n## 一、总体情况\n\n全年新收{新收}件。\n\n## 五、存在的主要问题及改进情况\n\n问题。\n\n## 六、其他需要报告的事项\n\n无。\n"
DATA = {"行政许可": 12, "行政处罚": 3, "行政强制": 0, "行政事业性收费": 1.5,
        "front_matter": {"index_no": "SAMPLE001/2026-00009", "published": "2026-01-20", "written": "2026-01-16"}}


def annual_files(site, year: int = 2025, **data: Any) -> None:
    site.write(f"annual/{year}.yml", yaml.safe_dump({**DATA, **data}, allow_unicode=True))
    site.write(f"annual/{year}.md", SECTIONS)


def app(site, n: int, received: str, type_: str = "自然人", answered: str | None = None,
        outcome: str | None = None, **extra: Any) -> None:
    data: dict[str, Any] = {"id": f"{received[:4]}-{n:04d}", "received": received,
                            "applicant": {"type": type_, "name": f"姓名标记{n}号", "contact": f"联系标记{n}号"},
                            "request": "某项政府信息"}
    if answered:
        data.update(answered=answered, outcome=outcome or "予以公开")
    data.update(extra)
    site.write(f"records/requests/{data['id']}.yml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def report_json(site, year: int = 2025) -> tuple[int, dict[str, Any] | None, str]:
    out = site.root / "nb.json"
    rc, _, err = site.cli("report", "annual", "--year", str(year), "--format", "json", "--out", str(out))
    return rc, (json.loads(out.read_text("utf-8")) if rc == 0 else None), err


# A table 三 shaped like a district bureau's published report (total 63 applications: 52
# natural persons, 7 companies, 1 research body, 1 law firm, 2 others; 5 carried over,
# 4 carried forward). Row → per applicant-type counts.
REAL_TABLE3 = {
    "予以公开": [21, 3, 1, 0, 1, 0],
    "部分公开": [6, 1, 0, 0, 0, 0],
    "不予公开/保护第三方合法权益": [2, 0, 0, 0, 0, 0],
    "不予公开/属于三类内部事务信息": [1, 0, 0, 0, 0, 0],
    "不予公开/属于四类过程性信息": [2, 1, 0, 0, 0, 0],
    "无法提供/本机关不掌握相关政府信息": [9, 1, 0, 0, 0, 1],
    "无法提供/没有现成信息需要另行制作": [2, 0, 0, 0, 0, 0],
    "不予处理/信访举报投诉类申请": [3, 0, 0, 0, 0, 1],
    "不予处理/重复申请": [1, 0, 0, 0, 0, 0],
    "其他处理/其他": [2, 0, 0, 0, 0, 0],
}
REAL_CARRIED_OVER = [4, 1, 0, 0, 0, 0]  # received in 2024, answered in 2025 (inside the counts above)
REAL_CARRIED_FORWARD = [3, 1, 0, 0, 0, 0]  # received in December 2025, not yet answered


def test_rebuilds_a_real_looking_table_three_from_a_register_of_that_many_applications(site):
    rng = random.Random(7)
    answered_rows = [(o, t) for o, counts in REAL_TABLE3.items() for t, n in enumerate(counts) for _ in range(n)]
    carry = [t for t, n in enumerate(REAL_CARRIED_OVER) for _ in range(n)]
    n = 0
    for outcome, t in answered_rows:
        n += 1
        if t in carry:  # this one came in late in 2024
            carry.remove(t)
            app(site, n, "2024-12-2" + str(rng.randint(2, 6)), APPLICANT_TYPES[t], f"2025-01-{rng.randint(13, 20)}", outcome)
        else:
            month = rng.randint(1, 10)
            app(site, n, f"2025-{month:02d}-1{rng.randint(0, 4)}", APPLICANT_TYPES[t],
                f"2025-{month + 1:02d}-0{rng.randint(5, 9)}", outcome)
    for t, k in enumerate(REAL_CARRIED_FORWARD):
        for _ in range(k):
            n += 1
            app(site, n, f"2025-12-{rng.randint(15, 25)}", APPLICANT_TYPES[t])
    app(site, 999, "2024-03-01", "自然人", "2024-03-20")  # answered in 2024: not in 2025's report
    annual_files(site)
    rc, data, err = report_json(site)
    assert rc == 0, err
    t3 = data["table3"]
    assert len(t3) == 25 and all(len(r) == 7 for r in t3)
    for outcome, counts in REAL_TABLE3.items():
        assert t3[2 + OUTCOMES.index(outcome)] == [*counts, sum(counts)], outcome
    total = [sum(c[t] for c in REAL_TABLE3.values()) for t in range(6)]
    assert t3[23] == [*total, sum(total)]
    assert t3[1] == [*REAL_CARRIED_OVER, 5]
    assert t3[24] == [*REAL_CARRIED_FORWARD, 4]
    assert t3[0][6] == 63 - 5 and t3[0][6] + t3[1][6] == t3[23][6] + t3[24][6]
    assert data["table2"]["行政许可"] == 12 and data["table4"] == [0] * 15


def test_table_four_counts_reviews_filed_in_the_year_with_their_result_at_year_end(site):
    app(site, 1, "2025-02-03", answered="2025-02-20", reviews=[
        {"kind": "行政复议", "filed": "2025-03-01", "result": "维持", "decided": "2025-05-01"},
        {"kind": "复议后起诉", "filed": "2025-06-01", "result": "纠正", "decided": "2026-02-01"}])
    app(site, 2, "2025-02-04", answered="2025-02-20", reviews=[{"kind": "直接起诉", "filed": "2025-04-01"}])
    annual_files(site)
    rc, data, err = report_json(site)
    assert rc == 0, err
    assert data["table4"] == [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]


def test_table_two_counts_normative_documents_by_genre(site):
    site.item("zcwj/a.md", column="zcwj", genre="行政规范性文件", doc_no="示例发〔2025〕1号", written="2025-03-01",
              validity="有效", published="2025-03-05")
    site.item("zcwj/b.md", column="zcwj", genre="行政规范性文件", doc_no="示例发〔2020〕1号", written="2020-03-01",
              validity="废止", abolished={"date": "2025-06-01", "basis": "示例"}, published="2020-03-05",
              index_no="SAMPLE001/2020-00001")
    site.item("zcwj/c.md", column="zcwj", doc_no="示例发〔2025〕2号", written="2025-04-01", published="2025-04-05",
              index_no="SAMPLE001/2025-00003")
    annual_files(site)
    rc, data, err = report_json(site)
    assert rc == 0, err
    assert data["table2"]["行政规范性文件"] == {"本年制发件数": 1, "本年废止件数": 1, "现行有效件数": 1}
    assert data["table2"]["规章"] == {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0}


def test_a_carry_over_that_differs_from_last_years_report_stops_the_report(site):
    app(site, 1, "2024-12-30")
    annual_files(site, carried_over=[0, 0, 0, 0, 0, 0, 0])
    rc, data, err = report_json(site)
    assert rc == 1 and "二、上年结转政府信息公开申请数量" in err


def test_a_register_with_errors_stops_the_report(site):
    app(site, 1, "2025-03-01", answered="2025-03-10", outcome="同意")
    annual_files(site)
    rc, _, err = report_json(site)
    assert rc == 1 and "GK701" in err


def test_balance_breaks_name_the_rows_and_columns():
    t3 = [[0] * 7 for _ in range(25)]
    t3[0] = [1, 0, 0, 0, 0, 0, 1]
    breaks = balance_breaks(t3)
    assert any("“自然人”列" in b for b in breaks) and any("“总计”列" in b for b in breaks)
    t3[24] = [1, 0, 0, 0, 0, 0, 2]
    assert any(TABLE3_LABELS[24] in b for b in balance_breaks(t3))


def test_missing_annual_files_is_exit_2_with_the_fix(site):
    rc, _, err = site.cli("report", "annual", "--year", "2025", "--out", "x.md")
    assert rc == 2 and "annual/2025.yml" in err


def test_md_output_is_an_item_for_the_annual_report_column_without_personal_data(site):
    app(site, 1, "2025-03-01", answered="2025-03-10")
    annual_files(site)
    for fmt in ("md", "html", "json"):
        out = site.root / f"nb.{fmt}"
        rc, _, err = site.cli("report", "annual", "--year", "2025", "--format", fmt, "--out", str(out))
        assert rc == 0, err
        text = out.read_text("utf-8")
        assert "姓名标记" not in text and "联系标记" not in text
    md = (site.root / "nb.md").read_text("utf-8")
    fm = yaml.safe_load(md.split("---\n")[1])
    assert fm["index_no"] == "SAMPLE001/2026-00009" and fm["attribute"] == "主动公开"
    assert "全年新收1件" in md and "| 一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" in md


_day = st.dates(min_value=dt.date(2024, 6, 1), max_value=dt.date(2026, 3, 1))
_apps = st.lists(st.tuples(_day, st.integers(0, 200), st.sampled_from(APPLICANT_TYPES),
                           st.sampled_from(OUTCOMES), st.booleans()), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(apps=_apps)
def test_every_generated_register_balances(tmp_path_factory, apps):
    """For every generated register, the 勾稽关系 hold for table 三 of 2025 (the identity the
    national format prints) — the counting never loses or double-counts an application."""
    from gkpublish.register import parse_application

    parsed = []
    for n, (received, after, type_, outcome, answered) in enumerate(apps):
        data: dict[str, Any] = {"id": f"2025-{n:04d}", "received": received.isoformat(),
                                "applicant": {"type": type_, "name": "某"}, "request": "x"}
        if answered:
            data.update(answered=(received + dt.timedelta(days=after)).isoformat(), outcome=outcome)
        a, problems = parse_application(f"records/requests/{n}.yml", yaml.safe_dump(data, allow_unicode=True).encode())
        assert a is not None and not problems, problems
        parsed.append(a)
    for year in (2024, 2025, 2026):
        t3 = table3(parsed, year)
        assert balance_breaks(t3) == []
    # last year's 结转下年度 is this year's 上年结转
    assert table3(parsed, 2024)[24] == table3(parsed, 2025)[1]


def test_several_organs_count_each_application_once(site):
    app(site, 1, "2025-03-01", answered="2025-03-10", organ="重庆市綦江区审计局")
    app(site, 2, "2025-03-02", answered="2025-03-10", organ="重庆市江北区人民政府办公室")
    annual_files(site)
    out = site.root / "nb.json"
    rc, _, err = site.cli("report", "annual", "--year", "2025", "--organ", "SAMPLE002", "--format", "json", "--out", str(out))
    assert rc == 0, err
    assert json.loads(out.read_text("utf-8"))["table3"][0][6] == 1
    app(site, 3, "2025-03-03", answered="2025-03-10")  # no organ: which report would count it?
    rc, _, err = site.cli("report", "annual", "--year", "2025", "--organ", "SAMPLE002", "--format", "json", "--out", str(out))
    assert rc == 1 and "records/requests/2025-0003.yml" in err
