"""Chain evaluation: where each item (and the site configuration) stands.

Decides: which roster verifies (trusted revision or working tree), whether a record's key
may sign for its signer (GK302), separation of duties (GK304), the walk of an item's
records along its required levels (order, 退回, forks, breaks), what is still missing
(GK301/GK305–GK307), and the configuration's state (GK308). One evaluation per command,
cached in ``repo.extra["signoff"]``.
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
    chain: list[Record] = field(default_factory=list)  # the records walked, in order
    counted: int = 0  # how many of ``chain`` are valid and in order
    stale: list[Record] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    blocker: str | None = None  # why the chain cannot be continued (records to remove first)
    unit: Unit | None = None  # the item's 主办科室

    @property
    def complete(self) -> bool:
        return self.levels is None or (self.next_index >= len(self.levels) and self.returned is None)

    @property
    def last(self) -> Record | None:
        return self.chain[self.counted - 1] if self.counted else None


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
    is_drafter = drafter is not None and drafter in (signer, person.name)
    if step == "经办人" and not is_drafter:
        return (f"经办人 一级须由本条目的经办人（drafter: {drafter or '未填写'}）本人签署，"
                f"{person_label(roster, signer)} 不是本条目的经办人")
    if step != "经办人" and is_drafter:
        return f"{person_label(roster, signer)} 是本条目的经办人（drafter），不能审核本人起草的条目"
    for rec in earlier:
        if rec is not None and rec.signer == signer:
            return f"{person_label(roster, signer)} 已签署本条目的 {rec.step}，同一人不能在一条审核链中签两级"
    return None


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


def evaluate_item(repo: Repository, item: Item, records: list[Record], roster: Roster) -> ItemState:
    """Walk an item's records against its required chain. Records must be verified already."""
    levels = required_levels(item, repo.config)
    state = ItemState(item, levels, [None] * len(levels or ()), unit=item_unit(item, repo.config))
    where = trust_label(repo)
    path = item.path
    current: list[Record] = []
    invalid: set[str] = set()
    for rec in records:
        if rec.kind != "item" or rec.item != path:
            other = rec.item if rec.kind == "item" else "站点配置"
            state.issues.append(Issue("GK302", path, f"签审记录 {rec.file} 属于 {other}，不属于本条目"
                                      "（从别处复制来的记录无效）；请删除该文件"))
            continue
        bad = rec.crypto or key_problem(rec, roster, where)
        if bad:
            state.issues.append(Issue("GK302", path, f"签审记录 {rec.file} 无效：{bad}；请删除该文件，由本人用名册中登记的密钥重新签署"))
            invalid.add(rec.id)
        if rec.sha256 != item.sha256:
            if not bad:
                state.stale.append(rec)
            continue
        current.append(rec)
    if state.stale:
        names = "、".join(r.name for r in state.stale)
        state.issues.append(Issue("GK303", path, f"条目在审核后被修改（先审后发，附件3 第一条）：{names} 审核的是旧内容"
                                  f"（sha256 {state.stale[0].sha256[:12]}…），当前文件为 {item.sha256[:12]}…；"
                                  "修改后须重新审核，gkpublish approve 会替换旧记录"))
    _walk(repo, roster, state, current, invalid)
    if levels is not None:
        _missing(repo, roster, state)
    return state


def _walk(repo: Repository, roster: Roster, state: ItemState, current: list[Record], invalid: set[str]) -> None:
    path = state.item.path
    if current and current[0].prev is None and all(current[k].prev == current[k - 1].id
                                                   for k in range(1, len(current))):
        chain = current  # the usual case: the files, in name order, are the chain
        return _evaluate_chain(repo, roster, state, chain, invalid)
    ids = {r.id: r for r in current}
    children: dict[str | None, list[Record]] = {}
    for r in current:
        children.setdefault(r.prev, []).append(r)
    for r in current:
        if r.prev is not None and r.prev not in ids:
            state.issues.append(Issue("GK304", path, f"签审记录 {r.file} 接在一条不存在的记录之后（prev {r.prev[:12]}…）："
                                      "审核链断了；请删除它及其后的记录后按顺序重新签署"))
            state.blocker = f"请先删除 {r.file} 及其后的记录"
    chain: list[Record] = []
    node: str | None = None
    while True:
        nxt = children.get(node, [])
        if len(nxt) > 1:
            names = "、".join(r.name for r in nxt)
            state.issues.append(Issue("GK304", path, f"审核链分叉：{names} 都接在同一条记录之后（并行签署）；"
                                      "请保留一条，删除其余及其后的记录，再按顺序签署"))
            state.blocker = f"请先处理分叉：{names}"
            break
        if not nxt:
            break
        chain.append(nxt[0])
        node = nxt[0].id
    _evaluate_chain(repo, roster, state, chain, invalid)


def _evaluate_chain(repo: Repository, roster: Roster, state: ItemState, chain: list[Record],
                    invalid: set[str]) -> None:
    path = state.item.path
    state.chain = chain
    levels = state.levels
    pos = 0
    for n, rec in enumerate(chain):
        if rec.id in invalid:  # reported as GK302; nothing after it can count
            why: int | str | None = None
        elif levels is None:  # not required (non-public item): verified, never placed
            state.counted = n + 1
            continue
        else:
            why = _place(repo, roster, state, rec, pos)
            if isinstance(why, int):
                pos = why
                state.counted = n + 1
                continue
            state.issues.append(Issue("GK304", path, why))
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
    if state.item.is_public and state.item.drafter is None:
        state.issues.append(Issue("GK304", path, "未填写经办人（drafter）：无法核对“经办人不得审核本人起草的条目”；"
                                  "请在前置元数据中填写 drafter（名册中的人员编号）", state.item.line_of("drafter")))
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


# -- the whole repository -------------------------------------------------------------------

@dataclass
class ConfigState:
    required: bool
    digest: str
    changed: list[str]  # files that differ from the trusted revision (with --trust-ref)
    record: Record | None  # the valid record for the current configuration
    issues: list[Issue] = field(default_factory=list)


@dataclass
class Evaluation:
    items: dict[str, ItemState]
    config: ConfigState
    issues: list[Issue]  # every GK3xx finding


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
    stale = []
    for rec in records:
        bad = rec.crypto or key_problem(rec, roster, where)
        if rec.kind != "config" or rec.item != CONFIG_SUBJECT:
            bad = bad or f"这是 {rec.item} 的记录，不是站点配置的签审记录"
        if bad:
            state.issues.append(Issue("GK302", rec.file, f"站点配置签审记录无效：{bad}"))
            continue
        if rec.sha256 != digest:
            stale.append(rec)
            continue
        person = roster.people.get(rec.signer)
        if rec.step != "主要领导" or person is None or "主要领导" not in person.steps or rec.decision != AGREE:
            state.issues.append(Issue("GK308", rec.file, f"站点配置须由主要领导同意，{rec.file} 是 {rec.signer} 以"
                                      f" {rec.step} {rec.decision}，不算数"))
            continue
        state.record = rec
    if required and state.record is None:
        ids = [pid for pid, p in roster.people.items() if "主要领导" in p.steps and roster.valid_keys(pid)]
        who = "、".join(person_label(roster, i) for i in ids) or f"{where}中没有主要领导"
        if trust is not None:
            shown = "、".join(changed[:5]) + (" 等" if len(changed) > 5 else "")
            what = f"站点配置与可信版本 {trust.ref} 不同（{shown}），"
        else:
            what = "站点配置（site_config/、schema/）"
        old = "（已有的签审记录针对的是旧配置）" if stale else ""
        msg = (f"{what}须经{where}中的主要领导签审{old}（附件2 第三条）：名册、密钥、审核流程的改动不能由改动者自己认可；"
               f"请 主要领导（可签：{who}）运行 {approve_command(None, '主要领导', ids)}")
        path = next((p for p in changed if p.startswith("site_config/")), changed[0] if changed else ROSTER_FILE)
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
        state = evaluate_item(repo, item, folders.pop(record_dir(item.path), []), roster)
        items[item.path] = state
        issues.extend(state.issues)
    config = _evaluate_config(repo, folders.pop(config_folder, []), roster)
    issues.extend(config.issues)
    for recs in folders.values():  # records of no current item: still must not be forged
        for rec in recs:
            bad = rec.crypto or key_problem(rec, roster, trust_label(repo))
            if bad:
                issues.append(Issue("GK302", rec.file, f"签审记录无效：{bad}"))
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
