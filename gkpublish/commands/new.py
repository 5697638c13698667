"""gkpublish new: create an item with its front matter filled, the next 索引号 and today's dates."""

from __future__ import annotations

import argparse
import os
import sys

from gkpublish.cli import find_root, parse_date_arg
from gkpublish.errors import GkError
from gkpublish.loader import load_repository
from gkpublish.model import ATTRIBUTES, Repository
from gkpublish.scaffold import GUIDE_FILE, default_path, draft_guide, draft_item, write_draft

NAME = "new"
HELP = "新建条目：按栏目预填前置元数据、下一个索引号和今天的日期（--guide 年份：生成该年的政府信息公开指南）"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--column", metavar="C", help="栏目代码或名称（site_config/columns.yml；新建普通条目时必填）")
    p.add_argument("--title", metavar="T", help="标题（新建普通条目时必填）")
    p.add_argument("--guide", type=int, metavar="YEAR",
                   help="生成该年的政府信息公开指南：按上一年的指南条目起草新条目，并把 site_config/guide.yml 的 year 改为该年"
                        "（GK605；两者都须核对并签审）")
    p.add_argument("--attribute", choices=ATTRIBUTES, metavar="A",
                   help=f"公开属性：{' / '.join(ATTRIBUTES)}（默认取栏目的 defaults，否则主动公开）")
    p.add_argument("--publisher", metavar="P", help="发布机构（默认取栏目的 defaults，否则 organisation.yml 中的第一个机构）")
    p.add_argument("--doc-no", metavar="文号", help="文号（公文栏目必填）")
    p.add_argument("--drafter", metavar="PERSON", help="经办人（名册中的人员编号；默认：主办科室唯一的经办人）")
    p.add_argument("--summary", metavar="TEXT", help="内容概述（默认暂用标题）")
    p.add_argument("--out", metavar="PATH", help="写入的文件（默认 content/<栏目>/<年份>-<流水号>.md）；已存在则拒绝")
    p.add_argument("--today", type=parse_date_arg, metavar="DATE", help="以此日期作为今天（成文日期、发布日期、索引号年份）")


def run(args: argparse.Namespace) -> int:
    cwd = os.path.abspath(args.directory)
    root = find_root(cwd)
    repo = load_repository(root, as_of=args.today)
    if args.guide is not None:
        if args.column or args.title:
            raise GkError("--guide 与 --column/--title 不能同时使用：--guide 按栏目“政府信息公开指南”自动生成标题")
        return _guide(args, cwd, root, repo)
    if not args.column or not args.title:
        raise GkError("请用 --column 栏目 --title 标题 新建条目（如 gkpublish new --column gzdt --title \"关于……的通知\"），"
                      "或用 --guide 年份 生成当年的政府信息公开指南")
    draft = draft_item(repo, args.column, args.title, attribute=args.attribute, publisher=args.publisher,
                       doc_no=args.doc_no, summary=args.summary, drafter=args.drafter,
                       today=args.today)
    if args.out:
        path = os.path.abspath(os.path.join(cwd, args.out))
        if os.path.exists(path):
            raise GkError(f"{args.out}: 文件已存在，不会覆盖；请换一个文件名")
    else:
        path = default_path(repo, draft)
    write_draft(path, draft)
    content = os.path.join(root, "content")
    if os.path.commonpath([path, content]) != content:
        print(f"注意：{path} 不在 content/ 之下，不会作为条目检查和发布", file=sys.stderr)
    print(os.path.relpath(path, cwd))
    print(f"索引号 {draft.meta['index_no']}，栏目 {draft.meta['column']}，公开属性 {draft.meta['attribute']}",
          file=sys.stderr)
    for line in draft.reminders:
        print(f"提示：{line}", file=sys.stderr)
    return 0


def _guide(args: argparse.Namespace, cwd: str, root: str, repo: Repository) -> int:
    """``new --guide YEAR``: write the year's 指南 item and guide.yml's year, then say what the
    office still has to do (check the facts, sign the item and the configuration)."""
    g = draft_guide(repo, args.guide, today=args.today)
    if args.out:
        path = os.path.abspath(os.path.join(cwd, args.out))
        if os.path.exists(path):
            raise GkError(f"{args.out}: 文件已存在，不会覆盖；请换一个文件名")
    else:
        path = default_path(repo, g.draft)
    write_draft(path, g.draft)
    rel_item = os.path.relpath(path, root).replace(os.sep, "/")
    print(os.path.relpath(path, cwd))
    if g.previous:
        print(f"按 {g.previous} 起草：标题、概述和正文中的年份标注已改为 {args.guide} 年，索引号 {g.draft.meta['index_no']}",
              file=sys.stderr)
    if g.guide_yml is not None:
        with open(os.path.join(root, GUIDE_FILE), "wb") as fh:
            fh.write(g.guide_yml)
        print(f"已把 {GUIDE_FILE} 的 year 改为 {args.guide}", file=sys.stderr)
    for line in g.draft.reminders:
        print(f"提示：{line}", file=sys.stderr)
    print(f"下一步：核对后签审新指南（gkpublish status {rel_item} 显示每一级可由谁签署）"
          + ("；站点配置改动须主要领导签审：gkpublish approve --config --step 主要领导 --as <人员编号> --key <私钥文件>"
             if g.guide_yml is not None else ""), file=sys.stderr)
    return 0
