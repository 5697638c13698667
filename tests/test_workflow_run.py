"""The workflows' own ``run:`` steps, run with bash in a repository made by ``gkpublish init``,
against a wheel built from this checkout and installed the way the workflow installs it
(``pip install "$GKPUBLISH_SPEC"`` with the spec pointing at ``./vendor/<wheel>``).

What only a real forge can show is simulated here: ``actions/checkout`` is the repository
itself, ``upload-pages-artifact`` + ``deploy-pages`` copy the site to a folder (the "live
site"), and ``${{ … }}`` expressions get the values GitHub would give them.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

import git
import pytest
import yaml

PROJECT = Path(__file__).parents[1]
ZERO = "0" * 40
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow_run")]


@pytest.fixture(scope="module")
def tooling(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel built from this checkout, a venv whose python has only its dependencies)."""
    base = tmp_path_factory.mktemp("wheel")
    # built from a copy: setuptools builds in the source tree (build/, *.egg-info), and a second
    # build of the same checkout at the same time (another test run, pre-commit) collides there
    src = base / "src"
    top = {".git", ".venv", "build", "site", "bench", ".pytest_cache"}  # top-level only: gkpublish/site is code
    shutil.copytree(PROJECT, src, ignore=lambda d, names: [
        n for n in names if (n in top and Path(d) == PROJECT) or n == "__pycache__" or n.endswith(".egg-info")])
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check",
                        str(src), "-w", str(base)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wheel = next(base.glob("gkpublish-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # the dependencies (and pip) come from this test run's environment, so nothing is downloaded;
    # a path in a .pth is not itself scanned for .pth files, so the editable gkpublish stays out
    purelib = subprocess.run([str(venv / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "gkpublish-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return wheel, venv


@pytest.fixture(scope="module")
def site(tooling: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    wheel, _venv = tooling
    base = tmp_path_factory.mktemp("site")
    spec = f"./vendor/{wheel.name}"
    r = subprocess.run([sys.executable, "-m", "gkpublish", "init", "gov", "--install-spec", spec],
                       cwd=base, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    root = base / "gov"
    (root / "vendor").mkdir()
    shutil.copy(wheel, root / "vendor" / wheel.name)
    repo = git.Repo(root)
    repo.index.add([f"vendor/{wheel.name}"])
    repo.index.commit("vendor: gkpublish wheel")
    return root, base / "gov-keys"


def _expr(values: dict[str, str]):  # noqa: ANN202
    def sub(m: re.Match[str]) -> str:
        key = m.group(1).strip()
        assert key in values, f"no test value for ${{{{ {key} }}}}"
        return values[key]
    return lambda text: re.sub(r"\$\{\{(.*?)\}\}", sub, str(text))


def run_job(workflow: Path, job: str, root: Path, venv: Path, values: dict[str, str],
            tmp: Path) -> tuple[int, str, Path, dict[str, str]]:
    """Run the job's ``run:`` steps as GitHub does (bash -eo pipefail, $GITHUB_ENV between steps,
    ``if: always()`` after a failure). Returns (exit code of the first failing step or 0, output,
    the step summary file, the steps' names that ran)."""
    wf = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    sub = _expr(values)
    summary, github_env = tmp / "summary.md", tmp / "github_env"
    summary.write_text("", encoding="utf-8")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("GKPUBLISH", "PIP_", "VIRTUAL_ENV"))}
    base_env.update({"PATH": f"{venv / 'bin'}{os.pathsep}{base_env.get('PATH', '')}", "PIP_NO_INDEX": "1",
                     "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ENV": str(github_env), "HOME": str(tmp)})
    base_env.update({k: sub(v) for k, v in (wf.get("env") or {}).items()})
    base_env.update({k: sub(v) for k, v in (wf["jobs"][job].get("env") or {}).items()})
    added: dict[str, str] = {}
    output, failed, ran = [], 0, {}
    for i, step in enumerate(wf["jobs"][job]["steps"]):
        if "run" not in step or (failed and step.get("if") != "always()"):
            continue
        github_env.write_text("", encoding="utf-8")
        env = {**base_env, **added, **{k: sub(v) for k, v in (step.get("env") or {}).items()}}
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", sub(step["run"])],
                           cwd=root, env=env, capture_output=True, text=True, timeout=300)
        output.append(f"--- {step.get('name', i)} (exit {r.returncode})\n{r.stdout}{r.stderr}")
        ran[str(step.get("name", i))] = str(r.returncode)
        for line in github_env.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            added[key] = value
        if r.returncode and not failed:
            failed = r.returncode
    return failed, "\n".join(output), summary, ran


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _values(root: Path, keys: Path, **extra: str) -> dict[str, str]:
    return {"vars.PIP_INDEX_URL": "", "secrets.GKPUBLISH_SITE_KEY": (keys / "fabu").read_text(encoding="utf-8"),
            "vars.GKPUBLISH_SITE_URL": "", **extra}


def _deploy(root: Path, dest: Path) -> None:
    """upload-pages-artifact + deploy-pages: the built folder becomes the live site."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(root / "site", dest)


def _gk(venv: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin/gkpublish"), *args], cwd=root, capture_output=True, text=True)


def test_a_pull_request_with_an_unsigned_item_fails_and_says_who_may_sign(
        site: tuple[Path, Path], tooling: tuple[Path, Path], tmp_path: Path) -> None:
    root, keys = site
    _, venv = tooling
    repo = git.Repo(root)
    base = repo.head.commit.hexsha
    repo.git.checkout("-b", "new-item")
    try:
        r = subprocess.run([sys.executable, "-m", "gkpublish", "new", "--column", "gzdt", "--title", "关于开展示例活动的通知"],
                           cwd=root, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        repo.git.add("-A")
        repo.index.commit("新条目（未签审）")
        rc, out, summary, ran = run_job(root / ".github/workflows/check.yml", "check", root, venv,
                                        _values(root, keys, **{"github.event.pull_request.base.sha": base}), tmp_path)
        assert ran["安装 gkpublish"] == "0", out
        assert rc == 1 and ran["gkpublish check"] == "1", out
        assert "::error file=content/gzdt/" in out  # annotations on the diff
        text = summary.read_text(encoding="utf-8")
        assert text.startswith("## 签审进度") and base in text and "关于开展示例活动的通知" in text, text
    finally:
        repo.git.checkout("main")
        repo.git.branch("-D", "new-item")


def test_the_first_push_to_main_builds_signs_and_deploys_a_verifiable_site(
        site: tuple[Path, Path], tooling: tuple[Path, Path], tmp_path: Path) -> None:
    root, keys = site
    _, venv = tooling
    rc, out, _, ran = run_job(root / ".github/workflows/publish.yml", "build", root, venv,
                              _values(root, keys, **{"github.event.before": ZERO}), tmp_path)
    assert rc == 0, out
    assert "::warning::这是 main 的第一次推送" in out
    live = tmp_path / "live"
    _deploy(root, live)
    r = _gk(venv, root, "verify-deployed", str(live), "--expect-commit", "HEAD")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "gkpublish-manifest.json.sig" in os.listdir(live)
    (live / "index.html").write_text("<p>被篡改的首页</p>", encoding="utf-8")
    r = _gk(venv, root, "verify-deployed", str(live))
    assert r.returncode == 1 and "index.html: 已被改动" in r.stdout


def test_a_later_push_trusts_main_as_it_was_before_the_push(
        site: tuple[Path, Path], tooling: tuple[Path, Path], tmp_path: Path) -> None:
    root, keys = site
    _, venv = tooling
    repo = git.Repo(root)
    before = repo.head.commit.hexsha
    (root / "README.md").write_text((root / "README.md").read_text(encoding="utf-8") + "\n本单位说明。\n",
                                    encoding="utf-8")
    repo.index.add(["README.md"])
    repo.index.commit("README")
    rc, out, _, _ = run_job(root / ".github/workflows/publish.yml", "build", root, venv,
                            _values(root, keys, **{"github.event.before": before}), tmp_path)
    assert rc == 0, out
    assert "第一次推送" not in out and "未指定 --trust-ref" not in out


def test_a_push_whose_before_commit_is_unknown_stops(
        site: tuple[Path, Path], tooling: tuple[Path, Path], tmp_path: Path) -> None:
    root, keys = site
    _, venv = tooling
    rc, out, _, ran = run_job(root / ".github/workflows/publish.yml", "build", root, venv,
                              _values(root, keys, **{"github.event.before": "1" * 40}), tmp_path)
    assert rc == 1 and "不在仓库历史中" in out
    assert "生成并签名公开站点" not in ran


def test_a_push_event_without_a_before_commit_stops_rather_than_trusting_the_push(
        site: tuple[Path, Path], tooling: tuple[Path, Path], tmp_path: Path) -> None:
    """Only the all-zero sha means a first push; an empty one is not trusted as such (fail closed)."""
    root, keys = site
    _, venv = tooling
    rc, out, _, ran = run_job(root / ".github/workflows/publish.yml", "build", root, venv,
                              _values(root, keys, **{"github.event.before": ""}), tmp_path)
    assert rc == 1 and "不在仓库历史中" in out and "gkpublish check" not in ran


def test_a_push_without_the_publishing_key_secret_stops(
        site: tuple[Path, Path], tooling: tuple[Path, Path], tmp_path: Path) -> None:
    root, keys = site
    _, venv = tooling
    values = _values(root, keys, **{"github.event.before": ZERO})
    values["secrets.GKPUBLISH_SITE_KEY"] = ""
    rc, out, _, _ = run_job(root / ".github/workflows/publish.yml", "build", root, venv, values, tmp_path)
    assert rc == 1 and "GKPUBLISH_SITE_KEY" in out


def test_the_intranet_script_copies_a_verified_site_to_a_plain_folder(
        site: tuple[Path, Path], tooling: tuple[Path, Path], tmp_path: Path) -> None:
    root, keys = site
    wheel, venv = tooling
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-index", "--disable-pip-version-check",
                    str(wheel)], check=True, capture_output=True)
    script = Path(__file__).parents[1] / "gkpublish/data/ci/intranet/publish-intranet.sh"
    www = tmp_path / "var-www"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GKPUBLISH")},
           "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",  # no rsync needed: cp is the fallback
           "GKPUBLISH_DEPLOY_DIR": str(www), "GKPUBLISH_SITE_KEY": (keys / "fabu").read_text(encoding="utf-8"),
           "GKPUBLISH_TRUST_REF": "HEAD"}
    r = subprocess.run(["bash", str(script)], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert _gk(venv, root, "verify-deployed", str(www)).returncode == 0
    (www / "extra.html").write_text("<p>多出来的页面</p>", encoding="utf-8")
    r = _gk(venv, root, "verify-deployed", str(www))
    assert r.returncode == 1 and "extra.html: 增加的文件" in r.stdout


def _search_text(site: Path) -> str:
    """The site's search index, decoded (gkindex.decode_texts: every page's text rebuilt)."""
    from gkpublish.site.gkindex import decode_texts

    return "\n".join(decode_texts(str(site / "search" / "index")).values())


def test_end_to_end_from_a_branch_to_a_verified_deployed_site(tooling: tuple[Path, Path], tmp_path: Path) -> None:
    """init → an editor's branch with a new item → the gate fails for missing sign-offs → each
    reviewer approves with their own key on the branch → squash merge into main → check
    --trust-ref (main before the merge) passes → the publish workflow's steps build, sign and
    deploy → verify-deployed passes → one tampered file fails → the item is found by search."""
    wheel, venv = tooling
    spec = f"./vendor/{wheel.name}"

    def gk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "gkpublish", *args], cwd=cwd, capture_output=True, text=True)

    assert gk("init", "gov", "--install-spec", spec, cwd=tmp_path).returncode == 0
    root, keys = tmp_path / "gov", tmp_path / "gov-keys"
    (root / "vendor").mkdir()
    shutil.copy(wheel, root / "vendor" / wheel.name)
    repo = git.Repo(root)
    with repo.config_writer() as cw:
        cw.set_value("user", "name", "编辑").set_value("user", "email", "editor@example.invalid")
    repo.git.add("-A")
    repo.git.commit("-m", "vendor: gkpublish wheel")
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "origin.git")], check=True)
    repo.git.remote("add", "origin", str(tmp_path / "origin.git"))
    repo.git.push("-q", "origin", "main")
    base = repo.head.commit.hexsha

    repo.git.checkout("-b", "editor/notice")
    r = gk("new", "--column", "tzgg", "--title", "关于端到端核验站点的通知", "--summary", "端到端流程中新发布的通知。",
           cwd=root)
    assert r.returncode == 0, r.stderr
    item = r.stdout.splitlines()[0].strip()
    draft = root / item  # the editor writes the body in place of the placeholder (GK110)
    draft.write_text(draft.read_text(encoding="utf-8").replace("（在此填写正文）", "端到端流程中新发布的通知正文。"),
                     encoding="utf-8")
    repo.git.add("-A")
    repo.git.commit("-m", "新通知")
    r = gk("check", "--trust-ref", base, cwd=root)
    assert r.returncode == 1 and "GK301" in r.stdout and item in r.stdout
    for step, person in (("科室负责人", "kezhang"), ("保密审查", "baomi"), ("分管领导", "fenguan"), ("主要领导", "zhuyao")):
        r = gk("approve", item, "--step", step, "--as", person, "--key", str(keys / person), cwd=root)
        assert r.returncode == 0, r.stdout + r.stderr
        repo.git.add("-A")
        repo.git.commit("-m", f"{step} 签审")
    repo.git.push("-q", "origin", "editor/notice")
    r = gk("check", "--trust-ref", base, "--format", "github", cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr

    repo.git.checkout("main")
    repo.git.merge("--squash", "editor/notice")
    repo.git.commit("-m", "合并：关于端到端核验站点的通知")
    repo.git.push("-q", "origin", "main")
    r = gk("check", "--trust-ref", base, cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr

    rc, out, _, _ = run_job(root / ".github/workflows/publish.yml", "build", root, venv,
                            _values(root, keys, **{"github.event.before": base}), tmp_path)
    assert rc == 0, out
    live = tmp_path / "live"
    _deploy(root, live)
    r = _gk(venv, root, "verify-deployed", str(live))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "关于端到端核验站点的通知" in _search_text(live)
    # the daily workflow's own steps, against the live site served on 127.0.0.1
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(live)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    daily = {**_values(root, keys), "vars.GKPUBLISH_SITE_URL": f"http://127.0.0.1:{server.server_address[1]}/"}
    try:
        rc, out, _, _ = run_job(root / ".github/workflows/verify-deployed.yml", "verify", root, venv, daily, tmp_path)
        assert rc == 0 and "verify-deployed 通过" in out and f"构建自提交 {repo.head.commit.hexsha[:12]}" in out, out

        page = next(p for p in live.rglob("*.html") if "关于端到端核验站点的通知" in p.read_text(encoding="utf-8"))
        page.write_text(page.read_text(encoding="utf-8").replace("关于端到端核验站点的通知", "关于端到端核验站点的假通知", 1),
                        encoding="utf-8")
        r = _gk(venv, root, "verify-deployed", str(live))
        assert r.returncode == 1 and f"{page.relative_to(live).as_posix()}: 已被改动" in r.stdout
        rc, out, _, _ = run_job(root / ".github/workflows/verify-deployed.yml", "verify", root, venv, daily, tmp_path)
        assert rc == 1 and "已被改动" in out, out
    finally:
        server.shutdown()
        server.server_close()
