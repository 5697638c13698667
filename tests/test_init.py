"""gkpublish init: a working site repository of contract.md's shape, committed once, keys outside."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import git
import pytest
import yaml

from gkpublish.config import load_config
from tests.conftest import cli_at as _cli


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    base = tmp_path_factory.mktemp("init")
    rc, out, err = _cli("init", "gov-site", cwd=base)
    assert rc == 0, err
    return base / "gov-site", out


def test_writes_the_contract_layout(fresh: tuple[Path, str]) -> None:
    root, _ = fresh
    for rel in ("content", "schema/item.schema.json", "schema/document.schema.json",
                "records/README.md", "README.md", "mkdocs.yml", ".gitignore", ".github/workflows/check.yml",
                ".github/workflows/publish.yml", "site_config/roster.yml", "site_config/guide.yml"):
        assert (root / rel).exists(), rel
    assert "永远不会发布" in (root / "records/README.md").read_text(encoding="utf-8")
    assert (root / "approvals").is_dir() and (root / "site_pages").is_dir()  # docs_dir of mkdocs.yml
    # approvals/ holds nothing but signed records (GK302): its README lives in the top README
    assert all(p.suffix == ".json" for p in (root / "approvals").rglob("*") if p.is_file() and p.name != ".gitkeep")
    assert "approvals/" in (root / "README.md").read_text(encoding="utf-8")
    mk = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    assert mk["theme"]["name"] == "material" and mk["theme"]["language"] == "zh"
    assert "gkpublish" in mk["plugins"]
    check = (root / ".github/workflows/check.yml").read_text(encoding="utf-8")
    assert "pull_request" in check
    assert 'gkpublish check --format github --trust-ref "$BASE_SHA"' in check
    assert "BASE_SHA: ${{ github.event.pull_request.base.sha }}" in check
    publish = yaml.safe_load((root / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    steps = " ".join(str(s) for s in publish["jobs"]["build"]["steps"])
    assert "gkpublish build" in steps and "upload-pages-artifact" in steps
    assert (root / "schema/item.schema.json").read_bytes() == \
        (Path(__file__).parents[1] / "gkpublish/data/schema/item.schema.json").read_bytes()


def test_one_organisation_and_one_person_per_step(fresh: tuple[Path, str]) -> None:
    root, _ = fresh
    config = load_config(str(root))
    assert len(config.organs) == 1
    steps = [s for p in config.people.values() for s in p.steps]
    for step in ("经办人", "科室负责人", "分管领导", "主要领导", "保密审查"):
        assert steps.count(step) == 1, step
    assert {"保密", "宣传", "网信"} <= set(steps)
    assert config.guide["year"] == dt.date.today().year
    items = list((root / "content").rglob("*.md"))
    assert 3 <= len(items) <= 4


def test_a_git_repository_with_one_commit_of_everything(fresh: tuple[Path, str]) -> None:
    root, _ = fresh
    repo = git.Repo(root)
    assert len(list(repo.iter_commits())) == 1
    assert repo.active_branch.name == "main"
    assert not repo.is_dirty(untracked_files=True)
    tracked = set(repo.git.ls_files().splitlines())
    assert "site_config/roster.yml" in tracked and ".github/workflows/check.yml" in tracked


def test_keys_dir_is_outside_the_repository_and_printed(fresh: tuple[Path, str]) -> None:
    root, out = fresh
    keys = root.parent / "gov-site-keys"
    assert keys.is_dir()
    assert str(keys) in out
    assert os.path.commonpath([keys, root]) != str(root)


def test_check_passes_at_once_sign_offs_included(fresh: tuple[Path, str]) -> None:
    root, _ = fresh
    rc, out, _ = _cli("check", "--format", "json", "--trust-ref", "HEAD", cwd=root)
    report = json.loads(out)
    assert report["summary"]["items"] >= 3
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert rc == 0


def test_private_keys_never_enter_the_repository(fresh: tuple[Path, str]) -> None:
    root, _ = fresh
    keys = root.parent / "gov-site-keys"
    private = [p for p in keys.iterdir() if not p.name.endswith(".pub")]
    assert private, "init writes one private key per person into the keys folder"
    for p in root.rglob("*"):
        if p.is_file() and ".git" not in p.parts:
            text = p.read_bytes()
            assert b"PRIVATE KEY" not in text, p


def test_new_works_in_the_fresh_repository(fresh: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = fresh
    rc, out, err = _cli("new", "--column", "gzdt", "--title", "示例动态", "--out", str(tmp_path / "x.md"), cwd=root)
    assert rc == 0, err
    assert f"SAMPLE001/{dt.date.today().year}-00005" in (tmp_path / "x.md").read_text(encoding="utf-8")


def test_non_empty_dir_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("已有文件", encoding="utf-8")
    rc, _, err = _cli("init", "site", cwd=tmp_path)
    assert rc == 2
    assert "不为空" in err
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["notes.txt"]


def test_an_empty_existing_dir_is_fine(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    rc, _, err = _cli("init", "site", "--keys-dir", str(tmp_path / "private"), cwd=tmp_path)
    assert rc == 0, err
    assert (tmp_path / "private").is_dir()
    assert not (tmp_path / "site-keys").exists()


def test_keys_dir_inside_the_repository_is_refused(tmp_path: Path) -> None:
    rc, _, err = _cli("init", "site", "--keys-dir", "site/keys", cwd=tmp_path)
    assert rc == 2
    assert "仓库之内" in err
    assert not (tmp_path / "site").exists()
