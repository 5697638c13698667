"""Record format: what a sign-off file is, how it is read, and what its signature covers.

Decides: the payload fields and their types, the canonical bytes that are signed (and whose
SHA-256 is a record's id), where an item's records live (``record_dir``), the configuration
digest, and how the files under ``approvals/`` are read (bytes once, parsed lazily; a
malformed file is a problem for GK302, never an exception).

Version 2 (current) adds ``round`` (the review round, 1, 2, …: see
:mod:`gkpublish.approvals.chain`) and ``files``: the other files a record binds, repository path →
SHA-256 — for an item its attachments (the local files its front matter and its whole
body link to), for the configuration each file of ``site_config/`` and ``schema/``.
A version 1 record binds no files: it still verifies, but it approves no attachment (an
item with attachments needs a new round) and names no changed configuration file.

Strict JSON: a duplicate key anywhere (``{"payload": …, "payload": …}``), ``NaN`` or
``Infinity``, deep nesting or a file over 1 MiB is a malformed
record (GK302), never the last value winning and never a RecursionError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from gkpublish import parallel
from gkpublish.roster import (
    STEPS,
)
from gkpublish.sshsig import (
    NAMESPACE,
    Signature,
    SshSigError,
    parse,
    verify_many,
)

APPROVALS_DIR = "approvals"
CONFIG_SUBDIR = "_site_config"
CONFIG_SUBJECT = "site_config/ schema/"  # the payload's "item" for a configuration sign-off
VERSION = 2
VERSIONS = (1, 2)  # what parse_record accepts; make_record writes VERSION
AGREE, RETURN = "同意", "退回"
DECISIONS = (AGREE, RETURN)
PAYLOAD_KEYS = frozenset({"version", "kind", "item", "sha256", "step", "signer", "date", "decision", "comment",
                          "prev"})
PAYLOAD_KEYS_V2 = PAYLOAD_KEYS | {"files", "round"}
MAX_RECORD_BYTES = 1 << 20
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


def config_files_digests(files: dict[str, bytes]) -> dict[str, str]:
    """Path -> SHA-256 of each configuration file: what a version 2 configuration record binds,
    so that GK308 can name the files changed since the newest sign-off."""
    return {p: hashlib.sha256(files[p]).hexdigest() for p in sorted(files)}


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
    # the other files it binds (attachments / configuration files); a version 1 record binds none
    files = property(lambda self: self.payload.get("files") or {})

    @property
    def seq(self) -> int:
        """The number its file name starts with (01-…): where the next record is written."""
        head = self.name.split("-", 1)[0]
        return int(head) if head.isdigit() else 0


def _check_payload(p: Any) -> str | None:
    if not isinstance(p, dict):
        return "payload 应为对象"
    version = p.get("version")
    if type(version) is not int or version not in VERSIONS:  # not 2.0, not true
        return f"记录版本 {version!r} 不受支持（支持 {'、'.join(map(str, VERSIONS))}）"
    keys = PAYLOAD_KEYS if version == 1 else PAYLOAD_KEYS_V2
    missing = keys - set(p)
    extra = set(p) - keys
    if missing or extra:
        return f"payload 字段不对（缺少 {sorted(missing)}，多出 {sorted(extra)}）"
    if version >= 2:
        files = p["files"]
        if not isinstance(files, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and HEX64.match(v) for k, v in files.items()):
            return "files 应为“文件路径: SHA-256”的对象"
        if not isinstance(p["round"], int) or isinstance(p["round"], bool) or not 1 <= p["round"] <= 1_000_000:
            return "round 应为审核轮次（正整数）"
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


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json object hook: a repeated key is an error, not "the last one wins" (a second
    ``payload`` or ``decision`` would otherwise replace what a reader of the file sees first)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"键 {k!r} 重复出现；一条记录中每个键只能出现一次")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} 不是标准 JSON 数值")


def parse_record(rel: str, data: bytes) -> Record:
    """One record file → Record. Raises ValueError (Chinese) when it is not a well-formed record."""
    if len(data) > MAX_RECORD_BYTES:
        raise ValueError(f"记录文件超过 {MAX_RECORD_BYTES} 字节，不是 gkpublish approve 写出的记录")
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"不是有效的 JSON（{exc}）") from None
    except RecursionError:  # the C decoder stops at the interpreter's limit: a malformed record
        raise ValueError("JSON 嵌套过深，不是 gkpublish approve 写出的记录") from None
    except ValueError as exc:  # a duplicate key or NaN (the hooks above)
        raise ValueError(f"不是有效的记录 JSON：{exc}") from None
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


def git_blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes (``git hash-object``)."""
    h = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    h.update(data)  # not header + data: that copies every record once more
    return h.hexdigest()


def blob_ids_of(data: bytes) -> frozenset[str]:
    """The blob id of these bytes, and of the same bytes with CRLF line ends as LF: a checkout
    with core.autocrlf (Windows) holds CRLF copies of the LF records git stores. In a record
    a line end can only be whitespace between JSON tokens, so both are the same record."""
    ids = {git_blob_id(data)}
    if b"\r\n" in data:
        ids.add(git_blob_id(data.replace(b"\r\n", b"\n")))
    return frozenset(ids)


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
        self._blobs: dict[str, frozenset[str]] = {}

    def _parse(self) -> None:
        if self._records is None:
            self._records = []
            for rel, data in self._files:
                self._blobs[rel] = blob_ids_of(data)
                try:
                    self._records.append(parse_record(rel, data))
                except ValueError as exc:
                    self._problems.append((rel, f"签审记录格式错误：{exc}；签审记录只能由 gkpublish approve 写入，"
                                                "请用 git 把该文件恢复为原样（尚未合入的错误记录可删除后重新签审）"))
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

    def blob_ids(self) -> dict[str, frozenset[str]]:
        """Git blob ids each record file read (malformed ones included) may have in git, by
        path: compared with the trusted revision's tree without reading its blobs."""
        self._parse()
        return self._blobs

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


def _read_tree(folder: str, rel_folder: str) -> tuple[list[tuple[str, bytes]], list[tuple[str, str]]]:
    """(record files' bytes, problems) of one folder under approvals/ and everything below it."""
    files: list[tuple[str, bytes]] = []
    problems: list[tuple[str, str]] = []
    stack = [(folder, rel_folder)]
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
            else:
                _read_entry(e, rel, files, problems)
    return files, problems


def _read_entry(e: os.DirEntry, rel: str, files: list[tuple[str, bytes]], problems: list[tuple[str, str]]) -> None:
    if e.is_symlink() or not e.is_file(follow_symlinks=False) or not e.name.endswith(".json"):
        problems.append((rel, "approvals/ 中只能有 gkpublish approve 写出的 .json 记录文件（不能是符号链接或其他文件）"))
        return
    try:
        fd = os.open(e.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            files.append((rel, os.read(fd, MAX_RECORD_BYTES + 1)))
        finally:
            os.close(fd)
    except OSError as exc:
        problems.append((rel, f"无法读取签审记录（{exc.strerror}）"))


def load_approvals(root: str, processes: int = 1) -> Approvals:
    """Read the bytes of every file under approvals/ (no symlinks followed); parsed lazily.

    ``processes`` > 1 (a large repository, :func:`gkpublish.parallel.jobs`): the folders
    under approvals/ are read by this process and forked workers together — tens of
    thousands of small files are a second of system calls that would otherwise run while
    the second core waits for the rules."""
    base = os.path.join(root, APPROVALS_DIR)
    if not os.path.isdir(base):
        return Approvals([], [], [])
    files: list[tuple[str, bytes]] = []
    problems: list[tuple[str, str]] = []
    with os.scandir(base) as it:
        entries = sorted(it, key=lambda e: e.name)
    folders = []
    for e in entries:
        if e.name.startswith("."):
            continue
        rel = f"{APPROVALS_DIR}/{e.name}"
        if e.is_dir(follow_symlinks=False):
            folders.append((e.path, rel))
        else:
            _read_entry(e, rel, files, problems)
    for got, found in parallel.map_shared(lambda task: _read_tree(*task), folders, processes):
        files += got
        problems += found
    files.sort()
    return Approvals(None, files, problems)
