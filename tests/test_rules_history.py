"""GK601–GK604, GK607, GK608 on fixture repositories built with real git commits and
controlled dates (GIT_COMMITTER_DATE), and the working-day calendar behind GK601."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gkpublish.history import load_history
from gkpublish.workdays import add_workdays, is_workday, unknown_message, workdays_between
from tests.conftest import Site, item_source, line_of

AS_OF = dt.date(2026, 11, 23)


def git(root: Path, *args: str, when: str | None = None, check: bool = True) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    if when:
        stamp = when if "T" in when else f"{when}T10:00:00+08:00"
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = stamp
    r = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=env, check=False)
    if check and r.returncode != 0:
        raise AssertionError(r.stderr.decode())
    return r.stdout.decode().strip()


class GitSite(Site):
    """A fixture site that is a git repository; ``commit(when)`` commits everything on that date."""

    def __init__(self, root: Path):
        super().__init__(root)
        git(root, "init", "-q", "-b", "main")

    def commit(self, when: str, message: str = "更新") -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message, when=when)
        return git(self.root, "rev-parse", "HEAD")


@pytest.fixture
def gsite(tmp_path: Path) -> GitSite:
    return GitSite(tmp_path / "site")


def of(site: Site, rule: str, as_of: dt.date = AS_OF):
    return site.check(as_of).of(rule)


# -- working days -----------------------------------------------------------------------------

def test_twenty_working_days_across_national_day_count_the_tiaoxiu_weekend_days():
    # 中秋 09-25…27 and 国庆 10-01…07 are holidays; Sunday 09-20 and Saturday 10-10 are 调休 workdays
    assert is_workday(dt.date(2026, 9, 20)) and is_workday(dt.date(2026, 10, 10))
    assert not is_workday(dt.date(2026, 10, 5))
    assert add_workdays(dt.date(2026, 9, 16), 20) == dt.date(2026, 10, 20)
    assert workdays_between(dt.date(2026, 9, 16), dt.date(2026, 10, 21)) == 21


def test_a_year_the_calendar_does_not_cover_is_unknown_not_guessed():
    assert add_workdays(dt.date(2026, 12, 20), 20) is None
    assert workdays_between(dt.date(2026, 12, 20), dt.date(2027, 1, 20)) is None
    assert "2027" in unknown_message(2027)


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(2004, 1, 1), dt.date(2026, 10, 1)), st.integers(0, 40))
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_later(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    assert n == 0 or is_workday(end)


# -- GK601 ------------------------------------------------------------------------------------

def test_published_on_the_twentieth_working_day_is_in_time(site):
    site.item("gzdt/a.md", written="2026-09-16", published="2026-10-20")
    assert of(site, "GK601") == []


def test_published_on_the_twenty_first_working_day_is_one_day_late(site):
    site.item("gzdt/a.md", written="2026-09-16", published="2026-10-21")
    [f] = of(site, "GK601")
    assert f.severity == "warning" and "逾期 1 个工作日" in f.message and "2026-10-20" in f.message


def test_non_public_items_have_no_publication_deadline(site):
    site.item("gzdt/a.md", written="2026-09-16", published="2026-11-21", attribute="依申请公开")
    assert of(site, "GK601") == []


def test_a_deadline_in_an_uncovered_year_is_reported_as_unknown(site):
    site.item("gzdt/a.md", written="2026-12-20", published="2027-01-30")
    [f] = of(site, "GK601", as_of=dt.date(2027, 2, 1))
    assert "2027" in f.message and "无法判断" in f.message


# -- GK601: a later change restarts the 20 working days ---------------------------------------

def _published_in_july(gsite: GitSite, **meta) -> None:
    meta = {"written": "2026-07-01", "published": "2026-07-01", **meta}
    gsite.item("gzdt/a.md", "会议于上午九时召开。\n", **meta)
    gsite.commit("2026-07-01")


def _corrected(gsite: GitSite, when: str | None, day: str = "2026-09-16", **meta) -> str | None:
    """The information changed on ``day``: a corrections entry and the corrected body,
    committed at ``when`` (None: left in the working tree)."""
    meta = {"written": "2026-07-01", "published": "2026-07-01", **meta}
    gsite.item("gzdt/a.md", "会议于上午十时召开。\n",
               corrections=[{"date": day, "what": "会议时间改为上午十时", "why": "原稿时间有误"}], **meta)
    return gsite.commit(when) if when else None


def test_a_change_published_on_the_twentieth_working_day_after_it_is_in_time(gsite):
    _published_in_july(gsite)
    _corrected(gsite, "2026-10-20")  # across 中秋 and 国庆 with their 调休 Sunday and Saturday
    r = gsite.check()
    assert r.of("GK601") == [] and r.of("GK607") == []


def test_a_change_published_on_the_twenty_first_working_day_restarts_the_clock_and_is_late(gsite):
    _published_in_july(gsite)
    sha = _corrected(gsite, "2026-10-21")
    [f] = of(gsite, "GK601")
    path = gsite.root / "content/gzdt/a.md"
    assert f.severity == "warning" and f.line == line_of(path, "2026-09-16")
    assert "corrections 第 1 项" in f.message and "逾期 1 个工作日" in f.message
    assert "2026-10-20" in f.message and sha[:10] in f.message and "2026-10-21" in f.message


def test_the_day_a_change_became_public_is_the_commit_day_in_shanghai(gsite):
    _published_in_july(gsite)
    _corrected(gsite, "2026-10-20T17:30:00+00:00")  # 01:30 on 10-21 in Shanghai
    [f] = of(gsite, "GK601")
    assert "逾期 1 个工作日" in f.message


def test_a_later_correction_restarts_the_clock_again(gsite):
    _published_in_july(gsite)
    _corrected(gsite, "2026-10-20")
    gsite.item("gzdt/a.md", "会议于上午十时半召开。\n", written="2026-07-01", published="2026-07-01",
               corrections=[{"date": "2026-09-16", "what": "会议时间改为上午十时", "why": "原稿时间有误"},
                            {"date": "2026-09-16", "what": "会议时间改为上午十时半", "why": "再次核对"}])
    gsite.commit("2026-11-20")  # the second change of 09-16, published two months later
    [f] = of(gsite, "GK601")
    assert "corrections 第 2 项" in f.message and "2026-11-20" in f.message


def test_two_items_with_the_same_bytes_are_both_checked(gsite):
    # the same blob wanted by two items in one round is read once, and is unknown to neither
    for name in ("a", "b"):
        gsite.item(f"gzdt/{name}.md", "会议于上午九时召开。\n", written="2026-07-01", published="2026-07-01")
    gsite.commit("2026-07-01")
    for name in ("a", "b"):
        gsite.item(f"gzdt/{name}.md", "会议于上午十时召开。\n", written="2026-07-01", published="2026-07-01",
                   corrections=[{"date": "2026-09-16", "what": "会议时间改为上午十时", "why": "原稿时间有误"}])
    gsite.commit("2026-10-21")
    assert sorted(f.path for f in of(gsite, "GK601")) == ["content/gzdt/a.md", "content/gzdt/b.md"]


def test_a_written_date_moved_later_restarts_the_clock_whatever_published_says(gsite):
    _published_in_july(gsite)
    # re-formed on 09-16, committed on 10-21; the published field claims the deadline day
    gsite.item("gzdt/a.md", "会议于上午十时召开。\n", written="2026-09-16", published="2026-10-20",
               corrections=[{"date": "2026-10-21", "what": "按新成文日期重新发布", "why": "文件重新印发"}])
    sha = gsite.commit("2026-10-21")
    [f] = of(gsite, "GK601")
    assert f.line == line_of(gsite.root / "content/gzdt/a.md", "written:")
    assert "成文日期改为 2026-09-16" in f.message and sha[:10] in f.message and "逾期 1 个工作日" in f.message


def test_a_written_date_corrected_to_an_earlier_day_is_not_a_change(gsite):
    gsite.item("gzdt/a.md", written="2026-10-12", published="2026-10-12")
    gsite.commit("2026-10-12")
    gsite.item("gzdt/a.md", written="2026-10-09", published="2026-10-12",
               corrections=[{"date": "2026-11-20", "what": "成文日期更正为 10 月 9 日", "why": "原稿日期有误"}])
    gsite.commit("2026-11-20")
    assert of(gsite, "GK601") == []


def test_an_uncommitted_change_past_its_deadline_is_at_least_that_late(gsite):
    _published_in_july(gsite)
    _corrected(gsite, None, day="2026-10-16")  # deadline 2026-11-13; checked on 2026-11-23
    [f] = of(gsite, "GK601")
    assert "尚未提交" in f.message and "至少逾期 6 个工作日" in f.message


def test_a_change_before_history_since_is_set_up_not_checked_for_its_deadline(gsite):
    _published_in_july(gsite)
    _corrected(gsite, "2026-10-21")
    data = gsite.config_data("site.yml")
    data["inspection"] = {"history_since": "2026-11-01"}
    gsite.config("site.yml", data)
    gsite.commit("2026-11-01", "配置")
    assert of(gsite, "GK601") == []


def test_a_correction_an_imported_item_brought_from_the_old_site_is_not_checked(gsite):
    gsite.item("gzdt/a.md", written="2022-05-10", published="2022-05-12",
               imported={"from": "原江北区政府网站", "date": "2026-11-16"},
               corrections=[{"date": "2022-06-01", "what": "更正联系电话", "why": "原电话有误"}])
    gsite.commit("2026-11-16")
    assert of(gsite, "GK601") == []


def test_a_change_whose_deadline_is_in_an_uncovered_year_is_unknown_not_guessed(gsite):
    _published_in_july(gsite)
    _corrected(gsite, None, day="2026-12-20")
    [f] = of(gsite, "GK601", as_of=dt.date(2027, 2, 1))
    assert "无法判断" in f.message and "2027" in f.message


def test_outside_git_a_change_cannot_be_checked_and_the_history_note_says_so(site):
    site.item("gzdt/a.md", written="2026-07-01", published="2026-07-01",
              corrections=[{"date": "2026-09-16", "what": "更正", "why": "有误"}])
    assert of(site, "GK601") == []
    assert "GK601" in of(site, "GK602")[0].message


LAST_COMMIT_DAY = dt.date(2026, 11, 30)


@settings(max_examples=5, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(2026, 8, 1), dt.date(2026, 10, 31)), st.integers(0, 40)),
                min_size=1, max_size=4))
@example([(dt.date(2026, 8, 1), 28)])  # committed on the Saturday after the 20th working day: not late
@example([(dt.date(2026, 10, 26), 30)])  # committed 2026-11-25, after the check date: late by 2
def test_every_change_is_late_exactly_when_its_commit_is_past_twenty_working_days(tmp_path_factory, changes):
    """For every generated batch of items, each corrected once (change day, commit day up to
    40 days later, across 中秋/国庆 and their 调休 days): GK601 warns about an item exactly
    when more than 20 working days (chinesecalendar, counted independently here) lie between
    the change day (not counted) and the commit day."""
    import chinese_calendar

    # Commits stay in the past of the real clock: a commit dated after today is a clock error
    # (GK602), and the history is then not used (a draw of 2026-10-26 + 40 days failed once
    # the calendar reached December).
    assume(all(day + dt.timedelta(days=delay) <= LAST_COMMIT_DAY for day, delay in changes))
    site = GitSite(tmp_path_factory.mktemp("restart") / "site")
    meta = {"written": "2026-07-01", "published": "2026-07-01"}
    for n in range(len(changes)):
        site.item(f"gzdt/c{n}.md", index_no=f"SAMPLE001/2026-{n + 1:05d}", title=f"第{n}号条目（示例）", **meta)
    site.commit("2026-07-01")
    expected = set()
    for n, (day, delay) in sorted(enumerate(changes), key=lambda x: x[1][0] + dt.timedelta(days=x[1][1])):
        when = day + dt.timedelta(days=delay)
        site.item(f"gzdt/c{n}.md", "更正后的正文。\n", index_no=f"SAMPLE001/2026-{n + 1:05d}", title=f"第{n}号条目（示例）",
                  corrections=[{"date": str(day), "what": "更正", "why": "原稿有误"}], **meta)
        site.commit(str(when))
        if len(chinese_calendar.get_workdays(day + dt.timedelta(days=1), when)) > 20:
            expected.add(f"content/gzdt/c{n}.md")
    assert {f.path for f in of(site, "GK601")} == expected, changes


# -- GK602 ------------------------------------------------------------------------------------

def test_published_on_the_day_it_was_first_committed_passes(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    assert of(gsite, "GK602") == []


def test_published_before_it_entered_the_repository_is_a_forged_date(gsite):
    gsite.item("gzdt/a.md", published="2026-11-02")
    sha = gsite.commit("2026-11-16")
    [f] = of(gsite, "GK602")
    assert f.severity == "error" and "2026-11-16" in f.message and sha[:10] in f.message


def test_an_imported_item_is_checked_against_its_declaration(gsite):
    gsite.item("gzdt/a.md", published="2022-06-22", imported={"from": "原江北区政府网站", "date": "2026-11-16"})
    gsite.commit("2026-11-16")
    assert of(gsite, "GK602") == []


def test_an_import_date_after_the_first_commit_is_an_error(gsite):
    gsite.item("gzdt/a.md", published="2022-06-22", imported={"from": "原江北区政府网站", "date": "2026-11-20"})
    gsite.commit("2026-11-16")
    [f] = of(gsite, "GK602")
    assert "导入日期 2026-11-20" in f.message


def test_an_import_date_before_the_publication_date_is_an_error(site):
    site.item("gzdt/a.md", published="2026-11-20", imported={"from": "原江北区政府网站", "date": "2026-11-16"})
    assert [f.message for f in of(site, "GK602") if "晚于导入日期" in f.message]


def test_an_import_declaration_without_date_is_reported_under_gk602(site):
    site.item("gzdt/a.md", imported={"from": "原江北区政府网站"})
    assert any("date" in f.message for f in of(site, "GK602"))


def test_a_publication_date_after_the_check_date_is_an_error(site):
    site.item("gzdt/a.md", published="2026-11-30")
    assert [f for f in of(site, "GK602") if "晚于检查日期" in f.message and f.severity == "error"]


def test_a_publication_date_before_the_written_date_is_an_error(site):
    site.item("gzdt/a.md", written="2026-11-18", published="2026-11-16")
    assert [f for f in of(site, "GK602") if "早于成文日期 2026-11-18" in f.message and f.severity == "error"]


def test_renaming_keeps_the_day_the_item_first_entered(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    git(gsite.root, "mv", "content/gzdt/a.md", "content/gzdt/b.md")
    gsite.commit("2026-11-20")
    assert of(gsite, "GK602") == []
    assert load_history(str(gsite.root)).entered("content/gzdt/b.md").day == dt.date(2026, 11, 16)


def test_a_commit_made_late_at_night_on_a_utc_clock_is_not_a_forgery(gsite):
    # 23:30 UTC on the 16th is 07:30 on the 17th in Shanghai: the clerk's day was the 16th
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16T23:30:00+00:00")
    assert of(gsite, "GK602") == []


def test_outside_git_the_history_is_one_warning_not_an_error(site):
    site.item("gzdt/a.md")
    [f] = of(site, "GK602")
    assert f.severity == "warning" and f.path == "content" and "不是 git 仓库" in f.message


def test_a_repository_without_commits_says_so(gsite):
    gsite.item("gzdt/a.md")
    [f] = of(gsite, "GK602")
    assert f.severity == "warning" and "还没有任何提交" in f.message


def test_a_shallow_clone_is_an_error_that_asks_for_the_full_history(gsite, tmp_path):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/b.md", published="2026-11-18")
    gsite.commit("2026-11-18")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{gsite.root}", str(clone))
    found = Site.__new__(Site)
    found.root = clone
    [f] = of(found, "GK602")
    assert f.severity == "error" and "fetch-depth: 0" in f.message


def test_a_detached_head_is_read_like_any_commit(gsite):
    gsite.item("gzdt/a.md", published="2026-11-02")
    first = gsite.commit("2026-11-16")
    gsite.item("gzdt/b.md", published="2026-11-20")
    gsite.commit("2026-11-20")
    git(gsite.root, "checkout", "-q", "--detach", first)
    assert [f.path for f in of(gsite, "GK602")] == ["content/gzdt/a.md"]


def test_a_commit_dated_in_the_future_is_reported_and_proves_nothing(gsite):
    gsite.item("gzdt/a.md", published="2026-11-02")
    gsite.commit((dt.date.today() + dt.timedelta(days=400)).isoformat())
    found = of(gsite, "GK602", as_of=AS_OF)
    assert [f.severity for f in found] == ["warning"] and "未来" in found[0].message


def test_a_non_utf8_file_name_in_the_history_is_one_line_not_a_traceback(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    bad = os.path.join(os.fsencode(gsite.root), b"content", b"gzdt", b"\xb9\xab\xb8\xe6.txt")
    with open(bad, "wb") as fh:
        fh.write(b"x")
    gsite.commit("2026-11-16")
    os.remove(bad)
    gsite.commit("2026-11-17")
    found = of(gsite, "GK602")
    assert [f.severity for f in found] == ["warning"] and "不是 UTF-8" in found[0].message


def test_a_merge_that_adds_and_deletes_is_read_on_the_main_line(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    git(gsite.root, "checkout", "-q", "-b", "side")
    gsite.item("gzdt/b.md", published="2026-11-18", title="区政务公开办公室开展业务培训（示例）",
               summary="开展政务公开业务培训。", body="培训内容包括条例解读、年度报告编制和依申请公开办理。\n" * 3)
    gsite.commit("2026-11-18")
    git(gsite.root, "checkout", "-q", "main")
    git(gsite.root, "merge", "-q", "--no-ff", "--no-commit", "side", check=False)
    git(gsite.root, "rm", "-q", "content/gzdt/a.md")
    gsite.commit("2026-11-19", "合并并删除")
    r = gsite.check()
    assert r.of("GK602") == []
    assert [f.path for f in r.of("GK607")] == ["content/gzdt/a.md"]  # deleted instead of withdrawn


def test_the_history_is_cached_by_commit_and_extended_with_new_commits_only(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    cold = load_history(str(gsite.root))
    cache = Path(cold.cache_file)
    assert cache.is_file() and cold.head in cache.read_text("utf-8")
    gsite.item("gzdt/b.md", published="2026-11-18")
    head = gsite.commit("2026-11-18")
    warm = load_history(str(gsite.root))
    assert warm.head == head and set(warm.changes) == {"content/gzdt/a.md", "content/gzdt/b.md"}
    assert warm.changes == load_history(str(gsite.root), use_cache=False).changes


def test_a_replace_ref_cannot_give_a_commit_an_earlier_date(gsite):
    # git replace swaps the commit for one dated 11-01 with the same tree: git log would show
    # the fake; the history is read as committed, so the forged date is still caught
    gsite.item("gzdt/a.md", published="2026-11-02")
    real = gsite.commit("2026-11-16")
    tree = git(gsite.root, "rev-parse", "HEAD^{tree}")
    fake = git(gsite.root, "commit-tree", tree, "-m", "更新", when="2026-11-01")
    git(gsite.root, "replace", real, fake)
    # plain git (without the GIT_NO_REPLACE_OBJECTS that importing gkpublish sets) shows the fake
    plain = {k: v for k, v in os.environ.items() if k != "GIT_NO_REPLACE_OBJECTS"}
    shown = subprocess.run(["git", "-C", str(gsite.root), "log", "-1", "--format=%cs"], env=plain,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "2026-11-01"
    [f] = of(gsite, "GK602")
    assert f.severity == "error" and "2026-11-16" in f.message and real[:10] in f.message


def test_a_graft_file_cuts_the_history_like_a_shallow_clone(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/b.md", published="2026-11-18")
    second = gsite.commit("2026-11-18")
    (gsite.root / ".git/info").mkdir(exist_ok=True)
    (gsite.root / ".git/info/grafts").write_text(second + "\n")  # makes the second commit a root
    [f] = of(gsite, "GK602")
    assert f.severity == "error" and f.path == "content" and "嫁接" in f.message and "fetch-depth: 0" in f.message


def test_a_path_whose_adding_commit_is_not_in_the_history_is_unknown_not_guessed(site):
    from gkpublish.history import Change, History
    from gkpublish.rules import run_rules

    site.item("gzdt/a.md", published="2026-11-02")
    repo = site.load()
    first = Change("c" * 40, 1763337600, 480, "M", "content/gzdt/a.md", None, "b" * 40, "a" * 40)  # 2026-11-17
    repo.extra["history"] = History(known=True, head="c" * 40, changes={"content/gzdt/a.md": [first]})
    [f] = [f for f in run_rules(repo) if f.rule == "GK602"]
    assert f.severity == "warning" and "找不到新增该文件的提交" in f.message and "fetch-depth: 0" in f.message


def _future(g: GitSite) -> None:
    g.item("gzdt/a.md", published="2026-11-02")
    g.commit((dt.date.today() + dt.timedelta(days=400)).isoformat())


def _across_columns(g: GitSite) -> None:
    g.item("gzdt/a.md", published="2026-11-16")
    g.commit("2026-11-16")
    (g.root / "content/tzgg").mkdir()
    git(g.root, "mv", "content/gzdt/a.md", "content/tzgg/a.md")
    g.commit("2026-11-18")


def _merge_add_delete(g: GitSite) -> None:
    g.item("gzdt/a.md", published="2026-11-16")
    g.commit("2026-11-16")
    git(g.root, "checkout", "-q", "-b", "side")
    g.item("gzdt/b.md", published="2026-11-18", title="区政务公开办公室开展业务培训（示例）")
    g.commit("2026-11-18")
    git(g.root, "checkout", "-q", "main")
    git(g.root, "merge", "-q", "--no-ff", "--no-commit", "side", check=False)
    git(g.root, "rm", "-q", "content/gzdt/a.md")
    g.commit("2026-11-19", "合并并删除")


def _detached(g: GitSite) -> None:
    g.item("gzdt/a.md", published="2026-11-16")
    first = g.commit("2026-11-16")
    g.commit("2026-11-17")
    git(g.root, "checkout", "-q", "--detach", first)


def _no_commits(g: GitSite) -> None:
    g.item("gzdt/a.md")


def _non_utf8(g: GitSite) -> None:
    g.item("gzdt/a.md", published="2026-11-16")
    bad = os.path.join(os.fsencode(g.root), b"content", b"gzdt", b"\xb9\xab\xb8\xe6.txt")
    with open(bad, "wb") as fh:
        fh.write(b"x")
    g.commit("2026-11-16")
    os.remove(bad)
    g.commit("2026-11-17")


@pytest.mark.parametrize("make", [_future, _across_columns, _merge_add_delete, _detached, _no_commits, _non_utf8],
                         ids=lambda f: f.__name__.strip("_"))
def test_bad_history_gives_findings_and_the_rest_of_the_check_still_runs(gsite, make):
    """issue #9 "Bad input": each case is a finding or a one-line reason, never a traceback,
    and every other rule still runs (here: GK502 on an item that has nothing to do with git)."""
    make(gsite)
    gsite.item("tzgg/other.md", "联系人：李某，手机 13800138000\n", column="tzgg", index_no="SAMPLE001/2026-00099")
    rc, out, err = gsite.cli("check", "--as-of", "2026-11-23", "--format", "json")
    doc = __import__("json").loads(out)
    assert rc == 1 and "Traceback" not in err
    rules = {f["rule"] for f in doc["findings"]}
    assert "GK502" in rules, doc["findings"]
    assert all("\n" not in f["message"] for f in doc["findings"] if f["rule"].startswith("GK60"))


# -- GK603 / GK604 ----------------------------------------------------------------------------

def _columns(site: Site, n: int, category: str, interval: int | None = None) -> list[str]:
    data = site.config_data("columns.yml")
    ids = [f"c{i}" for i in range(n)]
    for cid in ids:
        row = {"id": cid, "name": f"栏目{cid}", "category": category, "review": "政务公开"}
        if interval:
            row["update_interval_days"] = interval
        data["columns"].append(row)
    site.config("columns.yml", data)
    return ids


def _fill(site: Site, published: str) -> None:
    """One item in each of the base columns, so that only the columns under test matter."""
    for cid in ("zcwj", "tzgg", "gzdt"):
        site.item(f"{cid}/base.md", column=cid, published=published, doc_no="江北府发〔2026〕1号",
                  written=published, validity="有效", body="正文。\n\n（此件公开发布）\n")


def test_a_column_updated_within_its_interval_passes(site):
    _fill(site, "2026-11-20")
    assert of(site, "GK603") == []


def test_a_column_past_its_interval_is_a_warning_with_the_due_date(site):
    _fill(site, "2026-11-20")
    site.item("gzdt/base.md", published="2026-11-02")
    [f] = of(site, "GK603")
    assert f.severity == "warning" and "2026-11-16" in f.message and "逾期 7 天" in f.message


def test_an_item_without_a_publication_date_does_not_count_as_an_update(site):
    _fill(site, "2026-11-20")
    site.item("gzdt/base.md", published=None)
    assert [f.message for f in of(site, "GK604") if "工作动态" in f.message]


def test_four_stale_dynamic_columns_are_warnings_five_are_an_inspection_failure(site):
    _fill(site, "2026-11-20")
    ids = _columns(site, 5, "动态", 14)
    for cid in ids[:4]:
        site.item(f"{cid}/a.md", column=cid, published="2026-11-01")
    site.item(f"{ids[4]}/a.md", column=ids[4], published="2026-11-20")
    assert {f.severity for f in of(site, "GK603")} == {"warning"}
    site.item(f"{ids[4]}/a.md", column=ids[4], published="2026-11-08")  # 15 days: past 2 weeks
    errors = [f for f in of(site, "GK603") if f.severity == "error"]
    assert len(errors) == 1 and "5 个栏目" in errors[0].message


def test_policy_columns_are_stale_after_six_months(site):
    _fill(site, "2026-11-20")
    ids = _columns(site, 5, "政策文件")
    for cid in ids:
        site.item(f"{cid}/a.md", column=cid, published="2026-05-23")  # exactly 6 months: still in time
    assert of(site, "GK603") == []
    for cid in ids:
        site.item(f"{cid}/a.md", column=cid, published="2026-05-22")
    assert [f.severity for f in of(site, "GK603")] == ["error"]


def test_ten_long_stale_columns_are_an_inspection_failure_nine_are_not(site):
    _fill(site, "2026-11-20")
    ids = _columns(site, 10, "其他", 400)
    for cid in ids[:9]:
        site.item(f"{cid}/a.md", column=cid, published="2025-11-01")
    site.item(f"{ids[9]}/a.md", column=ids[9], published="2026-11-01")
    assert not [f for f in of(site, "GK603") if f.severity == "error"]
    site.item(f"{ids[9]}/a.md", column=ids[9], published="2025-11-01")
    errors = [f for f in of(site, "GK603") if f.severity == "error"]
    assert len(errors) == 1 and "10 个栏目超过 365 天" in errors[0].message


def test_a_home_page_without_news_for_more_than_two_weeks_fails(site):
    _fill(site, "2026-11-09")  # 14 days before the check date
    assert not [f for f in of(site, "GK603") if f.severity == "error"]
    _fill(site, "2026-11-08")
    assert [f for f in of(site, "GK603") if f.severity == "error" and "首页" in f.message]


def test_thresholds_are_configurable_in_site_yml(site):
    _fill(site, "2026-11-08")
    data = site.config_data("site.yml")
    data["inspection"] = {"home_days": 30}
    site.config("site.yml", data)
    assert not [f for f in of(site, "GK603") if "首页" in f.message]


def test_an_unknown_inspection_key_is_exit_2(site):
    data = site.config_data("site.yml")
    data["inspection"] = {"home_dayz": 30}
    site.config("site.yml", data)
    rc, _, err = site.cli("check")
    assert rc == 2 and "home_dayz" in err and "home_days" in err


def test_four_empty_columns_are_warnings_five_are_an_error(site):
    _fill(site, "2026-11-20")
    _columns(site, 4, "其他")
    assert [f.severity for f in of(site, "GK604")] == ["warning"] * 4
    _columns(site, 1, "其他")
    data = site.config_data("columns.yml")
    data["columns"].append({"id": "x5", "name": "栏目x5", "category": "其他", "review": "政务公开"})
    site.config("columns.yml", data)
    found = of(site, "GK604")
    assert [f.severity for f in found].count("error") == 1 and [f.severity for f in found].count("warning") == 5


def test_a_withdrawn_item_leaves_its_column_empty(site):
    _fill(site, "2026-11-20")
    site.item("tzgg/base.md", column="tzgg", published="2026-11-20", withdrawn={"date": "2026-11-21", "reason": "内容有误"})
    assert [f for f in of(site, "GK604") if "通知公告" in f.message]


# -- GK607 ------------------------------------------------------------------------------------

def test_a_published_item_changed_without_a_correction_note(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16", body="会议于上午九时召开。\n")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/a.md", published="2026-11-16", body="会议于上午十时召开。\n")
    gsite.commit("2026-11-18")
    [f] = of(gsite, "GK607")
    assert f.severity == "error" and "corrections" in f.message


def test_a_change_with_a_new_correction_entry_passes(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16", body="会议于上午九时召开。\n")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/a.md", published="2026-11-16", body="会议于上午十时召开。\n",
               corrections=[{"date": "2026-11-18", "what": "会议时间改为上午十时", "why": "原稿时间有误"}])
    gsite.commit("2026-11-18")
    assert of(gsite, "GK607") == []


def test_an_uncommitted_change_is_checked_too(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16", body="会议于上午九时召开。\n")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/a.md", published="2026-11-16", body="会议于上午十时召开。\n")
    assert [f.rule for f in of(gsite, "GK607")] == ["GK607"]


def test_changes_to_internal_fields_need_no_correction(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/a.md", published="2026-11-16", drafter="zhang-jb")
    gsite.commit("2026-11-18")
    assert of(gsite, "GK607") == []


def test_a_change_before_history_since_is_set_up_not_checked(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16", body="初稿。\n")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/a.md", published="2026-11-16", body="定稿。\n")
    gsite.commit("2026-11-18")
    data = gsite.config_data("site.yml")
    data["inspection"] = {"history_since": "2026-11-19"}
    gsite.config("site.yml", data)
    assert of(gsite, "GK607") == []


def test_a_published_item_deleted_instead_of_withdrawn(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    os.remove(gsite.root / "content/gzdt/a.md")
    sha = gsite.commit("2026-11-18")
    [f] = of(gsite, "GK607")
    assert f.path == "content/gzdt/a.md" and "withdrawn" in f.message and sha[:10] in f.message


def test_a_withdrawn_item_passes(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/a.md", published="2026-11-16", withdrawn={"date": "2026-11-18", "reason": "活动取消"})
    gsite.commit("2026-11-18")
    assert of(gsite, "GK607") == []


def test_a_published_item_turned_non_public_must_be_withdrawn(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    gsite.item("gzdt/a.md", published="2026-11-16", attribute="不予公开",
               reason={"ground": "内部事务信息", "basis": "条例第十六条"}, review_date="2027-06-30")
    gsite.commit("2026-11-18")
    [f] = of(gsite, "GK607")
    assert "不予公开" in f.message and "withdrawn" in f.message


def test_an_item_that_was_never_public_may_be_deleted(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16", attribute="依申请公开", review_date="2027-06-30")
    gsite.commit("2026-11-16")
    os.remove(gsite.root / "content/gzdt/a.md")
    gsite.commit("2026-11-18")
    assert of(gsite, "GK607") == []


def test_a_published_item_moved_across_columns_warns_that_its_address_changes(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    (gsite.root / "content/tzgg").mkdir()
    git(gsite.root, "mv", "content/gzdt/a.md", "content/tzgg/a.md")
    gsite.item("tzgg/a.md", published="2026-11-16", column="tzgg",
               corrections=[{"date": "2026-11-18", "what": "栏目改为通知公告", "why": "原栏目归类有误"}])
    gsite.commit("2026-11-18")
    [f] = of(gsite, "GK607")
    assert f.severity == "warning" and "从栏目 gzdt 移到 tzgg" in f.message


EDITS = st.lists(st.tuples(st.sampled_from(["body", "title", "summary", "published", "drafter", "none"]),
                           st.booleans()), min_size=1, max_size=3)


@settings(max_examples=12, deadline=None)
@given(EDITS)
def test_every_unnoted_change_of_published_content_is_caught(tmp_path_factory, edits):
    """For every generated sequence of commits editing a published item, with or without a
    new correction entry: GK607 reports an error exactly when what the site shows changed
    in a commit after the last one that added a correction entry."""
    site = GitSite(tmp_path_factory.mktemp("edits") / "site")
    meta: dict = {"published": "2026-11-16"}
    body = "原文。\n"
    site.write("content/gzdt/a.md", item_source(body, **meta))
    site.commit("2026-11-16")
    last_shown_change, last_note, noted = 0, 0, 0
    for n, (what, note) in enumerate(edits, 1):
        if what == "body":
            body = f"原文第 {n} 次修改。\n"
        elif what in ("title", "summary"):
            meta[what] = f"修改后的{what}第 {n} 版（示例）"
        elif what == "published":
            meta["published"] = f"2026-11-{16 + n}"
        elif what == "drafter":
            meta["drafter"] = "zhang-jb"
        if what in ("body", "title", "summary", "published"):
            last_shown_change = n
        if note:
            noted, last_note = noted + 1, n
            meta["corrections"] = [{"date": "2026-11-20", "what": f"第 {i} 处修改", "why": "原稿有误"}
                                   for i in range(noted)]
        site.write("content/gzdt/a.md", item_source(body, **meta))
        site.commit(f"2026-11-{16 + n}")
    found = of(site, "GK607")
    assert bool(found) == (last_shown_change > last_note), (edits, found)


# -- GK608 ------------------------------------------------------------------------------------

EMERGENCY = {"reason": "暴雨红色预警，需立即发布避险通知"}


def test_an_emergency_release_may_wait_for_its_sign_offs_within_the_configured_days(site):
    site.enrol()
    site.item("gzdt/a.md", published="2026-11-21", emergency=EMERGENCY, drafter="zhang-jb")
    r = site.check(dt.date(2026, 11, 23))
    assert r.of("GK301") == [] and [f.severity for f in r.of("GK608")] == ["warning"]
    assert r.of("GK305")  # 保密审查 is never waived


def test_an_emergency_release_not_signed_in_time_is_an_error(site):
    site.enrol()
    site.item("gzdt/a.md", published="2026-11-19", emergency=EMERGENCY, drafter="zhang-jb")
    r = site.check(dt.date(2026, 11, 23))
    [f] = r.of("GK608")
    assert f.severity == "error" and "2026-11-22" in f.message and r.of("GK301")


def test_a_fully_signed_emergency_release_passes(site):
    site.item("gzdt/a.md", published="2026-11-01", emergency=EMERGENCY, drafter="zhang-jb")
    site.sign_all()
    assert of(site, "GK608") == [] and of(site, "GK301") == []


def test_an_emergency_without_reason_is_reported_under_gk608(site):
    site.item("gzdt/a.md", published="2026-11-21", emergency={"event": "暴雨"})
    assert of(site, "GK608")


def test_the_emergency_days_are_configurable(site):
    data = site.config_data("site.yml")
    data["inspection"] = {"emergency_signoff_days": 10}
    site.config("site.yml", data)
    site.enrol()
    site.item("gzdt/a.md", published="2026-11-19", emergency=EMERGENCY, drafter="zhang-jb")
    assert [f.severity for f in of(site, "GK608")] == ["warning"]


def test_the_demo_columns_and_history_are_clean():
    from gkpublish.loader import load_repository
    from gkpublish.rules import run_rules
    from tests.conftest import PROJECT

    found = [f for f in run_rules(load_repository(str(PROJECT), as_of=AS_OF)) if f.rule.startswith("GK60")]
    assert found == [], found
    assert yaml.safe_load((PROJECT / "site_config/site.yml").read_text("utf-8"))["inspection"]["history_since"]


# -- gkpublish report columns -----------------------------------------------------------------

def test_report_columns_lists_every_column_with_its_next_due_date(site):
    site.item("gzdt/a.md", published="2026-11-02")
    rc, out, _ = site.cli("report", "columns", "--as-of", "2026-11-23", "--format", "json")
    doc = __import__("json").loads(out)
    assert rc == 0 and doc["version"] == 1 and doc["as_of"] == "2026-11-23"
    rows = {c["id"]: c for c in doc["columns"]}
    assert set(rows) == {"zcwj", "tzgg", "gzdt"}
    assert rows["gzdt"]["last_update"] == "2026-11-02" and rows["gzdt"]["next_due"] == "2026-11-16"
    assert rows["gzdt"]["status"] == "逾期" and rows["tzgg"]["status"] == "空白"
    rc, text, _ = site.cli("report", "columns", "--as-of", "2026-11-23")
    assert rc == 0 and "工作动态（gzdt）" in text and "2026-11-16" in text


def test_report_without_a_kind_is_exit_2(site):
    rc, _, err = site.cli("report")
    assert rc == 2 and "columns" in err and "requests" in err


# -- withdrawn items: the notice at their address -------------------------------------------

# Random Han text built character by character: st.text() also draws the string constants of
# the code under test (Hypothesis' constants-from-source), and a drawn "secret" such as
# 政府信息公开目录 is on every page by design, not a leak.
CJK = st.lists(st.integers(0x4E00, 0x9FA5).map(chr), min_size=8, max_size=30).map("".join)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(CJK, CJK, CJK), min_size=1, max_size=4))
def test_a_withdrawn_body_is_never_on_the_site_and_its_notice_is(tmp_path_factory, variants):
    """For every generated batch of withdrawn items (body, summary, reason): the generated
    site carries a notice with the title, 索引号, date and reason at each item's address,
    and the body and summary appear on no page or file, and are listed as secrets for
    verify-site."""
    from gkpublish.public import public_view, secrets_of
    from gkpublish.site.pages import build_site

    shown = "".join(f"理由{r}" for _, _, r in variants)
    assume(not any(b in shown or s in shown for b, s, _ in variants))  # a secret that is also a shown reason is public
    site = Site(tmp_path_factory.mktemp("withdrawn") / "site")
    site.item("gzdt/live.md", title="仍然公开的条目（示例）")
    for n, (body, summary, reason) in enumerate(variants):
        site.item(f"gzdt/w{n}.md", f"{body}\n", title=f"撤回的条目第{n}号", index_no=f"SAMPLE001/2026-{n + 10:05d}",
                  summary=f"概述{summary}", withdrawn={"date": "2026-11-20", "reason": f"理由{reason}"})
    repo = site.load()
    view = public_view(repo)
    bundle = build_site(view, repo.attachments, AS_OF)
    pages = {p.src_uri: p.as_markdown() for p in bundle.pages}
    files = b"".join(f.content or b"" for f in bundle.files).decode("utf-8", "ignore")
    secrets = {text for _, text in secrets_of(repo)}
    assert [p.url for p in view.items] == ["gzdt/live/"]
    for n, (body, summary, reason) in enumerate(variants):
        notice = pages[f"gzdt/w{n}.md"]
        assert f"撤回的条目第{n}号" in notice and f"SAMPLE001/2026-{n + 10:05d}" in notice
        assert "2026-11-20" in notice and f"理由{reason}" in notice
        for secret in (body, f"概述{summary}"):
            assert any(secret in text for text in secrets)
            assert not [uri for uri, text in pages.items() if secret in text], secret
            assert secret not in files


def test_an_item_page_shows_its_corrections_and_that_it_is_an_emergency_release(site):
    from gkpublish.public import public_view
    from gkpublish.site.pages import build_site

    site.item("gzdt/a.md", emergency=EMERGENCY,
              corrections=[{"date": "2026-11-18", "what": "会议时间改为上午十时", "why": "原稿时间有误"},
                           {"date": "2026-11-19", "note": "更正错别字"}])
    repo = site.load()
    page = build_site(public_view(repo), repo.attachments, AS_OF).by_uri()["gzdt/a.md"].as_markdown()
    assert "2026-11-18：会议时间改为上午十时（原因：原稿时间有误）" in page and "2026-11-19：更正错别字" in page
    assert "紧急发布" in page and EMERGENCY["reason"] not in page  # the reason is internal


@settings(max_examples=6, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(-10, 10), st.booleans()), min_size=1, max_size=5))
def test_every_publication_date_before_the_first_commit_is_caught(tmp_path_factory, variants):
    """For every generated batch of items (first commit day, publication date relative to
    it, declared import on the day it entered or not): GK602 reports an error exactly when
    an item claims a publication date before it entered the repository without declaring
    an import, or declares an import but was published after it."""
    site = GitSite(tmp_path_factory.mktemp("forged") / "site")
    base = dt.date(2026, 10, 12)
    expected = {}
    for n, (commit_day, delta, imported) in enumerate(sorted(variants)):
        entered = base + dt.timedelta(days=commit_day)
        published = entered + dt.timedelta(days=delta)
        extra = {"imported": {"from": "原江北区政府网站", "date": str(entered)}} if imported else {}
        site.item(f"gzdt/i{n}.md", published=str(published), index_no=f"SAMPLE001/2026-{n + 1:05d}",
                  title=f"第{n}号条目（示例）", **extra)
        site.commit(str(entered))
        # imported on the day it entered: then it must have been published before the import
        expected[f"content/gzdt/i{n}.md"] = published > entered if imported else published < entered
    errors = {f.path for f in of(site, "GK602") if f.severity == "error"}
    assert errors == {p for p, bad in expected.items() if bad}, (variants, errors)


def test_a_site_in_a_subfolder_of_a_git_repository_reads_its_own_history(tmp_path):
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    site = Site(outer / "site")
    site.item("gzdt/a.md", published="2026-11-02")
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "站点", when="2026-11-16")
    [f] = of(site, "GK602")
    assert f.path == "content/gzdt/a.md" and "2026-11-16" in f.message


def test_a_damaged_cache_or_one_from_another_branch_is_rebuilt_not_trusted(gsite):
    gsite.item("gzdt/a.md", published="2026-11-16")
    gsite.commit("2026-11-16")
    git(gsite.root, "checkout", "-q", "-b", "other")
    gsite.item("gzdt/b.md", published="2026-11-18")
    gsite.commit("2026-11-18")
    cache = Path(load_history(str(gsite.root)).cache_file)  # cached on branch other
    git(gsite.root, "checkout", "-q", "main")
    assert set(load_history(str(gsite.root)).changes) == {"content/gzdt/a.md"}
    cache.write_text("{not json", "utf-8")
    assert set(load_history(str(gsite.root)).changes) == {"content/gzdt/a.md"}
