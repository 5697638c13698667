"""Sign this repository's demo sites with throw-away keys.

    .venv/bin/python tools/sign_demo.py [SITE ...] [--keys-dir DIR]

The repository holds two demo sites, one organ each (an organ is a site): the repository
root (重庆市江北区人民政府办公室) and ``examples/qijiang-audit/`` (重庆市綦江区审计局). Without
SITE both are signed (the root and every ``examples/*/`` with a ``site_config/``); with
SITE, only the given site folders, in place (nothing is copied).

For every person in ``SITE/site_config/roster.yml`` a new Ed25519 key pair is generated
into a temporary folder outside the repository (or ``--keys-dir``), one sub-folder per site
(each site is signed with its own people's keys), the public keys replace the roster's
keys, the old ``SITE/approvals/`` is removed (its records were signed with the previous
throw-away keys — the one place where records are not append-only: commit the result
before ``gkpublish check``, which holds the working tree to HEAD's records), and every
public item's review chain and the configuration are signed again, in order, respecting
the drafter and 谁主管谁审批 rules. It works on whatever ``content/`` and roster exist when
it runs. Private keys never enter the repository; the folder is printed so that a demo
reviewer can run ``gkpublish approve`` with them, and can be deleted afterwards.

This is for the demo sites only: a real site's keys are each person's own (docs/admin.md).
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


def demo_sites() -> list[str]:
    """The repository root and every examples/<name>/ that is a site (has site_config/)."""
    examples = os.path.join(PROJECT, "examples")
    subs = sorted(os.path.join(examples, n) for n in os.listdir(examples)) if os.path.isdir(examples) else []
    return [PROJECT, *(d for d in subs if os.path.isdir(os.path.join(d, "site_config")))]


def sign_site(root: str, keys_dir: str) -> int:
    """Re-sign one site in place with new keys in ``keys_dir``; 0 when every chain is complete."""
    try:
        if os.path.isdir(os.path.join(root, APPROVALS_DIR)):
            shutil.rmtree(os.path.join(root, APPROVALS_DIR))
        bootstrap(root, keys_dir, from_scratch=True)
        repo = load_repository(root)
        ignore_committed_records(repo)  # the old records are replaced on purpose: commit the new ones
        evaluation = evaluate(repo)
    except GkError as exc:
        print(f"sign_demo: {root}: {exc}", file=sys.stderr)
        return 2
    signed = sum(1 for s in evaluation.items.values() if s.levels is not None and s.complete)
    public = sum(1 for s in evaluation.items.values() if s.levels is not None)
    name = os.path.relpath(root, PROJECT) if root != PROJECT else "仓库根目录"
    print(f"{name}：已签审 {signed}/{public} 个公开条目和站点配置；私钥在 {keys_dir}（仓库之外，用完可删除）")
    for issue in evaluation.issues:
        print(f"{name}: {issue.path}: {issue.rule} {issue.message}")
    return 0 if not evaluation.issues else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="用临时密钥为演示站点重新签审（私钥不进入仓库）")
    ap.add_argument("sites", nargs="*", metavar="SITE",
                    help="站点目录（默认：仓库根目录和 examples/ 下的每个站点）")
    ap.add_argument("--keys-dir", help="私钥目录（默认新建临时目录；须在仓库之外；每个站点一个子目录）")
    args = ap.parse_args(argv)
    sites = [os.path.abspath(s) for s in args.sites] or demo_sites()
    keys_dir = os.path.abspath(args.keys_dir or tempfile.mkdtemp(prefix="gkpublish-demo-keys-"))
    # bootstrap refuses keys inside the site it signs; the demo's keys stay outside the whole
    # repository, since examples/<site>/ lies inside the root site's repository
    if os.path.commonpath([os.path.realpath(keys_dir), os.path.realpath(PROJECT)]) == os.path.realpath(PROJECT):
        print(f"sign_demo: --keys-dir {keys_dir}: 私钥不能放在仓库之内；请指定仓库之外的目录", file=sys.stderr)
        return 2
    worst = 0
    for root in sites:
        if not os.path.isdir(os.path.join(root, "site_config")):
            print(f"sign_demo: {root} 不是站点目录（没有 site_config/）；请给出站点的根目录", file=sys.stderr)
            return 2
        label = "root" if root == PROJECT else os.path.basename(root.rstrip(os.sep))
        worst = max(worst, sign_site(root, os.path.join(keys_dir, label)))
    print("请先提交各站点的 approvals/ 与 site_config/roster.yml，再运行 gkpublish check"
          "（它以已提交版本中的签审记录为准）")
    return worst


if __name__ == "__main__":
    sys.exit(main())
