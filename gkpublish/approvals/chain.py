"""Chain evaluation: where each item (and the site configuration) stands.

Decides: which roster verifies (trusted revision or working tree), whether a record's key
may sign for its signer (GK302), separation of duties (GK304), the walk of an item's
records along its required levels (order, 退回, forks, breaks), what is still missing
(GK301/GK305–GK307), and the configuration's state (GK308). One evaluation per command,
cached in ``repo.extra["signoff"]``.

Records are append-only history. All records of an item form ONE chain (each names the
previous one in ``prev``), divided into numbered review rounds (``round``): a new round
starts after an edit (the newest round reviewed other bytes: GK303) or after a record that
cannot count (GK302/GK304), and chains onto the last record of the previous round. Only
the newest round decides; an older round — even one that approved exactly the current bytes
— never counts again, so reverting an item cannot replay old approvals over a newer 退回 or
a newer review. The configuration's records are one chain too; its newest record decides.

Decisions already recorded are binding: every record file at the trusted revision
(``--trust-ref REF``; without it ``HEAD`` when in a git work tree) must still be present
with the same bytes (git blob id). A removed or replaced one is GK302, naming the file and
``git checkout REF -- <file>``, and nothing of that item counts until it is restored.
"""


from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gkpublish.approvals.policy import (
    Level,
    item_unit,
    required_levels,
)
from gkpublish.approvals.records import (
    AGREE,
    APPROVALS_DIR,
    CONFIG_SUBDIR,
    CONFIG_SUBJECT,
    Approvals,
    Record,
    config_files_digests,
    config_hash,
    parse_record,
    record_dir,
)
from gkpublish.errors import GkError
from gkpublish.model import Item, Repository, Unit
from gkpublish.roster import (
    ROSTER_FILE,
    Roster,
    unit_allows,
)

# -- trust and keys -------------------------------------------------------------------------

def trusted_roster(repo: Repository) -> Roster:
    """The roster that verifies: from --trust-ref when given, else the working tree's."""
    trust = repo.extra.get("trust")
    if trust is not None:
        return trust.roster
    cached = repo.extra.get("_worktree_roster")
    if cached is None:
        cached = repo.extra["_worktree_roster"] = Roster(repo.config.people, repo.config.units)
    return cached


def trust_label(repo: Repository) -> str:
    trust = repo.extra.get("trust")
    return f"可信版本 {trust.ref} 的名册" if trust is not None else "名册"


def key_problem(rec: Record, roster: Roster, where: str = "名册") -> str | None:
    """Why the record's key may not sign for its signer (GK302), or None."""
    person = roster.people.get(rec.signer)
    if person is None:
        return f"签署人 {rec.signer} 不在{where}中"
    entry = roster.by_blob.get(rec.sig.public_key)
    if entry is None:
        return f"签名所用密钥 {rec.sig.fingerprint} 未登记在{where}中（新增的密钥须先合入可信版本）"
    if entry.person != rec.signer:
        return f"记录写的签署人是 {rec.signer}，签名用的却是 {entry.person} 的密钥 {rec.sig.fingerprint}"
    if entry.revoked is not None:
        return f"{rec.signer} 的密钥 {rec.sig.fingerprint} 已于 {entry.revoked.isoformat()} 吊销，其签名一律无效"
    return None



# -- where an item stands -------------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    """A GK3xx finding: ``path`` is the item (or the record file when it belongs to no item)."""

    rule: str
    path: str
    message: str
    line: int | None = None


@dataclass
class ItemState:
    item: Item
    levels: list[Level] | None  # None: no chain needed
    accepted: list[Record | None] = field(default_factory=list)  # per level
    next_index: int = 0  # first level still missing
    returned: Record | None = None  # a 退回 blocking next_index
    chain: list[Record] = field(default_factory=list)  # the newest round's records, in order
    counted: int = 0  # how many of ``chain`` are valid and in order
    stale: list[Record] = field(default_factory=list)  # the newest round, when it reviewed other content
    issues: list[Issue] = field(default_factory=list)
    blocker: str | None = None  # why the chain cannot be continued (records to remove first)
    unit: Unit | None = None  # the item's 主办科室
    history: list[Record] = field(default_factory=list)  # every round's records, oldest first
    new_round: bool = True  # the next record starts a new round (none yet, stale, or a bad record)
    restore: list[str] = field(default_factory=list)  # trusted record files removed or replaced

    @property
    def complete(self) -> bool:
        return self.levels is None or (self.next_index >= len(self.levels) and self.returned is None
                                       and not self.restore)

    @property
    def last(self) -> Record | None:
        """The record the next one chains to: the newest record of the item's history."""
        return self.history[-1] if self.history else None

    @property
    def round(self) -> int:
        """The round number the next record carries."""
        tip = self.last
        if tip is None:
            return 1
        return record_round(tip) + 1 if self.new_round else record_round(tip)


def record_round(rec: Record) -> int:
    """A version 1 record (written before rounds existed) belongs to round 1."""
    r = rec.payload.get("round")
    return r if isinstance(r, int) and not isinstance(r, bool) else 1


def binding(rec: Record) -> tuple[str, dict[str, str]]:
    return rec.sha256, dict(rec.files)


def item_binding(item: Item) -> tuple[str, dict[str, str]]:
    """What a record of this item must bind: its exact bytes and its attachments' bytes."""
    return item.sha256, dict(item.attachments)


def person_label(roster: Roster, pid: str) -> str:
    p = roster.people.get(pid)
    return f"{pid} {p.name}" if p else pid


_UNSET: Any = object()


def duty_problem(repo: Repository, roster: Roster, item: Item, level: Level, step: str, signer: str,
                 earlier: Iterable[Record | None], unit_of_item: Unit | None = _UNSET) -> str | None:
    """Separation of duties (GK304) for ``signer`` signing ``step`` at ``level``; None when allowed."""
    if unit_of_item is _UNSET:
        unit_of_item = item_unit(item, repo.config)
    person = roster.people.get(signer)
    if person is None:
        return f"{signer} 不在名册中"
    if step not in person.steps:
        return f"{person_label(roster, signer)} 在名册中不能签署 {step}（可签：{'、'.join(person.steps) or '无'}）"
    unit = roster.units.get(person.unit)
    if not unit_allows(step, unit, unit_of_item, level.organ):
        own = item.text("department") if step in ("经办人", "科室负责人") else level.organ
        return (f"{person_label(roster, signer)} 属于{unit.name if unit else person.unit}"
                f"（{unit.organ if unit else '未知机构'}），不能签署 {own} 的 {step}（谁主管、谁审批，附件2 第三条）")
    drafter = item.drafter
    if drafter is not None and drafter not in roster.people:
        return drafter_problem(roster, drafter)
    is_drafter = drafter == signer  # ids only: a name, another case or spaces are not the drafter
    if step == "经办人" and not is_drafter:
        return (f"经办人 一级须由本条目的经办人（drafter: {drafter or '未填写'}）本人签署，"
                f"{person_label(roster, signer)} 不是本条目的经办人")
    if step != "经办人" and is_drafter:
        return f"{person_label(roster, signer)} 是本条目的经办人（drafter），不能审核本人起草的条目"
    for rec in earlier:
        if rec is not None and rec.signer == signer:
            return f"{person_label(roster, signer)} 已签署本条目的 {rec.step}，同一人不能在一条审核链中签两级"
    return None


def drafter_problem(roster: Roster, drafter: Any) -> str:
    ids = [pid for pid, p in roster.people.items() if "经办人" in p.steps] or list(roster.people)
    shown = "、".join(ids[:12]) + (" 等" if len(ids) > 12 else "")
    return (f"drafter“{drafter}”不是名册中的人员编号：须与 {ROSTER_FILE} 中某人的 id 完全一致"
            f"（区分大小写，不含空格，不能写姓名）；可用的经办人编号：{shown or '无'}")


NOBODY = "名册中没有可签此级且登记了有效密钥的人员，请管理员在 site_config/roster.yml 中补充"


def candidates(repo: Repository, roster: Roster, state: ItemState, index: int) -> list[str]:
    """Person ids who may sign level ``index`` now (valid key, role, unit, not drafter, not used)."""
    level = state.levels[index]  # type: ignore[index]
    earlier = state.accepted[:index]
    cache = repo.extra.setdefault("_candidates", {})
    key = (id(roster), level, state.unit.id if state.unit else None, state.item.drafter,
           tuple(sorted(r.signer for r in earlier if r is not None)))
    if key not in cache:
        out = []
        for pid, p in roster.people.items():
            if not roster.valid_keys(pid):
                continue
            for step in level.steps:
                if step in p.steps and duty_problem(repo, roster, state.item, level, step, pid, earlier,
                                                    state.unit) is None:
                    out.append(pid)
                    break
        cache[key] = out
    return list(cache[key])


def approve_command(item_path: str | None, step: str, ids: list[str]) -> str:
    who = ids[0] if len(ids) == 1 else "<人员编号>"
    target = item_path if item_path else "--config"
    return f"gkpublish approve {target} --step {step} --as {who} --key <私钥文件>"


def _level_of(levels: list[Level], step: str, start: int, stop: int, step_by: int) -> int | None:
    for k in range(start, stop, step_by):
        if step in levels[k].steps:
            return k
    return None




def _trusted_blobs(repo: Repository) -> dict[str, str]:
    found = protected_records(repo)
    return found[1] if found else {}


def evaluate_item(repo: Repository, item: Item, records: list[Record], roster: Roster) -> ItemState:
    """Walk an item's records against its required chain. Records must be verified already."""
    levels = required_levels(item, repo.config)
    state = ItemState(item, levels, [None] * len(levels or ()), unit=item_unit(item, repo.config))
    where = trust_label(repo)
    path = item.path
    own: list[Record] = []
    for rec in records:
        if rec.kind != "item" or rec.item != path:
            other = rec.item if rec.kind == "item" else "站点配置"
            state.issues.append(Issue("GK302", path, f"签审记录 {rec.file} 属于 {other}，不属于本条目"
                                      "（从别处复制来的记录无效）；请删除该文件"))
            continue
        own.append(rec)
    folder = record_dir(path)
    for rel, msg in damaged_records(repo).items():
        if rel.rpartition("/")[0] == folder:
            state.restore.append(rel)
            state.issues.append(Issue("GK302", path, msg))
    if state.restore:
        state.blocker = f"请先恢复 {'、'.join(state.restore)}（见 GK302）"
    history = _linear(state, own)
    state.history = history
    on_chain = {r.id for r in history}
    for rec in own:  # a fork's other branch or a broken link: no history of anything, still no forgery
        bad = None if rec.id in on_chain else rec.crypto or key_problem(rec, roster, where)
        if bad:
            state.issues.append(Issue("GK302", path, f"签审记录 {rec.file} 无效：{bad}；请删除该文件"))
    if not history:
        if levels is not None:
            _missing(repo, roster, state)
        return state
    tip_round = record_round(history[-1])
    start = len(history)
    while start > 0 and record_round(history[start - 1]) == tip_round:
        start -= 1
    current = history[start:]
    trusted = _trusted_blobs(repo)
    blobs = (repo.extra.get("approvals") or Approvals()).blob_ids() if trusted else {}
    for rec in history[:start]:  # superseded rounds: history; only a forged file among them is reported
        if rec.crypto and (rec.file not in trusted or trusted[rec.file] not in blobs.get(rec.file, ())):
            state.issues.append(Issue("GK302", path, f"签审记录 {rec.file} 无效：{rec.crypto}"
                                      "（已被后来的审核轮次取代，但记录文件不得伪造或改动）；请删除该文件"))
    invalid: dict[str, str] = {}
    for rec in current:
        bad = rec.crypto or key_problem(rec, roster, where)
        if bad:
            invalid[rec.id] = bad
    want = item_binding(item)
    stale = [r for r in current if binding(r) != want]
    for rec in current:
        if rec.id in invalid:
            state.issues.append(Issue("GK302", path, f"签审记录 {rec.file} 无效：{invalid[rec.id]}；"
                                      f"{_bad_record_fix(rec, trusted)}"))
    if stale:
        state.stale = current
        state.issues.append(Issue("GK303", path, _stale_message(item, current, stale)))
        state.new_round = True
    else:
        _evaluate_chain(repo, roster, state, current, set(invalid), trusted)
    if levels is not None:
        _missing(repo, roster, state)
    return state


def _bad_record_fix(rec: Record, trusted: dict[str, str]) -> str:
    if rec.file in trusted:
        return ("它已在可信版本中，不能删除（记录只能追加）；本轮审核因此不能完成，须从第一级重新审核"
                "（gkpublish approve 会接在现有记录之后开始新一轮）")
    return "请删除该文件（及其后的记录）后按顺序重新签署，签名须用签署人本人在名册中登记的密钥"


def _stale_message(item: Item, current: list[Record], stale: list[Record]) -> str:
    names = "、".join(r.name for r in current)
    rec = stale[-1]
    what: list[str] = []
    if rec.sha256 != item.sha256:
        what.append(f"条目文件（审核时 sha256 {rec.sha256[:12]}…，现在 {item.sha256[:12]}…）")
    old, new = rec.files, item.attachments
    if rec.payload.get("version") == 1 and new:
        what.append(f"附件 {'、'.join(sorted(new))}（第 1 版记录不绑定附件，附件未经审核）")
    else:
        for p in sorted(set(old) | set(new)):
            if p not in new:
                what.append(f"附件 {p}（审核后不再引用）")
            elif p not in old:
                what.append(f"附件 {p}（审核后新增引用）")
            elif old[p] != new[p]:
                what.append(f"附件 {p}（审核后被修改，sha256 {old[p][:12]}… → {new[p][:12]}…）")
    return (f"条目在审核后被修改（先审后发，附件3 第一条）：最新一轮审核（{names}）审核的是旧内容，"
            f"改动的是 {'；'.join(what) or '绑定的内容'}；须从第一级重新审核，"
            "gkpublish approve 会接在原有记录之后开始新一轮（原记录保留为历史，不要删除）")


def _linear(state: ItemState, records: list[Record]) -> list[Record]:
    """The item's records as one chain from its first record (prev null), following prev.

    A record whose prev names no record (a break) or two records naming the same prev (a fork:
    parallel signing, or an attempt to branch off an older round) stops the walk: GK304 and a
    blocker (those records must be removed first)."""
    path = state.item.path
    if not records:
        return []
    if records[0].prev is None and all(records[k].prev == records[k - 1].id for k in range(1, len(records))):
        return list(records)  # the usual case: the files, in name order, are the chain
    ids = {r.id for r in records}
    children: dict[str | None, list[Record]] = {}
    for r in records:
        children.setdefault(r.prev, []).append(r)
    for r in records:
        if r.prev is not None and r.prev not in ids:
            state.issues.append(Issue("GK304", path, f"签审记录 {r.file} 接在一条不存在的记录之后（prev {r.prev[:12]}…）："
                                      "审核链断了；请删除它及其后的记录后按顺序重新签署"))
            state.blocker = f"请先删除 {r.file} 及其后的记录"
    chain: list[Record] = []
    node: str | None = None
    seen: set[str] = set()
    while True:
        nxt = children.get(node, [])
        if len(nxt) > 1:
            names = "、".join(r.name for r in nxt)
            state.issues.append(Issue("GK304", path, f"审核链分叉：{names} 都接在同一条记录之后（并行签署，或从旧记录另起分支）；"
                                      "请保留一条，删除其余及其后的记录，再按顺序签署"))
            state.blocker = f"请先处理分叉：{names}"
            break
        if not nxt or nxt[0].id in seen:
            break
        chain.append(nxt[0])
        seen.add(nxt[0].id)
        node = nxt[0].id
    for k in range(1, len(chain)):
        before, after = record_round(chain[k - 1]), record_round(chain[k])
        if after not in (before, before + 1):
            state.issues.append(Issue("GK304", path, f"签审记录 {chain[k].name} 的审核轮次 {after} 不接续上一条的 {before}"
                                      "（轮次只能不变或加一）；请删除它及其后的记录"))
            state.blocker = f"请先删除 {chain[k].file} 及其后的记录"
            return chain[:k]
    return chain


def _evaluate_chain(repo: Repository, roster: Roster, state: ItemState, chain: list[Record],
                    invalid: set[str], trusted: dict[str, str]) -> None:
    """Place the newest round's records on the item's levels, in order."""
    path = state.item.path
    state.chain = chain
    levels = state.levels
    drafter = state.item.drafter
    if levels is not None and drafter is not None and drafter not in roster.people:
        state.new_round = False  # nothing counts until drafter is fixed (GK304 from _missing)
        return
    pos = 0
    state.new_round = False
    for n, rec in enumerate(chain):
        if rec.id in invalid:  # reported as GK302; nothing after it counts
            pass
        elif levels is None:  # not required (non-public item): verified, never placed
            state.counted = n + 1
            continue
        else:
            why = _place(repo, roster, state, rec, pos)
            if isinstance(why, int):
                pos = why
                state.counted = n + 1
                continue
            state.issues.append(Issue("GK304", path, f"{why}；{_bad_record_fix(rec, trusted)}"))
        if rec.file in trusted:
            # a decided record cannot be removed: the round cannot complete, and the next record
            # starts a new round from the first level (e.g. after a key was revoked)
            state.new_round = True
            state.accepted = [None] * len(levels or ())
            state.returned = None
            state.counted = 0  # none of this round counts any more (status shows them as not counted)
            pos = 0
            break
        rest = chain[n + 1:]
        later = f"；其后的 {len(rest)} 条记录（{rest[0].name} 起）也不计" if rest else ""
        state.blocker = f"请删除 {rec.file}{' 及其后的记录' if rest else ''}，再按顺序重新签署{later}"
        break
    state.next_index = pos

def _place(repo: Repository, roster: Roster, state: ItemState, rec: Record, pos: int) -> int | str:
    """Advance the walk by one valid record: the new position, or why the record is out of place."""
    levels = state.levels or []
    name = rec.name
    if rec.decision == AGREE:
        if pos < len(levels) and rec.step in levels[pos].steps:
            j = pos
        else:
            later = _level_of(levels, rec.step, pos + 1, len(levels), 1)
            if later is not None:
                return (f"审核顺序错误：{name} 的 {rec.step} 在 {levels[pos].label} 之前签署"
                        f"（应按 {' → '.join(lv.label for lv in levels)} 的顺序逐级签署）")
            if _level_of(levels, rec.step, 0, pos, 1) is not None:
                return f"{name}：{rec.step} 已经签署过，重复的签署无效"
            person = roster.people.get(rec.signer)
            if person is None or rec.step not in person.steps:
                return f"{name}：{rec.signer} 在名册中不能签署 {rec.step}"
            return pos  # an extra sign-off the item does not need: harmless, not counted
    else:
        j = _level_of(levels, rec.step, min(pos, len(levels) - 1), -1, -1) if levels else None
        if j is None:
            return f"审核顺序错误：{name} 在 {rec.step} 尚未轮到时作出退回"
    problem = duty_problem(repo, roster, state.item, levels[j], rec.step, rec.signer, state.accepted[:j], state.unit)
    if problem:
        return f"{name}：{problem}"
    if rec.decision == AGREE:
        state.accepted[j] = rec
        state.returned = None
        return j + 1
    state.accepted[j:] = [None] * (len(levels) - j)
    state.returned = rec
    return j


def _missing(repo: Repository, roster: Roster, state: ItemState) -> None:
    levels = state.levels or []
    path = state.item.path
    line = state.item.line_of("title")
    raw_drafter = state.item.meta.get("drafter")
    if state.item.is_public and raw_drafter is None:
        state.issues.append(Issue("GK304", path, "未填写经办人（drafter）：无法核对“经办人不得审核本人起草的条目”；"
                                  "请在前置元数据中填写 drafter（名册中的人员编号）", state.item.line_of("drafter")))
    elif state.item.is_public and (not isinstance(raw_drafter, str) or raw_drafter not in roster.people):
        state.issues.append(Issue("GK304", path, drafter_problem(roster, raw_drafter), state.item.line_of("drafter")))
    if state.restore:
        return  # GK302 says which trusted records to restore first; until then nothing else is certain
    if state.next_index >= len(levels) and state.returned is None:
        return
    chain = " → ".join(lv.label for lv in levels)
    basis = next((lv.basis for lv in levels if lv.rule == "GK301"), "")
    by_rule: dict[str, list[int]] = {}
    for k in range(state.next_index, len(levels)):
        by_rule.setdefault(levels[k].rule, []).append(k)
    nxt = state.next_index
    for rule, ks in by_rule.items():
        parts = []
        for k in ks:
            lv = levels[k]
            ids = candidates(repo, roster, state, k)
            who = "、".join(person_label(roster, i) for i in ids) or NOBODY
            why = "" if lv.rule == "GK301" else f"（{lv.basis}）"
            if k == nxt:
                if state.returned is not None:
                    r = state.returned
                    parts.append(f"{lv.label} {person_label(roster, r.signer)} 于 {r.date} 退回"
                                 f"（意见：{r.comment or '无'}），退回后须修改并重新审核，或由 {lv.label} 重新同意")
                else:
                    parts.append(f"缺少 {lv.label} 签审{why}")
                if state.blocker:
                    parts.append(f"{state.blocker}（此级可签：{who}）")
                else:
                    step = next((s for s in lv.steps if any(s in roster.people[i].steps for i in ids)), lv.steps[0])
                    parts.append(f"请 {lv.label}（可签：{who}）运行 {approve_command(path, step, ids)}")
            else:
                prev = levels[k - 1].label
                parts.append(f"缺少 {lv.label} 签审{why}，须在 {prev} 之后签署（可签：{who}）")
        if rule == "GK301":
            parts.insert(0, f"审核链（{basis}）：{chain}")
        state.issues.append(Issue(rule, path, "；".join(parts), line))



# -- decisions at the trusted revision are binding --------------------------------------------

KEEP_COMMITTED = "_keep_committed_records"


def ignore_committed_records(repo: Repository) -> None:
    """Only for re-signing a demo or benchmark from scratch (tools/sign_demo.py): without
    ``--trust-ref``, do not hold the working tree to HEAD's records."""
    repo.extra[KEEP_COMMITTED] = False
    repo.extra.pop("signoff", None)
    repo.extra.pop("_protected", None)


def protected_records(repo: Repository) -> tuple[str, dict[str, str]] | None:
    """(revision label, record path -> git blob id) that the working tree must keep unchanged:
    the trusted revision's records with --trust-ref, else HEAD's when in a git work tree."""
    if "_protected" in repo.extra:
        return repo.extra["_protected"]
    trust = repo.extra.get("trust")
    found: tuple[str, dict[str, str]] | None
    if trust is not None:
        found = (trust.ref, dict(trust.records))
    elif repo.extra.get(KEEP_COMMITTED, True):
        from gkpublish.trust import committed_records

        found = committed_records(repo.root)
    else:
        found = None
    repo.extra["_protected"] = found
    return found


def damaged_records(repo: Repository) -> dict[str, str]:
    """Trusted record files removed or replaced in the working tree: path -> GK302 message."""
    cached = repo.extra.get("_damaged")
    if cached is not None:
        return cached
    out: dict[str, str] = {}
    found = protected_records(repo)
    approvals: Approvals = repo.extra.get("approvals") or Approvals()
    if found:
        ref, trusted = found
        blobs = approvals.blob_ids()
        odd = {f for f, _ in approvals.problems}
        where = f"可信版本 {ref}" if repo.extra.get("trust") is not None else f"已提交的版本（{ref}）"
        for rel, blob in sorted(trusted.items()):
            now = blobs.get(rel)
            if now is not None and blob in now:
                continue
            how = "被改动（内容与原记录不同）" if now is not None or rel in odd else "被删除"
            out[rel] = (f"{where}中的签审记录 {rel} 在工作区{how}：已作出的签审决定（包括退回）不能删除或替换，"
                        f"记录只能追加（新一轮审核接在原记录之后）；请用 git checkout {ref} -- {rel} 恢复")
    repo.extra["_damaged"] = out
    return out


# -- the whole repository -------------------------------------------------------------------

@dataclass
class ConfigState:
    required: bool
    digest: str
    changed: list[str]  # files that differ from the trusted revision (or from the newest record)
    record: Record | None  # the valid record for the current configuration (the newest one)
    issues: list[Issue] = field(default_factory=list)
    last: Record | None = None  # the newest configuration record: the next one chains to it
    restore: list[str] = field(default_factory=list)  # trusted configuration records removed or replaced


@dataclass
class Evaluation:
    items: dict[str, ItemState]
    config: ConfigState
    issues: list[Issue]  # every GK3xx finding


def _config_chain(records: list[Record], issues: list[Issue]) -> list[Record]:
    """The configuration's records as one chain (prev); a fork or break stops it (GK308)."""
    if not records:
        return []
    if records[0].prev is None and all(records[k].prev == records[k - 1].id for k in range(1, len(records))):
        return list(records)
    children: dict[str | None, list[Record]] = {}
    for r in records:
        children.setdefault(r.prev, []).append(r)
    chain: list[Record] = []
    node: str | None = None
    while True:
        nxt = children.get(node, [])
        if len(nxt) > 1:
            names = "、".join(r.file for r in nxt)
            issues.append(Issue("GK308", nxt[0].file, f"站点配置的签审记录分叉：{names} 都接在同一条记录之后；"
                                "站点配置的签审是一条链，最新的一条决定；请保留最新的一条，删除其余（未进入可信版本的）记录"))
            return []
        if not nxt or any(r is nxt[0] for r in chain):
            break
        chain.append(nxt[0])
        node = nxt[0].id
    for r in records:
        if not any(r is c for c in chain):
            issues.append(Issue("GK308", r.file, f"站点配置签审记录 {r.file} 不在签审链上（prev 指向不存在的记录）；请删除该文件"))
    return chain


def _evaluate_config(repo: Repository, records: list[Record], roster: Roster) -> ConfigState:
    trust = repo.extra.get("trust")
    files = repo.config.files
    digest = config_hash(files)
    if trust is not None:
        changed = sorted(p for p in set(files) | set(trust.files) if files.get(p) != trust.files.get(p))
        required = bool(changed)
    else:
        changed, required = [], True
    state = ConfigState(required, digest, changed, None)
    where = trust_label(repo)
    for rel, msg in damaged_records(repo).items():
        if rel.rpartition("/")[0] == f"{APPROVALS_DIR}/{CONFIG_SUBDIR}":
            state.restore.append(rel)
            state.issues.append(Issue("GK302", rel, msg))
    chain = _config_chain(records, state.issues)
    tip = chain[-1] if chain else None
    state.last = tip
    old = ""
    if tip is not None:
        bad = tip.crypto or key_problem(tip, roster, where)
        if tip.kind != "config" or tip.item != CONFIG_SUBJECT:
            bad = bad or f"这是 {tip.item} 的记录，不是站点配置的签审记录"
        person = roster.people.get(tip.signer)
        if bad:
            state.issues.append(Issue("GK302", tip.file, f"站点配置签审记录无效：{bad}（最新的一条记录决定，须由主要领导重新签署）"))
        elif tip.sha256 != digest:
            old = "（最新的签审记录针对的是另一版配置；改回旧配置也须重新签审）"
            if trust is None and tip.files:
                now = config_files_digests(files)
                state.changed = sorted(p for p in set(now) | set(tip.files) if now.get(p) != tip.files.get(p))
        elif tip.step != "主要领导" or person is None or "主要领导" not in person.steps or tip.decision != AGREE:
            state.issues.append(Issue("GK308", tip.file, f"站点配置须由主要领导同意，{tip.file} 是 {tip.signer} 以"
                                      f" {tip.step} {tip.decision}，不算数"))
        elif not state.restore:
            state.record = tip
    for rec in chain[:-1]:  # superseded configuration records: only a forged file is reported
        if rec.crypto:
            state.issues.append(Issue("GK302", rec.file, f"站点配置签审记录无效：{rec.crypto}"))
    if required and state.record is None:
        ids = [pid for pid, p in roster.people.items() if "主要领导" in p.steps and roster.valid_keys(pid)]
        who = "、".join(person_label(roster, i) for i in ids) or f"{where}中没有主要领导"
        shown = "、".join(state.changed[:5]) + (" 等" if len(state.changed) > 5 else "")
        if trust is not None:
            what = f"站点配置与可信版本 {trust.ref} 不同（{shown}），"
        elif state.changed:
            what = f"站点配置（site_config/、schema/）在最新一次签审后有改动（{shown}），"
        else:
            what = "站点配置（site_config/、schema/）"
        msg = (f"{what}须经{where}中的主要领导签审{old}（附件2 第三条）：名册、密钥、审核流程的改动不能由改动者自己认可；"
               f"请 主要领导（可签：{who}）运行 {approve_command(None, '主要领导', ids)}")
        path = state.changed[0] if state.changed else ROSTER_FILE
        state.issues.append(Issue("GK308", path, msg))
    return state


def evaluate(repo: Repository) -> Evaluation:
    """Where every item stands, once per command (cached in ``repo.extra["signoff"]``)."""
    cached = repo.extra.get("signoff")
    if cached is not None:
        return cached
    approvals: Approvals = repo.extra.get("approvals") or Approvals()
    approvals.verify()
    roster = trusted_roster(repo)
    issues = [Issue("GK302", f, why) for f, why in approvals.problems]
    folders = approvals.by_folder()
    config_folder = f"{APPROVALS_DIR}/{CONFIG_SUBDIR}"
    items: dict[str, ItemState] = {}
    for item in repo.items:
        items[item.path] = evaluate_item(repo, item, folders.pop(record_dir(item.path), []), roster)
    for state in items.values():
        issues.extend(state.issues)
    config = _evaluate_config(repo, folders.pop(config_folder, []), roster)
    issues.extend(config.issues)
    covered = {record_dir(p) for p in items} | {config_folder}
    for rel, msg in damaged_records(repo).items():  # records of an item that no longer exists
        if rel.rpartition("/")[0] not in covered:
            issues.append(Issue("GK302", rel, msg))
    for recs in folders.values():  # records of no current item: history, but still must not be forged
        for rec in recs:
            if rec.crypto:
                issues.append(Issue("GK302", rec.file, f"签审记录无效：{rec.crypto}"))
    result = Evaluation(items, config, issues)
    repo.extra["signoff"] = result
    return result


def item_state(repo: Repository, item_path: str) -> ItemState:
    """Evaluate one item from its records on disk now (after ``approve`` wrote one)."""
    item = repo.item(item_path)
    if item is None:
        raise GkError(f"{item_path}: 不是站点中的条目")
    folder = os.path.join(repo.root, record_dir(item_path))
    records = []
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            full = os.path.join(folder, name)
            if name.endswith(".json") and os.path.isfile(full):
                with open(full, "rb") as fh:
                    try:
                        records.append(parse_record(f"{record_dir(item_path)}/{name}", fh.read()))
                    except ValueError:
                        continue
    Approvals(records).verify()
    return evaluate_item(repo, item, records, trusted_roster(repo))
