"""gkpublish build: run the gate, build the public site, verify it, then put it in place.

Never leaves a partial or failing site: the site is built into a temporary folder next to
the target, ``verify-site`` runs on it, and only a clean site replaces the target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile

from gkpublish.cli import find_root, parse_date_arg
from gkpublish.errors import GkError
from gkpublish.loader import load_repository
from gkpublish.model import ERROR
from gkpublish.output import as_text
from gkpublish.rules import run_rules

NAME = "build"
HELP = "运行门禁，生成公开站点（门禁未通过或发现泄露时拒绝生成）"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="DIR", help="站点输出目录（默认：仓库中的 site/）")
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="按此日期检查时效（默认今天）")
    p.add_argument("--trust-ref", metavar="REF", help="从此 git 修订读取人员名册与密钥（CI 中为目标分支）")
    p.add_argument("--sign-key", metavar="FILE",
                   help="用此发布私钥签名构建清单（网页防篡改；默认取环境变量 GKPUBLISH_SITE_KEY，都没有则不签名）")


def target_dir(root: str, out: str | None, cwd: str) -> str:
    """The output folder, refused when replacing it could destroy something that is not a site."""
    from gkpublish.site.manifest import MANIFEST

    target = os.path.abspath(os.path.join(cwd, out)) if out else os.path.join(root, "site")
    real, real_root = os.path.realpath(target), os.path.realpath(root)
    if real == real_root or os.path.commonpath([real, real_root]) == real:
        raise GkError(f"--out {out}: 输出目录不能是站点仓库本身或其上级目录")
    for top in ("content", "site_config", "schema", "approvals", "records", ".git"):
        base = os.path.join(real_root, top)
        if os.path.commonpath([real, base]) == base:
            raise GkError(f"--out {out}: 输出目录不能位于仓库的 {top}/ 之中")
    if os.path.lexists(target):
        if os.path.islink(target) or not os.path.isdir(target):
            raise GkError(f"{target}: 已存在且不是目录，请换一个输出目录")
        if os.listdir(target) and not os.path.isfile(os.path.join(target, MANIFEST)):
            raise GkError(f"{target}: 目录非空且不是 gkpublish 生成的站点（没有 {MANIFEST}），为避免误删不会覆盖；"
                          "请换一个输出目录或先清空它")
    return target


def replace_dir(new: str, target: str) -> None:
    """Move ``new`` to ``target``, replacing an old site there."""
    old = None
    if os.path.isdir(target):
        old = tempfile.mkdtemp(prefix=".gkpublish-old-", dir=os.path.dirname(target))
        os.rename(target, os.path.join(old, "site"))
    os.rename(new, target)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    from gkpublish.site.sitesign import publishing_key

    with publishing_key(os.path.abspath(os.path.join(args.directory, args.sign_key))
                        if args.sign_key else None) as key:
        return _run(args, key)


def _run(args: argparse.Namespace, key: object | None) -> int:
    from gkpublish.site.build import build_site_dir
    from gkpublish.site.sitesign import check_publishing_key, release_of, sign_site

    cwd = os.path.abspath(args.directory)
    root = find_root(cwd)
    target = target_dir(root, args.out, cwd)
    repo = load_repository(root, as_of=args.as_of, trust_ref=args.trust_ref)
    signer = check_publishing_key(repo, key) if key is not None else None  # before any work
    release = release_of(root) if key is not None else None  # what is built: before the build writes anything
    findings = run_rules(repo)
    print(as_text(findings, len(repo.items), repo.trust_note))
    if any(f.severity == ERROR for f in findings):
        print("门禁未通过，未生成站点。", file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(target), exist_ok=True)
    # a CI job cancelled mid-build (SIGTERM) still removes its temporary folder (finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = tempfile.mkdtemp(prefix=".gkpublish-build-", dir=os.path.dirname(target))
    try:
        leaks = build_site_dir(repo, findings, tmp)
        if leaks:
            print(f"verify-site 在构建结果中发现 {len(leaks)} 处不应公开的内容，站点未发布：", file=sys.stderr)
            for leak in leaks:
                print(f"  {leak}", file=sys.stderr)
            return 1
        if key is not None:
            sign_site(tmp, key, release)  # the manifest is final: sign its exact bytes
        os.chmod(tmp, 0o755)
        replace_dir(tmp, target)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    pages = sum(1 for _d, _s, files in os.walk(target) for f in files if f.endswith(".html"))
    print(f"站点已生成：{target}（{pages} 个页面，verify-site 通过）")
    if signer:
        print(f"构建清单已由 {signer} 的发布密钥签名（gkpublish-manifest.json.sig）；部署后用 gkpublish verify-deployed 核验")
    else:
        print("构建清单未签名（没有 --sign-key 或 GKPUBLISH_SITE_KEY）：部署后的站点无法用 verify-deployed 核验", file=sys.stderr)
    return 0
