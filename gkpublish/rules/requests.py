"""GK701–GK705: the 依申请公开 register (``records/requests/``) and the annual report's deadline.

条例 第三十条 (补正 within 7 working days, the clock restarts on the corrected application),
第三十二条 (the third party's time is not counted), 第三十三条 (answer within 20 working
days; one extension of at most 20 with the 工作机构负责人's approval); 綦江 第十五、十六条
(registered and handled on time). The register is read by the loader
(:mod:`gkpublish.register`); working days come from :mod:`gkpublish.workdays`.

Messages name the application by its file and 登记编号, never by the applicant: names and
contacts are personal data that stay in the register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from gkpublish.approvals import trusted_roster
from gkpublish.model import ERROR, WARNING, Repository
from gkpublish.register import (
    CORRECTION_NOTICE_DAYS,
    EXTENSION_DAYS,
    Application,
    deadline,
    extension_valid,
    register_of,
)
from gkpublish.rules import Problem, rule
from gkpublish.workdays import add_workdays, workdays_between

DUE_SOON_DAYS = 5  # GK702's warning window, in working days


def _people(repo: Repository) -> set[str]:
    return set(trusted_roster(repo).people)


@rule("GK701", "E", "依申请公开登记不符合格式：日期无效、申请人类型或办理结果未知、编号重复", "条例 第三十三条")
def register_format(repo: Repository) -> Iterator[Problem]:
    """Each application is one file ``records/requests/<编号>.yml`` with the keys of the
    register (``docs/records.md``): valid dates (YYYY-MM-DD that exist), an applicant type
    of table 三 (自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他), an
    ``outcome`` that is a row of table 三, a unique ``id``, and dates in a possible order
    (no answer before receipt, no 补正 received before it was requested). The message never
    repeats the applicant's name or contact.

    Passing::

        id: 2026-0001
        received: 2026-03-02
        applicant: {type: 自然人, name: 张某, contact: 138……}
        request: 2025 年度区级部门预算公开情况
        answered: 2026-03-20
        outcome: 予以公开

    Failing: ``received: 2026-02-30`` (no such day), ``applicant: {type: 个人}``,
    ``outcome: 同意公开``, a second file with ``id: 2026-0001``, an ``organ`` or
    ``department`` (承办科室) not in ``organisation.yml``, ``answered`` after the check date.
    """
    reg = register_of(repo)
    for p in reg.problems:
        yield Problem(p.path, p.line, p.message)
    organs = repo.config.organs
    for app in reg.applications:
        # a date after the check date is a typo that would hide an overdue application
        for key in ("received", "answered"):
            when = app.date(key)
            if when is not None and when > repo.as_of:
                yield Problem(app.path, app.line(key), f"{key}（{when}）晚于检查日期 {repo.as_of}：登记的日期不能在未来；请核对")
        organ, dept = app.data.get("organ"), app.data.get("department")
        if isinstance(organ, str) and organ not in organs:
            yield Problem(app.path, app.line("organ"), f"organ“{organ}”不是 site_config/organisation.yml 中的发布机构全称："
                                                       f"应为 {' / '.join(organs)}")
        if isinstance(dept, str) and repo.config.unit_by_name(dept) is None:
            yield Problem(app.path, app.line("department"),
                          f"department“{dept}”不是 site_config/organisation.yml 中的科室；请填写科室名称，如 "
                          f"{' / '.join(u.name for u in list(repo.config.units.values())[:4])}")


def _label(app: Application) -> str:
    return f"申请 {app.id}"


@rule("GK702", "W", "依申请公开答复期限将至（5 个工作日内）或已逾期", "条例 第三十三条")
def due(repo: Repository) -> Iterator[Problem]:
    """An open application (no ``answered``) is answered within its deadline: the 20th
    working day after receipt (or after the last 补正 received; the start day not counted),
    +20 with an approved extension, plus the working days a third party took. Warning when
    5 working days or fewer are left as of the check date; error once it has passed, or when
    the deadline cannot be computed (a year the holiday calendar does not cover).
    Applications waiting for the applicant's 补正 are not due.

    Passing (checked 2025-10-09): received 2025-09-26 → due 2025-10-30 (国庆 2025-10-01…08
    not counted, 调休 2025-09-28 and 2025-10-11 counted).

    Failing: the same application checked on 2025-10-28 (W, 2 working days left) or on
    2025-10-31 (E, overdue).
    """
    people = _people(repo)
    as_of = repo.as_of
    for app in register_of(repo).applications:
        if app.answered is not None or app.received is None:
            continue
        d = deadline(app, as_of, people)
        if d.due is None:
            if d.start is not None or not d.paused:
                yield Problem(app.path, app.line("received"), f"{_label(app)}：{d.why}", severity=ERROR)
            continue
        if d.due < as_of:
            late = workdays_between(d.due, as_of)
            yield Problem(app.path, app.line("received"),
                          f"{_label(app)} 已逾期：答复期限为 {d.due}，截至 {as_of} 已超过 {late} 个工作日"
                          f"（条例 第三十三条）；请立即答复，并在 answered、outcome 中登记",
                          severity=ERROR)
            continue
        left = workdays_between(as_of, d.due)
        if left is not None and left <= DUE_SOON_DAYS and not d.paused:
            more = "" if d.extended else "；确需延长的，须经工作机构负责人同意并在 extension 中登记（最多 20 个工作日）"
            yield Problem(app.path, app.line("received"),
                          f"{_label(app)} 答复期限 {d.due} 将至：还剩 {left} 个工作日{more}", severity=WARNING)


@rule("GK703", "E", "依申请公开逾期答复，或延长期限未经批准、批准晚于原期限", "条例 第三十三条")
def answered_late(repo: Repository) -> Iterator[Problem]:
    """An answered application was answered by its deadline; an ``extension`` names the
    person who approved it (``approved_by``: a person ID of the trusted roster) and was
    approved on or before the first deadline. An extension that breaks either does not
    extend the deadline.

    Passing::

        received: 2026-03-02
        extension: {approved_by: sun-zy, date: 2026-03-25}
        answered: 2026-04-20

    Failing: ``answered: 2026-04-30`` without an extension (due 2026-03-30);
    ``extension: {approved_by: 王主任, …}`` (not a roster ID); an extension approved on
    2026-04-02, after the first deadline.
    """
    people = _people(repo)
    for app in register_of(repo).applications:
        ext = app.data.get("extension")
        answered = app.answered
        d = deadline(app, answered or repo.as_of, people)
        if isinstance(ext, dict):
            approver = ext.get("approved_by")
            if approver not in people:
                yield Problem(app.path, app.line("extension", "approved_by"),
                              f"{_label(app)} 的延长期限没有有效的批准人：approved_by 须是人员名册中的人员 ID"
                              f"（现为“{approver}”）；未经工作机构负责人同意的延长不算数（条例 第三十三条）")
            when = app.date("extension", "date")
            if when is not None and d.first is not None and when > d.first:
                yield Problem(app.path, app.line("extension", "date"),
                              f"{_label(app)} 的延长期限批准于 {when}，晚于原答复期限 {d.first}：延长须在期限届满前批准，"
                              "这次延长不算数（条例 第三十三条）")
        if answered is None or app.received is None:
            continue
        if d.due is None:
            if d.start is not None:
                yield Problem(app.path, app.line("answered"), f"{_label(app)}：{d.why}")
            continue
        if answered > d.due:
            late = workdays_between(d.due, answered)
            extra = "" if d.extended or extension_valid(app, people) else \
                f"；可延长 {EXTENSION_DAYS} 个工作日，但须在期限内经批准并登记 extension"
            yield Problem(app.path, app.line("answered"),
                          f"{_label(app)} 答复于 {answered}，晚于答复期限 {d.due}（逾期 {late} 个工作日，条例 第三十三条）{extra}")


@rule("GK704", "E", "补正告知晚于收到申请后 7 个工作日", "条例 第三十条")
def correction_late(repo: Repository) -> Iterator[Problem]:
    """A 补正 notice (``corrections[].notified``) goes out within 7 working days of
    receiving the application (for a second 补正: of receiving the previous correction).
    条例 第三十条: 逾期未告知的，视为申请已收到 — the clock cannot restart.

    Passing: received 2025-09-26, notified 2025-10-13 (the 7th working day: 09-28, 09-29,
    09-30, 10-09, 10-10, 10-11, 10-13).

    Failing: received 2025-09-26, notified 2025-10-14.
    """
    for app in register_of(repo).applications:
        previous = app.received
        for i, _ in enumerate(app.seq("corrections")):
            notified = app.date("corrections", i, "notified")
            if previous is None or notified is None:
                break
            limit = add_workdays(previous, CORRECTION_NOTICE_DAYS)
            if limit is None:
                yield Problem(app.path, app.line("corrections", i, "notified"),
                              f"{_label(app)}：无法计算补正告知期限（节假日日历不含 {previous.year} 年之后）；请升级 chinesecalendar")
            elif notified > limit:
                yield Problem(app.path, app.line("corrections", i, "notified"),
                              f"{_label(app)} 第 {i + 1} 次补正告知于 {notified}，晚于收到后 {CORRECTION_NOTICE_DAYS} 个工作日"
                              f"（{limit}）：条例 第三十条规定逾期未告知的视为申请已收到，答复期限从 {previous} 起算")
            previous = app.date("corrections", i, "received")


ORGANISATION_FILE = "site_config/organisation.yml"
DEFAULT_REPORT_DUE = "01-31"  # 条例 第四十九条: departments by 31 January, governments by 31 March


def annual_report_column(repo: Repository) -> str | None:
    """The 政府信息公开年报 column: the one whose name says 年报 or 年度报告."""
    return next((c.id for c in repo.config.columns.values() if "年报" in c.name or "年度报告" in c.name), None)


def _organ_line(repo: Repository, organ: str) -> int | None:
    data = repo.config.files.get(ORGANISATION_FILE)
    if data is None:
        return None
    text = data.decode("utf-8", "replace")
    at = text.find(organ)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _report_due(row: dict, year: int) -> tuple[dt.date | None, str]:
    raw = str(row.get("annual_report_due") or DEFAULT_REPORT_DUE)
    try:
        month, day = (int(x) for x in raw.split("-"))
        return dt.date(year, month, day), raw
    except ValueError:
        return None, raw


@rule("GK705", "W", "上一年度政府信息公开工作年度报告未按时发布", "条例 第四十九、五十条; 綦江 第二十四条")
def annual_report_published(repo: Repository) -> Iterator[Problem]:
    """Every organ of ``organisation.yml`` publishes its previous year's 年度报告 in the
    年报 column (the column whose name says 年报 or 年度报告; a site without one is not
    checked): a published item of that column, by that organ, whose title names the year
    (e.g. 2025年). From 1 January a missing report is a warning; after the organ's deadline
    an error — 31 January for departments (default), 31 March for governments: set
    ``annual_report_due: "03-31"`` on the organ. ``annual_report: false`` on an organ whose
    report is published on another site.

    Passing (checked 2026-02-10): ``content/xxgknb/qjsj-2025-nb.md`` with
    ``title: 重庆市綦江区审计局2025年政府信息公开工作年度报告``, ``publisher: 重庆市綦江区审计局``.

    Failing: no such item on 2026-01-15 (W), on 2026-02-01 (E).
    """
    column = annual_report_column(repo)
    if column is None:
        return
    year = repo.as_of.year - 1
    for organ, row in repo.config.organs.items():
        if row.get("annual_report") is False:
            continue
        found = [it for it in repo.items if it.column == column and it.text("publisher") == organ
                 and it.is_public and not it.mapping("withdrawn") and f"{year}年" in it.title
                 and (it.date("published") or repo.as_of) <= repo.as_of]
        if found:
            continue
        due, raw = _report_due(row, repo.as_of.year)
        line = _organ_line(repo, organ)
        if due is None:
            yield Problem(ORGANISATION_FILE, line, f"{organ} 的 annual_report_due“{raw}”不是“月-日”，如 \"01-31\" 或 \"03-31\"",
                          severity=ERROR)
            continue
        late = repo.as_of > due
        how = (f"gkpublish report annual --year {year} --organ {organ} --out content/{column}/<文件名>.md，"
               "经签审后发布")
        yield Problem(ORGANISATION_FILE, line,
                      f"{organ} 的 {year} 年政府信息公开工作年度报告{'已过' if late else '须在'} {due} "
                      f"{'仍未' if late else '前'}在年报栏目发布（条例 第四十九条）；请用 {how}",
                      severity=ERROR if late else WARNING)
