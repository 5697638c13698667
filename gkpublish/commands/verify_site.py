"""gkpublish verify-site DIR: scan a built site for anything that must not be public."""

from __future__ import annotations

import argparse
import os
import sys

from gkpublish.cli import find_root, parse_date_arg
from gkpublish.errors import GkError
from gkpublish.loader import load_repository

NAME = "verify-site"
HELP = "检查已生成的站点中是否有不应公开的内容（不公开条目、records/、approvals/、GK5xx、非构建生成的文件）"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", metavar="DIR", help="已生成的站点目录")
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="检查日期（默认今天）")


def run(args: argparse.Namespace) -> int:
    from gkpublish.site.verify import verify_site

    cwd = os.path.abspath(args.directory)
    site = os.path.abspath(os.path.join(cwd, args.site))
    if not os.path.isdir(site):
        raise GkError(f"{args.site}: 不是目录")
    repo = load_repository(find_root(cwd), as_of=args.as_of)
    leaks = verify_site(site, repo)
    if leaks:
        for leak in leaks:
            print(f"{args.site.rstrip('/')}/{leak}")
        print(f"verify-site 未通过：发现 {len(leaks)} 处不应公开的内容。", file=sys.stderr)
        return 1
    print(f"verify-site 通过：{args.site} 中没有发现不应公开的内容。")
    return 0
