"""Sign a generated benchmark repository: every public item's full chain and the configuration.

    .venv/bin/python bench/generate.py --items 10000 --out bench/out/10000
    .venv/bin/python bench/sign.py bench/out/10000
    (cd bench/out/10000 && ../../../.venv/bin/gkpublish check)

Throw-away keys, one per roster person, go to a temporary folder outside the repository;
the records are written in process (no ssh-keygen), so 10,000 items take seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PROJECT)

from gkpublish.approvals import APPROVALS_DIR, sign_repository, write_roster_keys  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="为基准测试仓库签审全部公开条目")
    ap.add_argument("root", help="bench/generate.py 生成的站点仓库")
    args = ap.parse_args(argv)
    root = os.path.abspath(args.root)
    t0 = time.perf_counter()
    if os.path.isdir(os.path.join(root, APPROVALS_DIR)):
        shutil.rmtree(os.path.join(root, APPROVALS_DIR))
    with tempfile.TemporaryDirectory(prefix="gkpublish-bench-keys-") as keys_dir:
        keys = write_roster_keys(root, keys_dir)
        written = sign_repository(root, keys, from_scratch=True)
    print(f"{len(written)} 条签审记录，{time.perf_counter() - t0:.1f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
