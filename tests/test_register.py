"""The 依申请公开 register (records/requests/) and its deadline rules GK701–GK704.

Dates are chosen around real 调休 boundaries of chinesecalendar's data: 国庆 2025 (holiday
2025-10-01…08, working Sundays/Saturdays 2025-09-28 and 2025-10-11) and 春节 2026 (holiday
2026-02-15…23, working 2026-02-14 and 2026-02-28).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish.register import OUTCOMES, deadline, load_register, parse_application
from gkpublish.workdays import add_workdays, is_workday, workdays_between

NAME, CONTACT = "申请人甲乙丙", "13800138000"


def application(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "2025-0001", "received": "2025-09-26",
        "applicant": {"type": "自然人", "name": NAME, "contact": CONTACT},
        "request": "2025 年度区级部门预算公开情况",
    }
    for k, v in overrides.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    return data


def register(site, name: str = "2025-0001.yml", **overrides: Any):
    text = yaml.safe_dump(application(**overrides), allow_unicode=True, sort_keys=False)
    return site.write(f"records/requests/{name}", text)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# -- working days -------------------------------------------------------------------------

def test_national_day_2025_holiday_and_adjusted_workdays():
    assert [is_workday(d(f"2025-10-0{i}")) for i in range(1, 9)] == [False] * 8
    assert is_workday(d("2025-09-28")) and is_workday(d("2025-10-11"))  # 调休: Sunday and Saturday worked
    # from Friday 2025-09-26 (not counted): 09-28, 09-29, 09-30, 10-09, 10-10, 10-11, 10-13 …
    assert add_workdays(d("2025-09-26"), 7) == d("2025-10-13")
    assert add_workdays(d("2025-09-26"), 20) == d("2025-10-30")
    assert workdays_between(d("2025-09-30"), d("2025-10-09")) == 1


def test_spring_festival_2026_boundaries():
    assert is_workday(d("2026-02-14")) and is_workday(d("2026-02-28"))  # Saturdays worked
    assert not is_workday(d("2026-02-15")) and not is_workday(d("2026-02-23"))
    assert add_workdays(d("2026-02-13"), 1) == d("2026-02-14")
    assert add_workdays(d("2026-02-14"), 1) == d("2026-02-24")


def test_a_year_the_calendar_does_not_cover_is_none_not_a_guess():
    assert add_workdays(d("2026-12-20"), 20) is None
    assert workdays_between(d("2026-12-30"), d("2027-01-05")) is None


# -- the deadline -------------------------------------------------------------------------

def _app(site, **overrides):
    register(site, **overrides)
    reg = load_register(str(site.root))
    assert not reg.problems, reg.problems
    return reg.applications[0]


def test_deadline_twenty_working_days_over_national_day(site):
    app = _app(site)
    assert deadline(app, d("2025-10-09")).due == d("2025-10-30")


def test_deadline_restarts_at_the_last_correction_received(site):
    app = _app(site, corrections=[{"notified": "2025-09-29", "received": "2025-10-10"}])
    assert deadline(app, d("2025-10-10")).due == add_workdays(d("2025-10-10"), 20)


def test_deadline_adds_third_party_days_and_an_approved_extension(site):
    app = _app(site, third_party=[{"sent": "2025-09-30", "answered": "2025-10-11"}],  # 10-09, 10-10, 10-11
               extension={"approved_by": "sun-zy", "date": "2025-10-20"})
    got = deadline(app, d("2025-10-20"), people={"sun-zy"})
    assert got.first == add_workdays(d("2025-09-26"), 23)
    assert got.due == add_workdays(d("2025-09-26"), 43) and got.extended


def test_an_extension_by_someone_not_on_the_roster_does_not_extend(site):
    app = _app(site, extension={"approved_by": "王主任", "date": "2025-10-20"})
    assert deadline(app, d("2025-10-20"), people={"sun-zy"}).due == d("2025-10-30")


# -- GK701 --------------------------------------------------------------------------------

def test_well_formed_register_passes(site):
    register(site, answered="2025-10-20", outcome="予以公开")
    assert not site.check(as_of=d("2025-11-01")).of("GK701")


def test_bad_date_is_GK701_with_its_line(site):
    path = register(site, received="2025-02-30")
    found = site.check(as_of=d("2025-11-01")).of("GK701")
    assert found and found[0].path == "records/requests/2025-0001.yml"
    assert found[0].line == _line(path, "received:") and "有效日期" in found[0].message


def _line(path, text: str) -> int:
    return next(n for n, ln in enumerate(path.read_text("utf-8").splitlines(), 1) if ln.startswith(text))


def test_unknown_applicant_type_is_GK701(site):
    register(site, applicant={"type": "个人", "name": NAME})
    found = site.check(as_of=d("2025-11-01")).of("GK701")
    assert found and "自然人" in found[0].message


def test_unknown_outcome_is_GK701_with_a_suggestion(site):
    register(site, answered="2025-10-20", outcome="不予公开/国家秘密")
    found = site.check(as_of=d("2025-11-01")).of("GK701")
    assert found and "不予公开/属于国家秘密" in found[0].message


def test_every_table_three_outcome_is_accepted(site):
    for i, outcome in enumerate(OUTCOMES):
        register(site, name=f"2025-{i:04d}.yml", id=f"2025-{i:04d}", answered="2025-10-20", outcome=outcome)
    assert not site.check(as_of=d("2025-11-01")).of("GK701")


def test_duplicate_id_is_GK701_on_the_second_file(site):
    register(site, name="a.yml")
    register(site, name="b.yml")
    found = site.check(as_of=d("2025-10-09")).of("GK701")
    assert [f.path for f in found] == ["records/requests/b.yml"] and "重复" in found[0].message


def test_answer_before_receipt_is_GK701(site):
    register(site, answered="2025-09-01", outcome="予以公开")
    assert site.check(as_of=d("2025-11-01")).of("GK701")


def test_broken_yaml_is_GK701_not_a_traceback(site):
    site.write("records/requests/x.yml", f"id: 2025-0001\napplicant: {{type: 自然人, name: {NAME}\n")
    rc, out, err = site.cli("check", "--as-of", "2025-11-01")
    assert rc == 1 and "GK701" in out and "Traceback" not in err + out
    assert NAME not in out


# -- GK702 --------------------------------------------------------------------------------

def test_open_application_far_from_its_deadline_passes(site):
    register(site)
    assert not site.check(as_of=d("2025-10-09")).of("GK702")


def test_due_within_five_working_days_is_a_GK702_warning(site):
    register(site)
    found = site.check(as_of=d("2025-10-28")).of("GK702")
    assert [f.severity for f in found] == ["warning"] and "2025-10-30" in found[0].message


def test_overdue_open_application_is_a_GK702_error(site):
    register(site)
    found = site.check(as_of=d("2025-10-31")).of("GK702")
    assert [f.severity for f in found] == ["error"]


def test_waiting_for_the_applicants_correction_is_not_due(site):
    register(site, corrections=[{"notified": "2025-09-29"}])
    assert not site.check(as_of=d("2025-11-20")).of("GK702")


def test_a_deadline_beyond_the_calendar_is_an_error_not_silence(site):
    register(site, received="2026-12-20", id="2026-0009")
    found = site.check(as_of=d("2026-12-21")).of("GK702")
    assert [f.severity for f in found] == ["error"] and "chinesecalendar" in found[0].message


# -- GK703 --------------------------------------------------------------------------------

def test_answered_on_the_last_day_passes(site):
    register(site, answered="2025-10-30", outcome="予以公开")
    assert not site.check(as_of=d("2025-11-20")).of("GK703")


def test_answered_a_day_late_is_GK703(site):
    register(site, answered="2025-10-31", outcome="予以公开")
    found = site.check(as_of=d("2025-11-20")).of("GK703")
    assert found and "2025-10-30" in found[0].message


def test_answered_within_an_approved_extension_passes(site):
    register(site, answered="2025-11-20", outcome="予以公开", extension={"approved_by": "sun-zy", "date": "2025-10-28"})
    assert not site.check(as_of=d("2025-12-01")).of("GK703")


def test_extension_without_a_roster_approver_is_GK703(site):
    register(site, answered="2025-11-20", outcome="予以公开", extension={"approved_by": "王主任", "date": "2025-10-28"})
    found = site.check(as_of=d("2025-12-01")).of("GK703")
    assert len(found) == 2  # the approver, and then the answer is late
    assert any("approved_by" in f.message for f in found)


def test_extension_after_the_first_deadline_is_GK703(site):
    register(site, answered="2025-11-20", outcome="予以公开", extension={"approved_by": "sun-zy", "date": "2025-10-31"})
    found = site.check(as_of=d("2025-12-01")).of("GK703")
    assert any("晚于原答复期限 2025-10-30" in f.message for f in found)


# -- GK704 --------------------------------------------------------------------------------

def test_correction_notice_on_the_seventh_working_day_passes(site):
    register(site, corrections=[{"notified": "2025-10-13", "received": "2025-10-15"}])
    assert not site.check(as_of=d("2025-10-20")).of("GK704")


def test_correction_notice_on_the_eighth_working_day_is_GK704(site):
    path = register(site, corrections=[{"notified": "2025-10-14", "received": "2025-10-15"}])
    found = site.check(as_of=d("2025-10-20")).of("GK704")
    assert found and found[0].line == _line(path, "- notified:")


def test_a_late_correction_notice_does_not_restart_the_clock(site):
    register(site, corrections=[{"notified": "2025-10-14", "received": "2025-10-15"}])
    app = load_register(str(site.root)).applications[0]
    assert deadline(app, d("2025-10-20")).due == d("2025-10-30")


def test_spring_festival_correction_window(site):
    # received Friday 2026-02-13: 02-14 (Saturday worked), 02-24 … 02-27, 02-28 (Saturday
    # worked), so the 7th working day is Monday 2026-03-02
    register(site, received="2026-02-13", id="2026-0001",
             corrections=[{"notified": "2026-03-02", "received": "2026-03-04"}])
    assert add_workdays(d("2026-02-13"), 7) == d("2026-03-02")
    assert not site.check(as_of=d("2026-03-05")).of("GK704")
    register(site, received="2026-02-13", id="2026-0001",
             corrections=[{"notified": "2026-03-03", "received": "2026-03-04"}])
    assert site.check(as_of=d("2026-03-05")).of("GK704")


# -- privacy ------------------------------------------------------------------------------

_shapes = st.sampled_from(["text", "list", "map", "key", "type"])
_breaks = st.lists(st.sampled_from(["received", "outcome", "answered", "extension", "id", "corrections", "extra"]),
                   max_size=3, unique=True)


def _planted(marker: str, shape: str, where: str) -> dict[str, Any]:
    applicant: dict[str, Any] = {"type": "自然人", "name": "某", "contact": "某"}
    if shape == "text":
        applicant[where] = marker
    elif shape == "list":
        applicant[where] = [marker, 1]
    elif shape == "map":
        applicant[where] = {"value": marker}
    elif shape == "key":
        applicant[marker] = "13800138000"
    else:
        applicant["type"] = marker
    return applicant


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(breaks=_breaks, name=st.text(alphabet="张王李赵某甲乙丙丁abcXYZ0123456789", min_size=4, max_size=12),
       where=st.sampled_from(["name", "contact"]), shape=_shapes)
def test_applicant_personal_data_never_reaches_a_finding(site, breaks, name, where, shape):
    """For every generated register (applicant data as text, list, map, key or in the type,
    with other fields broken), neither a finding nor ``report requests`` carries what was
    written under applicant."""
    marker = f"隐私{name}"
    over: dict[str, Any] = {"applicant": _planted(marker, shape, where), "answered": "2025-11-30", "outcome": "予以公开"}
    wrong = {"received": "2025-02-30", "outcome": "同意", "answered": "2025-09-01", "id": "第一号",
             "extension": {"approved_by": "某主任", "date": "2025-10-31"},
             "corrections": [{"notified": "2025-13-01"}], "extra": "x"}
    for b in breaks:
        over[b] = wrong[b]
    register(site, **over)
    assert any(marker in v for v in load_register(str(site.root)).personal_values())
    text = "\n".join(f.message for f in site.check(as_of=d("2025-12-01")).findings)
    for fmt in ("text", "json"):
        rc, out, err = site.cli("report", "requests", "--as-of", "2025-12-01", "--format", fmt)
        assert rc == 0, err
        text += out + err
    assert marker not in text


def test_a_duplicate_key_under_applicant_is_not_repeated(site):
    site.write("records/requests/a.yml", "id: 2025-0001\nreceived: 2025-09-26\nrequest: x\n"
                                         "applicant:\n  type: 自然人\n  隐私姓名丙: 1\n  隐私姓名丙: 2\n")
    found = site.check(as_of=d("2025-10-09")).of("GK701")
    assert found and found[0].line == 7 and "隐私姓名丙" not in found[0].message


def test_parse_application_keeps_lines_of_nested_keys():
    text = "id: 2025-0001\nreceived: 2025-09-26\napplicant:\n  type: 自然人\nrequest: x\ncorrections:\n  - notified: 2025-09-29\n    received: 2025-10-10\n"
    app, problems = parse_application("records/requests/a.yml", text.encode())
    assert not problems and app is not None
    assert app.line("corrections", 0, "received") == 8 and app.line("applicant", "type") == 4


# -- GK705 --------------------------------------------------------------------------------

def with_annual_column(site, due: str | None = None) -> None:
    cols = site.config_data("columns.yml")
    cols["columns"].append({"id": "xxgknb", "name": "政府信息公开年报", "category": "其他", "review": "政务公开"})
    site.config("columns.yml", cols)
    org = site.config_data("organisation.yml")
    for row in org["organs"]:
        if row["name"] == "重庆市綦江区审计局":
            row["annual_report"] = False  # published elsewhere: not checked
        elif due:
            row["annual_report_due"] = due
    site.config("organisation.yml", org)


def test_published_previous_annual_report_passes_GK705(site):
    with_annual_column(site)
    site.item("xxgknb/2025.md", column="xxgknb", title="重庆市江北区人民政府办公室2025年政府信息公开工作年度报告",
              published="2026-01-20", index_no="SAMPLE001/2026-00009")
    assert not site.check(as_of=d("2026-02-10")).of("GK705")


def test_missing_annual_report_warns_in_january_and_errs_after_the_31st(site):
    with_annual_column(site)
    jan = site.check(as_of=d("2026-01-15")).of("GK705")
    assert [(f.path, f.severity) for f in jan] == [("site_config/organisation.yml", "warning")]
    assert "2025 年" in jan[0].message and "gkpublish report annual --year 2025" in jan[0].message
    assert [f.severity for f in site.check(as_of=d("2026-02-01")).of("GK705")] == ["error"]


def test_a_government_has_until_31_march(site):
    with_annual_column(site, due="03-31")
    assert [f.severity for f in site.check(as_of=d("2026-03-31")).of("GK705")] == ["warning"]
    assert [f.severity for f in site.check(as_of=d("2026-04-01")).of("GK705")] == ["error"]


def test_last_years_report_does_not_count_for_this_year(site):
    with_annual_column(site)
    site.item("xxgknb/2024.md", column="xxgknb", title="重庆市江北区人民政府办公室2024年政府信息公开工作年度报告",
              published="2025-01-20", index_no="SAMPLE001/2025-00009")
    assert [f.severity for f in site.check(as_of=d("2026-02-10")).of("GK705")] == ["error"]


def test_a_site_without_an_annual_report_column_is_not_checked(site):
    assert not site.check(as_of=d("2026-02-10")).of("GK705")


def test_unknown_organ_or_department_is_GK701(site):
    path = register(site, organ="重庆市某不存在局", department="不存在科")
    found = site.check(as_of=d("2025-10-09")).of("GK701")
    assert sorted(f.line for f in found) == sorted([_line(path, "organ:"), _line(path, "department:")])


def test_known_organ_and_department_pass(site):
    register(site, organ="重庆市綦江区审计局", department="局办公室")
    assert not site.check(as_of=d("2025-10-09")).of("GK701")


_received = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 9, 30))


@settings(max_examples=150, deadline=None)
@given(received=_received, tp=st.lists(st.tuples(st.integers(0, 15), st.integers(0, 25)), max_size=2),
       extended=st.booleans())
def test_every_deadline_is_a_working_day_the_right_number_of_working_days_out(received, tp, extended):
    """For generated applications (any receipt date across holidays and 调休, third-party
    periods, an extension), the deadline is a working day exactly 20 (+20) + the third
    party's working days after receipt."""
    data: dict[str, Any] = application(received=received.isoformat())
    periods = []
    for after, length in tp:
        sent = received + dt.timedelta(days=after)
        periods.append({"sent": sent.isoformat(), "answered": (sent + dt.timedelta(days=length)).isoformat()})
    if periods:
        data["third_party"] = periods
    if extended:
        data["extension"] = {"approved_by": "sun-zy", "date": received.isoformat()}
    app, problems = parse_application("records/requests/x.yml", yaml.safe_dump(data, allow_unicode=True).encode())
    assert app is not None and not problems
    got = deadline(app, received + dt.timedelta(days=60), people={"sun-zy"})
    paused = sum(workdays_between(d(p["sent"]), d(p["answered"])) for p in periods)
    assert got.due is not None and is_workday(got.due)
    assert workdays_between(received, got.due) == 20 + 20 * extended + paused


def test_an_answer_dated_in_the_future_is_GK701_not_a_hidden_overdue(site):
    register(site, answered="2026-10-30", outcome="予以公开")  # typo for 2025
    found = site.check(as_of=d("2025-11-20")).of("GK701")
    assert found and "晚于检查日期" in found[0].message
