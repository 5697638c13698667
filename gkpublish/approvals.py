"""Signed sign-off records (审核签发记录) under ``approvals/``, and where each item stands.

附件2 第三条 (一事一审、谁主管谁审批), 第七条 (三级审核), 附件3 第一条 (先审后发), 第三条
(三审三校): a sign-off is evidence only when it cannot be typed by anyone with push
access. So each sign-off is a file, written by ``gkpublish approve``::

    approvals/<item path under content/, without .md>/<NN>-<step>[-退回].json
    approvals/_site_config/<NN>-主要领导.json          (a change of site_config/ or schema/)

holding a payload and its SSHSIG (namespace ``gkpublish-approval@gkpublish``)::

    {"payload": {"version": 1, "kind": "item", "item": "content/gzdt/a.md",
                 "sha256": "<SHA-256 of the item file's exact bytes>", "step": "科室负责人",
                 "signer": "li-kz", "date": "2026-11-02", "decision": "同意", "comment": "",
                 "prev": "<id of the previous record of this item, null for the first>"},
     "signature": "-----BEGIN SSH SIGNATURE-----…"}

The signed message is the canonical form of the payload: UTF-8 JSON, keys sorted, no
spaces (``json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``).
A record's id is the SHA-256 of that message. ``prev`` links each record to the one
before it, so the order of the levels — and a 退回 followed by a later 同意 — is part of
what is signed. A record binds the item's bytes: any edit (front matter included) makes
every record of the item stale, and the review starts again (先审后发).

Records are plain files, so they survive squash, rebase and merge commits and any forge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from gkpublish.errors import GkError
from gkpublish.model import Config, Item, Repository, Unit
from gkpublish.roster import (
    ESCALATION_STEPS,
    LEADER_STEPS,
    ROSTER_FILE,
    STEPS,
    Roster,
    unit_allows,
)
from gkpublish.sshsig import (
    NAMESPACE,
    Signature,
    SshSigError,
    generate_keypair,
    load_private_key,
    parse,
    public_blob_of,
    verify_many,
)
from gkpublish.sshsig import sign as ssh_sign

APPROVALS_DIR = "approvals"
CONFIG_SUBDIR = "_site_config"
CONFIG_SUBJECT = "site_config/ schema/"  # the payload's "item" for a configuration sign-off
VERSION = 1
AGREE, RETURN = "同意", "退回"
DECISIONS = (AGREE, RETURN)
PAYLOAD_KEYS = frozenset({"version", "kind", "item", "sha256", "step", "signer", "date", "decision", "comment",
                          "prev"})
HEX64 = re.compile(r"^[0-9a-f]{64}$")
SAFE_NAME = re.compile(r"^[0-9]{2,4}-[^/\\]+\.json$")


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical(payload: dict[str, Any]) -> bytes:
    """The exact bytes a record's signature covers."""
    return _CANONICAL.encode(payload).encode("utf-8")


def record_dir(item_path: str) -> str:
    """approvals/ folder of an item: content/gzdt/2026/a.md → approvals/gzdt/2026/a."""
    rel = item_path[len("content/"):] if item_path.startswith("content/") else item_path
    return f"{APPROVALS_DIR}/{rel[:-3] if rel.endswith('.md') else rel}"


def item_of_dir(folder: str) -> str:
    return f"content/{folder[len(APPROVALS_DIR) + 1:]}.md"


def config_hash(files: dict[str, bytes]) -> str:
    """SHA-256 of ``sha256sum`` lines of every file under site_config/ and schema/, sorted by path.

    Reproducible by hand: ``find site_config schema -type f | LC_ALL=C sort | xargs sha256sum | sha256sum``.
    """
    lines = "".join(f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n" for p in sorted(files))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


# -- records ------------------------------------------------------------------------------

@dataclass
class Record:
    file: str  # repo-relative path of the record file
    payload: dict[str, Any]
    message: bytes  # canonical payload bytes: what is signed
    id: str  # SHA-256 of message
    sig: Signature
    crypto: str | None = None  # None when the signature is mathematically valid, else why not
    folder: str = field(init=False)  # approvals/… folder of the record file
    name: str = field(init=False)  # file name, e.g. 02-科室负责人.json

    def __post_init__(self) -> None:
        self.folder, _, self.name = self.file.rpartition("/")

    kind = property(lambda self: self.payload["kind"])
    item = property(lambda self: self.payload["item"])
    sha256 = property(lambda self: self.payload["sha256"])
    step = property(lambda self: self.payload["step"])
    signer = property(lambda self: self.payload["signer"])
    date = property(lambda self: self.payload["date"])
    decision = property(lambda self: self.payload["decision"])
    comment = property(lambda self: self.payload["comment"])
    prev = property(lambda self: self.payload["prev"])



def _check_payload(p: Any) -> str | None:
    if not isinstance(p, dict):
        return "payload 应为对象"
    missing = PAYLOAD_KEYS - set(p)
    extra = set(p) - PAYLOAD_KEYS
    if missing or extra:
        return f"payload 字段不对（缺少 {sorted(missing)}，多出 {sorted(extra)}）"
    if p["version"] != VERSION or isinstance(p["version"], bool):
        return f"记录版本 {p['version']!r} 不受支持"
    if p["kind"] not in ("item", "config"):
        return f"kind 应为 item 或 config，现在是 {p['kind']!r}"
    for k in ("item", "signer", "comment", "date"):
        if not isinstance(p[k], str):
            return f"{k} 应为文本"
    if not isinstance(p["sha256"], str) or not HEX64.match(p["sha256"]):
        return "sha256 应为 64 位十六进制"
    if p["step"] not in STEPS:
        return f"step“{p['step']}”不是审核层级"
    if p["decision"] not in DECISIONS:
        return f"decision 应为 同意 或 退回，现在是“{p['decision']}”"
    if p["prev"] is not None and (not isinstance(p["prev"], str) or not HEX64.match(p["prev"])):
        return "prev 应为上一条记录的 SHA-256 或 null"
    try:
        dt.date.fromisoformat(p["date"])
    except ValueError:
        return f"date“{p['date']}”应为 YYYY-MM-DD"
    return None


def parse_record(rel: str, data: bytes) -> Record:
    """One record file → Record. Raises ValueError (Chinese) when it is not a well-formed record."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"不是有效的 JSON（{exc}）") from None
    if not isinstance(doc, dict) or set(doc) != {"payload", "signature"}:
        raise ValueError("记录应只含 payload 与 signature 两项")
    problem = _check_payload(doc["payload"])
    if problem:
        raise ValueError(problem)
    if not isinstance(doc["signature"], str):
        raise ValueError("signature 应为 SSH 签名文本")
    try:
        sig = parse(doc["signature"])
    except SshSigError as exc:
        raise ValueError(f"签名无法解析：{exc}") from None
    message = canonical(doc["payload"])
    return Record(rel, doc["payload"], message, hashlib.sha256(message).hexdigest(), sig)


def record_from_doc(rel: str, doc: dict[str, Any]) -> Record:
    message = canonical(doc["payload"])
    return Record(rel, doc["payload"], message, hashlib.sha256(message).hexdigest(), parse(doc["signature"]))


COMMENT_FIELD_RE = re.compile(r'"comment"\s*:\s*"((?:[^"\\]|\\.)+)"')


class Approvals:
    """Every record under approvals/, read once by the loader (rules never open files).

    The loader only reads the files' bytes; they are parsed on first use, which is inside
    the rule worker that evaluates the sign-offs (gkpublish.rules runs families in
    parallel), not in the single process that loads the repository.
    """

    def __init__(self, records: list[Record] | None = None, files: list[tuple[str, bytes]] | None = None,
                 problems: list[tuple[str, str]] | None = None):
        self._files = files or []
        self._records = records
        self._problems = problems or []
        self._verified = False

    def _parse(self) -> None:
        if self._records is None:
            self._records = []
            for rel, data in self._files:
                try:
                    self._records.append(parse_record(rel, data))
                except ValueError as exc:
                    self._problems.append((rel, f"签审记录格式错误：{exc}"))
            self._files = []

    @property
    def records(self) -> list[Record]:
        self._parse()
        return self._records  # type: ignore[return-value]

    @property
    def problems(self) -> list[tuple[str, str]]:  # (file, why it is malformed) → GK302
        self._parse()
        return self._problems

    def comments(self) -> list[tuple[str, str]]:
        """(record file, reviewer's comment) of every record: internal text that must never
        reach the site (verify-site). Read from the raw bytes when the records have not been
        parsed, so scanning a built site does not parse tens of thousands of records."""
        if self._records is not None:
            return [(r.file, str(r.payload.get("comment") or "")) for r in self._records]
        return [(rel, json.loads(f'"{c}"')) for rel, data in self._files
                for c in COMMENT_FIELD_RE.findall(data.decode("utf-8", "ignore"))]

    def by_folder(self) -> dict[str, list[Record]]:
        out: dict[str, list[Record]] = {}
        for r in self.records:
            out.setdefault(r.folder, []).append(r)
        return out

    def verify(self) -> None:
        """Check every signature once (no subprocess; libsodium threads when available)."""
        if self._verified:
            return
        verdicts = verify_many([(r.sig, r.message) for r in self.records], NAMESPACE)
        for r, v in zip(self.records, verdicts, strict=True):
            r.crypto = v
        self._verified = True


def load_approvals(root: str) -> Approvals:
    """Read the bytes of every file under approvals/ (no symlinks followed); parsed lazily."""
    files: list[tuple[str, bytes]] = []
    problems: list[tuple[str, str]] = []
    base = os.path.join(root, APPROVALS_DIR)
    if not os.path.isdir(base):
        return Approvals([], [], [])
    stack = [(base, APPROVALS_DIR)]
    while stack:
        d, rel_dir = stack.pop()
        with os.scandir(d) as it:
            entries = list(it)
        for e in entries:
            if e.name.startswith("."):
                continue
            rel = f"{rel_dir}/{e.name}"
            if e.is_dir(follow_symlinks=False):
                stack.append((e.path, rel))
            elif e.is_symlink() or not e.is_file(follow_symlinks=False) or not e.name.endswith(".json"):
                problems.append((rel, "approvals/ 中只能有 gkpublish approve 写出的 .json 记录文件（不能是符号链接或其他文件）"))
            else:
                try:
                    fd = os.open(e.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                    try:
                        files.append((rel, os.read(fd, 1 << 20)))
                    finally:
                        os.close(fd)
                except OSError as exc:
                    problems.append((rel, f"无法读取签审记录（{exc.strerror}）"))
    files.sort()
    return Approvals(None, files, problems)


# -- what an item needs ---------------------------------------------------------------------

@dataclass(frozen=True)
class Level:
    """One level of an item's chain: who may sign it and which rule reports it missing."""

    steps: tuple[str, ...]  # one step, or 保密/宣传/网信 (any one of them)
    organ: str | None  # organ the level belongs to; None: any organ (escalation)
    rule: str  # GK301 / GK305 / GK306 / GK307
    basis: str  # the article, for messages
    co_producer: bool = False

    @property
    def label(self) -> str:
        if self.co_producer:
            return f"{self.steps[0]}（共同制作单位 {self.organ}）"
        return "/".join(self.steps)


def item_organ(item: Item) -> str | None:
    return item.text("publisher")


def item_unit(item: Item, config: Config) -> Unit | None:
    dep = item.text("department")
    return config.unit_by_name(dep) if dep else None


def co_producer_organs(item: Item, config: Config) -> list[tuple[str, str | None]]:
    """(as written, organ) of each co-producer; organ None when site_config does not know it."""
    own = item_organ(item)
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for row in item.seq("co_producers"):
        name = row.get("unit") if isinstance(row, dict) else row
        if not isinstance(name, str) or not name.strip():
            continue
        unit = config.unit_by_name(name)
        organ = name if name in config.organs else (unit.organ if unit else None)
        if organ == own or (organ is not None and organ in seen):
            continue  # a co-producing 科室 of the same organ: the organ's own 分管领导 signs
        seen.add(organ or name)
        out.append((name, organ))
    return out


def required_levels(item: Item, config: Config) -> list[Level] | None:
    """The item's chain, in signing order; None when it needs none (not public, or no column).

    policy steps before the first leader (e.g. 经办人 → 科室负责人), then 保密审查 (附件1
    第二条), each co-producing organ's 分管领导 (附件2 第八条), the escalation for a
    sensitive item (附件2 第七条: 请示 before 签发), then the leaders (分管领导 → 主要领导).
    """
    if not item.is_public:
        return None  # 依申请公开 / 不予公开 never reach the site: no sign-off chain for it
    column = config.columns.get(item.column or "")
    policy = config.review.get(column.review) if column else None
    if policy is None:
        return None  # GK105 reports the unknown column
    organ = item_organ(item)
    basis = policy.source or f"审核流程 {policy.name}"
    steps = list(policy.steps) + [s for s in (policy.important_steps if item.flag("important") else ())
                                  if s not in policy.steps]
    cut = next((i for i, s in enumerate(steps) if s in LEADER_STEPS), len(steps))
    levels = [Level((s,), None if s in ESCALATION_STEPS else organ, "GK301", basis) for s in steps[:cut]]
    if "保密审查" not in steps:
        levels.append(Level(("保密审查",), organ, "GK305", "附件1 第二条；綦江 第七、九条"))
    for name, co_organ in co_producer_organs(item, config):
        levels.append(Level(("分管领导",), co_organ or name, "GK306", "附件2 第八条", co_producer=True))
    if item.flag("sensitive"):
        levels.append(Level(ESCALATION_STEPS, None, "GK307", "附件2 第七条"))
    levels += [Level((s,), None if s in ESCALATION_STEPS else organ,
                     "GK301", basis if s in policy.steps else "附件3 第三条（重要信息须经主要领导审核）")
               for s in steps[cut:]]
    return levels


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


# -- writing records ------------------------------------------------------------------------

def make_record(private_key, *, kind: str, item: str, sha256: str, step: str, signer: str,
                decision: str = AGREE, comment: str = "", prev: str | None = None,
                date: dt.date | str | None = None) -> dict[str, Any]:
    """A signed record document ({"payload", "signature"}); no checks (tests build forgeries with it)."""
    payload = {"version": VERSION, "kind": kind, "item": item, "sha256": sha256, "step": step,
               "signer": signer, "date": str(date or dt.date.today().isoformat()), "decision": decision,
               "comment": comment, "prev": prev}
    return {"payload": payload, "signature": ssh_sign(canonical(payload), private_key, NAMESPACE)}


def record_id(doc: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(doc["payload"])).hexdigest()


def write_record(root: str, rel: str, doc: dict[str, Any]) -> str:
    full = os.path.join(root, rel)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    return rel


def file_name(seq: int, step: str, decision: str) -> str:
    return f"{seq:02d}-{step}{'-退回' if decision == RETURN else ''}.json"


def _key_owner_problem(roster: Roster, person_id: str, blob: bytes) -> str | None:
    entry = roster.by_blob.get(blob)
    if entry is None:
        return (f"这把私钥对应的公钥未登记在名册中；请确认用的是 {person_id} 本人的私钥，"
                f"或请管理员把其 .pub 公钥加入 {ROSTER_FILE}（并经主要领导签审合入）")
    if entry.person != person_id:
        return f"这把私钥属于 {entry.person}，不是 {person_id} 的；只能用本人的私钥签署"
    if entry.revoked is not None:
        return f"{person_id} 的这把密钥已于 {entry.revoked.isoformat()} 吊销；请用新密钥（请管理员登记）"
    return None


def approve(repo: Repository, item_path: str | None, step: str, person_id: str, private_key,
            decision: str = AGREE, comment: str = "", date: dt.date | None = None) -> tuple[str, list[str]]:
    """Write the next sign-off record of an item (or of the configuration when ``item_path`` is None).

    Refuses (GkError, exit 2) when the person may not sign that step for that item, when a
    previous level is missing, or when the key is not theirs. Returns (written file, removed
    stale files).
    """
    roster = trusted_roster(repo)
    person = roster.people.get(person_id)
    if person is None:
        raise GkError(f"--as {person_id}: 名册（{ROSTER_FILE}）中没有这个人员编号；可用：{'、'.join(roster.people) or '无'}")
    if step not in STEPS:
        raise GkError(f"--step {step}: 不是审核层级；可选：{'、'.join(STEPS)}")
    if decision not in DECISIONS:
        raise GkError(f"--decision {decision}: 只能是 同意 或 退回")
    if step not in person.steps:
        raise GkError(f"{person_label(roster, person_id)} 在名册中不能签署 {step}（可签：{'、'.join(person.steps) or '无'}）")
    problem = _key_owner_problem(roster, person_id, public_blob_of(private_key))
    if problem:
        raise GkError(problem)
    evaluation = evaluate(repo)
    if item_path is None:
        return _approve_config(repo, evaluation, step, person_id, private_key, decision, comment, date)
    state = evaluation.items.get(item_path)
    if state is None:
        raise GkError(f"{item_path}: 不是站点中的条目（应为 content/ 下的 .md 文件）")
    if state.levels is None:
        raise GkError(f"{item_path}: 公开属性为 {state.item.attribute or '未定'}，不在网站公开发布，不需要网站签审"
                      "（依申请公开、不予公开的条目由答复申请时的审核处理）")
    if state.blocker:
        raise GkError(f"{item_path}: 现有审核链无效，无法接续：{state.blocker}")
    levels = state.levels
    nxt = state.next_index
    if decision == AGREE:
        if nxt < len(levels) and step in levels[nxt].steps:
            j = nxt
        else:
            j = _level_of(levels, step, nxt, len(levels), 1)
            if j is None:
                if _level_of(levels, step, 0, nxt, 1) is not None:
                    raise GkError(f"{item_path}: {step} 已经签署过，不需要再签（gkpublish status {item_path} 可查看）")
                raise GkError(f"{item_path}: 本条目的审核链（{' → '.join(lv.label for lv in levels)}）中没有 {step}")
            if j > nxt:
                ids = candidates(repo, roster, state, nxt)
                raise GkError(f"{item_path}: 上一级 {levels[nxt].label} 尚未签署，不能越级签 {step}；"
                              f"请先由 {levels[nxt].label}（可签：{'、'.join(ids) or '无'}）运行 "
                              f"{approve_command(item_path, levels[nxt].steps[0], ids)}")
    else:
        j = _level_of(levels, step, min(nxt, len(levels) - 1), -1, -1)
        if j is None:
            raise GkError(f"{item_path}: 还没轮到 {step}，不能退回；当前待签：{levels[nxt].label if nxt < len(levels) else '无'}")
    problem = duty_problem(repo, roster, state.item, levels[j], step, person_id, state.accepted[:j])
    if problem:
        raise GkError(f"{item_path}: {problem}")
    removed = [r.file for r in state.stale]
    for f in removed:
        os.remove(os.path.join(repo.root, f))
    doc = make_record(private_key, kind="item", item=item_path, sha256=state.item.sha256, step=step,
                      signer=person_id, decision=decision, comment=comment,
                      prev=state.last.id if state.last else None, date=date)
    rel = f"{record_dir(item_path)}/{file_name(state.counted + 1, step, decision)}"
    if os.path.exists(os.path.join(repo.root, rel)):
        raise GkError(f"{rel} 已存在；请先删除无效或多余的记录（gkpublish status 会列出）")
    return write_record(repo.root, rel, doc), removed


def _approve_config(repo: Repository, evaluation: Evaluation, step: str, person_id: str, private_key,
                    decision: str, comment: str, date: dt.date | None) -> tuple[str, list[str]]:
    if step != "主要领导" or decision != AGREE:
        raise GkError("站点配置（site_config/、schema/）只能由主要领导签署 同意：--config --step 主要领导")
    folder = f"{APPROVALS_DIR}/{CONFIG_SUBDIR}"
    existing = [r for r in (repo.extra.get("approvals") or Approvals()).records if r.folder == folder]
    removed = []
    for r in existing:
        if r.sha256 != evaluation.config.digest:
            os.remove(os.path.join(repo.root, r.file))
            removed.append(r.file)
    kept = len(existing) - len(removed)
    doc = make_record(private_key, kind="config", item=CONFIG_SUBJECT, sha256=evaluation.config.digest,
                      step=step, signer=person_id, comment=comment, date=date)
    rel = f"{folder}/{file_name(kept + 1, step, AGREE)}"
    return write_record(repo.root, rel, doc), removed


# -- signing a whole repository (init, demo, benchmark) ------------------------------------

def sign_item_chain(repo: Repository, state: ItemState, keys: dict[str, Any],
                    date: dt.date | str | None = None) -> list[str]:
    """Sign every missing level of one item, in order, choosing eligible people in roster order.

    ``keys``: person id → private key. Raises GkError when no one with a key may sign a level.
    """
    if state.levels is None or state.complete:
        return []
    if state.blocker or state.returned is not None:
        raise GkError(f"{state.item.path}: 现有审核链需先人工处理：{state.blocker or '有退回'}")
    roster = trusted_roster(repo)
    written = []
    prev = state.last.id if state.last else None
    seq = state.counted
    for k in range(state.next_index, len(state.levels)):
        level = state.levels[k]
        ids = [i for i in candidates(repo, roster, state, k) if i in keys]
        if not ids:
            raise GkError(f"{state.item.path}: 名册中没有可签 {level.label} 的人员（或没有其私钥）")
        pid = ids[0]
        step = next(s for s in level.steps if s in roster.people[pid].steps)
        doc = make_record(keys[pid], kind="item", item=state.item.path, sha256=state.item.sha256, step=step,
                          signer=pid, prev=prev, date=date)
        seq += 1
        written.append(write_record(repo.root, f"{record_dir(state.item.path)}/{file_name(seq, step, AGREE)}", doc))
        rec = record_from_doc(written[-1], doc)
        prev = rec.id
        state.accepted[k] = rec
    state.next_index = len(state.levels)
    return written


def sign_config(repo: Repository, keys: dict[str, Any], date: dt.date | str | None = None) -> str:
    roster = trusted_roster(repo)
    ids = [pid for pid, p in roster.people.items() if "主要领导" in p.steps and pid in keys]
    if not ids:
        raise GkError("名册中没有可签站点配置的主要领导（或没有其私钥）")
    return approve(repo, None, "主要领导", ids[0], keys[ids[0]], date=date if isinstance(date, dt.date) else None)[0]


ID_LINE = re.compile(r"^(\s*)-\s+id:\s*[\"']?([^\"'\s#]+)")


def _set_keys_text(text: str, new_keys: dict[str, list[str]]) -> str:
    """Replace each listed person's ``keys:`` in roster.yml text, keeping comments and layout."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = ID_LINE.match(lines[i])
        if not m or m.group(2) not in new_keys:
            out.append(lines[i])
            i += 1
            continue
        ind = len(m.group(1)) + 2  # the entry's own keys are indented past "- "
        block = [lines[i]]
        i += 1
        while i < len(lines):
            line = lines[i]
            stripped = line.lstrip()
            width = len(line) - len(stripped)
            if stripped and not stripped.startswith("#") and width < ind:
                break
            block.append(line)
            i += 1
        tail: list[str] = []
        while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
            tail.insert(0, block.pop())
        kept: list[str] = []
        j = 0
        while j < len(block):
            line = block[j]
            if j and line.startswith(" " * ind + "keys:"):
                j += 1
                while j < len(block) and (len(block[j]) - len(block[j].lstrip()) > ind
                                          or block[j].startswith(" " * ind + "- ") or not block[j].strip()):
                    j += 1
                continue
            kept.append(line)
            j += 1
        pad = " " * ind
        kept.append(f"{pad}keys:")
        for entry in new_keys[m.group(2)]:
            kept.append(f"{pad}  - {entry}")
        out.extend(kept + tail)
    return "\n".join(out)


def write_roster_keys(root: str, keys_dir: str) -> dict[str, Any]:
    """Generate one Ed25519 key pair per roster person into keys_dir/<id>, and enrol the public keys.

    Existing keys of those people are replaced (a fresh repository); the rest of roster.yml,
    comments included, is kept. Returns person id → private key.
    """
    path = os.path.join(root, ROSTER_FILE)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    data = yaml.safe_load(text) or {}
    keys: dict[str, Any] = {}
    entries: dict[str, list[str]] = {}
    os.makedirs(keys_dir, mode=0o700, exist_ok=True)
    today = dt.date.today()
    for row in data.get("people") or []:
        pid = str(row["id"])
        key_path = os.path.join(keys_dir, pid)
        for p in (key_path, key_path + ".pub"):
            if os.path.exists(p):
                os.remove(p)
        line = generate_keypair(key_path, f"{pid}@gkpublish")
        row["keys"] = [{"key": line, "added": today, "revoked": None}]
        entries[pid] = [f'{{key: "{line}", added: {today.isoformat()}, revoked: null}}']
        keys[pid] = load_private_key(key_path)
    new_text = _set_keys_text(text, entries)
    if (yaml.safe_load(new_text) or {}) != yaml.safe_load(yaml.safe_dump(data)):
        # an unusual layout: fall back to writing the data (comments before people: are kept)
        head = text[:text.find("people:")] if "people:" in text else ""
        new_text = head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(new_text)
    return keys


def sign_repository(root: str, keys: dict[str, Any], date: dt.date | str | None = None) -> list[str]:
    """Sign every public item's missing levels and the configuration (when not yet signed)."""
    from gkpublish.loader import load_repository

    repo = load_repository(root)
    evaluation = evaluate(repo)
    written: list[str] = []
    for state in evaluation.items.values():
        written += sign_item_chain(repo, state, keys, date)
    if evaluation.config.record is None:
        written.append(sign_config(repo, keys, date))
    return written


def bootstrap(root: str, keys_dir: str) -> None:
    """A fresh repository's first roster and sign-offs (used by ``gkpublish init``).

    One key pair per roster person into ``keys_dir/<person-id>`` (+ ``.pub``, private mode
    0600, never inside the repository), the public keys written into site_config/roster.yml,
    then every public item's chain signed in order and the configuration signed by a 主要领导.
    """
    root_abs, keys_abs = os.path.realpath(root), os.path.realpath(keys_dir)
    if os.path.commonpath([root_abs, keys_abs]) == root_abs:
        raise GkError(f"--keys-dir {keys_dir}: 私钥不能放在站点仓库之内；请指定仓库之外的目录")
    keys = write_roster_keys(root, keys_dir)
    sign_repository(root, keys)
