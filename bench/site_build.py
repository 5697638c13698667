"""gkpublish build against a plain mkdocs build of the same pages, in alternating pairs.

    .venv/bin/python bench/site_build.py REPO [--pairs 3] [--as-of 2026-11-01] [--out /tmp/site]

REPO is a signed site repository whose gate passes (bench/generate.py + bench/sign.py).
For the comparison the generated pages are exported once as a plain MkDocs project
(``python -m gkpublish.site.plain``: same pages, same theme overrides, same navigation, no
plugin), next to the output folder. Then each pair runs, one after the other:

* ``mkdocs build`` of that plain project (MkDocs renders the pages, nothing else);
* ``gkpublish build``: gate, pages, search index (gkpublish.site.gkindex), verify-site, manifest.

Both run under ``/usr/bin/time``: wall-clock time, CPU time (user + system, child
processes included) and the largest resident set of any one process. Pairs alternate
because a shared machine's speed drifts; the ratio is taken within each pair, and the
median of the pairs is reported. The gkpublish build's site is left in ``--out``
(for bench/search_transfer.py). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
FORMAT = "%e %U %S %M"


def timed(cmd: list[str], cwd: str) -> tuple[float, float, int]:
    """(wall s, cpu s, max RSS KB) of one command, which must succeed."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        proc = subprocess.run(["/usr/bin/time", "-f", FORMAT, "-o", out.name, *cmd], cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} 失败：\n{proc.stderr[-2000:]}")
        fields = re.findall(r"[\d.]+", out.read().strip().splitlines()[-1])
    wall, user, system, rss = (float(f) for f in fields[-4:])
    return wall, user + system, int(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--as-of", default="2026-11-01")
    ap.add_argument("--out", default=None, help="gkpublish build 的输出目录（默认：REPO 旁的 <REPO>-site）")
    args = ap.parse_args()
    repo = os.path.abspath(args.repo)
    out = os.path.abspath(args.out or repo.rstrip("/") + "-site")
    plain = out + "-plain"
    subprocess.run([sys.executable, "-m", "gkpublish.site.plain", repo, plain, "--as-of", args.as_of],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    rows = []
    for n in range(1, args.pairs + 1):
        shutil.rmtree(os.path.join(plain, "site"), ignore_errors=True)
        p = timed([os.path.join(BIN, "mkdocs"), "build", "-q", "-d", "site"], plain)
        shutil.rmtree(out, ignore_errors=True)
        g = timed([os.path.join(BIN, "gkpublish"), "build", "--out", out, "--as-of", args.as_of], repo)
        rows.append((n, p, g))
        print(f"pair {n}: plain {p[0]:.1f} s, gkpublish {g[0]:.1f} s, ratio {g[0] / p[0]:.2f}", file=sys.stderr)
    print("| pair | plain mkdocs build | gkpublish build | ratio | plain CPU | gkpublish CPU | gkpublish peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n, p, g in rows:
        print(f"| {n} | {p[0]:.1f} s | {g[0]:.1f} s | {g[0] / p[0]:.2f} | {p[1]:.0f} s | {g[1]:.0f} s | {g[2] / 1024:,.0f} MB |")
    ratios = [g[0] / p[0] for _, p, g in rows]
    print(f"\nmedian ratio {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}); "
          f"plain peak RSS {max(p[2] for _, p, _ in rows) / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
