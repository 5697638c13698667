"""Bootstrap: a repository's first keys and sign-offs (``gkpublish init``, demo, benchmark).

Decides: one throw-away key pair per roster person (outside the repository), how the
public keys are written into roster.yml keeping its layout, and signing every missing
level of every public item and the configuration.
"""


from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import yaml

from gkpublish.approvals.chain import (
    ItemState,
    candidates,
    evaluate,
    ignore_committed_records,
    trusted_roster,
)
from gkpublish.approvals.records import (
    AGREE,
    record_dir,
    record_from_doc,
)
from gkpublish.approvals.signing import (
    approve,
    encodable,
    file_name,
    make_record,
    next_seq,
    write_record,
)
from gkpublish.errors import GkError
from gkpublish.model import Repository
from gkpublish.roster import (
    ROSTER_FILE,
)
from gkpublish.sshsig import (
    generate_keypair,
    load_private_key,
)

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
    for rel in (state.item.path, *state.item.attachments):
        encodable(rel)
    prev = state.last.id if state.last else None
    folder = record_dir(state.item.path)
    seq = next_seq(repo.root, folder) - 1
    rnd = state.round
    for k in range(state.next_index, len(state.levels)):
        level = state.levels[k]
        ids = [i for i in candidates(repo, roster, state, k) if i in keys]
        if not ids:
            raise GkError(f"{state.item.path}: 名册中没有可签 {level.label} 的人员（或没有其私钥）")
        pid = ids[0]
        step = next(s for s in level.steps if s in roster.people[pid].steps)
        doc = make_record(keys[pid], kind="item", item=state.item.path, sha256=state.item.sha256, step=step,
                          signer=pid, prev=prev, date=date, files=state.item.attachments, round=rnd)
        seq += 1
        written.append(write_record(repo.root, f"{folder}/{file_name(seq, step, AGREE)}", doc))
        rec = record_from_doc(written[-1], doc)
        prev = rec.id
        state.accepted[k] = rec
    state.next_index = len(state.levels)
    state.new_round = False
    return written


def sign_config(repo: Repository, keys: dict[str, Any], date: dt.date | str | None = None) -> str:
    roster = trusted_roster(repo)
    ids = [pid for pid, p in roster.people.items() if "主要领导" in p.steps and pid in keys]
    if not ids:
        raise GkError("名册中没有可签站点配置的主要领导（或没有其私钥）")
    return approve(repo, None, "主要领导", ids[0], keys[ids[0]], date=date if isinstance(date, dt.date) else None)


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


def sign_repository(root: str, keys: dict[str, Any], date: dt.date | str | None = None, *,
                    from_scratch: bool = False) -> list[str]:
    """Sign every public item's missing levels and the configuration (when not yet signed).

    ``from_scratch``: the caller removed approvals/ on purpose (demo, benchmark) and the
    records committed at HEAD are not held against the working tree.
    """
    from gkpublish.loader import load_repository

    repo = load_repository(root)
    if from_scratch:
        ignore_committed_records(repo)
    evaluation = evaluate(repo)
    written: list[str] = []
    for state in evaluation.items.values():
        written += sign_item_chain(repo, state, keys, date)
    if evaluation.config.record is None:
        written.append(sign_config(repo, keys, date))
    return written


def bootstrap(root: str, keys_dir: str, *, from_scratch: bool = False) -> None:
    """A fresh repository's first roster and sign-offs (used by ``gkpublish init``).

    One key pair per roster person into ``keys_dir/<person-id>`` (+ ``.pub``, private mode
    0600, never inside the repository), the public keys written into site_config/roster.yml,
    then every public item's chain signed in order and the configuration signed by a 主要领导.
    """
    root_abs, keys_abs = os.path.realpath(root), os.path.realpath(keys_dir)
    if os.path.commonpath([root_abs, keys_abs]) == root_abs:
        raise GkError(f"--keys-dir {keys_dir}: 私钥不能放在站点仓库之内；请指定仓库之外的目录")
    keys = write_roster_keys(root, keys_dir)
    sign_repository(root, keys, from_scratch=from_scratch)
