"""gkpublish status: where each item stands in its review — what a reviewer reads on a PR.

For each item: the attachments its sign-offs bind, the sign-offs of its newest review round
(who, when, decision; earlier rounds are history), the levels it still needs, the person ids
who may give each, and the exact ``gkpublish approve`` command for the next one.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from gkpublish.approvals import (
    Evaluation,
    ItemState,
    approve_command,
    candidates,
    evaluate,
    person_label,
    trusted_roster,
)
from gkpublish.cli import find_root
from gkpublish.commands.check import relative_paths
from gkpublish.errors import GkError
from gkpublish.loader import load_repository
from gkpublish.model import Repository
from gkpublish.roster import STEPS, Roster

MISSING_RULES = frozenset({"GK301", "GK305", "GK306", "GK307"})
NAME = "status"
HELP = "查看条目的签审进度：已有哪些签审、还需哪一级、谁可以签"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="ITEM", help="只显示这些条目文件或目录")
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
    p.add_argument("--trust-ref", metavar="REF", help="从此 git 修订读取人员名册与密钥（CI 中为目标分支）")
    p.add_argument("--pending", action="store_true", help="只显示正等待签审的条目（已签齐或无需签审的不显示）")
    p.add_argument("--step", metavar="STEP", help="只显示下一步等待此层级签署的条目，如 保密审查（隐含 --pending）")
    p.add_argument("--as", dest="person", metavar="PERSON",
                   help="只显示现在等待此人签署的条目：“等我签的”（名册中的人员编号；隐含 --pending）")


def waits_for(report: dict[str, Any], step: str | None, person: str | None) -> bool:
    """The item's next level is open (not complete, not blocked) and, if asked, is that step / that person's."""
    nxt = next((n for n in report["needed"] if n["next"]), None)
    if nxt is None:
        return False
    return (step is None or step in nxt["steps"]) and (person is None or person in nxt["candidates"])


def item_report(repo: Repository, roster: Roster, state: ItemState) -> dict[str, Any]:
    item = state.item
    column = repo.config.columns.get(item.column or "")
    signed = []
    for n, rec in enumerate(state.chain):
        person = roster.people.get(rec.signer)
        signed.append({"file": rec.file, "step": rec.step, "signer": rec.signer,
                       "name": person.name if person else None, "date": rec.date, "decision": rec.decision,
                       "comment": rec.comment, "counted": n < state.counted})
    needed = []
    for k in range(state.next_index, len(state.levels or ())):
        level = state.levels[k]  # type: ignore[index]
        ids = candidates(repo, roster, state, k)
        step = next((s for s in level.steps if any(s in roster.people[i].steps for i in ids)), level.steps[0])
        nxt = k == state.next_index and not state.blocker
        needed.append({"level": level.label, "steps": list(level.steps), "rule": level.rule, "next": nxt,
                       "candidates": ids, "command": approve_command(item.path, step, ids) if nxt else None})
    return {"path": item.path, "title": item.title, "attribute": item.attribute,
            "column": column.name if column else item.column, "policy": column.review if column else None,
            "sha256": item.sha256, "attachments": dict(item.attachments),
            "round": state.round,  # the round the next record belongs to
            "earlier_records": len(state.history) - len(state.chain),
            "required": state.levels is not None, "complete": state.complete,
            "returned": state.returned is not None, "signed": signed, "needed": needed,
            "findings": [{"rule": i.rule, "message": i.message} for i in state.issues]}


def config_report(repo: Repository, evaluation: Evaluation, roster: Roster) -> dict[str, Any]:
    cfg = evaluation.config
    rec = cfg.record
    ids = [pid for pid, p in roster.people.items() if "主要领导" in p.steps and roster.valid_keys(pid)]
    return {"required": cfg.required, "sha256": cfg.digest, "changed": cfg.changed,
            "signed": None if rec is None else {"file": rec.file, "signer": rec.signer, "date": rec.date},
            "candidates": ids,
            "command": approve_command(None, "主要领导", ids) if cfg.required and rec is None else None,
            "findings": [{"rule": i.rule, "path": i.path, "message": i.message} for i in cfg.issues]}


def _text(doc: dict[str, Any], roster: Roster) -> str:
    out: list[str] = []
    if doc["trust"]["note"]:
        out += [f"注意：{doc['trust']['note']}", ""]
    for it in doc["items"]:
        head = f"{it['path']}  《{it['title']}》 {it['attribute'] or '公开属性未定'}"
        if it["column"]:
            head += f" · {it['column']}" + (f"（{it['policy']}）" if it["policy"] else "")
        out.append(head)
        for path, digest in it["attachments"].items():
            out.append(f"  附件 {path}  sha256 {digest[:12]}…（签审记录绑定其内容）")
        if it["earlier_records"]:
            out.append(f"  此前各轮审核的 {it['earlier_records']} 条记录保留为历史，不再计入")
        if not it["required"]:
            out.append("  不在网站公开发布，不需要网站签审" if it["attribute"] else "  无法确定审核流程（见 gkpublish check）")
        for s in it["signed"]:
            mark = "✓" if s["counted"] and s["decision"] == "同意" else ("↩" if s["counted"] else "✗")
            comment = f"：{s['comment']}" if s["comment"] else ""
            extra = "" if s["counted"] else "（不计，见下方问题）"
            out.append(f"  {mark} {s['step']}  {person_label(roster, s['signer'])}  {s['date']}  {s['decision']}{comment}{extra}")
        for n in it["needed"]:
            who = "、".join(person_label(roster, i) for i in n["candidates"]) or "无人可签"
            out.append(f"  {'→' if n['next'] else '·'} 待签 {n['level']}（可签：{who}）")
            if n["command"]:
                out.append(f"      {n['command']}")
        if it["required"] and it["complete"]:
            out.append("  审核链完整")
        for f in it["findings"]:
            if f["rule"] not in MISSING_RULES or it["returned"]:  # missing levels are the 待签 lines above
                out.append(f"  ! {f['rule']} {f['message']}")
        out.append("")
    cfg = doc.get("config")
    if cfg is not None:
        if cfg["signed"]:
            out.append(f"站点配置：已由 {person_label(roster, cfg['signed']['signer'])} 于 {cfg['signed']['date']} 签审")
        elif not cfg["required"]:
            out.append("站点配置：与可信版本相同，不需要签审")
        else:
            who = "、".join(person_label(roster, i) for i in cfg["candidates"]) or "无人可签"
            out.append(f"站点配置：待 主要领导 签审（可签：{who}）")
            out.append(f"      {cfg['command']}")
        for f in cfg["findings"]:
            out.append(f"  ! {f['rule']} {f['path']}: {f['message']}")
    flt = doc.get("filter") or {}
    if flt.get("pending"):
        whom = "".join(x for x in (f"由 {person_label(roster, flt['person'])} " if flt.get("person") else "",
                                   f"在 {flt['step']} 级" if flt.get("step") else ""))
        out.append(f"{len(doc['items'])} 个条目正等待{whom}签审。" if doc["items"] else f"没有等待{whom}签审的条目。")
        return "\n".join(out)
    done = sum(1 for it in doc["items"] if it["complete"])
    out.append(f"{len(doc['items'])} 个条目，{done} 个无需再签或已签齐。")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    cwd = os.path.abspath(args.directory)
    root = find_root(cwd)
    repo = load_repository(root, trust_ref=args.trust_ref)
    scope = relative_paths(root, args.paths, cwd)
    evaluation = evaluate(repo)
    roster = trusted_roster(repo)
    states = [s for p, s in sorted(evaluation.items.items())
              if not scope or any(p == x or p.startswith(x + "/") for x in scope)]
    trust = repo.extra.get("trust")
    items = [item_report(repo, roster, s) for s in states]
    config = None if scope else config_report(repo, evaluation, roster)
    filtered = bool(args.pending or args.step or args.person)
    if args.step is not None and args.step not in STEPS:
        raise GkError(f"--step {args.step}: 不是审核层级；可选：{'、'.join(STEPS)}")
    if args.person is not None and args.person not in roster.people:
        raise GkError(f"--as {args.person}: 名册中没有这个人员编号；可用：{'、'.join(roster.people) or '无'}")
    if filtered:
        items = [r for r in items if waits_for(r, args.step, args.person)]
        if config is not None and not (config["command"] and args.step in (None, "主要领导")
                                       and (args.person is None or args.person in config["candidates"])):
            config = None
    doc = {"version": 1,
           "trust": {"ref": args.trust_ref, "commit": trust.commit if trust else None, "note": repo.trust_note},
           "filter": {"pending": filtered, "step": args.step, "person": args.person},
           "items": items, "config": config}
    if args.format == "json":
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(_text(doc, roster))
    return 0
