"""The Chinese user documentation is a MkDocs site of its own, and what it says works.

``userdocs.yml`` (not the public site's ``mkdocs.yml``, which is site rules under GK120/GK308)
builds ``docs/`` with ``--strict``: a broken link or anchor, or a page left out of the nav,
fails the build. The CLI reference is generated from the parser (like docs/rules.md from the
docstrings), and the 快速开始 page's commands are run here, in order, in a temporary folder.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tools"))

import cli_reference  # noqa: E402

pytestmark = pytest.mark.xdist_group("userdocs")


def test_user_documentation_builds_strictly_and_offline(tmp_path: Path) -> None:
    out = tmp_path / "userdocs"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-f", str(ROOT / "userdocs.yml"), "-d", str(out)],
                       capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    for page in ("quickstart", "user-guide", "signoff", "admin", "site", "ci", "records", "rules", "cli", "benchmarks"):
        assert (out / page / "index.html").is_file(), page
    # Offline (内网): no page loads a script, stylesheet or font from elsewhere.
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=\"https?://", text), html
        assert not re.search(r"<link[^>]+href=\"https?://", text), html
    assert "快速开始" in (out / "index.html").read_text(encoding="utf-8")


def test_a_broken_link_fails_the_documentation_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# 首页\n\n见[不存在的页面](missing.md)与[锚点](#没有这一节)。\n", encoding="utf-8")
    config = (ROOT / "userdocs.yml").read_text(encoding="utf-8").split("\nnav:")[0]
    validation = (ROOT / "userdocs.yml").read_text(encoding="utf-8").split("\nvalidation:")[1]
    (tmp_path / "userdocs.yml").write_text(config + "\nnav:\n  - 首页: index.md\nvalidation:" + validation,
                                           encoding="utf-8")
    r = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "-f", "userdocs.yml", "-d", "out"],
                       capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert r.returncode != 0
    assert "missing.md" in r.stderr and "没有这一节" in r.stderr


def test_the_cli_reference_is_generated_from_the_parser() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference.markdown(), \
        "docs/cli.md is stale: run `.venv/bin/python tools/cli_reference.py > docs/cli.md`"


def test_the_cli_reference_names_every_command_and_option() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for heading in ("## gkpublish init", "## gkpublish check", "## gkpublish approve", "### gkpublish report annual"):
        assert heading in text
    assert "`--trust-ref`" in text and "`--explain`" in text


def _quickstart_commands() -> list[tuple[str, int]]:
    """Every line of the page's ``bash`` blocks, with the exit code its comment promises (0 unless
    the comment says 退出码 N)."""
    text = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    commands: list[tuple[str, int]] = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, re.S | re.M):
        for line in block.splitlines():
            if not line.strip():
                continue
            command, _, comment = line.partition("    #")
            m = re.search(r"退出码 (\d)", comment)
            commands.append((command.strip(), int(m.group(1)) if m else 0))
    return commands


@pytest.mark.slow
def test_the_quickstart_works_from_a_fresh_folder(tmp_path: Path) -> None:
    commands = _quickstart_commands()
    assert [c for c, _ in commands][:2] == ["gkpublish init 示例站点", "cd 示例站点"]
    assert any(code == 1 for _, code in commands)  # the page shows a failing check and a failing verify
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(home),
           "GIT_AUTHOR_NAME": "张示例", "GIT_AUTHOR_EMAIL": "zhang@example.gov.cn",
           "GIT_COMMITTER_NAME": "张示例", "GIT_COMMITTER_EMAIL": "zhang@example.gov.cn"}
    cwd = tmp_path
    for command, expected in commands:
        if command.startswith("cd "):
            cwd = cwd / shlex.split(command)[1]
            continue
        r = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True)
        assert r.returncode == expected, f"{command}\n{r.stdout}\n{r.stderr}"
    assert (cwd / "site" / "index.html").is_file()
