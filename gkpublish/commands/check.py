"""gkpublish check: run every gate and report the findings."""

from __future__ import annotations

import argparse
import json
import os
import sys

from gkpublish.cli import find_root, parse_date_arg
from gkpublish.errors import GkError
from gkpublish.loader import load_repository
from gkpublish.model import ERROR
from gkpublish.output import as_github, as_json, as_text, one_line
from gkpublish.rules import run_rules

NAME = "check"
HELP = "运行全部合规检查（门禁）"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="只报告这些文件或目录中的条目")
    p.add_argument("--format", choices=("text", "json", "github"), default="text", help="输出格式")
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="按此日期检查时效（默认今天）")
    p.add_argument("--trust-ref", metavar="REF", help="从此 git 修订读取人员名册与密钥（CI 中为目标分支）")
    p.add_argument("--explain", metavar="ID", help="显示一条规则的说明（依据、要求、通过与不通过的示例），如 GK202")


def explain(rule_id: str) -> str:
    """The documentation of one rule, as ``gkpublish rules --markdown`` has it. Unknown ID: GkError."""
    from gkpublish.commands.rules import SEVERITY_ZH
    from gkpublish.rules import load_rules

    rules = load_rules()
    r = rules.get(rule_id.strip().upper())
    if r is None:
        raise GkError(f"--explain {rule_id}: 没有这条规则；用 gkpublish rules 查看全部规则的编号和标题")
    return "\n".join([f"{r.id}  {r.title}", "",
                      f"级别：{SEVERITY_ZH[r.severity]}", f"依据：{r.source}", f"实现：{r.family}", "",
                      r.doc.rstrip(), "", f"全部规则：gkpublish rules；文档：docs/rules.md#{r.id.lower()}"])


# Paths that are not items but configure or sign all of them: a change there (pre-commit passes
# the changed files) can change the verdict on any item, so the whole repository is reported.
WHOLE_REPO_TOPS = ("site_config", "schema", "approvals", "mkdocs.yml")


def relative_paths(root: str, paths: list[str], cwd: str) -> list[str]:
    out = []
    for p in paths:
        full = os.path.abspath(os.path.join(cwd, p))
        if not os.path.exists(full):
            raise GkError(f"{p}: 路径不存在")
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        if rel.startswith(".."):
            raise GkError(f"{p}: 不在站点仓库 {root} 之内")
        out.append("" if rel == "." else rel)
    if any(r.split("/", 1)[0] in WHOLE_REPO_TOPS for r in out):
        return []
    # an attachment is checked through the items beside it (its folder)
    out = [os.path.dirname(r) if r.startswith("content/") and os.path.isfile(os.path.join(root, r))
           and not r.endswith(".md") else r for r in out]
    return [r for r in out if r] if all(out) else []


def run(args: argparse.Namespace) -> int:
    if args.explain:
        print(explain(args.explain))
        return 0
    cwd = os.path.abspath(args.directory)
    try:
        root = find_root(cwd)
        repo = load_repository(root, as_of=args.as_of, trust_ref=args.trust_ref)
        scope = relative_paths(root, args.paths, cwd)
    except GkError as exc:
        if args.format != "json":
            raise
        # a program reading the JSON gets a JSON document in every case: the reason, ok false
        print(json.dumps({"version": 1, "ok": False, "error": {"message": str(exc), "exit_code": exc.exit_code},
                          "summary": None, "findings": [], "trust": {"ref": args.trust_ref, "note": None}},
                         ensure_ascii=False, indent=2))
        print(f"gkpublish: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    findings = run_rules(repo, scope or None)
    # every item file counts, those that could not be parsed (GK101/GK102) included
    items = [p for p in repo.item_files()
             if not scope or any(p == s or p.startswith(s + "/") for s in scope)]
    if args.format == "json":
        print(as_json(findings, len(items), args.trust_ref, repo.trust_note))
    elif args.format == "github":
        print(as_github(findings, len(items), repo.trust_note))
    else:
        print(as_text(findings, len(items), repo.trust_note))
    return 1 if any(f.severity == ERROR for f in findings) else 0
