"""gkpublish verify-deployed DIR|URL: is the deployed site exactly the signed build (网页防篡改)?"""

from __future__ import annotations

import argparse
import os
import sys

from gkpublish.cli import find_root
from gkpublish.errors import GkError
from gkpublish.loader import load_repository

NAME = "verify-deployed"
HELP = "核验已部署的站点（目录或 http(s) 网址）与签名的构建清单一致：被改动、增加、缺失的文件，以及无效的签名"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", metavar="DIR|URL", help="部署的站点目录，或内网网站的 http(s) 网址")
    p.add_argument("--trust-ref", metavar="REF", help="从此 git 修订读取人员名册与发布公钥（默认：工作区）")
    p.add_argument("--expect-commit", metavar="REF",
                   help="部署的站点必须由此提交构建（如 HEAD：发现被换回的旧版本，或没有完成的发布）")


def resolve_commit(root: str, ref: str) -> str:
    import git
    from gitdb.exc import BadName

    try:
        return git.Repo(root, search_parent_directories=True).commit(ref).hexsha  # the site may be a sub-folder
    except (git.GitError, BadName, ValueError, OSError):
        raise GkError(f"--expect-commit {ref}: 在仓库中找不到这个提交；请给出提交号、分支名或 HEAD") from None


def run(args: argparse.Namespace) -> int:
    from gkpublish.site import manifest as mf
    from gkpublish.site.sitesign import dir_fetcher, trusted_roster, url_fetcher, verify_deployed

    cwd = os.path.abspath(args.directory)
    root = find_root(cwd)
    repo = load_repository(root, trust_ref=args.trust_ref)
    roster = trusted_roster(repo)
    expect = resolve_commit(root, args.expect_commit) if args.expect_commit else None
    target = args.site
    if target.startswith(("http://", "https://")):
        report = verify_deployed(url_fetcher(target), roster, None, expect)
    elif "://" in target:
        raise GkError(f"{target}: 只支持站点目录或 http(s):// 网址")
    else:
        site = os.path.abspath(os.path.join(cwd, target))
        if not os.path.isdir(site):
            raise GkError(f"{target}: 不是目录；请给出部署的站点目录或 http(s) 网址")
        files, odd = mf.walk_site(site)
        report = verify_deployed(dir_fetcher(site), roster, files, expect)
        report.problems += [f"{p}: 符号链接或特殊文件（部署的站点中只能有构建生成的普通文件）" for p in odd]
    for note in report.notes:
        print(f"说明：{note}", file=sys.stderr)
    if report.problems:
        for problem in report.problems:
            print(f"{target.rstrip('/')}/{problem}")
        print(f"verify-deployed 未通过：{len(report.problems)} 处与签名的构建清单不符。请从仓库重新构建并部署"
              "（gkpublish build），并查明站点被改动的原因。", file=sys.stderr)
        return 1
    built = (report.release or {}).get("commit")
    source = f"，构建自提交 {built[:12]}" if isinstance(built, str) else ""
    print(f"verify-deployed 通过：{target} 的 {report.checked} 个文件与 {report.signer} 签名的构建清单一致{source}。")
    return 0
