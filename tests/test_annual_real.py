"""A real published annual report's tables 三 and 四, rebuilt from a register of that many
applications (issue #10: "a test that rebuilds a real published annual report's table 三").

The report: 《2019年上海市人民政府办公厅政府信息公开工作年度报告》 (published 2020-01-31 on
www.shanghai.gov.cn). Its tables are copied, blanks as blanks, into
``tests/data/annual/shanghai-bgt-2019-table3.yml``. The round trip:

    published table → 877 register files (generated here) → ``gkpublish report annual`` → table

The generator reads only what a register records — each answered application's outcome and
applicant type, which of them came in 2018 (row 二), which were still open at year end (row
四), the reviews — and the expected values are the published cells read from the data file,
never the generator's own counts: rows 一 and 三（七） (859 and 805, which the generator does not
use) must come out of our counting equal to the published ones.

The published report uses the 2019 format (the table in use from the revised 条例 of 2019 until 国办公开办函〔2021〕30号), where （六）其他处理 is one
row; we write the 2021 format (国办公开办函〔2021〕30号), where it has three sub-rows. The
published （六） is 0 in every column, so each of our three sub-rows must be 0 — asserted below.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.register import APPLICANT_TYPES, OUTCOMES, deadline, parse_application
from gkpublish.reports.annual import COLUMNS, REVIEW_KINDS, TABLE3_LABELS, balance_breaks, table3, table4
from gkpublish.workdays import add_workdays, is_workday, workdays_between
from tests.conftest import Site

pytestmark = pytest.mark.xdist_group("annual_real")  # one worker writes the 877-file register once

DATA = Path(__file__).parent / "data" / "annual" / "shanghai-bgt-2019-table3.yml"
PUBLISHED = yaml.safe_load(DATA.read_text("utf-8"))
YEAR = 2019
ORGAN, CODE = "重庆市江北区人民政府办公室", "SAMPLE001"  # the fixture site's organ stands in for the 办公厅
APPROVER = "sun-zy"  # the fixture roster's 主要领导: approves extensions (条例 第三十三条)
CHECK_DAY = dt.date(2020, 12, 31)  # every application answered by then, the calendar covers it

# Each published row → our rows (2021 format). Result rows by their register ``outcome``.
_OTHER = tuple(o for o in OUTCOMES if o.startswith("其他处理/"))
ROW_MAP: dict[str, tuple[int | str, ...]] = {
    "一、本年新收政府信息公开申请数量": (0,),
    "二、上年结转政府信息公开申请数量": (1,),
    "三（一）予以公开": ("予以公开",),
    "三（二）部分公开（区分处理的，只计这一情形，不计其他情形）": ("部分公开",),
    "三（三）不予公开 1.属于国家秘密": ("不予公开/属于国家秘密",),
    "三（三）2.其他法律行政法规禁止公开": ("不予公开/其他法律行政法规禁止公开",),
    "三（三）3.危及“三安全一稳定”": ("不予公开/危及“三安全一稳定”",),
    "三（三）4.保护第三方合法权益": ("不予公开/保护第三方合法权益",),
    "三（三）5.属于三类内部事务信息": ("不予公开/属于三类内部事务信息",),
    "三（三）6.属于四类过程性信息": ("不予公开/属于四类过程性信息",),
    "三（三）7.属于行政执法案卷": ("不予公开/属于行政执法案卷",),
    "三（三）8.属于行政查询事项": ("不予公开/属于行政查询事项",),
    "三（四）无法提供 1.本机关不掌握相关政府信息": ("无法提供/本机关不掌握相关政府信息",),
    "三（四）2.没有现成信息需要另行制作": ("无法提供/没有现成信息需要另行制作",),
    "三（四）3.补正后申请内容仍不明确": ("无法提供/补正后申请内容仍不明确",),
    "三（五）不予处理 1.信访举报投诉类申请": ("不予处理/信访举报投诉类申请",),
    "三（五）2.重复申请": ("不予处理/重复申请",),
    "三（五）3.要求提供公开出版物": ("不予处理/要求提供公开出版物",),
    "三（五）4.无正当理由大量反复申请": ("不予处理/无正当理由大量反复申请",),
    "三（五）5.要求行政机关确认或重新出具已获取信息": ("不予处理/要求行政机关确认或重新出具已获取信息",),
    "三（六）其他处理": _OTHER,  # one row in 2019, three sub-rows in 2021
    "三（七）总计": (23,),
    "四、结转下年度继续办理": (24,),
}


def _index(row: int | str) -> int:
    return row if isinstance(row, int) else 2 + OUTCOMES.index(row)


def published_rows() -> dict[str, list[int | None]]:
    """Published label → its 7 cells as published (None = blank)."""
    assert PUBLISHED["table3"]["columns"] == list(COLUMNS)
    return {row[0]: row[1:] for row in PUBLISHED["table3"]["rows"]}


def _zero(cells: list[int | None]) -> list[int]:
    return [c or 0 for c in cells]  # blank = 0, as the report prints it


def published_as_ours() -> list[list[int]]:
    """The published table in our 25 × 7 shape: blank applicant cells are 0; a blank 总计 (the
    report fills 总计 only on rows 一, 二, （七） and 四) becomes the row's sum, so the
    row-sum relation is checked exactly where the report states a 总计. （六）'s one row
    becomes three sub-rows of 0 (it is 0 as published; a non-zero one could not be split)."""
    out: list[list[int] | None] = [None] * 25
    for label, cells in published_rows().items():
        six = _zero(cells[:6])
        total = cells[6] if cells[6] is not None else sum(six)
        rows = ROW_MAP[label]
        if len(rows) > 1:
            assert six == [0] * 6 and total == 0, f"{label}: 已发布的数不为 0，无法拆到 2021 年格式的子项"
        for r in rows:
            out[_index(r)] = [*six, total]
    assert all(row is not None for row in out), "ROW_MAP 没有覆盖表三的每一行"
    return out  # type: ignore[return-value]


def published_table4() -> list[int]:
    t4 = PUBLISHED["table4"]
    return [n for _, label in REVIEW_KINDS for n in t4[label]]


# -- the generator: a register that a 办公厅 could have kept for these numbers ---------------

def _workdays(first: dt.date, last: dt.date) -> list[dt.date]:
    days, d = [], first
    while d <= last:
        if is_workday(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def _app(n: int, received: dt.date, type_: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": f"{received.year}-{n:04d}", "organ": ORGAN, "received": received.isoformat(),
                            "applicant": {"type": type_, "name": f"申请人标记{n}号", "contact": f"联系标记{n:05d}"},
                            "request": "某项政府信息"}
    for key, value in extra.items():
        data[key] = value.isoformat() if isinstance(value, dt.date) else value
    return data


def generate_register(results: dict[str, list[int]], carried_over: list[int], carried_forward: list[int],
                      reviews: dict[str, list[int]], year: int = YEAR) -> list[dict[str, Any]]:
    """Register records for: ``results`` (outcome → answered in ``year`` per applicant type),
    of which ``carried_over`` (per type) were received in the previous December;
    ``carried_forward`` (per type) received in late December and answered next January;
    ``reviews`` (kind → [维持, 纠正, 其他, 尚未审结] at year end) on answered applications.

    Every date respects the statute: 补正 notices within 7 working days, answers within 20
    working days of the start (+ a third party's time, + 20 with an extension approved before
    the first deadline) — asserted here with the tool's own ``deadline``."""
    out: list[dict[str, Any]] = []
    spread = _workdays(dt.date(year, 1, 2), dt.date(year, 10, 31))  # + at most 40 working days: still in the year
    late_prev = _workdays(dt.date(year - 1, 12, 14), dt.date(year - 1, 12, 28))
    late_this = _workdays(dt.date(year, 12, 16), dt.date(year, 12, 31))
    left_over = list(carried_over)
    n = {year - 1: 0, year: 0}

    def next_id(y: int) -> int:
        n[y] += 1
        return n[y]

    for outcome, counts in results.items():
        for t, k in enumerate(counts):
            for _ in range(k):
                type_ = APPLICANT_TYPES[t]
                if left_over[t]:  # received last December, answered in January
                    left_over[t] -= 1
                    i = next_id(year - 1)
                    rec = late_prev[i % len(late_prev)]
                    answered = add_workdays(rec, 20 - i % 4)
                    assert answered.year == year, rec
                    out.append(_app(i, rec, type_, answered=answered, outcome=outcome))
                    continue
                i = next_id(year)
                rec = spread[(i * 37) % len(spread)]
                extra: dict[str, Any] = {"outcome": outcome}
                if outcome == "无法提供/补正后申请内容仍不明确":  # a 补正 was asked for and came back
                    notified = add_workdays(rec, 1 + i % 7)
                    got = notified + dt.timedelta(days=3 + i % 5)
                    extra["corrections"] = [{"notified": notified.isoformat(), "received": got.isoformat()}]
                    extra["answered"] = add_workdays(got, 1 + i % 20)
                elif outcome == "部分公开":  # a third party was asked: its 10 working days are not counted
                    extra["third_party"] = [{"sent": add_workdays(rec, 2).isoformat(),
                                             "answered": add_workdays(rec, 12).isoformat()}]
                    extra["answered"] = add_workdays(rec, 25)
                elif outcome == "无法提供/没有现成信息需要另行制作" and i % 3 == 0:  # extended in time
                    extra["extension"] = {"approved_by": APPROVER, "date": add_workdays(rec, 18).isoformat()}
                    extra["answered"] = add_workdays(rec, 21 + i % 19)
                else:
                    extra["answered"] = add_workdays(rec, 1 + (i * 7) % 20)
                assert extra["answered"].year == year, (rec, extra)
                out.append(_app(i, rec, type_, **extra))
    assert left_over == [0] * 6, "上年结转的件数多于已答复的件数"
    for t, k in enumerate(carried_forward):
        for _ in range(k):
            i = next_id(year)
            rec = late_this[i % len(late_this)]
            answered = add_workdays(rec, 20 - i % 4)
            assert answered.year == year + 1, rec
            out.append(_app(i, rec, APPLICANT_TYPES[t], answered=answered, outcome="予以公开"))
    _attach_reviews(out, reviews, year)
    return out


def _attach_reviews(apps: list[dict[str, Any]], reviews: dict[str, list[int]], year: int) -> None:
    """Reviews on refused applications answered in the year: decided ones filed early (30
    days after the answer, decided 60 days later), pending ones filed in December (one of them
    decided next year: still 尚未审结 on 31 December)."""
    refused = [a for a in apps if a["outcome"] not in ("予以公开", "部分公开") and a["answered"].startswith(str(year))]
    early = iter(sorted((a for a in refused if a["answered"] <= f"{year}-08-31"), key=lambda a: a["answered"]))
    pending = iter(sorted((a for a in refused if f"{year}-11-01" <= a["answered"] <= f"{year}-11-30"),
                          key=lambda a: a["answered"]))
    for kind, _ in REVIEW_KINDS:
        upheld, corrected, other, open_ = reviews.get(kind, [0, 0, 0, 0])
        for result, k in (("维持", upheld), ("纠正", corrected), ("其他", other)):
            for _ in range(k):
                a = next(early, None)
                assert a is not None, "没有足够的、8 月底前答复的不公开申请来挂行政复议/诉讼"
                filed = dt.date.fromisoformat(a["answered"]) + dt.timedelta(days=30)
                a["reviews"] = [{"kind": kind, "filed": filed.isoformat(), "result": result,
                                 "decided": (filed + dt.timedelta(days=60)).isoformat()}]
        for j in range(open_):
            a = next(pending, None)
            assert a is not None, "没有足够的、11 月答复的不公开申请来挂尚未审结的复议/诉讼"
            filed = dt.date.fromisoformat(a["answered"]) + dt.timedelta(days=20)
            rv: dict[str, str] = {"kind": kind, "filed": filed.isoformat()}
            if j == 0:  # decided after the year: at 31 December it was still open
                rv.update(result="维持", decided=f"{year + 1}-03-10")
            a["reviews"] = [rv]


def generator_input() -> tuple[dict[str, list[int]], list[int], list[int], dict[str, list[int]]]:
    """What a register records, read off the published table: outcome × type of the answered
    ones, row 二 (received last year), row 四 (still open), table 四 by result. Rows 一 and
    （七） are not used: they must come out of the counting."""
    rows = published_rows()
    results: dict[str, list[int]] = {}
    for label, cells in rows.items():
        mapped = ROW_MAP[label]
        if all(isinstance(r, str) for r in mapped):
            if len(mapped) > 1:  # （六）: 0 as published, nothing to generate
                assert _zero(cells) == [0] * 7
                continue
            results[mapped[0]] = _zero(cells[:6])  # type: ignore[index]
    carried_over = _zero(rows["二、上年结转政府信息公开申请数量"][:6])
    carried_forward = _zero(rows["四、结转下年度继续办理"][:6])
    t4 = PUBLISHED["table4"]
    reviews = {kind: t4[label][:4] for kind, label in REVIEW_KINDS}
    return results, carried_over, carried_forward, reviews


# -- the site: written once for the module (877 applications: 18 from 2018, 859 from 2019) --------

ANNUAL_MD = ("本报告依据《中华人民共和国政府信息公开条例》编制。\n\n## 一、总体情况\n\n共受理政府信息公开申请{新收}件，"
             "答复{办结}件（含上年度结转申请{上年结转}件），另有{结转}件顺延到下年度答复。\n\n"
             "## 五、存在的主要问题及改进情况\n\n无。\n\n## 六、其他需要报告的事项\n\n无。\n")


def _annual_files(site: Site, year: int, **data: Any) -> None:
    figures = {"organ": ORGAN, "行政许可": 0, "行政处罚": 0, "行政强制": 0, "行政事业性收费": 0,
               "front_matter": {"index_no": f"{CODE}/{year + 1}-00001", "written": f"{year + 1}-01-20",
                                "published": f"{year + 1}-01-31"}}
    site.write(f"annual/{year}-{CODE}.yml", yaml.safe_dump({**figures, **data}, allow_unicode=True, sort_keys=False))
    site.write(f"annual/{year}-{CODE}.md", ANNUAL_MD)


@pytest.fixture(scope="module")
def shanghai(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("shanghai") / "site")
    for data in generate_register(*generator_input()):
        site.write(f"records/requests/{data['id']}.yml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    _annual_files(site, YEAR)
    # 2020: last year's published 结转下年度 row, as the next report's data file records it
    _annual_files(site, YEAR + 1, carried_over=[c or 0 for c in published_rows()["四、结转下年度继续办理"]])
    return site


def _report(site: Site, year: int, fmt: str) -> str:
    out = site.root / f"nb-{year}.{fmt}"
    rc, _, err = site.cli("report", "annual", "--year", str(year), "--organ", CODE, "--format", fmt, "--out", str(out))
    assert rc == 0, err
    return out.read_text("utf-8")


@pytest.fixture(scope="module")
def report_2019(shanghai: Site) -> dict[str, Any]:
    """``gkpublish report annual --year 2019 --format json`` of the register (run once)."""
    return json.loads(_report(shanghai, YEAR, "json"))


# -- the tests ---------------------------------------------------------------------------------

def test_the_register_has_as_many_applications_as_the_report(shanghai):
    files = list((shanghai.root / "records" / "requests").glob("*.yml"))
    rows = published_rows()
    received_2019 = rows["一、本年新收政府信息公开申请数量"][6]
    carried = rows["二、上年结转政府信息公开申请数量"][6]
    assert (received_2019, carried) == (859, 18)
    assert len(files) == received_2019 + carried == 877


def test_the_register_keeps_every_statutory_deadline(shanghai):
    """GK701–GK704 stay quiet: valid records, every answer within its deadline (2018–2020
    holidays of chinesecalendar, 调休 included), every 补正 notice within 7 working days,
    extensions approved by a roster person before the first deadline."""
    found = shanghai.check(as_of=CHECK_DAY)
    assert [f for f in found.findings if f.rule in ("GK701", "GK702", "GK703", "GK704")] == []


def test_rebuilds_the_published_table_three_of_the_shanghai_2019_report(report_2019):
    ours = report_2019["table3"]
    assert len(ours) == 25 and all(len(r) == 7 for r in ours)
    for label, cells in published_rows().items():
        for r in ROW_MAP[label]:
            row = ours[_index(r)]
            where = f"{label} → {TABLE3_LABELS[_index(r)]}"
            # every published cell; a blank is 0 as published
            assert row[:6] == _zero(cells[:6]), where
            if cells[6] is not None:
                assert row[6] == cells[6], where
            # our 总计 column is the row sum (the published report left it blank on result rows)
            assert row[6] == sum(row[:6]), where
    # （六）其他处理: one row of 0 in 2019, so each of the three 2021 sub-rows is 0
    assert [ours[_index(o)] for o in _OTHER] == [[0] * 7] * 3
    # the report's text: 859 received, 805 answered incl. 18 carried over, 72 carried forward
    assert (ours[0][6], ours[23][6], ours[1][6], ours[24][6]) == (859, 805, 18, 72)


def test_rebuilds_the_published_table_four(report_2019):
    assert report_2019["table4"] == published_table4() == [5, 0, 0, 2, 7, 8, 0, 0, 1, 9, 0, 0, 0, 0, 0]


def test_the_markdown_report_prints_the_published_rows(shanghai):
    md = _report(shanghai, YEAR, "md")
    lines = {ln.split(" | ")[0].removeprefix("| "): ln for ln in md.splitlines() if ln.startswith("| ")}
    expected = published_as_ours()
    for r, label in enumerate(TABLE3_LABELS):
        assert lines[label] == "| " + " | ".join([label, *map(str, expected[r])]) + " |", label
    assert "共受理政府信息公开申请859件，答复805件（含上年度结转申请18件），另有72件顺延到下年度答复" in md
    assert "| 件数 | 5 | 0 | 0 | 2 | 7 | 8 | 0 | 0 | 1 | 9 | 0 | 0 | 0 | 0 | 0 |" in md
    assert "申请人标记" not in md and "联系标记" not in md


def test_next_years_report_carries_over_the_published_seventy_two(shanghai):
    """2020's 上年结转 is counted from the register and equals the 2019 report's published
    结转下年度 row (``carried_over`` in annual/2020-<code>.yml, which the report checks);
    a data file claiming one more would not balance, naming the row."""
    published_forward = _zero(published_rows()["四、结转下年度继续办理"])
    t3 = json.loads(_report(shanghai, YEAR + 1, "json"))["table3"]
    assert t3[1] == published_forward == [72, 0, 0, 0, 0, 0, 72]
    assert balance_breaks(t3, published_forward) == []
    claimed = [73, 0, 0, 0, 0, 0, 73]
    assert balance_breaks(t3, claimed) == [
        f"表三“二、上年结转政府信息公开申请数量”行 {t3[1]} 与上年报告的结转下年度 {claimed} 不一致"]


def test_the_published_report_passes_our_balance_check():
    t3 = published_as_ours()
    assert balance_breaks(t3) == []
    t4 = published_table4()
    assert all(sum(t4[k * 5:k * 5 + 4]) == t4[k * 5 + 4] for k in range(3))  # 总计 = the four results


def test_one_more_disclosure_without_an_application_breaks_the_balance_naming_row_and_column():
    t3 = published_as_ours()
    t3[_index("予以公开")][0] += 1  # 259 予以公开 for 自然人, nothing else changed
    t3[_index("予以公开")][6] += 1  # its 总计 too: only the column relations can see it
    breaks = balance_breaks(t3)
    assert breaks == ["表三“自然人”列：（七）总计（767）≠ 三（一）至（六）各项之和（768）",
                      "表三“总计”列：（七）总计（805）≠ 三（一）至（六）各项之和（806）"]


@settings(max_examples=200, deadline=None)
@given(row=st.integers(0, 24), col=st.integers(0, 6),
       delta=st.integers(-300, 300).filter(lambda d: d != 0))
def test_every_single_cell_change_of_the_published_table_is_caught(row, col, delta):
    """For every change of one cell of the real table (any row, any column, up or down),
    our 勾稽 check reports a break that names that cell's row or column."""
    t3 = published_as_ours()
    t3[row][col] += delta
    breaks = balance_breaks(t3)
    assert breaks, (row, col, delta)
    assert any(f"“{COLUMNS[col]}”列" in b or f"“{TABLE3_LABELS[row]}”行" in b for b in breaks), breaks


_counts = st.lists(st.integers(0, 3), min_size=6, max_size=6)


@settings(max_examples=15, deadline=None)
@given(results=st.dictionaries(st.sampled_from([o for o in OUTCOMES if o not in _OTHER]), _counts, max_size=6),
       carried=_counts, forward=_counts)
def test_every_generated_table_survives_the_register_round_trip(results, carried, forward):
    """For every generated table (outcome × applicant counts, a carry-over no larger than
    the answered ones, a carry-forward), the generator's register parses without a problem,
    keeps every deadline, and table3 counts back exactly that table: the generator the real
    test relies on is not tuned to one table. (Reviews need enough refused answers in the
    right months; the real table's are checked by the table 四 test.)"""
    answered = [sum(c[t] for c in results.values()) for t in range(6)]
    carried = [min(c, a) for c, a in zip(carried, answered, strict=True)]
    apps = []
    for data in generate_register(results, carried, forward, {}):
        app, problems = parse_application(f"records/requests/{data['id']}.yml",
                                          yaml.safe_dump(data, allow_unicode=True).encode())
        assert app is not None and not problems, problems
        due = deadline(app, CHECK_DAY, people={APPROVER}).due
        assert due is not None and app.answered is not None and app.answered <= due, data
        for c in app.seq("corrections"):
            assert workdays_between(app.received, dt.date.fromisoformat(c["notified"])) <= 7, data
        apps.append(app)
    t3 = table3(apps, YEAR)
    for outcome in OUTCOMES:
        counts = results.get(outcome, [0] * 6)
        assert t3[_index(outcome)] == [*counts, sum(counts)], outcome
    assert t3[1][:6] == carried and t3[24][:6] == forward
    assert t3[0][:6] == [a - c + f for a, c, f in zip(answered, carried, forward, strict=True)]
    assert balance_breaks(t3) == []
    assert table4(apps, YEAR) == [0] * 15
