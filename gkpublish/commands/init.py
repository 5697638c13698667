"""gkpublish init: write a working site repository (contract.md "A site repository").

One sample organisation, one person per review step, a few items, the JSON Schema, the
site and CI configuration, then ``git init`` and one commit, so that ``gkpublish check``
passes at once. Private keys never go into the repository: they belong in the keys folder,
outside it (default ``<DIR>-keys`` beside the repository).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from importlib import metadata, resources
from urllib.parse import unquote, urlparse

import git

from gkpublish import __version__
from gkpublish.approvals import bootstrap
from gkpublish.cli import parse_date_arg
from gkpublish.errors import GkError

NAME = "init"
HELP = "新建站点仓库：示例机构、每一审核层级一名示例人员、几条示例条目，并初始化 git"

# Template names that packaging would drop or hide (dot files) are stored without the dot.
RENAMES = {"gitignore": ".gitignore", "github": ".github"}
TEXT_SUFFIXES = (".md", ".yml", ".yaml", ".json", ".txt")
# The person ids of the template roster: their private keys will be KDIR/<id> (contract.md).
SAMPLE_PEOPLE = ("jingban", "kezhang", "baomi", "fenguan", "zhuyao", "qingshi", "fabu")
# Where the CI configuration goes, per forge (templates in gkpublish/data/ci/<kind>/).
CI_KINDS = {"github": ".github", "gitlab": "", "intranet": "ci"}
CI_RENAMES = {"gitlab-ci.yml": ".gitlab-ci.yml"}
# Signatures cover the exact bytes of these files: git must never convert their line ends
# (core.autocrlf on Windows would, and every sign-off would then fail GK30x).
GITATTRIBUTES = """# 签审签名覆盖这些文件的每一个字节：git 不得转换换行符（Windows 上的 core.autocrlf 会转换）。
content/** -text
approvals/** -text
site_config/** -text
schema/** -text
records/** -text
mkdocs.yml -text
"""
PRE_COMMIT_CONFIG = """# 提交前检查改动的条目：pip install pre-commit && pre-commit install
repos:
  - repo: local
    hooks:
      - id: gkpublish-check
        name: gkpublish check（政务公开门禁）
        entry: gkpublish check
        language: system
        files: ^(content|site_config|schema|approvals)/|^mkdocs\\.yml$
        pass_filenames: true
"""


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="新仓库的目录（不存在或为空）")
    p.add_argument("--keys-dir", metavar="KDIR",
                   help="私钥目录，必须在仓库之外（默认：与仓库同级的 <DIR名>-keys）")
    p.add_argument("--today", type=parse_date_arg, metavar="DATE", help="以此日期作为今天（示例条目的日期和指南年份）")
    p.add_argument("--ci", choices=tuple(CI_KINDS), default="github",
                   help="写入哪种持续集成配置：github（GitHub Actions，默认）、gitlab（GitLab CI / 极狐）、intranet（内网发布脚本）")
    p.add_argument("--install-spec", metavar="SPEC",
                   help="CI 中安装 gkpublish 的来源（如 gkpublish==0.1.0、git+https://…@v0.1.0、./vendor/….whl；默认：本机安装它的来源）")


def install_spec(root: str) -> tuple[str, str | None]:
    """Where CI installs gkpublish from: the source this gkpublish was installed from
    (PEP 610 ``direct_url.json``). Returns (spec, warning or None).

    - from a package index (no direct_url.json): ``gkpublish==<version>``;
    - from a wheel file: the wheel is copied into ``<root>/vendor/`` and CI installs it from there;
    - from a VCS URL: that URL at the exact commit that was installed;
    - from a local folder or an editable checkout: nothing CI could reach — the index form,
      with a warning to change ``GKPUBLISH_SPEC``.
    """
    index_form = f"gkpublish=={__version__}"
    try:
        text = metadata.distribution("gkpublish").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        text = None
    if not text:
        return index_form, None
    try:
        info = json.loads(text)
    except ValueError:
        info = {}
    url = str(info.get("url", ""))
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") and url:
        rev = vcs.get("commit_id") or vcs.get("requested_revision")
        return f"{vcs['vcs']}+{url}" + (f"@{rev}" if rev else ""), None
    if "archive_info" in info and url.startswith("file:"):
        path = unquote(urlparse(url).path)
        name = os.path.basename(path)
        if name.endswith(".whl") and os.path.isfile(path):
            os.makedirs(os.path.join(root, "vendor"), exist_ok=True)
            shutil.copyfile(path, os.path.join(root, "vendor", name))
            return f"./vendor/{name}", None
    if "archive_info" in info and url.startswith(("http://", "https://")):
        return url, None
    return index_form, (f"本机的 gkpublish 安装自本地目录（{url or '开发副本'}），CI 无法从那里安装；"
                        f"CI 配置暂写为 {index_form}，请把其中的 GKPUBLISH_SPEC 改为本单位实际的来源"
                        "（内部镜像上的版本、git 地址的标签，或放在仓库 vendor/ 中的 wheel），见 docs/ci.md")


def write_ci(root: str, kind: str, spec: str) -> list[str]:
    """Write the CI templates of ``kind`` (gkpublish/data/ci/<kind>/) with ``spec`` as GKPUBLISH_SPEC."""
    base = resources.files("gkpublish") / "data" / "ci" / kind
    written: list[str] = []

    def walk(node, rel: str) -> None:  # noqa: ANN001 - a Traversable
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = CI_RENAMES.get(child.name, child.name)
            target = f"{rel}/{name}" if rel else name
            if child.is_dir():
                walk(child, target)
                continue
            full = os.path.join(root, *target.split("/"))
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(child.read_text(encoding="utf-8").replace("@GKPUBLISH_SPEC@", spec))
            if name.endswith(".sh"):
                os.chmod(full, 0o755)
            written.append(target)

    walk(base, CI_KINDS[kind])
    return written


def default_keys_dir(root: str) -> str:
    """``<parent>/<name>-keys``: beside the repository, never inside it."""
    root = os.path.abspath(root)
    return os.path.join(os.path.dirname(root), os.path.basename(root) + "-keys")


def _inside(path: str, base: str) -> bool:
    path, base = os.path.realpath(path), os.path.realpath(base)
    return os.path.commonpath([path, base]) == base


def _placeholders(today: dt.date) -> dict[str, str]:
    return {"@YEAR@": str(today.year), "@TODAY@": today.isoformat(),
            "@TODAY_ZH@": f"{today.year}年{today.month}月{today.day}日", "@VERSION@": __version__}


def _render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def write_templates(root: str, today: dt.date) -> list[str]:
    """Copy gkpublish/data/init/ and the JSON Schema into ``root``. Returns the written paths
    (relative, POSIX)."""
    values = _placeholders(today)
    data = resources.files("gkpublish") / "data"
    written: list[str] = []

    def put(rel: str, content: bytes) -> None:
        full = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "xb") as fh:
            fh.write(content)
        written.append(rel)

    def walk(node, rel: str) -> None:  # noqa: ANN001 - a Traversable
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = RENAMES.get(child.name, child.name) if not rel else child.name
            target = f"{rel}/{name}" if rel else name
            if child.is_dir():
                walk(child, target)
            elif child.name.endswith(TEXT_SUFFIXES) or child.name == "gitignore":
                put(_render(target, values), _render(child.read_text(encoding="utf-8"), values).encode("utf-8"))
            else:
                put(_render(target, values), child.read_bytes())

    walk(data / "init", "")
    # approvals/ holds only signed records (GK302), so it is kept in git by a dot file, which
    # the records loader skips; its explanation is in the repository's README.md.
    put("approvals/.gitkeep", b"")
    # mkdocs.yml's docs_dir: must exist, stays empty (the plugin makes every page)
    put("site_pages/.gitkeep", b"")
    for child in sorted((data / "schema").iterdir(), key=lambda c: c.name):
        if child.name.endswith(".schema.json"):
            put(f"schema/{child.name}", child.read_bytes())
    return written


def generate_keys_and_sign(root: str, keys_dir: str) -> None:
    """One SSH key pair per roster person written to ``keys_dir/<person-id>`` (+ ``.pub``),
    the public keys put in ``site_config/roster.yml``, the sample items and the site rules
    signed into ``approvals/`` — before the first commit, so that the commit holds the
    signed roster and the sign-offs and ``gkpublish check`` passes at once."""
    bootstrap(root, keys_dir)


def commit_all(root: str) -> str:
    """``git init`` (branch main) and one commit of every file under ``root``. Returns the commit id."""
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        paths += [os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/") for f in sorted(filenames)]
    try:
        repo = git.Repo.init(root, initial_branch="main")
        repo.index.add(paths)
        commit = repo.index.commit("gkpublish init：新建政务公开站点仓库（示例机构、示例人员、示例条目）")
    except (git.GitError, OSError) as exc:
        raise GkError(f"{root}: 初始化 git 仓库失败（{exc}）；请确认已安装 git") from None
    return commit.hexsha


def run(args: argparse.Namespace) -> int:
    root = os.path.abspath(os.path.join(args.directory, args.dir))
    if os.path.exists(root) and not os.path.isdir(root):
        raise GkError(f"{args.dir}: 已存在且不是目录；请指定新的目录")
    if os.path.isdir(root) and os.listdir(root):
        raise GkError(f"{args.dir}: 目录不为空；gkpublish init 只在新目录或空目录中创建站点仓库，不会改动已有文件")
    keys_dir = os.path.abspath(os.path.join(args.directory, args.keys_dir)) if args.keys_dir else default_keys_dir(root)
    if _inside(keys_dir, root):
        raise GkError(f"{keys_dir}: 私钥目录在仓库之内；私钥不能进入仓库，请用 --keys-dir 指定仓库之外的目录")
    taken = [p for p in SAMPLE_PEOPLE if os.path.exists(os.path.join(keys_dir, p))]
    if taken:
        raise GkError(f"{keys_dir}: 已有同名私钥文件（{'、'.join(taken)}），不会覆盖；请用 --keys-dir 指定另一个目录")

    os.makedirs(root, exist_ok=True)
    os.makedirs(keys_dir, mode=0o700, exist_ok=True)
    write_templates(root, args.today or dt.date.today())
    spec, warning = (args.install_spec, None) if args.install_spec else install_spec(root)
    write_ci(root, args.ci, spec)
    for rel, text in ((".gitattributes", GITATTRIBUTES), (".pre-commit-config.yaml", PRE_COMMIT_CONFIG)):
        with open(os.path.join(root, rel), "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    generate_keys_and_sign(root, keys_dir)
    commit_all(root)

    print(f"已创建站点仓库：{root}")
    print(f"私钥目录（在仓库之外，切勿提交或外传）：{keys_dir}")
    print(f"CI 安装 gkpublish 的来源（GKPUBLISH_SPEC）：{spec}")
    print(f"发布密钥：把 {os.path.join(keys_dir, 'fabu')} 的内容添加为 CI 机密 GKPUBLISH_SITE_KEY（签名公开站点，见 docs/ci.md）")
    if warning:
        print(f"注意：{warning}", file=sys.stderr)
    print("下一步：")
    print(f"  cd {os.path.relpath(root)}")
    print("  gkpublish check                      # 运行门禁：示例条目应全部通过")
    print("  gkpublish serve                      # 在浏览器中预览站点：http://127.0.0.1:8000/")
    print("  gkpublish new --column gzdt --title 标题   # 新建条目，写好正文和内容概述后请人签审")
    print("  gkpublish status --pending           # 查看哪些条目在等待签审")
    return 0

