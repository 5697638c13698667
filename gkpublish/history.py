"""What the repository remembers: git facts about every path under ``content/``.

One streamed ``git log --raw -z -M`` over ``content/`` (never a process per file) gives,
per path, every change in order: the commit that added it, each modification, renames
and deletions, with the committer time read in Asia/Shanghai (UTC+8 all year: China has
had no daylight saving time since 1991, so a fixed offset is exact and needs no tz data).

The facts are cached inside ``.git/`` (``.git/gkpublish/history-v1.json``), keyed by the
commit they were read at: a later run at the same commit reads the cache, and a run after
new commits walks only ``cached..HEAD`` and appends. A site in a sub-folder of the git work
tree (several organs' sites in one repository) has its own cache file, named after its
path, and the path is recorded in the cache too: one site never reads another's facts.

Facts are *unknown*, never guessed, when they cannot be known: no git repository (a
copied folder), no commit yet, a shallow clone (its oldest commit would look as if it
added every file) or a graft file (``info/grafts``, ``$GIT_GRAFT_FILE``: the same cut),
a path present at HEAD whose adding commit is not in the history, a commit dated in the
future. ``git replace`` refs are ignored (``--no-replace-objects``):
the history is read as committed, a replacement cannot bring an earlier date or an old
version that never was. :attr:`History.reason` says why, and what to do in CI
(``actions/checkout`` with ``fetch-depth: 0``).

Loaded lazily by :func:`history_of` (``repo.extra["history"]``), so only the rules that
need git pay for it, and a check without git still runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
CACHE_VERSION = 1
NULL_BLOB = "0" * 40
FULL_HISTORY_HINT = ("在 CI 中请取完整历史（GitHub Actions：actions/checkout 设置 fetch-depth: 0；"
                     "本地：git fetch --unshallow）")


class Change(NamedTuple):
    """One change of one path in one commit (a tuple: 30,000 of them are made per cold pass)."""

    commit: str
    time: int  # committer time, seconds since the epoch
    offset: int  # the committer's own UTC offset in minutes
    status: str  # A (added), M (modified), D (deleted), R (renamed to ``path``), T (type change)
    path: str
    old_path: str | None  # for R: the path before
    blob: str  # the blob after the change (NULL_BLOB for D)
    old_blob: str  # the blob before (NULL_BLOB for A)

    @property
    def day(self) -> dt.date:
        """The committer day in Asia/Shanghai."""
        return dt.datetime.fromtimestamp(self.time, SHANGHAI).date()

    @property
    def local_day(self) -> dt.date:
        """The day on the committer's own clock (a machine set to UTC commits at 23:00 on the
        1st what is the 2nd in Shanghai: neither day is a forgery)."""
        tz = dt.timezone(dt.timedelta(minutes=self.offset))
        return dt.datetime.fromtimestamp(self.time, tz).date()

    @property
    def earliest_day(self) -> dt.date:
        return min(self.day, self.local_day)

    def as_row(self) -> list[Any]:
        return list(self)


@dataclass
class History:
    """The git facts of ``content/``; ``known`` is False when there are none to trust."""

    known: bool
    reason: str | None = None  # why unknown (a Chinese sentence with the fix)
    strict: bool = False  # True: the unknown must stop the gate (a shallow clone in CI)
    head: str | None = None
    root: str | None = None  # the git work tree's top level
    prefix: str = ""  # the site repository's path inside the git work tree ("" or "site/")
    changes: dict[str, list[Change]] = field(default_factory=dict)  # path -> oldest first
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    future: set[str] = field(default_factory=set)  # paths with a change dated in the future
    cache: dict[str, Any] = field(default_factory=dict)  # blob facts kept with the git facts
    cache_file: str | None = None
    _lineages: dict[str, list[Change]] = field(default_factory=dict, repr=False)

    def events(self, path: str) -> list[Change]:
        return self.changes.get(path, [])

    def lineage(self, path: str) -> list[Change]:
        """The changes of ``path`` and, through renames, of the paths it was before; oldest first
        (memoised: GK602 and GK607 both ask for every item)."""
        got = self._lineages.get(path)
        if got is None:
            got = self._lineages[path] = self._lineage(path)
        return got

    def _lineage(self, path: str) -> list[Change]:
        out: list[Change] = []
        seen = {path}
        current, before = path, None
        while True:
            evs = [c for c in self.events(current) if before is None or (c.time, c.commit) <= before]
            # this file's life under ``current`` starts after its last deletion; a second add
            # without a deletion between is the same file seen again (a merge's first-parent
            # diff repeats what the side branch added), so the earliest add counts
            start = 0
            for i in range(1, len(evs)):
                if evs[i].status in ("A", "R") and evs[i - 1].status == "D":
                    start = i
            out[:0] = evs[start:]
            first = evs[start] if evs else None
            if first is None or first.status != "R" or not first.old_path or first.old_path in seen:
                return out
            seen.add(first.old_path)
            current, before = first.old_path, (first.time, first.commit)

    def entered(self, path: str) -> Change | None:
        """The commit that first added this file (following renames), or None when unknown."""
        if not self.known or path in self.future:
            return None
        line = self.lineage(path)
        if not line or line[0].status != "A":
            return None
        return line[0]

    def deleted(self) -> list[Change]:
        """Deletions that left a path gone at HEAD (not re-added, not a rename's old side)."""
        out = []
        for evs in self.changes.values():
            if evs and evs[-1].status == "D":
                out.append(evs[-1])
        return out

    def renamed_away(self) -> list[Change]:
        """Renames whose old path is gone at HEAD (the old address no longer exists)."""
        out = []
        for evs in self.changes.values():
            for c in evs:
                if c.status != "R" or not c.old_path:
                    continue
                later = [e for e in self.events(c.old_path) if e.time > c.time]
                if not later or later[-1].status == "D":  # not re-created at the old address
                    out.append(c)
        return out

    def save(self) -> None:
        """Write the cache (facts at ``head`` and blob facts); a read-only .git is not an error."""
        if not self.cache_file or not self.known or not self.head:
            return
        rows = sorted((c for evs in self.changes.values() for c in evs), key=lambda c: (c.time, c.commit, c.path))
        doc = {"version": CACHE_VERSION, "prefix": self.prefix, "head": self.head,
               "changes": [c.as_row() for c in rows],
               "problems": self.problems, "blobs": self.cache.get("blobs", {})}
        try:
            os.makedirs(os.path.dirname(self.cache_file), exist_ok=True)
            tmp = f"{self.cache_file}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))  # the C encoder: 10× json.dump
            os.replace(tmp, self.cache_file)
        except OSError:
            pass


# ``git replace`` refs substitute any object — a commit with an earlier date, an old version
# of an item — and git log, cat-file and rev-parse follow them by default: the history is
# read as it was committed, never through replacements.
GIT = ("git", "--no-replace-objects")


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*GIT, "-C", cwd, *args], capture_output=True, check=False)


def _unknown(reason: str, strict: bool = False) -> History:
    return History(known=False, reason=reason, strict=strict)


def load_history(root: str, today: dt.date | None = None, use_cache: bool = True) -> History:
    """The git facts of ``root``'s ``content/`` (see the module docstring)."""
    try:
        probe = _git(root, "rev-parse", "--show-toplevel", "--git-dir", "--is-shallow-repository", "--git-common-dir")
    except OSError:
        return _unknown("找不到 git 命令，无法读取提交历史；请安装 git")
    if probe.returncode != 0:
        return _unknown("这里不是 git 仓库（可能是复制出来的文件夹），无法核对条目进入仓库的日期和修改留痕；"
                        "正式检查请在站点仓库的 git 工作区中运行")
    top, git_dir, shallow, common = (probe.stdout.decode("utf-8", "surrogateescape").splitlines() + [""] * 4)[:4]
    if shallow.strip() == "true":
        return _unknown("这是浅克隆（shallow clone），最早的提交看起来像是新增了全部文件，无法判断条目何时进入仓库；"
                        + FULL_HISTORY_HINT, strict=True)
    # a graft file cuts or rewires the history like a shallow clone (--no-replace-objects
    # does not turn it off): the commit it makes a root would look as if it added every file
    grafts = os.environ.get("GIT_GRAFT_FILE") or os.path.join(
        common if os.path.isabs(common) else os.path.join(root, common or git_dir), "info", "grafts")
    if os.path.isfile(grafts):
        return _unknown(f"仓库使用了嫁接文件（{grafts}），提交历史被截断或改接，无法判断条目何时进入仓库；"
                        "请删除该文件（gkpublish 只按原始提交读取历史），" + FULL_HISTORY_HINT,
                        strict=True)
    head = _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if head.returncode != 0:
        return _unknown("仓库还没有任何提交，条目尚未进入历史；提交后再检查发布日期与修改留痕")
    head_sha = head.stdout.decode().strip()
    prefix = os.path.relpath(os.path.realpath(root), os.path.realpath(top)).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    if not os.path.isabs(git_dir):
        git_dir = os.path.join(root, git_dir)
    cache_file = os.path.join(git_dir, "gkpublish", _cache_name(prefix))
    hist = History(known=True, head=head_sha, root=top, prefix=prefix, cache_file=cache_file)
    rows: list[list[Any]] = []
    since: str | None = None
    if use_cache:
        cached = _read_cache(cache_file)
        # the facts of another site of the same work tree are not this site's (a file copied
        # or renamed by hand, or a cache written before the prefix was recorded): read afresh
        if cached and cached.get("version") == CACHE_VERSION and cached.get("prefix") == prefix:
            old = cached.get("head")
            if old == head_sha:
                rows, since = cached["changes"], head_sha
            elif isinstance(old, str) and _git(root, "merge-base", "--is-ancestor", old, head_sha).returncode == 0:
                rows, since = cached["changes"], old
            if since is not None:
                hist.problems = [tuple(p) for p in cached.get("problems", [])]
                hist.cache["blobs"] = cached.get("blobs", {})
    changes = [Change(*r) for r in rows]
    if since != head_sha:
        try:
            new, problems = _walk(root, prefix, f"{since}..{head_sha}" if since else head_sha)
        except HistoryError as exc:
            return _unknown(str(exc))
        changes.extend(new)
        hist.problems.extend(p for p in problems if p not in hist.problems)
        dirty = True
    else:
        dirty = False
    for c in changes:
        hist.changes.setdefault(c.path, []).append(c)
    for evs in hist.changes.values():
        evs.sort(key=lambda c: c.time)  # stable: same-second changes keep git's order
    # dated more than a day after this machine's clock (or ``today``): a wrong clock, not a fact
    horizon = (dt.datetime.combine(today, dt.time(), SHANGHAI).timestamp() if today else time.time()) + 2 * 86400
    for path, evs in hist.changes.items():
        if evs[-1].time > horizon or any(c.time > horizon for c in evs):
            hist.future.add(path)
    if dirty:
        hist.save()
    return hist


def _cache_name(prefix: str) -> str:
    """The cache file of the site at ``prefix`` in the work tree: the top-level site keeps
    the historical name; a sub-folder site's name carries a digest of its path (any
    characters, any depth, one flat file name)."""
    if not prefix:
        return f"history-v{CACHE_VERSION}.json"
    digest = hashlib.sha256(prefix.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"history-v{CACHE_VERSION}-{digest}.json"


class HistoryError(Exception):
    pass


def _read_cache(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        return doc if isinstance(doc, dict) and isinstance(doc.get("changes"), list) else None
    except (OSError, ValueError):
        return None  # a missing or damaged cache is rebuilt, never trusted half


LOG_FORMAT = "%x01%H %ct %cI"


def _walk(root: str, prefix: str, revs: str) -> tuple[list[Change], list[tuple[str, str]]]:
    """Stream ``git log`` once and parse it as it arrives (newest commit first; returned oldest first)."""
    cmd = [*GIT, "-C", root, "-c", "core.quotepath=off", "log", "-z", "--raw", "--no-abbrev", "-M",
           "--diff-merges=first-parent", f"--format={LOG_FORMAT}", revs, "--", f":(top){prefix}content/"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out: list[Change] = []
    problems: list[tuple[str, str]] = []
    commit, time, offset = "", 0, 0
    pending: list[str] | None = None  # the raw meta of a change, waiting for its path(s)
    paths: list[bytes] = []
    buf = b""
    assert proc.stdout is not None
    cut = len(prefix.encode())

    def emit(meta: list[str], names: list[bytes]) -> None:
        decoded = []
        for raw in names:
            try:
                decoded.append(raw[cut:].decode("utf-8"))
            except UnicodeDecodeError:
                shown = raw.decode("utf-8", "replace")
                if any(p == shown for p, _ in problems):
                    return
                problems.append((shown, f"提交 {commit[:10]} 中的文件名不是 UTF-8 编码（{shown}），已跳过；"
                                        "请把文件名改为 UTF-8（中文文件名在 Windows 上请用 git 2.x 提交）"))
                return
        status = meta[4][0]
        old_path = decoded[0] if len(decoded) == 2 else None
        out.append(Change(commit, time, offset, status, decoded[-1], old_path, meta[3], meta[2]))

    while True:
        chunk = proc.stdout.read(1 << 16)
        if not chunk:
            break
        buf += chunk
        tokens = buf.split(b"\0")
        buf = tokens.pop()
        for tok in tokens:
            if pending is not None:
                paths.append(tok)
                need = 2 if pending[4][:1] in ("R", "C") else 1
                if len(paths) == need:
                    emit(pending, paths)
                    pending, paths = None, []
                continue
            tok = tok.lstrip(b"\n")
            if tok.startswith(b"\x01"):
                head = tok[1:].decode("ascii", "replace").split(" ")
                commit, time = head[0], int(head[1])
                offset = _offset_minutes(head[2])
            elif tok.startswith(b":"):
                pending = tok[1:].decode("ascii", "replace").split(" ")
    err = proc.stderr.read() if proc.stderr else b""
    if proc.wait() != 0:
        raise HistoryError(f"git log 失败：{err.decode('utf-8', 'replace').strip().splitlines()[-1:] or ''}")
    out.reverse()
    return out, problems


def _offset_minutes(iso: str) -> int:
    """The UTC offset of git's strict ISO date (…+08:00, …-05:30, …Z) in minutes."""
    tail = iso[-6:]
    if len(tail) == 6 and tail[0] in "+-" and tail[3] == ":" and tail[1:3].isdigit() and tail[4:].isdigit():
        minutes = int(tail[1:3]) * 60 + int(tail[4:])
        return -minutes if tail[0] == "-" else minutes
    return 0


def history_of(repo: Any) -> History:
    """The repository's git facts, read once per command (``repo.extra["history"]``)."""
    hist = repo.extra.get("history")
    if hist is None:
        hist = repo.extra["history"] = load_history(repo.root)
    return hist


def blob_hash(data: bytes) -> str:
    """git's object id of a blob with these bytes (the working tree's version of an item)."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def read_blobs(hist: History, shas: list[str]) -> dict[str, bytes]:
    """The bytes of these blobs through one ``git cat-file --batch`` process."""
    if not shas or not hist.root:
        return {}
    proc = subprocess.Popen([*GIT, "-C", hist.root, "cat-file", "--batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out: dict[str, bytes] = {}
    assert proc.stdin is not None and proc.stdout is not None
    import threading

    def feed() -> None:
        try:
            proc.stdin.write("".join(f"{s}\n" for s in shas).encode())
            proc.stdin.close()
        except OSError:
            pass

    t = threading.Thread(target=feed, daemon=True)
    t.start()
    for sha in shas:
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            continue  # missing (a partial clone): the caller treats it as unknown
        size = int(header[2])
        out[sha] = proc.stdout.read(size)
        proc.stdout.read(1)
    t.join()
    proc.wait()
    return out
