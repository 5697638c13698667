"""The trusted revision: roster and keys come from the base branch, never from the change.

A pull request that adds a key to ``site_config/roster.yml`` and signs with it must fail:
so with ``--trust-ref REF`` (in CI: the pull request's base branch) the roster, the keys
and the units that verify sign-offs are read from ``site_config/`` and ``schema/`` at that
git revision. Everything else (columns, review policies, items) stays the working tree's;
any difference between the two configurations is itself a change that a 主要领导 of the
trusted roster must sign (GK308).

Where it is kept in the model: ``repo.extra["trust"]`` holds a :class:`TrustedRevision`
(ref, commit, the trusted ``site_config/`` + ``schema/`` bytes, their Config and Roster).
:func:`gkpublish.approvals.trusted_roster` is the one place that chooses between it and
the working tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from gkpublish.config import ROOT_CONFIG_FILES, load_config
from gkpublish.errors import GkError
from gkpublish.model import Config, Repository
from gkpublish.roster import Roster

TRUSTED_TOPS = ("site_config", "schema")


@dataclass
class TrustedRevision:
    ref: str
    commit: str  # full hex SHA of the revision
    files: dict[str, bytes]  # site_config/ and schema/ at that revision, repo-root relative
    config: Config
    roster: Roster


def read_trusted_files(root: str, ref: str) -> tuple[str, dict[str, bytes]]:
    """(commit SHA, files under site_config/ and schema/ at ``ref``) with GitPython."""
    import git  # GitPython: one persistent `git cat-file` process, not one per file

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GkError(f"--trust-ref {ref}: {root} 不在 git 仓库中，无法读取可信版本；请在站点仓库的 git 工作区中运行") from None
    try:
        commit = repo.commit(ref)
    except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
        raise GkError(f"--trust-ref {ref}: 找不到这个 git 修订；请用分支名、标签或提交号"
                      "（CI 中为目标分支，如 origin/main，并确认 checkout 时已 fetch 该分支）") from None
    prefix = os.path.relpath(os.path.realpath(root), os.path.realpath(repo.working_tree_dir or root))
    prefix = "" if prefix == "." else prefix.replace(os.sep, "/") + "/"
    files: dict[str, bytes] = {}
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
    return commit.hexsha, files


def apply_trust(repo: Repository, ref: str) -> None:
    """Make the roster at git revision ``ref`` the one that verifies this repository's sign-offs."""
    commit, files = read_trusted_files(repo.root, ref)
    if not any(p.startswith("site_config/") for p in files):
        raise GkError(f"--trust-ref {ref}: 该修订中没有 site_config/，无法作为可信版本；首次建立名册见 docs/signoff.md “初始名册”")
    try:
        config = load_config(repo.root, files)
    except GkError as exc:
        raise GkError(f"--trust-ref {ref}: 可信版本中的站点配置无法读取：{exc}") from None
    repo.extra["trust"] = TrustedRevision(ref, commit, files, config, Roster(config.people, config.units))
    repo.extra.pop("signoff", None)
