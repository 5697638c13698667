"""Time ``gkpublish check`` on generated repositories and print a Markdown table.

    .venv/bin/python bench/run.py --items 1000 10000 [--runs 3] [--seed 1] [--keep]

For each size a repository is generated into ``bench/out/<N>/`` (git-ignored), then
``gkpublish check`` runs there ``--runs`` times as a separate process, the way a user or
CI runs it. Reported: the median and the best wall time (other work on the machine only
ever adds time); the median CPU time (user + system, of the
check and the workers it forks); and the peak resident memory (``ru_maxrss`` from
``os.wait4``: the largest of the check process and its workers, each run measured on its
own). Before each run the script waits (up to ``--wait`` seconds, 2 minutes by default) for
the machine to be idle, since other work on a 2-core machine skews wall times; the 1-minute
load average at the start of each run is reported with it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402

OUT = os.path.join(HERE, "out")


def gkpublish_command() -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "gkpublish")
    return [exe] if os.path.exists(exe) else [sys.executable, "-m", "gkpublish"]


def _cpu_idle(seconds: float = 1.0) -> float:
    """Share of CPU time idle over ``seconds`` (from /proc/stat; 1.0 where unavailable)."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)
    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except OSError:
        return 1.0
    return (idle1 - idle0) / max(1, total1 - total0)


def load_average() -> float:
    """The 1-minute load average (0.0 where unavailable): how busy the machine was."""
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return 0.0


def wait_for_quiet(limit: float = 120.0) -> None:
    """Other work on the machine skews wall times: wait (up to ``limit`` s) until it is idle."""
    deadline = time.monotonic() + limit
    while _cpu_idle() < 0.9 and time.monotonic() < deadline:
        pass


def timed_run(cmd: list[str], cwd: str, wait: float = 120.0) -> tuple[float, float, float, int, str, float]:
    """(wall s, CPU s of the process and its workers, peak RSS MB, exit code, last line of
    stdout, load average when it started)."""
    wait_for_quiet(wait)
    load = load_average()
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode("utf-8", "replace").strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, proc.returncode, lines[-1] if lines else "", load


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="gkpublish check 的基准测试")
    ap.add_argument("--items", type=int, nargs="+", default=[1000, 10000], help="条目数（可多个）")
    ap.add_argument("--runs", type=int, default=3, help="每个规模运行次数（取中位数）")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="保留 bench/out/ 中生成的仓库")
    ap.add_argument("--reuse", action="store_true", help="bench/out/<N> 已存在时不重新生成")
    ap.add_argument("--wait", type=float, default=120.0, help="每次运行前最多等待机器空闲的秒数（默认 120）")
    ap.add_argument("args", nargs="*", help="传给 gkpublish check 的其他参数（放在 -- 之后）")
    args = ap.parse_args(argv)
    cmd = [*gkpublish_command(), "check", *args.args]
    rows = []
    for n in args.items:
        repo = os.path.join(OUT, str(n))
        if not (args.reuse and os.path.isdir(os.path.join(repo, "content"))):
            t0 = time.perf_counter()
            generate(n, repo, seed=args.seed)
            print(f"generated {n} items in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        runs = [timed_run(cmd, repo, args.wait) for _ in range(args.runs)]
        for wall, cpu, rss, rc, last, load in runs:
            print(f"  {n}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:.0f} MB, load {load:.1f}, exit {rc}: {last}",
                  file=sys.stderr)
            if rc not in (0, 1):
                print(f"gkpublish check could not run on {repo} (exit {rc})", file=sys.stderr)
                return 2
        rows.append((n, statistics.median(r[0] for r in runs), min(r[0] for r in runs),
                     statistics.median(r[1] for r in runs), max(r[2] for r in runs),
                     statistics.median(r[5] for r in runs), runs[-1][4]))
        if not args.keep:
            shutil.rmtree(repo, ignore_errors=True)
    print(f"\n`{' '.join(['gkpublish', *cmd[-1 - len(args.args):]])}` — {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, median of {args.runs} runs\n")
    print("| items | wall, median (s) | wall, best (s) | CPU, median (s) | peak RSS (MB) | load, median | result |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for n, wall, best, cpu, rss, load, last in rows:
        print(f"| {n:,} | {wall:.2f} | {best:.2f} | {cpu:.2f} | {rss:.0f} | {load:.1f} | {last} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
