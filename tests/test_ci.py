"""The daily workflow (issue #11): CI files that pass actionlint and the GitHub schema, what
``init`` writes for each forge, where CI installs gkpublish from, pre-commit, ``--explain``,
and byte-stable item files under ``core.autocrlf``."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gkpublish.commands import init as init_cmd
from tests.conftest import cli_at as _cli

PROJECT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
DEMO_WORKFLOWS = sorted((PROJECT / ".github/workflows").glob("*.yml"))
NODE20 = re.compile(r"actions/(checkout@v[1-4]|setup-python@v[1-5]|upload-pages-artifact@v[1-3]|deploy-pages@v[1-4]"
                    r"|configure-pages@v[1-5]|cache@v[1-4])\b")



def _tool(name: str) -> str:
    exe = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert exe, f"{name} is a dev dependency (pyproject.toml): run make setup"
    return exe


@pytest.fixture(scope="module")
def inited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One fresh site repository per CI kind."""
    base = tmp_path_factory.mktemp("ci")
    out = {}
    for kind in init_cmd.CI_KINDS:
        rc, _, err = _cli("init", f"site-{kind}", "--ci", kind, "--install-spec", "gkpublish==0.1.0", cwd=base)
        assert rc == 0, err
        out[kind] = base / f"site-{kind}"
    return out


def _workflows(inited: dict[str, Path]) -> list[Path]:
    return DEMO_WORKFLOWS + sorted((inited["github"] / ".github/workflows").glob("*.yml"))


def test_every_workflow_passes_actionlint(inited: dict[str, Path]) -> None:
    files = _workflows(inited)
    assert len(files) == 6
    r = subprocess.run([_tool("actionlint"), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, files)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_actionlint_refuses_a_node20_action(tmp_path: Path) -> None:
    """The test above is not vacuous: the old workflow (checkout@v4) fails it."""
    old = tmp_path / "old.yml"
    old.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
                   encoding="utf-8")
    r = subprocess.run([_tool("actionlint"), "-no-color", "-shellcheck=", "-pyflakes=", str(old)], capture_output=True, text=True)
    assert r.returncode == 1 and "node20" in r.stdout


def test_every_workflow_matches_the_github_workflow_schema(inited: dict[str, Path]) -> None:
    r = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                        *map(str, _workflows(inited))], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_workflow_uses_a_node20_action_version(inited: dict[str, Path]) -> None:
    for f in _workflows(inited):
        assert not NODE20.search(f.read_text(encoding="utf-8")), f


def test_demo_workflows_check_as_of_the_snapshot_date() -> None:
    """The demo's content is a snapshot: its CI never breaks on 1 January."""
    as_of = re.search(r"^DEMO_AS_OF \?= (\S+)$", (PROJECT / "Makefile").read_text(encoding="utf-8"), re.M).group(1)
    for name in ("check.yml", "publish.yml"):
        wf = yaml.safe_load((PROJECT / ".github/workflows" / name).read_text(encoding="utf-8"))
        assert wf["env"]["AS_OF"] == as_of
        runs = [s.get("run", "") for job in wf["jobs"].values() for s in job.get("steps", [])]
        gated = [r for r in runs if re.search(r"gkpublish (check|build) ", r)]
        assert gated and all('--as-of "$AS_OF"' in r for r in gated), name


def test_pull_request_checks_against_the_base_sha_with_full_history_and_a_summary(inited: dict[str, Path]) -> None:
    for path in (PROJECT / ".github/workflows/check.yml", inited["github"] / ".github/workflows/check.yml"):
        wf = yaml.safe_load(path.read_text(encoding="utf-8"))
        steps = wf["jobs"]["check"]["steps"]
        assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
        check = next(s for s in steps if s.get("name") == "gkpublish check")
        assert check["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
        assert 'gkpublish check --format github --trust-ref "$BASE_SHA"' in check["run"]
        summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
        assert "gkpublish status --trust-ref" in summary["run"] and summary["if"] == "always()"


def test_push_trusts_main_before_the_push_not_head_1(inited: dict[str, Path]) -> None:
    for path in (PROJECT / ".github/workflows/publish.yml", inited["github"] / ".github/workflows/publish.yml"):
        text = path.read_text(encoding="utf-8")
        assert "HEAD~1" not in text.replace("不是 HEAD~1", "")
        wf = yaml.safe_load(text)
        assert wf["concurrency"]["group"] == "pages"
        assert wf["jobs"]["deploy"]["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
        trust = next(s for s in wf["jobs"]["build"]["steps"] if s.get("env", {}).get("BEFORE"))
        assert trust["env"]["BEFORE"] == "${{ github.event.before }}"
        assert "0000000000000000000000000000000000000000" in trust["run"]


def test_init_writes_one_install_variable_per_workflow(inited: dict[str, Path]) -> None:
    for f in (inited["github"] / ".github/workflows").glob("*.yml"):
        wf = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert wf["env"]["GKPUBLISH_SPEC"] == "gkpublish==0.1.0", f
        installs = [s["run"] for job in wf["jobs"].values() for s in job["steps"] if "pip install" in s.get("run", "")]
        assert all('"$GKPUBLISH_SPEC"' in r for r in installs) and len(installs) == 1


def test_init_for_gitlab_writes_a_gitlab_ci_with_the_three_jobs(inited: dict[str, Path]) -> None:
    root = inited["gitlab"]
    assert not (root / ".github").exists()
    ci = yaml.safe_load((root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci["variables"]["GKPUBLISH_SPEC"] == "gkpublish==0.1.0" and ci["variables"]["GIT_DEPTH"] == "0"
    assert {"check", "pages", "verify-deployed"} <= set(ci)
    assert "$CI_MERGE_REQUEST_DIFF_BASE_SHA" in " ".join(ci["check"]["script"])
    pages = " ".join(ci["pages"]["script"])
    assert "CI_COMMIT_BEFORE_SHA" in pages and "--out public" in pages and ci["pages"]["artifacts"]["paths"] == ["public"]


def test_init_for_an_intranet_writes_an_executable_publish_script(inited: dict[str, Path]) -> None:
    script = inited["intranet"] / "ci/publish-intranet.sh"
    assert os.access(script, os.X_OK)
    r = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# -- where CI installs gkpublish from (PEP 610) ------------------------------------------------

class _Dist:
    def __init__(self, direct_url: dict | None):
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.direct_url) if self.direct_url is not None and name == "direct_url.json" else None


def _spec(monkeypatch: pytest.MonkeyPatch, root: Path, direct_url: dict | None) -> tuple[str, str | None]:
    monkeypatch.setattr(init_cmd.metadata, "distribution", lambda name: _Dist(direct_url))
    return init_cmd.install_spec(str(root))


def test_installed_from_an_index_ci_installs_the_same_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _spec(monkeypatch, tmp_path, None) == ("gkpublish==0.1.0", None)


def test_installed_from_a_wheel_the_wheel_is_vendored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wheel = tmp_path / "dl" / "gkpublish-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"PK wheel")
    spec, warning = _spec(monkeypatch, tmp_path / "site", {"url": wheel.as_uri(), "archive_info": {}})
    assert spec == "./vendor/gkpublish-0.1.0-py3-none-any.whl" and warning is None
    assert (tmp_path / "site/vendor/gkpublish-0.1.0-py3-none-any.whl").read_bytes() == b"PK wheel"


def test_installed_from_git_ci_installs_that_commit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    info = {"url": "https://git.example.gov.cn/tools/gkpublish.git",
            "vcs_info": {"vcs": "git", "requested_revision": "v0.1.0", "commit_id": "a" * 40}}
    assert _spec(monkeypatch, tmp_path, info) == (f"git+https://git.example.gov.cn/tools/gkpublish.git@{'a' * 40}", None)


def test_installed_from_a_checkout_init_warns_and_writes_the_index_form(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    spec, warning = _spec(monkeypatch, tmp_path, {"url": "file:///src/gkpublish", "dir_info": {"editable": True}})
    assert spec == "gkpublish==0.1.0" and "GKPUBLISH_SPEC" in warning


# -- pre-commit, .gitattributes ----------------------------------------------------------------

def test_the_pre_commit_hook_manifest_is_valid() -> None:
    r = subprocess.run([_tool("pre-commit"), "validate-manifest", str(PROJECT / ".pre-commit-hooks.yaml")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    hook = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    assert hook["id"] == "gkpublish-check" and hook["entry"] == "gkpublish check"


def test_init_writes_a_valid_pre_commit_config(inited: dict[str, Path]) -> None:
    cfg = inited["github"] / ".pre-commit-config.yaml"
    r = subprocess.run([_tool("pre-commit"), "validate-config", str(cfg)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_checking_a_changed_roster_checks_every_item(inited: dict[str, Path]) -> None:
    """pre-commit passes changed files: a site_config/ or approvals/ file changes every verdict."""
    root = inited["github"]
    rc, out, err = _cli("check", "site_config/roster.yml", cwd=root)
    assert rc == 0, out + err
    assert "检查了 4 个条目" in out
    approval = next(p for p in (root / "approvals").rglob("*.json"))
    rc, out, _ = _cli("check", str(approval.relative_to(root)), cwd=root)
    assert rc == 0 and "检查了 4 个条目" in out


def test_the_demo_and_init_keep_item_bytes_out_of_line_end_conversion(inited: dict[str, Path]) -> None:
    for text in ((PROJECT / ".gitattributes").read_text(encoding="utf-8"),
                 (inited["github"] / ".gitattributes").read_text(encoding="utf-8")):
        for top in ("content/**", "approvals/**", "site_config/**", "schema/**", "records/**", "mkdocs.yml"):
            assert f"{top} -text" in text


def _crlf_clone(src: Path, dest: Path) -> None:
    subprocess.run(["git", "-c", "core.autocrlf=true", "clone", "-q", str(src), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "config", "core.autocrlf", "true"], check=True)


def test_a_checkout_with_autocrlf_still_passes_the_check(inited: dict[str, Path], tmp_path: Path) -> None:
    _crlf_clone(inited["github"], tmp_path / "win")
    assert b"\r\n" in (tmp_path / "win/README.md").read_bytes()  # autocrlf did convert what it may
    assert b"\r\n" not in (tmp_path / "win/site_config/roster.yml").read_bytes()
    rc, out, err = _cli("check", cwd=tmp_path / "win")
    assert rc == 0, out + err


def test_without_the_gitattributes_autocrlf_would_break_the_signatures(inited: dict[str, Path], tmp_path: Path) -> None:
    """Why .gitattributes is there: the same clone, without it, fails the gate."""
    src = tmp_path / "plain"
    shutil.copytree(inited["github"], src)
    subprocess.run(["git", "-C", str(src), "rm", "-q", ".gitattributes"], check=True)
    subprocess.run(["git", "-C", str(src), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                    "commit", "-qm", "no attributes"], check=True)
    _crlf_clone(src, tmp_path / "win")
    rc, out, err = _cli("check", cwd=tmp_path / "win")
    assert rc != 0


# -- check --explain -------------------------------------------------------------------------

def test_explain_prints_the_rules_article_and_examples() -> None:
    rc, out, _ = _cli("check", "--explain", "GK202", cwd=PROJECT)
    assert rc == 0
    assert out.startswith("GK202  不予公开或不公开部分没有说明依据")
    assert "依据：附件1 第四条" in out and "Passing::" in out and "Failing::" in out
    assert _cli("check", "--explain", "gk202", cwd=PROJECT)[1] == out


def test_explain_of_an_unknown_rule_says_how_to_list_them() -> None:
    rc, _, err = _cli("check", "--explain", "GK999", cwd=PROJECT)
    assert rc == 2 and "GK999" in err and "gkpublish rules" in err


@pytest.mark.slow
def test_the_hook_really_runs_through_pre_commit_try_repo(inited: dict[str, Path], tmp_path: Path) -> None:
    """pre-commit installs the hook's own environment from this checkout (package installs from
    the index: about a minute the first time) and runs it on a repository made by init."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    r = subprocess.run([_tool("pre-commit"), "try-repo", str(PROJECT), "gkpublish-check", "--all-files"],
                       cwd=inited["github"], env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert re.search(r"gkpublish check（政务公开门禁）\.+Passed", r.stdout)


def test_the_pre_commit_config_init_writes_blocks_a_commit_of_a_broken_item(inited: dict[str, Path],
                                                                             tmp_path: Path) -> None:
    """``pre-commit install`` in a repository made by init: an item edited after its sign-offs
    (GK303) cannot be committed; the untouched repository passes."""
    root = tmp_path / "office"
    shutil.copytree(inited["github"], root)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"),
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = functools.partial(subprocess.run, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    r = run([_tool("pre-commit"), "run", "--all-files"])
    assert r.returncode == 0, r.stdout + r.stderr
    item = next((root / "content/gzdt").glob("*.md"))
    item.write_text(item.read_text(encoding="utf-8").replace("示例", "示例（改）", 1), encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    r = run([_tool("pre-commit"), "run"])
    assert r.returncode == 1 and "GK303" in r.stdout, r.stdout + r.stderr


def test_checking_a_changed_attachment_checks_the_items_beside_it(inited: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "office"
    shutil.copytree(inited["github"], root)
    (root / "content/gzdt/会议材料.pdf").write_bytes(b"%PDF-1.4 sample")
    rc, out, err = _cli("check", "content/gzdt/会议材料.pdf", cwd=root)
    items = len(list((root / "content/gzdt").glob("*.md")))
    assert f"检查了 {items} 个条目" in out, out + err
