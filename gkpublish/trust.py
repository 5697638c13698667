"""The trusted revision: roster and keys come from the base branch, never from the change.

A pull request that adds a key to ``site_config/roster.yml`` and signs with it must fail:
so with ``--trust-ref REF`` (in CI: the pull request's base branch) the roster, the keys
and the units that verify sign-offs are read from ``site_config/`` and ``schema/`` at that
git revision. Everything else (columns, review policies, items) stays the working tree's;
any difference between the two configurations is itself a change that a 主要领导 of the
trusted roster must sign (GK308).

Decisions at the trusted revision are binding: the ids of the ``approvals/`` records at REF
(git blob ids, read from the tree without reading the blobs) are kept too, and a change may
add records, never remove or replace one of them (:mod:`gkpublish.approvals.chain`, GK302).
Without ``--trust-ref`` the same protection holds against ``HEAD`` when the site is in a git
work tree (:func:`committed_records`): a working-tree deletion of a committed 退回 does not
restore the approval.

Where it is kept in the model: ``repo.extra["trust"]`` holds a :class:`TrustedRevision`
(ref, commit, the trusted ``site_config/`` + ``schema/`` bytes, their Config and Roster).
:func:`gkpublish.approvals.trusted_roster` is the one place that chooses between it and
the working tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from gkpublish.config import ROOT_CONFIG_FILES, load_config
from gkpublish.errors import GkError
from gkpublish.model import Config, Repository
from gkpublish.roster import Roster

TRUSTED_TOPS = ("site_config", "schema")
RECORDS_TOP = "approvals"


@dataclass
class TrustedRevision:
    ref: str
    commit: str  # full hex SHA of the revision
    files: dict[str, bytes]  # site_config/ and schema/ at that revision, repo-root relative
    config: Config
    roster: Roster
    records: dict[str, str] = field(default_factory=dict)  # approvals/ at ref: path -> git blob id


SHALLOW = ("历史被截断（浅克隆）：请先获取完整历史（git fetch --unshallow；GitHub Actions 中在 actions/checkout "
           "设置 fetch-depth: 0）")


def _is_shallow(repo) -> bool:
    return os.path.exists(os.path.join(repo.git_dir, "shallow"))


def _prefix(repo, root: str) -> str:
    prefix = os.path.relpath(os.path.realpath(root), os.path.realpath(repo.working_tree_dir or root))
    return "" if prefix == "." else prefix.replace(os.sep, "/") + "/"


def _record_ids(commit, prefix: str) -> dict[str, str]:
    """path -> blob id of every file under approvals/ at ``commit``, from the tree objects (no
    blob is read). One ``git ls-tree`` lists tens of thousands of records in milliseconds;
    walking the trees in Python is the fallback."""
    import git

    top = f"{prefix}{RECORDS_TOP}"
    try:
        raw = commit.repo.git.ls_tree("-r", "-z", "--full-tree", commit.hexsha, "--", top, stdout_as_string=False)
        out: dict[str, str] = {}
        for entry in raw.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == b"blob":
                out[os.fsdecode(name)[len(prefix):]] = parts[2].decode("ascii")
        found = out
    except git.GitCommandError:
        try:
            tree = commit.tree / top
        except KeyError:
            return {}
        found = {obj.path[len(prefix):]: obj.hexsha for obj in tree.traverse() if obj.type == "blob"}
    # dot files (.gitkeep) are never records: load_approvals skips them too
    return {p: b for p, b in found.items() if not any(part.startswith(".") for part in p.split("/"))}


def read_trusted_files(root: str, ref: str) -> tuple[str, dict[str, bytes], dict[str, str]]:
    """(commit SHA, files under site_config/ and schema/ at ``ref``, approvals/ record ids at
    ``ref``) with GitPython. A revision the local history does not hold (a shallow clone) is a
    one-line reason, exit 2."""
    import git  # GitPython: one persistent `git cat-file` process, not one per file

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GkError(f"--trust-ref {ref}: {root} 不在 git 仓库中，无法读取可信版本；请在站点仓库的 git 工作区中运行") from None
    try:
        commit = repo.commit(ref)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        if _is_shallow(repo):
            raise GkError(f"--trust-ref {ref}: 本地没有这个修订，{SHALLOW}") from None
        raise GkError(f"--trust-ref {ref}: 找不到这个 git 修订；请用分支名、标签或提交号"
                      "（CI 中为目标分支，如 origin/main，并确认 checkout 时已 fetch 该分支）") from None
    prefix = _prefix(repo, root)
    files: dict[str, bytes] = {}
    try:
        for top in TRUSTED_TOPS:
            try:
                tree = commit.tree / f"{prefix}{top}"
            except KeyError:
                continue
            for obj in tree.traverse():
                if obj.type == "blob":
                    files[obj.path[len(prefix):]] = obj.data_stream.read()
        for rel in ROOT_CONFIG_FILES:  # mkdocs.yml: site rules too (what code the build loads)
            try:
                obj = commit.tree / f"{prefix}{rel}"
            except KeyError:
                continue
            if obj.type == "blob":
                files[rel] = obj.data_stream.read()
        records = _record_ids(commit, prefix)
    except (ValueError, git.BadObject, git.GitCommandError) as exc:
        # the commit is named (e.g. HEAD~1 as the parent of a depth-1 clone) but its objects are absent
        why = SHALLOW if _is_shallow(repo) else f"git 对象缺失（{str(exc)[:120]}）；请 git fetch 该修订的完整内容"
        raise GkError(f"--trust-ref {ref}: 无法读取修订 {commit.hexsha[:12]} 的内容，{why}") from None
    return commit.hexsha, files, records


def committed_records(root: str) -> tuple[str, dict[str, str]] | None:
    """("HEAD", approvals/ record ids at HEAD) when ``root`` is in a git work tree with a
    commit; None otherwise (nothing is committed, so nothing can have been removed)."""
    try:
        import git
    except ImportError:  # pragma: no cover - GitPython is a dependency
        return None
    try:
        repo = git.Repo(root, search_parent_directories=True)
        commit = repo.head.commit
        return "HEAD", _record_ids(commit, _prefix(repo, root))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError, git.BadName, git.BadObject,
            git.GitCommandError, TypeError, KeyError, OSError):
        return None  # no commit, or a repository git itself cannot read: nothing to compare with


def apply_trust(repo: Repository, ref: str) -> None:
    """Make the roster at git revision ``ref`` the one that verifies this repository's sign-offs."""
    commit, files, records = read_trusted_files(repo.root, ref)
    if not any(p.startswith("site_config/") for p in files):
        raise GkError(f"--trust-ref {ref}: 该修订中没有 site_config/，无法作为可信版本；首次建立名册见 docs/admin.md “初始名册”")
    try:
        config = load_config(repo.root, files)
    except GkError as exc:
        raise GkError(f"--trust-ref {ref}: 可信版本中的站点配置无法读取：{exc}") from None
    repo.extra["trust"] = TrustedRevision(ref, commit, files, config, Roster(config.people, config.units), records)
    repo.extra.pop("signoff", None)
