"""Signing: write the next record of an item or of the configuration (``gkpublish approve``).

Decides: when a person may sign (roster step, own key, duties, order) and the file a new
record is written to.
"""


from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from typing import Any

from gkpublish.approvals.chain import (
    Evaluation,
    _level_of,
    approve_command,
    candidates,
    duty_problem,
    evaluate,
    person_label,
    record_round,
    trusted_roster,
)
from gkpublish.approvals.records import (
    AGREE,
    APPROVALS_DIR,
    CONFIG_SUBDIR,
    CONFIG_SUBJECT,
    DECISIONS,
    RETURN,
    VERSION,
    canonical,
    config_files_digests,
    record_dir,
)
from gkpublish.errors import GkError
from gkpublish.model import Repository
from gkpublish.roster import (
    ROSTER_FILE,
    STEPS,
    Roster,
)
from gkpublish.sshsig import (
    NAMESPACE,
    public_blob_of,
)
from gkpublish.sshsig import sign as ssh_sign

# -- writing records ------------------------------------------------------------------------

def make_record(private_key, *, kind: str, item: str, sha256: str, step: str, signer: str,
                decision: str = AGREE, comment: str = "", prev: str | None = None,
                date: dt.date | str | None = None, files: dict[str, str] | None = None, round: int = 1,
                version: int = VERSION) -> dict[str, Any]:
    """A signed record document ({"payload", "signature"}); no checks (tests build forgeries with it).

    ``files``: the attachments (or configuration files) it binds, path -> SHA-256; ``round``:
    the review round; ``version=1`` writes the old format (no files, no round)."""
    payload: dict[str, Any] = {"version": version, "kind": kind, "item": item, "sha256": sha256, "step": step,
                               "signer": signer, "date": str(date or dt.date.today().isoformat()),
                               "decision": decision, "comment": comment, "prev": prev}
    if version >= 2:
        payload["files"] = dict(sorted((files or {}).items()))
        payload["round"] = round
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


def next_seq(root: str, folder: str) -> int:
    """The number of a new record file in ``folder``: one more than any file there (records are
    append-only history, so numbers are never reused)."""
    try:
        names = os.listdir(os.path.join(root, folder))
    except OSError:
        return 1
    nums = [int(n.split("-", 1)[0]) for n in names if n.split("-", 1)[0].isdigit()]
    return max(nums, default=0) + 1


def encodable(path: str) -> None:
    """GkError (exit 2) when a path cannot be written into a record: not valid UTF-8."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        shown = path.encode("utf-8", "backslashreplace").decode("ascii", "replace")
        raise GkError(f"{shown}: 文件名不是有效的 UTF-8（可能来自 GBK 等编码的压缩包或系统），签审记录无法记录它；"
                      "请把文件改为 UTF-8 编码的名称（如 git mv 旧名 新名）后再签署") from None


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
            decision: str = AGREE, comment: str = "", date: dt.date | None = None) -> str:
    """Write the next sign-off record of an item (or of the configuration when ``item_path`` is None).

    Refuses (GkError, exit 2) when the person may not sign that step for that item, when a
    previous level is missing, when the key is not theirs, or when a trusted record has been
    removed. Never deletes a record: after an edit the new record starts a new round that
    chains onto the item's last record. Returns the file written.
    """
    if item_path is not None:
        encodable(item_path)
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
    for rel in state.item.attachments:
        encodable(rel)
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
    doc = make_record(private_key, kind="item", item=item_path, sha256=state.item.sha256, step=step,
                      signer=person_id, decision=decision, comment=comment,
                      prev=state.last.id if state.last else None, date=date,
                      files=state.item.attachments, round=state.round)
    folder = record_dir(item_path)
    return write_record(repo.root, f"{folder}/{file_name(next_seq(repo.root, folder), step, decision)}", doc)


def _approve_config(repo: Repository, evaluation: Evaluation, step: str, person_id: str, private_key,
                    decision: str, comment: str, date: dt.date | None) -> str:
    if step != "主要领导" or decision != AGREE:
        raise GkError("站点配置（site_config/、schema/）只能由主要领导签署 同意：--config --step 主要领导")
    cfg = evaluation.config
    if cfg.restore:
        raise GkError(f"站点配置：可信版本中的签审记录被删除或改动，须先恢复：{'、'.join(cfg.restore)}（见 gkpublish check 的 GK302）")
    if any(i.rule == "GK308" and "分叉" in i.message for i in cfg.issues):
        raise GkError("站点配置的签审记录分叉，须先处理（见 gkpublish check 的 GK308）")
    for rel in repo.config.files:
        encodable(rel)
    folder = f"{APPROVALS_DIR}/{CONFIG_SUBDIR}"
    last = cfg.last
    doc = make_record(private_key, kind="config", item=CONFIG_SUBJECT, sha256=cfg.digest,
                      step=step, signer=person_id, comment=comment, date=date,
                      prev=last.id if last else None, files=config_files_digests(repo.config.files),
                      round=record_round(last) + 1 if last else 1)
    return write_record(repo.root, f"{folder}/{file_name(next_seq(repo.root, folder), step, AGREE)}", doc)
