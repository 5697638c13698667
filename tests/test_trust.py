"""Trust comes from the base branch (--trust-ref), and records survive any kind of merge."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gkpublish import approvals
from tests.conftest import AS_OF, person_key, public_line
from tests.test_signoff import GZDT, gk3, messages


def git(root: Path, *args: str) -> str:
    r = subprocess.run(["git", "-c", "user.name=测试", "-c", "user.email=test@example.invalid",
                        "-c", "commit.gpgsign=false", *args], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def repo_site(site):
    """A git repository (branch main) whose site has one signed item and a signed configuration."""
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.sign_all()
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "初始站点")
    return site


def add_key(site, person: str, key_owner: str) -> None:
    roster = site.config_data("roster.yml")
    row = next(p for p in roster["people"] if p["id"] == person)
    row["keys"].append({"key": public_line(key_owner), "added": "2026-11-20", "revoked": None})
    site.config("roster.yml", roster)


def test_pull_request_that_adds_a_key_and_signs_with_it_fails(repo_site):
    site = repo_site
    git(site.root, "checkout", "-q", "-b", "pr")
    add_key(site, "li-kz", "attacker")  # the attacker enrols a key of their own under li-kz …
    add_key(site, "sun-zy", "attacker2")  # … and under the principal leader, to sign the config
    site.item("gzdt/b.md", drafter="zhang-jb", index_no="SAMPLE001/2026-00002")
    site.approve("gzdt/b.md", "经办人", "zhang-jb")
    site.approve("gzdt/b.md", "科室负责人", "li-kz", key="attacker")
    site.approve("gzdt/b.md", "保密审查", "chen-bm")
    site.approve("gzdt/b.md", "分管领导", "liu-fg")
    approvals.approve(site.load(), None, "主要领导", "sun-zy", person_key("attacker2"))
    commit_all(site.root, "新增条目并签审")

    assert gk3(site.check()) == set()  # trusting the working tree, the forgery looks fine …
    r = site.check(trust_ref="main")  # … trusting the base branch, it does not
    assert {"GK302", "GK308"} <= gk3(r)
    assert "未登记在可信版本 main 的名册中" in messages(r, "GK302")
    assert "site_config/roster.yml" in messages(r, "GK308")


def test_honest_pull_request_passes_with_trust_ref(repo_site):
    site = repo_site
    git(site.root, "checkout", "-q", "-b", "pr")
    site.item("gzdt/b.md", drafter="zhang-jb", index_no="SAMPLE001/2026-00002")
    for step, who in GZDT:
        site.approve("gzdt/b.md", step, who)
    commit_all(site.root, "新增条目")
    assert gk3(site.check(trust_ref="main")) == set()
    rc, out, _ = site.cli("check", "--format", "json", "--trust-ref", "main", "--as-of", AS_OF.isoformat())
    doc = json.loads(out)
    assert doc["trust"]["ref"] == "main" and doc["trust"]["note"] is None
    assert not [f for f in doc["findings"] if f["rule"].startswith("GK3")]


def test_config_change_needs_a_trusted_principal_leader(repo_site):
    site = repo_site
    git(site.root, "checkout", "-q", "-b", "pr")
    site.write("site_config/terms.yml", "prohibited: []\n")
    r = site.check(trust_ref="main")
    assert gk3(r) == {"GK308"} and "site_config/terms.yml" in messages(r, "GK308")
    site.sign_config("sun-zy")
    assert gk3(site.check(trust_ref="main")) == set()


def test_unchanged_config_needs_no_new_record_with_trust_ref(site):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.sign_all()
    shutil.rmtree(site.root / "approvals/_site_config")  # a base branch whose configuration has no record
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "初始站点")
    assert gk3(site.check()) == {"GK308"}  # the working tree must vouch for itself …
    assert gk3(site.check(trust_ref="main")) == set()  # … the base branch already did


def test_new_person_added_by_the_change_cannot_sign(repo_site):
    site = repo_site
    roster = site.config_data("roster.yml")
    roster["people"].append({"id": "mallory", "name": "马某", "unit": "gkk", "steps": ["科室负责人"],
                             "keys": [{"key": public_line("mallory"), "added": "2026-11-20", "revoked": None}]})
    site.config("roster.yml", roster)
    site.item("gzdt/b.md", drafter="zhang-jb", index_no="SAMPLE001/2026-00002")
    for step, who in [GZDT[0], ("科室负责人", "mallory"), *GZDT[2:]]:
        site.approve("gzdt/b.md", step, who)
    r = site.check(trust_ref="main")
    assert "GK302" in gk3(r) and "mallory 不在可信版本 main 的名册中" in messages(r, "GK302")


def test_bad_trust_ref_is_exit_2_one_line(repo_site):
    rc, out, err = repo_site.cli("check", "--trust-ref", "no-such-branch")
    assert rc == 2 and err.count("\n") == 1 and "no-such-branch" in err and "Traceback" not in err


def test_trust_ref_outside_git_is_exit_2(site):
    site.item("gzdt/a.md", drafter="zhang-jb")
    rc, _, err = site.cli("check", "--trust-ref", "main")
    assert rc == 2 and "git" in err


def test_site_in_a_subfolder_of_the_git_repository(site):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.sign_all()
    top = site.root.parent
    git(top, "init", "-q", "-b", "main")
    commit_all(top, "站点在子目录中")
    assert gk3(site.check(trust_ref="main")) == set()


def test_approved_item_merged_by_squash_still_passes(site):
    site.enrol()
    site.sign_config()
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "空站点")
    git(site.root, "checkout", "-q", "-b", "feature")
    site.item("gzdt/a.md", drafter="zhang-jb")
    commit_all(site.root, "起草")
    for n, (step, who) in enumerate(GZDT):
        site.approve("gzdt/a.md", step, who)
        commit_all(site.root, f"签审 {n + 1}")
    git(site.root, "checkout", "-q", "main")
    git(site.root, "commit", "-q", "--allow-empty", "-m", "main 上的其他提交")
    git(site.root, "merge", "-q", "--squash", "feature")
    git(site.root, "commit", "-q", "-m", "合并 feature（squash）")
    assert (site.root / "approvals/gzdt/a/04-分管领导.json").exists()
    assert gk3(site.check()) == set()
    assert gk3(site.check(trust_ref="HEAD~1")) == set()


def test_approved_item_rebased_still_passes(site):
    site.enrol()
    site.sign_config()
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "空站点")
    git(site.root, "checkout", "-q", "-b", "feature")
    site.item("gzdt/a.md", drafter="zhang-jb")
    for step, who in GZDT:
        site.approve("gzdt/a.md", step, who)
    commit_all(site.root, "起草并签审")
    git(site.root, "checkout", "-q", "main")
    site.write("README.md", "站点说明\n")
    commit_all(site.root, "main 上的其他提交")
    git(site.root, "checkout", "-q", "feature")
    git(site.root, "rebase", "-q", "main")
    git(site.root, "checkout", "-q", "main")
    git(site.root, "merge", "-q", "--no-ff", "-m", "合并 feature", "feature")
    assert gk3(site.check(trust_ref="HEAD^1")) == set()


def test_a_git_replace_ref_cannot_swap_the_trusted_revision(tmp_path):
    """``git replace`` makes git show another object in place of a commit; the trusted roster
    must be read from the commit as committed (GIT_NO_REPLACE_OBJECTS, set by the package)."""
    import subprocess

    import gkpublish  # noqa: F401 - sets GIT_NO_REPLACE_OBJECTS for every git process
    from gkpublish.trust import read_trusted_files

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True, text=True,
                              env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
                                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}).stdout.strip()

    git("init", "-q")
    (tmp_path / "site_config").mkdir()
    (tmp_path / "site_config" / "roster.yml").write_text("people: []  # trusted\n", encoding="utf-8")
    git("add", "-A")
    git("commit", "-qm", "trusted")
    trusted = git("rev-parse", "HEAD")
    (tmp_path / "site_config" / "roster.yml").write_text("people: []  # forged key added\n", encoding="utf-8")
    git("commit", "-qam", "forged")
    forged = git("rev-parse", "HEAD")
    git("replace", trusted, forged)  # `git show <trusted>` now shows the forged roster
    _, files, _ = read_trusted_files(str(tmp_path), trusted)
    assert files["site_config/roster.yml"] == b"people: []  # trusted\n"
