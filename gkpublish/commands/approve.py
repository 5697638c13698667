"""gkpublish approve: sign the next level of an item's review (or a configuration change).

Writes one record under ``approvals/`` that binds the item's exact bytes and its
attachments' bytes, the step, the signer, the date, the decision, the review round and the
previous record (records are append-only: none is ever deleted), signed with the signer's SSH key
(SSHSIG, namespace ``gkpublish-approval@gkpublish``). Refuses (exit 2) when the person
may not sign that step for that item, a previous level is missing, or the key is not theirs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys

from gkpublish.approvals import (
    AGREE,
    DECISIONS,
    NOBODY,
    approve,
    candidates,
    item_state,
    person_label,
    record_round,
    trusted_roster,
)
from gkpublish.cli import find_root, parse_date_arg
from gkpublish.errors import GkError
from gkpublish.loader import load_repository
from gkpublish.roster import STEPS
from gkpublish.sshsig import SshSigError, load_private_key

NAME = "approve"
HELP = "签署审核：为条目当前内容写入签名的签审记录（或用 --config 签署站点配置的改动）"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("item", nargs="?", metavar="ITEM", help="条目文件（content/ 下的 .md）")
    p.add_argument("--config", action="store_true", help="签署 site_config/ 与 schema/ 的当前内容（仅主要领导）")
    p.add_argument("--step", required=True, choices=STEPS, help="签署的审核层级")
    p.add_argument("--as", dest="person", required=True, metavar="PERSON", help="签署人的人员编号（roster.yml 中的 id）")
    p.add_argument("--key", required=True, metavar="KEYFILE", help="签署人本人的 SSH 私钥文件（如 ~/.ssh/id_ed25519）")
    p.add_argument("--comment", default="", metavar="TEXT", help="审核意见")
    p.add_argument("--decision", default=AGREE, choices=DECISIONS, help="同意（默认）或 退回")
    p.add_argument("--date", type=parse_date_arg, metavar="DATE", help="签署日期（默认今天）")


def _private_key(path: str):
    try:
        return load_private_key(path)
    except SshSigError as exc:
        if "口令" not in str(exc):
            raise GkError(str(exc)) from None
    secret = os.environ.get("GKPUBLISH_KEY_PASSPHRASE")
    if secret is None and sys.stdin.isatty():
        secret = getpass.getpass(f"私钥 {path} 的口令：")
    if secret is None:
        raise GkError(f"私钥 {path} 有口令保护：请在终端中运行以输入口令，或设置环境变量 GKPUBLISH_KEY_PASSPHRASE")
    try:
        return load_private_key(path, secret.encode())
    except SshSigError as exc:
        raise GkError(f"{exc}（口令是否正确？）") from None


def _shown(path: str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 (a GBK file name) as \\xNN."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _item_path(root: str, cwd: str, arg: str) -> str:
    full = os.path.abspath(os.path.join(cwd, arg))
    rel = os.path.relpath(full, root).replace(os.sep, "/")
    if not os.path.isfile(full) or not rel.startswith("content/") or not rel.endswith(".md"):
        raise GkError(f"{_shown(arg)}: 不是站点中的条目文件（应为 content/ 下存在的 .md 文件）")
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        raise GkError(f"{_shown(rel)}: 文件名不是有效的 UTF-8（可能来自 GBK 等编码的压缩包或系统），签审记录无法记录它；"
                      "请把文件改为 UTF-8 编码的名称（如 git mv 旧名 新名）后再签署") from None
    return rel


def run(args: argparse.Namespace) -> int:
    if bool(args.item) == bool(args.config):
        raise GkError("请指定一个条目文件，或用 --config 签署站点配置（二者选一）")
    cwd = os.path.abspath(args.directory)
    root = find_root(cwd)
    key = _private_key(os.path.join(cwd, args.key))
    repo = load_repository(root)
    path = None if args.config else _item_path(root, cwd, args.item)
    date = args.date or dt.date.today()
    # before writing: does this record start a new round over a review of other content?
    before = item_state(repo, path) if path is not None else None
    stale = list(before.stale) if before is not None and before.new_round and before.last is not None else []
    old_round = record_round(before.last) if stale and before is not None and before.last is not None else None
    written = approve(repo, path, args.step, args.person, key, args.decision, args.comment, date)
    roster = trusted_roster(repo)
    what = "站点配置（site_config/、schema/）" if path is None else path
    print(f"已写入 {written}：{person_label(roster, args.person)} 以 {args.step} {args.decision} {what}")
    if path is None:
        print("下一步：提交 approvals/ 中的新文件，运行 gkpublish check 确认")
        return 0
    state = item_state(repo, path)
    levels = state.levels or []
    if old_round is not None:
        # records are append-only: nothing was replaced on disk, the old round just stops counting
        print(f"条目在第 {old_round} 轮签审之后被修改过：本次签审开始了第 {old_round + 1} 轮审核，取代第 {old_round} 轮对旧内容的"
              f" {len(stale)} 条签审（旧记录按只追加的规则保留在 approvals/ 中作为历史，不再计入）；"
              "以下各级须对修改后的内容重新签署")
    if state.complete:
        print("本条目的审核链已完整；请提交 approvals/ 中的新文件，运行 gkpublish check 确认")
    elif state.returned is not None:
        print("已退回：经办人修改条目后，从第一级开始新一轮审核（原记录保留为历史；gkpublish status 可查看）")
    else:
        k = state.next_index
        ids = candidates(repo, roster, state, k)
        who = "、".join(person_label(roster, i) for i in ids) or NOBODY
        step = levels[k].steps[0] if len(ids) != 1 else next(
            s for s in levels[k].steps if s in roster.people[ids[0]].steps)
        print(f"下一级：{levels[k].label}（可签：{who}）")
        print(f"  gkpublish approve {path} --step {step} --as {ids[0] if len(ids) == 1 else '<人员编号>'} --key <私钥文件>")
    return 0
