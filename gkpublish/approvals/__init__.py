"""Signed sign-off records (审核签发记录) under ``approvals/``, and where each item stands.

附件2 第三条 (一事一审、谁主管谁审批), 第七条 (三级审核), 附件3 第一条 (先审后发), 第三条
(三审三校): a sign-off is evidence only when it cannot be typed by anyone with push
access. So each sign-off is a file, written by ``gkpublish approve``::

    approvals/<item path under content/, without .md>/<NN>-<step>[-退回].json
    approvals/_site_config/<NN>-主要领导.json          (a change of site_config/ or schema/)

holding a payload and its SSHSIG (namespace ``gkpublish-approval@gkpublish``)::

    {"payload": {"version": 2, "kind": "item", "item": "content/gzdt/a.md",
                 "sha256": "<SHA-256 of the item file's exact bytes>",
                 "files": {"content/gzdt/名单.pdf": "<SHA-256 of each attachment>"},
                 "step": "科室负责人", "signer": "li-kz", "date": "2026-11-02", "decision": "同意",
                 "comment": "", "round": 1,
                 "prev": "<id of the previous record of this item, null for the very first>"},
     "signature": "-----BEGIN SSH SIGNATURE-----…"}

The signed message is the canonical form of the payload: UTF-8 JSON, keys sorted, no
spaces (``json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``).
A record's id is the SHA-256 of that message. ``prev`` links each record to the one
before it, so the order of the levels — and a 退回 followed by a later 同意 — is part of
what is signed. A record binds the item's bytes and its attachments' bytes: any edit
(front matter included, or one row appended to an attachment) makes the round stale, and
the review starts again (先审后发) in a new round chained after the old one.

Records are append-only history and decisions are binding: only the newest round counts,
and no record at the trusted revision (``--trust-ref``, else HEAD) may be removed or
replaced (see :mod:`.chain`).

Records are plain files, so they survive squash, rebase and merge commits and any forge.

One module per concern: :mod:`.records` (format, parse, files), :mod:`.policy` (levels an
item needs), :mod:`.chain` (walk, place, missing, configuration state), :mod:`.signing`
(approve, make_record, write) and :mod:`.bootstrap` (keys, roster text, sign_repository).
The names the rest of the code uses are re-exported here.
"""

from __future__ import annotations

from gkpublish.approvals.bootstrap import (
    ID_LINE,
    bootstrap,
    sign_config,
    sign_item_chain,
    sign_repository,
    write_roster_keys,
)
from gkpublish.approvals.chain import (
    KEEP_COMMITTED,
    NOBODY,
    ConfigState,
    Evaluation,
    Issue,
    ItemState,
    approve_command,
    binding,
    candidates,
    damaged_records,
    drafter_problem,
    duty_problem,
    evaluate,
    evaluate_item,
    ignore_committed_records,
    item_binding,
    item_state,
    key_problem,
    person_label,
    protected_records,
    record_round,
    trust_label,
    trusted_roster,
)
from gkpublish.approvals.policy import (
    Level,
    co_producer_organs,
    item_organ,
    item_unit,
    required_levels,
)
from gkpublish.approvals.records import (
    AGREE,
    APPROVALS_DIR,
    COMMENT_FIELD_RE,
    CONFIG_SUBDIR,
    CONFIG_SUBJECT,
    DECISIONS,
    HEX64,
    MAX_RECORD_BYTES,
    PAYLOAD_KEYS,
    PAYLOAD_KEYS_V2,
    RETURN,
    SAFE_NAME,
    VERSION,
    VERSIONS,
    Approvals,
    Record,
    canonical,
    config_files_digests,
    config_hash,
    git_blob_id,
    item_of_dir,
    load_approvals,
    parse_record,
    record_dir,
    record_from_doc,
)
from gkpublish.approvals.signing import (
    approve,
    encodable,
    file_name,
    make_record,
    next_seq,
    record_id,
    write_record,
)

__all__ = [
    "AGREE",
    "APPROVALS_DIR",
    "Approvals",
    "COMMENT_FIELD_RE",
    "CONFIG_SUBDIR",
    "CONFIG_SUBJECT",
    "ConfigState",
    "DECISIONS",
    "Evaluation",
    "HEX64",
    "ID_LINE",
    "Issue",
    "ItemState",
    "KEEP_COMMITTED",
    "Level",
    "MAX_RECORD_BYTES",
    "NOBODY",
    "PAYLOAD_KEYS",
    "PAYLOAD_KEYS_V2",
    "RETURN",
    "Record",
    "SAFE_NAME",
    "VERSION",
    "VERSIONS",
    "approve",
    "approve_command",
    "binding",
    "bootstrap",
    "candidates",
    "canonical",
    "co_producer_organs",
    "config_files_digests",
    "config_hash",
    "damaged_records",
    "drafter_problem",
    "duty_problem",
    "encodable",
    "evaluate",
    "evaluate_item",
    "file_name",
    "git_blob_id",
    "ignore_committed_records",
    "item_binding",
    "item_of_dir",
    "item_organ",
    "item_state",
    "item_unit",
    "key_problem",
    "load_approvals",
    "make_record",
    "next_seq",
    "parse_record",
    "person_label",
    "protected_records",
    "record_dir",
    "record_from_doc",
    "record_id",
    "record_round",
    "required_levels",
    "sign_config",
    "sign_item_chain",
    "sign_repository",
    "trust_label",
    "trusted_roster",
    "write_record",
    "write_roster_keys",
]
