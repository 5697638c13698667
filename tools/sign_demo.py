"""Sign this repository's demo content with throw-away keys.

    .venv/bin/python tools/sign_demo.py [ROOT] [--keys-dir DIR]

For every person in ``ROOT/site_config/roster.yml`` (default ROOT: this repository) a new
Ed25519 key pair is generated into a temporary folder outside the repository (or
``--keys-dir``), the public keys replace the roster's keys, the old ``approvals/`` is
removed (its records were signed with the previous throw-away keys — the one place where
records are not append-only: commit the result before ``gkpublish check``, which holds the
working tree to HEAD's records), and every public
item's review chain and the configuration are signed again, in order, respecting the
drafter and 谁主管谁审批 rules. It works on whatever ``content/`` and roster exist when it
runs. Private keys never enter the repository; the folder is printed so that a demo
reviewer can run ``gkpublish approve`` with them, and can be deleted afterwards.

This is for the demo site only: a real site's keys are each person's own (docs/admin.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PROJECT)

from gkpublish.approvals import APPROVALS_DIR, bootstrap, evaluate, ignore_committed_records  # noqa: E402
from gkpublish.errors import GkError  # noqa: E402
from gkpublish.loader import load_repository  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="用临时密钥为演示内容重新签审（私钥不进入仓库）")
    ap.add_argument("root", nargs="?", default=PROJECT, help="站点仓库（默认本仓库）")
    ap.add_argument("--keys-dir", help="私钥目录（默认新建临时目录；须在仓库之外）")
    args = ap.parse_args(argv)
    root = os.path.abspath(args.root)
    keys_dir = args.keys_dir or tempfile.mkdtemp(prefix="gkpublish-demo-keys-")
    try:
        if os.path.isdir(os.path.join(root, APPROVALS_DIR)):
            shutil.rmtree(os.path.join(root, APPROVALS_DIR))
        bootstrap(root, keys_dir, from_scratch=True)
        repo = load_repository(root)
        ignore_committed_records(repo)  # the old records are replaced on purpose: commit the new ones
        evaluation = evaluate(repo)
    except GkError as exc:
        print(f"sign_demo: {exc}", file=sys.stderr)
        return 2
    signed = sum(1 for s in evaluation.items.values() if s.levels is not None and s.complete)
    public = sum(1 for s in evaluation.items.values() if s.levels is not None)
    print(f"已签审 {signed}/{public} 个公开条目和站点配置；私钥在 {keys_dir}（仓库之外，用完可删除）")
    print("请先提交 approvals/ 与 site_config/roster.yml，再运行 gkpublish check（它以已提交版本中的签审记录为准）")
    for issue in evaluation.issues:
        print(f"{issue.path}: {issue.rule} {issue.message}")
    return 0 if not evaluation.issues else 1


if __name__ == "__main__":
    sys.exit(main())
