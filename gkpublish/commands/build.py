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
    p.add_argument("--allow-shrink", action="store_true",
                   help="允许新站点比现有站点少一半以上的公开条目（默认拒绝，以免空的 content/ 覆盖现有站点）")
    p.add_argument("--sign-key", metavar="FILE",
                   help="用此发布私钥签名构建清单（网页防篡改；默认取环境变量 GKPUBLISH_SITE_KEY，都没有则不签名）")


def target_dir(root: str, out: str | None, cwd: str) -> str:
    """The output folder, refused when replacing it could destroy something that is not a site."""
    from gkpublish.site.mkdocs_config import output_problem
    from gkpublish.site.publish import check_target

    target = os.path.abspath(os.path.join(cwd, out)) if out else os.path.join(root, "site")
    why = output_problem(root, target)
    if why:
        raise GkError(f"--out {out or target}: {why}")
    check_target(target)
    return target


def run(args: argparse.Namespace) -> int:
    from gkpublish.site.sitesign import publishing_key

    with publishing_key(os.path.abspath(os.path.join(args.directory, args.sign_key))
                        if args.sign_key else None) as key:
        return _run(args, key)


def _run(args: argparse.Namespace, key: object | None) -> int:
    from gkpublish.site import publish
    from gkpublish.site.build import build_site_dir
    from gkpublish.site.mkdocs_config import refuse_unsafe
    from gkpublish.site.sitesign import check_publishing_key, release_of, sign_site

    cwd = os.path.abspath(args.directory)
    root = find_root(cwd)
    target = target_dir(root, args.out, cwd)
    publish.require_content(root)
    repo = load_repository(root, as_of=args.as_of, trust_ref=args.trust_ref)
    # before MkDocs reads mkdocs.yml: loading it would already import hooks and plugins
    refuse_unsafe(root, repo.config.files, repo.config.site)
    signer = check_publishing_key(repo, key) if key is not None else None  # before any work
    release = release_of(root) if key is not None else None  # what is built: before the build writes anything
    findings = run_rules(repo)
    print(as_text(findings, len(repo.item_files()), repo.trust_note))
    if any(f.severity == ERROR for f in findings):
        print("门禁未通过，未生成站点。", file=sys.stderr)
        return 1
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    publish.clean_stale(parent)  # folders of earlier builds that were killed
    # a CI job cancelled mid-build (SIGTERM) or a closed terminal (SIGHUP) still removes the
    # temporary folder (finally below); SIGKILL cannot be caught: clean_stale, next time
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, _f: sys.exit(128 + n))
    tmp = publish.new_dir(parent)
    try:
        leaks = build_site_dir(repo, findings, tmp, target=target, allow_shrink=args.allow_shrink)
        if leaks:
            print(f"verify-site 在构建结果中发现 {len(leaks)} 处不应公开的内容，站点未发布：", file=sys.stderr)
            for leak in leaks:
                print(f"  {leak}", file=sys.stderr)
            return 1
        if key is not None:
            sign_site(tmp, key, release)  # the manifest is final: sign its exact bytes
        os.chmod(tmp, 0o755)
        publish.swap_in(tmp, target)
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
