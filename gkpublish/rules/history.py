"""GK601–GK604, GK607, GK608: timeliness, columns and what the repository remembers.

条例 第二十六条: 属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起 20 个工作日内
及时公开. 国办秘函〔2019〕19号 (the national inspection of government websites) fails a site
outright for forged publication dates (伪造发稿日期), ≥5 columns not updated, ≥10 columns long
unupdated, ≥5 empty columns, or a home page not updated for 2 weeks. 附件3 第五条: columns
meet their update frequency; 第八条: published information is re-checked, corrected with a
note, and withdrawn — not silently deleted — when it must go.

Dates come from the front matter (``written``, ``published``), the check date (``--as-of``)
and the git history (:mod:`gkpublish.history`: when a file first entered the repository,
how it changed since). Working days come from :mod:`gkpublish.workdays` (chinesecalendar,
holidays and 调休). What cannot be known — no git (a copied folder), a shallow clone, a year
the calendar does not cover — is said, never guessed: a warning outside git, an error in a
shallow clone (CI must fetch the full history to check forged dates).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from gkpublish.history import (
    FULL_HISTORY_HINT,
    NULL_BLOB,
    SHANGHAI,
    Change,
    History,
    blob_hash,
    history_of,
    read_blobs,
)
from gkpublish.inspection import column_statuses, inspection_of
from gkpublish.model import ERROR, WARNING, Item, Repository, parse_date
from gkpublish.public import PUBLIC_FIELDS, public_body
from gkpublish.rules import Problem, has_next_step, rule
from gkpublish.workdays import add_workdays, is_workday, unknown_message, workdays_between

COLUMNS_FILE = "site_config/columns.yml"
SITE_FILE = "site_config/site.yml"
DEADLINE_WORKDAYS = 20  # 条例 第二十六条


def _column_line(repo: Repository, column_id: str) -> int | None:
    data = repo.config.files.get(COLUMNS_FILE)
    if data is None:
        return None
    text = data.decode("utf-8", "replace")
    m = re.search(rf"^\s*-\s*id:\s*[\"']?{re.escape(column_id)}[\"']?\s*$", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


@rule("GK601", "W", "未在形成之日起 20 个工作日内公开", "条例 第二十六条")
def timely(repo: Repository) -> Iterator[Problem]:
    """A 主动公开 or 部分公开 item is published by the 20th working day after it was formed
    (``written``; that day not counted). Working days follow the State Council's holiday
    calendar with its 调休 workdays (chinesecalendar); a year the calendar does not cover is
    reported as unknown, not guessed. Items without ``written`` are not checked.

    A later change of the information restarts the clock ("或者变更之日起"), checked on the
    git history (the same facts as GK602/GK607): each ``corrections`` entry's ``date`` is the
    day the information changed, and the corrected version is public on the commit day
    (Asia/Shanghai) of the commit that first published a version carrying that entry (the
    k-th entry of a date: the first version with k entries of that date); ``written`` moved
    to a later day than the item's first commit had, over a published version (a change
    GK607 requires a corrections entry for), restarts it from the new day, whatever
    ``published`` says. A change still uncommitted is at least as late as the check date.
    Not checked: outside git (GK602 says so), commits before ``inspection.history_since``,
    an imported item's entries that came with it from the old site.

    Passing (the 20th working day after 2026-09-16 is 2026-10-20: the 中秋 and 国庆
    holidays 09-25…27 and 10-01…07 are not counted, the 调休 workdays Sunday 09-20 and
    Saturday 10-10 are)::

        written: 2026-09-16
        published: 2026-10-20

    Passing (the corrected version committed on 2026-10-20)::

        corrections:
          - {date: 2026-09-16, what: 会议时间改为上午十时, why: 原稿时间有误}

    Failing::

        written: 2026-09-16
        published: 2026-10-21
        → content/zcwj/a.md:8: GK601 警告 发布日期 2026-10-21 晚于公开期限 2026-10-20（成文日期 2026-09-16 起第 20 个工作日，
          不含当日），逾期 1 个工作日……

    Failing (that correction committed on 2026-10-21)::

        → content/gzdt/a.md:14: GK601 警告 更正（corrections 第 1 项，变更日期 2026-09-16）：变更后的版本在 2026-10-21
          （提交 1a2b3c4d5e）才公开，晚于公开期限 2026-10-20……逾期 1 个工作日……
    """
    late_already: set[str] = set()  # the written date's deadline is reported: its restart would repeat it
    for item in repo.items:
        if not item.is_public:
            continue
        written, published = item.date("written"), item.date("published")
        if written is None or published is None or published <= written:
            continue
        deadline = add_workdays(written, DEADLINE_WORKDAYS)
        late = (workdays_between(deadline, published) if published > deadline else 0) if deadline else None
        if late is None:  # a year the calendar does not cover: unknown, never guessed
            year = next((y for y in range(written.year, written.year + 3) if is_workday(dt.date(y, 1, 1)) is None),
                        None)
            late_already.add(item.path)
            yield Problem(item.path, item.line_of("published"),
                          f"无法判断是否在 20 个工作日内公开：{unknown_message(year)}")
            continue
        if late > 0:
            late_already.add(item.path)
            yield Problem(item.path, item.line_of("published"),
                          f"发布日期 {published} 晚于公开期限 {deadline}（成文日期 {written} 起第 {DEADLINE_WORKDAYS} 个工作日，"
                          f"不含当日），逾期 {late} 个工作日（条例 第二十六条）；请核对成文日期与发布日期，今后在形成之日起 20 个工作日内公开")
    yield from _restarted(repo, late_already)


def _history_note(hist: History) -> Problem | None:
    if hist.known:
        return None
    return Problem("content", None,
                   f"无法核对提交历史：{hist.reason}。未检查：发布日期是否早于条目进入仓库的日期（GK602）、"
                   "已公开条目的更正与撤回留痕（GK607）、信息变更后重新起算的公开期限（GK601）"
                   + ("" if has_next_step(hist.reason) else "；请在有提交历史的站点仓库（git 工作区）中运行检查"),
                   severity=ERROR if hist.strict else WARNING)


@rule("GK602", "E", "发布日期早于条目进入仓库的日期（伪造发稿日期）或晚于检查日期", "国办秘函〔2019〕19号")
def forged_date(repo: Repository) -> Iterator[Problem]:
    """``published`` is not earlier than the day the item first entered the git history
    (the first commit adding it, committer time in Asia/Shanghai, following renames), not
    earlier than ``written``, and not later than the check date. An item brought over from an old site declares it with
    ``imported: {from, date}`` and is checked against that declaration instead: published
    on or before the import, imported on or before the day it entered the repository.

    Outside a git repository (a copied folder) this is one warning; in a shallow clone or
    with a graft file (``.git/info/grafts``) an error (``actions/checkout`` with
    ``fetch-depth: 0``). ``git replace`` refs are ignored: the dates are the commits' own.
    Items not committed yet are checked once committed. A commit dated in the future, or a
    committed item whose adding commit is not in the history, is reported (a warning) and
    proves nothing.

    Passing (first committed on 2026-11-16)::

        published: 2026-11-16

    Passing (migrated)::

        published: 2022-06-22
        imported: {from: 原江北区政府网站, date: 2026-11-23}

    Failing (first committed on 2026-11-16)::

        published: 2026-11-02
        → content/gzdt/a.md:8: GK602 发布日期 2026-11-02 早于条目首次提交进入仓库的日期 2026-11-16（提交 1a2b3c4d5e）……
    """
    hist = history_of(repo)
    note = _history_note(hist)
    if note is not None:
        yield note
    for path, why in hist.problems:
        yield Problem(path, None, why, severity=WARNING)
    for item in repo.items:
        published = item.date("published")
        if published is None:
            continue
        line = item.line_of("published")
        if published > repo.as_of:
            yield Problem(item.path, line, f"发布日期 {published} 晚于检查日期 {repo.as_of}：不能预填将来的发布日期；"
                                           "请在实际发布当天填写")
            continue
        written = item.date("written")
        if written is not None and published < written:
            yield Problem(item.path, line, f"发布日期 {published} 早于成文日期 {written}：信息不能在形成之前发布；请核对两个日期")
        imported = item.mapping("imported")
        entered = hist.entered(item.path) if hist.known else None
        if hist.known and item.path in hist.future:
            yield Problem(item.path, line, "提交历史中有日期在未来的提交（提交者的时钟错误？），无法据此判断条目进入仓库的日期；"
                                           "请核对该提交的时间", severity=WARNING)
        if imported:
            day = parse_date(imported.get("date"))
            iline = item.line_of("imported")
            if day is None:
                continue  # the schema reports the missing or malformed date under this ID
            if published > day:
                yield Problem(item.path, iline, f"发布日期 {published} 晚于导入日期 {day}：imported 只用于从旧网站迁移、"
                                                "在迁移前已发布的条目；请核对日期，新发布的条目请删除 imported")
            elif entered is not None and day > entered.earliest_day:
                yield Problem(item.path, iline, f"导入日期 {day} 晚于条目首次提交进入仓库的日期 {entered.day}"
                                                f"（提交 {entered.commit[:10]}）：请填写实际迁移的日期")
            continue
        if entered is None:
            cut = hist.lineage(item.path) if hist.known and item.path not in hist.future else []
            if cut:  # committed, but no commit in the history adds it: unknown, never guessed
                yield Problem(item.path, line,
                              f"提交历史中找不到新增该文件的提交（最早的记录是 {cut[0].day} 提交 {cut[0].commit[:10]} 的"
                              f"{'修改' if cut[0].status in ('M', 'T') else '改名'}），历史不完整，无法判断条目进入仓库的日期；"
                              + FULL_HISTORY_HINT, severity=WARNING)
            continue
        if published < entered.earliest_day:
            yield Problem(item.path, line,
                          f"发布日期 {published} 早于条目首次提交进入仓库的日期 {entered.day}（提交 {entered.commit[:10]}）："
                          "发布日期不能早于信息实际形成和入库的日期（国办秘函〔2019〕19号：伪造发稿日期单项否决）；"
                          "请填写实际发布日期；从旧网站迁移的条目请注明 imported: {from: 原网站名称, date: 迁移日期}")


@rule("GK603", "W", "栏目未按期更新；达到检查指标时为错误", "附件3 第五条; 国办秘函〔2019〕19号")
def stale_columns(repo: Repository) -> Iterator[Problem]:
    """Each column with ``update_interval_days`` has a new published item within that many
    days of its last one, as of the check date (W). An item without a publication date does
    not count as an update. Site-level, the inspection's 单项否决 thresholds are errors
    (configurable in ``site.yml`` ``inspection:``): ≥5 columns past their category's limit
    (动态/要闻 2 weeks, 通知公告/政策文件 6 months), ≥10 columns without an update for
    365 days, and the whole site (home page) without a new item for 14 days.

    Passing (工作动态, interval 14 days, checked on 2026-11-23)::

        content/gzdt/a.md   published: 2026-11-20

    Failing::

        content/gzdt/a.md   published: 2026-11-02
        → site_config/columns.yml:95: GK603 警告 栏目“工作动态”（gzdt）最近一次更新是 2026-11-02，更新周期 14 天，
          应在 2026-11-16 前更新，已逾期 7 天……
    """
    insp = inspection_of(repo)
    statuses = column_statuses(repo)
    for st in statuses:
        if st.stale and st.due is not None and st.last is not None:
            yield Problem(COLUMNS_FILE, _column_line(repo, st.column.id),
                          f"栏目“{st.column.name}”（{st.column.id}）最近一次更新是 {st.last}，更新周期 {st.interval} 天，"
                          f"应在 {st.due} 前更新，已逾期 {(repo.as_of - st.due).days} 天（附件3 第五条）；"
                          "请发布新信息，达不到更新要求的栏目应归并或删除")
    stale = [st for st in statuses if st.category_stale]
    if len(stale) >= insp.max_stale:
        names = "、".join(f"{st.column.name}（{st.column.category}，最近 {st.last}）" for st in stale)
        yield Problem(COLUMNS_FILE, None,
                      f"{len(stale)} 个栏目超过检查指标未更新（动态类 2 周、通知公告与政策文件类 6 个月）：{names}；"
                      f"达到 {insp.max_stale} 个即为单项否决（国办秘函〔2019〕19号），请尽快更新或归并栏目",
                      severity=ERROR)
    long_stale = [st for st in statuses if st.long_stale]
    if len(long_stale) >= insp.max_long_stale:
        names = "、".join(f"{st.column.name}（最近 {st.last}）" for st in long_stale)
        yield Problem(COLUMNS_FILE, None,
                      f"{len(long_stale)} 个栏目超过 {insp.long_stale_days} 天未更新：{names}；达到 {insp.max_long_stale} 个"
                      "即为单项否决（国办秘函〔2019〕19号），请更新或归并栏目", severity=ERROR)
    newest = max((st.last for st in statuses if st.last is not None), default=None)
    if newest is not None and (repo.as_of - newest).days > insp.home_days:
        yield Problem(COLUMNS_FILE, None,
                      f"全站最近一次发布是 {newest}，至检查日期 {repo.as_of} 已 {(repo.as_of - newest).days} 天没有新信息，"
                      f"超过 {insp.home_days} 天即首页未更新，单项否决（国办秘函〔2019〕19号）；请发布新信息", severity=ERROR)


@rule("GK604", "W", "空白栏目；达到 5 个时为错误", "国办秘函〔2019〕19号")
def empty_columns(repo: Repository) -> Iterator[Problem]:
    """Every configured column has at least one published item (public, not withdrawn, with
    a publication date not after the check date). Each empty column is a warning; ≥5 empty
    columns (``inspection.max_empty``) is an error (单项否决).

    Passing: every column in ``columns.yml`` has an item.

    Failing (no item in 通知公告)::

        site_config/columns.yml:12: GK604 警告 栏目“通知公告”（tzgg）是空白栏目……
    """
    insp = inspection_of(repo)
    empty = [st for st in column_statuses(repo) if st.empty]
    for st in empty:
        yield Problem(COLUMNS_FILE, _column_line(repo, st.column.id),
                      f"栏目“{st.column.name}”（{st.column.id}）是空白栏目：没有已发布的条目（国办秘函〔2019〕19号）；"
                      "请发布该栏目的信息，或从 columns.yml 中删除该栏目")
    if len(empty) >= insp.max_empty:
        yield Problem(COLUMNS_FILE, None,
                      f"{len(empty)} 个空白栏目（{'、'.join(st.column.name for st in empty)}），达到 {insp.max_empty} 个"
                      "即为单项否决（国办秘函〔2019〕19号）；请补充内容或删除栏目", severity=ERROR)


# -- GK607: corrections and withdrawals -------------------------------------------------------

FACT_LEN = 7  # a cached fact of an older gkpublish (5 values) is read again


def _fact_of_item(item: Item | None) -> list:
    """[public, withdrawn, attribute, corrections, digest of what the site shows, written,
    the dates of the corrections entries] of one version."""
    if item is None:
        return [False, False, None, 0, "", None, []]
    shown = {k: item.meta[k] for k in PUBLIC_FIELDS if k in item.meta}
    digest = hashlib.sha256(json.dumps([shown, public_body(item), item.meta.get("attachments")],
                                       ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
    entries = [c for c in item.seq("corrections") if isinstance(c, dict)]
    written = item.date("written")
    return [item.is_public, bool(item.mapping("withdrawn")), item.attribute, len(entries), digest,
            written.isoformat() if written else None, [_iso(c.get("date")) for c in entries]]


def _iso(value: object) -> str | None:
    day = parse_date(value)
    return day.isoformat() if day else None


def _blob_of(item: Item) -> str:
    """The git blob id of the item's bytes in the working tree (computed once: GK601 and GK607)."""
    sha = item.derived.get("git_blob")
    if sha is None:
        sha = item.derived["git_blob"] = blob_hash(item.raw)
    return sha


def _fact_of(path: str, data: bytes) -> list:
    from gkpublish.loader import parse_item

    return _fact_of_item(parse_item(path, data)[0])


def _facts(hist: History, wanted: dict[str, str]) -> dict[str, list]:
    """Blob facts by blob id (cached with the history); ``wanted``: blob -> a path to parse it as.
    A blob git cannot give (a partial clone) gets no fact: the caller treats it as unknown."""
    cache = hist.cache.setdefault("blobs", {})
    missing = [b for b in wanted if len(cache.get(b) or ()) < FACT_LEN]
    if missing:
        for sha, data in read_blobs(hist, missing).items():
            cache[sha] = _fact_of(wanted[sha], data)
        hist.cache["dirty"] = True
    return cache


class _Need(Exception):
    """The fact of this blob is not read yet (read in the next batch)."""


def _counts(hist: History, day: dt.date, since: dt.date | None) -> bool:
    return since is None or day >= since


def _compare(hist: History, plan: tuple[Item, list[Change], str], facts: dict[str, list],
             since: dt.date | None, today: dt.date, give_up: bool) -> Iterator[Problem]:
    """GK607 for one item: today's version against the latest earlier public version whose
    shown content differs. Raises _Need for a blob whose fact is not read yet."""
    item, line, current = plan
    now = facts.get(current)
    if now is None:
        now = _fact_of_item(item)
        if line[-1].blob == current:  # committed: the same fact next time, without parsing
            facts[current] = now
            hist.cache["dirty"] = True
    if now[1]:
        return  # withdrawn: the notice replaces the page
    for i in range(len(line) - 1, -1, -1):
        c = line[i]
        if c.blob == current:
            continue
        fact = facts.get(c.blob)
        if fact is None:
            if give_up or c.blob in hist.cache.get("unreadable", ()):
                continue
            hist.cache.setdefault("unreadable", set()).add(c.blob)  # asked once; absent after: unknown
            raise _Need(c.blob)
        if not fact[0] or fact[4] == now[4]:
            continue
        changed_at = line[i + 1].day if i + 1 < len(line) else today
        if not _counts(hist, changed_at, since):
            return
        if not now[0]:
            yield Problem(item.path, item.line_of("attribute"),
                          f"条目在 {c.day}（提交 {c.commit[:10]}）已公开，现在公开属性改为“{now[2] or '未填写'}”："
                          "已公开的信息不能悄悄下线；请恢复原公开属性，并填写 withdrawn: {date: 撤回日期, reason: 撤回理由}"
                          "（附件3 第八条），站点在原网址保留撤回说明")
        elif now[3] <= fact[3]:
            yield Problem(item.path, item.line_of("corrections") if "corrections" in item.meta else item.line_of("title"),
                          f"已公开的条目内容有改动（与 {c.day} 提交 {c.commit[:10]} 的公开版本不同），但没有新增更正说明："
                          "请在 corrections 中增加一项 {date: 更正日期, what: 改了什么, why: 为什么改}（附件3 第八条），"
                          "站点在条目页显示更正记录")
        return


@rule("GK607", "E", "已公开条目修改未附更正说明，或被删除而未撤回", "附件3 第八条")
def corrections_and_withdrawals(repo: Repository) -> Iterator[Problem]:
    """A published item (主动公开/部分公开 at an earlier commit) whose published content
    (the shown fields, the public body, the attachments) changed carries a new
    ``corrections`` entry (date, what, why). A published item leaves the site by being
    withdrawn (``withdrawn: {date, reason}``: the site keeps a notice at its address), not by
    being deleted from the repository or turned non-public. Commits before
    ``inspection.history_since`` (the site's set-up or migration) are not checked.

    Passing::

        corrections:
          - {date: 2026-11-20, what: 更正联系电话, why: 原电话号码有误}

    Failing (the body changed, no new entry)::

        content/gzdt/a.md:1: GK607 已公开的条目内容有改动（与 2026-11-16 提交 1a2b3c4d5e 的公开版本不同），
        但没有新增更正说明……

    Failing (deleted)::

        content/gzdt/a.md: GK607 已公开的条目在 2026-11-20（提交 …）被删除……请恢复该文件并填写 withdrawn
    """
    hist = history_of(repo)
    if not hist.known:
        return  # GK602 says once why the history is unknown
    since = inspection_of(repo).history_since
    today = dt.datetime.now(SHANGHAI).date()
    plans: list[tuple[Item, list[Change], str]] = []
    for item in repo.items:
        line = [c for c in hist.lineage(item.path) if c.blob != NULL_BLOB]
        if not line:
            continue
        current = _blob_of(item)
        if len(line) == 1 and line[0].blob == current:
            continue  # never changed since it was added: nothing to compare
        plans.append((item, line, current))
    gone = [c for c in hist.deleted() if c.path.endswith(".md") and _counts(hist, c.day, since)]
    moved = [c for c in hist.renamed_away() if c.path.endswith(".md") and _counts(hist, c.day, since)]
    facts = _facts(hist, {**{c.old_blob: c.path for c in gone}, **{c.old_blob: c.old_path or c.path for c in moved}})
    # Walking back from today's version needs only the last few versions' facts: read them
    # in rounds (one git cat-file each), not every version of every item.
    pending = plans
    rounds = 0
    while pending:
        later: list[tuple[Item, list[Change], str]] = []
        wanted: dict[str, str] = {}
        for plan in pending:
            try:
                yield from _compare(hist, plan, facts, since, today, rounds > 50)
            except _Need as need:
                wanted[str(need)] = plan[0].path
                later.append(plan)
        if wanted:
            facts = _facts(hist, wanted)
        pending, rounds = later, rounds + 1
    if hist.cache.pop("dirty", False):
        hist.save()
    for c in gone:
        fact = facts.get(c.old_blob)
        if fact and fact[0] and not fact[1]:
            yield Problem(c.path, None,
                          f"已公开的条目在 {c.day}（提交 {c.commit[:10]}）被删除：已公开的信息应撤回而不是删除（附件3 第八条）；"
                          f"请恢复该文件（git checkout {c.commit[:10]}~1 -- {c.path}），"
                          "并填写 withdrawn: {date: 撤回日期, reason: 撤回理由}，站点在原网址保留撤回说明")
    for c in moved:
        fact = facts.get(c.old_blob)
        if fact and fact[0] and not fact[1]:
            old_col = (c.old_path or "").split("/")[1:2]
            new_col = c.path.split("/")[1:2]
            across = f"，并从栏目 {old_col[0]} 移到 {new_col[0]}" if old_col and new_col and old_col != new_col else ""
            yield Problem(c.path, None,
                          f"已公开的条目在 {c.day}（提交 {c.commit[:10]}）由 {c.old_path} 改名为 {c.path}{across}：原网址将失效；"
                          "请保留原文件名，需要更换栏目的请撤回原条目（withdrawn）后另行发布", severity=WARNING)


# -- GK601: a later change restarts the 20 working days ---------------------------------------

class _Target(NamedTuple):
    """One change of the information in today's version: the ``k``-th ``corrections`` entry
    dated ``day`` (kind "c", entry number ``n``), or ``written`` = ``day`` (kind "w")."""

    kind: str
    day: dt.date
    k: int
    n: int

    def present(self, fact: list) -> bool:
        """This version is public, not withdrawn, and carries this change."""
        if not fact[0] or fact[1]:
            return False
        iso = self.day.isoformat()
        return fact[5] == iso if self.kind == "w" else fact[6].count(iso) >= self.k

    @property
    def bound(self) -> dt.date:
        return _bound(self.day)


@lru_cache(maxsize=4096)  # thousands of items share a few hundred days
def _bound(day: dt.date) -> dt.date:
    """The last day a version changed on ``day`` may become public; outside the calendar the
    20th calendar day (20 working days are never fewer), so only a later day is unknown."""
    return add_workdays(day, DEADLINE_WORKDAYS) or day + dt.timedelta(days=DEADLINE_WORKDAYS)


def _targets(item: Item) -> list[_Target]:
    out: list[_Target] = []
    seen: dict[dt.date, int] = {}
    for n, entry in enumerate(item.seq("corrections"), 1):
        day = parse_date(entry.get("date")) if isinstance(entry, dict) else None
        if day is not None:
            seen[day] = seen.get(day, 0) + 1
            out.append(_Target("c", day, seen[day], n))
    written = item.date("written")
    if written is not None:
        out.append(_Target("w", written, 1, 0))
    return out


def _introduced(hist: History, line: list[Change], committed: bool, t: _Target,
                facts: dict[str, list], give_up: bool) -> tuple[str, Change | None, list | None]:
    """When the change ``t`` became public: ("in time", …) once a version carrying it is found
    on or before its bound; ("uncommitted", …) when no commit carries it yet; ("at", the
    commit that published it, the version before it or None at the item's first commit).
    Walks back from today's version, reading only versions committed after the bound;
    raises _Need for a version whose fact is not read yet, ("unknown", …) if git cannot give it."""

    def fact(c: Change) -> list | None:
        f = facts.get(c.blob)
        if f is not None and len(f) >= FACT_LEN:
            return f
        if give_up or c.blob in hist.cache.get("unreadable", ()):
            return None  # asked and git could not give it (a partial clone): unknown
        raise _Need(c.blob)

    if t.kind == "w" and line:
        # written at the item's first commit is the base check's; only a later date written
        # since is a change (one read per item, not the walk through every version)
        first = fact(line[0])
        if first is None:
            return "unknown", None, None
        earlier = parse_date(first[5])
        if earlier is None or earlier >= t.day:
            return "original", None, None
    i = len(line) - 1
    if not committed:
        f = fact(line[i]) if line else [False]
        if f is None:
            return "unknown", None, None
        if not t.present(f):
            return "uncommitted", None, f
    while True:
        c = line[i]
        if c.day <= t.bound:
            return "in time", c, None
        if i == 0:
            return "at", c, None
        before = fact(line[i - 1])
        if before is None:
            return "unknown", None, None
        if not t.present(before):
            return "at", c, before
        i -= 1


def _entry_line(item: Item, t: _Target) -> int | None:
    """The file line of the ``t.k``-th corrections entry dated ``t.day`` (else the key's line)."""
    start = item.line_of("corrections") if t.kind == "c" else item.line_of("written")
    if t.kind == "w" or start is None:
        return start
    lines = item.raw.decode("utf-8", "replace").split("\n")[:item.body_line - 1]
    seen = 0
    for n in range(start - 1, len(lines)):
        seen += lines[n].count(t.day.isoformat())
        if seen >= t.k:
            return n + 1
    return start


def _late_change(repo: Repository, item: Item, t: _Target, state: str, c: Change | None,
                 before: list | None, imported: bool, since: dt.date | None) -> Problem | None:
    deadline = add_workdays(t.day, DEADLINE_WORKDAYS)
    what = (f"更正（corrections 第 {t.n} 项，变更日期 {t.day}）" if t.kind == "c"
            else f"成文日期改为 {t.day}")
    if state not in ("uncommitted", "at"):
        return None
    if t.kind == "w":
        # a change is a later date written over a published version's; the first version's
        # date, a version that was not public yet, or a corrected (earlier) date is not
        earlier = parse_date(before[5]) if before and before[0] and not before[1] else None
        if earlier is None or earlier >= t.day:
            return None
    elif state == "at" and before is None and imported:
        return None  # came with the item from the old site
    if state == "uncommitted":
        if repo.as_of <= t.bound:
            return None
        shown_day, where = repo.as_of, f"尚未提交，至检查日期 {repo.as_of} 仍未公开"
        atleast = "至少"
    else:
        assert c is not None
        if since is not None and c.day < since:
            return None  # set-up or migration (inspection.history_since)
        shown_day, where, atleast = c.day, f"在 {c.day}（提交 {c.commit[:10]}）才公开", ""
    line = _entry_line(item, t)
    late = workdays_between(deadline, shown_day) if deadline else None
    if late is None:  # a year the calendar does not cover: unknown, never guessed
        year = next((y for y in range(t.day.year, shown_day.year + 1) if is_workday(dt.date(y, 1, 1)) is None), None)
        return Problem(item.path, line, f"{what}：变更后的版本{where}，无法判断是否在变更之日起 20 个工作日内公开："
                                        f"{unknown_message(year)}")
    if late == 0:  # after the 20th working day only by days that are not working days: not late
        return None  # (the same measure as the written → published check above)
    return Problem(item.path, line,
                   f"{what}：变更后的版本{where}，晚于公开期限 {deadline}（变更之日 {t.day} 起第 {DEADLINE_WORKDAYS} 个工作日，"
                   f"不含当日），{atleast}逾期 {late} 个工作日（条例 第二十六条：自该政府信息形成或者变更之日起 20 个工作日内公开）；"
                   + ("请尽快提交并发布变更后的版本" if state == "uncommitted" else
                      "请核对变更日期是否属实；今后在信息变更之日起 20 个工作日内公开变更后的版本"))


def _restarted(repo: Repository, late_already: set[str]) -> Iterator[Problem]:
    """GK601 for the changes of the information (条例 第二十六条 "或者变更之日起"): each
    corrections entry and a later ``written`` restart the 20 working days; the changed
    version is public on the commit day (Asia/Shanghai) of the commit that published it."""
    hist = history_of(repo)
    if not hist.known:
        return  # GK602 says once why the history is unknown, and that this is not checked
    since = inspection_of(repo).history_since
    plans: list[tuple[Item, list[Change], bool, list[_Target]]] = []
    for item in repo.items:
        if not item.is_public or item.mapping("withdrawn") or item.path in hist.future:
            continue
        if not item.seq("corrections"):
            # no change noted: a published item's written cannot have moved without GK607's
            # error, so only its base check applies (and no blob is read)
            continue
        line = [c for c in hist.lineage(item.path) if c.blob != NULL_BLOB]
        committed = bool(line) and line[-1].blob == _blob_of(item)
        newest = line[-1].day if committed else repo.as_of
        # only a change whose version may have become public after its bound needs the walk
        targets = [t for t in _targets(item) if newest > t.bound and (t.kind == "c" or len(line) > 1)]
        if targets:
            plans.append((item, line, committed, targets))
    facts = hist.cache.setdefault("blobs", {})
    pending, rounds = plans, 0
    while pending:
        later: list[tuple[Item, list[Change], bool, list[_Target]]] = []
        wanted: dict[str, str] = {}
        for plan in pending:
            item, line, committed, targets = plan
            try:
                found = [(t, *_introduced(hist, line, committed, t, facts, rounds > 50)) for t in targets]
            except _Need as need:
                wanted[str(need)] = item.path
                later.append(plan)
                continue
            reported: set[str] = set()
            for t, state, c, before in found:
                when = c.commit if c is not None else state
                if t.kind == "w" and (when in reported or item.path in late_already):
                    continue  # the same late publication, already reported through its correction entry
                problem = _late_change(repo, item, t, state, c, before, bool(item.mapping("imported")), since)
                if problem is not None:
                    reported.add(when)
                    yield problem
        if wanted:
            facts = _facts(hist, wanted)
            # marked only after the read: a blob two items share is not unknown while it is pending
            hist.cache.setdefault("unreadable", set()).update(b for b in wanted if len(facts.get(b) or ()) < FACT_LEN)
        pending, rounds = later, rounds + 1
    if hist.cache.pop("dirty", False):
        hist.save()


# -- GK608: emergency publications ----------------------------------------------------------

def emergency_deadline(repo: Repository, item: Item) -> dt.date | None:
    """The day an emergency item's sign-offs must be complete by (None: not an emergency)."""
    if not item.mapping("emergency") or not item.is_public:
        return None
    published = item.date("published")
    if published is None:
        return None
    return published + dt.timedelta(days=inspection_of(repo).emergency_signoff_days)


def emergency_grace(repo: Repository, item: Item) -> bool:
    """An emergency item still within its days to complete its sign-offs (GK301 waits)."""
    deadline = emergency_deadline(repo, item)
    return deadline is not None and repo.as_of <= deadline


@rule("GK608", "E", "紧急发布未在规定期限内补齐签审", "条例 第二十条(十二); 附件3 第一条")
def emergency(repo: Repository) -> Iterator[Problem]:
    """An emergency publication (``emergency: {reason: …}``: 突发公共事件 under 条例
    第二十条(十二)) may be published before its sign-offs are complete — 保密审查 is still
    required (GK305) — but must be fully signed within ``inspection.emergency_signoff_days``
    (default 3) days after ``published``. Within those days the missing levels are a
    warning here instead of GK301; past them, as of the check date, an error. The page says
    it is an emergency release.

    Passing::

        published: 2026-11-20
        emergency: {reason: 暴雨红色预警，需立即发布避险通知}
        (all levels signed by 2026-11-23)

    Failing (checked on 2026-11-24, 分管领导 not signed)::

        content/tzgg/a.md:9: GK608 紧急发布的条目须在发布后 3 天内（2026-11-23 前）补齐签审，至检查日期仍缺……
    """
    emergencies = [it for it in repo.items if emergency_deadline(repo, it) is not None]
    if not emergencies:
        return
    from gkpublish.approvals import evaluate

    states = evaluate(repo).items
    for item in emergencies:
        deadline = emergency_deadline(repo, item)
        assert deadline is not None
        state = states.get(item.path)
        line = item.line_of("emergency")
        if state is None or state.complete:
            late = [r for r in (state.chain[:state.counted] if state else []) if parse_date(r.date) and parse_date(r.date) > deadline]
            if late:
                yield Problem(item.path, line, f"紧急发布的条目应在 {deadline} 前补齐签审，{late[0].file} 签于 {late[0].date}，已超期"
                                               "（条例 第二十条(十二)；附件3 第一条）；请说明原因并按规定报备")
            continue
        missing = "、".join(lv.label for lv in (state.levels or [])[state.next_index:])
        if repo.as_of > deadline:
            yield Problem(item.path, line, f"紧急发布的条目须在发布后 {inspection_of(repo).emergency_signoff_days} 天内（{deadline} 前）"
                                           f"补齐签审，至检查日期 {repo.as_of} 仍缺：{missing}；请立即补签（gkpublish status {item.path} 查看可签人员）")
        else:
            yield Problem(item.path, line, f"紧急发布：签审尚缺 {missing}，须在 {deadline} 前补齐（保密审查不能免）",
                          severity=WARNING)
