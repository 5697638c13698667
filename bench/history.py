"""Benchmark the git history pass (GK602/GK607) on a generated repository with a long history.

    python bench/history.py --items 10000 --commits 30000 --out /tmp/hist10k [--reuse] [--pairs 3]

1. ``bench/generate.py`` writes N items; ``git fast-import`` (one process, not 30,000
   ``git commit``s) writes a linear history of ``--commits`` commits: the configuration
   first, then one commit per item on its publication day (so GK602 passes), then
   modifications of random items at later dates, each adding a ``corrections`` entry
   (so GK607 passes), in time order.
2. In alternating pairs, the cold history pass (:func:`gkpublish.history.load_history`
   without a cache: one streamed ``git log --raw -z -M`` parsed in Python, then the cache
   written) against a bare ``git log --name-status --no-renames`` over the same history
   (output to /dev/null), both timed in this process. Target (issue 9 item 8): ≤ 1.3×.
3. A cold ``gkpublish check`` (history read, blob facts read, cache written) once; then in
   pairs: one new commit, then a warm ``gkpublish check`` (the cache at the previous commit:
   only the new commit is walked) against ``gkpublish check`` without history (the same
   repository with ``GIT_DIR`` pointing nowhere). Target: the warm check adds < 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PROJECT)

from gkpublish.history import load_history  # noqa: E402

BIN = os.path.join(PROJECT, ".venv", "bin")
AS_OF = "2026-11-01"
SHANGHAI = 8 * 3600


def _published(text: str) -> str:
    for line in text.split("\n", 60):
        if line.startswith("published:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    raise ValueError("no published")


def _with_corrections(text: str, k: int) -> str:
    entries = "".join(f"  - {{date: {AS_OF}, what: 第 {i + 1} 处文字修改（示例）, why: 原稿有误}}\n" for i in range(k))
    return text.replace("---\n", f"---\ncorrections:\n{entries}", 1) + f"\n（第 {k} 次更正后的补充说明。）\n"


def _epoch(day: str, seconds: int) -> int:
    import datetime as dt

    d = dt.date.fromisoformat(day)
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp()) - SHANGHAI + 9 * 3600 + seconds


def make_repo(out: str, items: int, commits: int, seed: int) -> None:
    if os.path.exists(out):
        shutil.rmtree(out)
    subprocess.run([sys.executable, os.path.join(PROJECT, "bench", "generate.py"), "--items", str(items),
                    "--out", out, "--as-of", AS_OF, "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    for top in ("site_config", "schema", "content"):
        for dirpath, _dirs, names in os.walk(os.path.join(out, top)):
            for name in names:
                full = os.path.join(dirpath, name)
                with open(full, "rb") as fh:
                    files[os.path.relpath(full, out).replace(os.sep, "/")] = fh.read()
    item_paths = sorted(p for p in files if p.startswith("content/") and p.endswith(".md"))
    config = sorted(p for p in files if not p.startswith("content/"))
    events: list[tuple[int, str, bytes]] = []  # (time, path, content)
    for i, p in enumerate(item_paths):
        day = _published(files[p].decode("utf-8"))
        events.append((_epoch(day, i % 3600), p, files[p]))
    last = _epoch(AS_OF, 0) - 3600
    counts: dict[str, int] = {}
    wanted = max(0, commits - 1 - len(item_paths))
    while sum(counts.values()) < wanted:
        p = rng.choice(item_paths)
        t0 = _epoch(_published(files[p].decode("utf-8")), 0) + 86400
        if t0 >= last:
            continue  # published on the last day: no later modification before the check date
        counts[p] = counts.get(p, 0) + 1
        events.append((rng.randint(t0, last), p, b""))
    events.sort(key=lambda e: e[0])
    seen: dict[str, int] = {}
    final: dict[str, bytes] = {}
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    proc = subprocess.Popen(["git", "-C", out, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    w = proc.stdin.write

    def commit(mark: int, when: int, changes: list[tuple[str, bytes]]) -> None:
        msg = f"更新 {changes[0][0]}".encode()
        w(f"commit refs/heads/main\nmark :{mark}\ncommitter Bench <bench@example.invalid> {when} +0800\n".encode())
        w(b"data %d\n%s\n" % (len(msg), msg))
        if mark > 1:
            w(f"from :{mark - 1}\n".encode())
        for path, data in changes:
            w(f'M 100644 inline "{path}"\n'.encode())
            w(b"data %d\n%s\n" % (len(data), data))

    commit(1, events[0][0] - 86400, [(p, files[p]) for p in config])
    mark = 1
    for when, path, data in events:
        if data:  # the add
            final[path] = data
        else:  # a modification with a new correction entry
            seen[path] = seen.get(path, 0) + 1
            final[path] = _with_corrections(files[path].decode("utf-8"), seen[path]).encode()
        mark += 1
        commit(mark, when, [(path, final[path])])
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", out, "reset", "-q", "--hard", "main"], check=True)
    n = subprocess.run(["git", "-C", out, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout
    print(f"{out}: {len(item_paths)} items, {n.strip()} commits, {sum(counts.values())} modifications", file=sys.stderr)


CPU: list[float] = []  # CPU seconds (this process and its children) of each timed() call


def timed(fn) -> float:
    """Wall seconds of ``fn()``; its CPU seconds (user + system, children included) go to CPU:
    on a shared machine CPU time is steadier than wall time."""
    import resource

    def cpu() -> float:
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    c, t = cpu(), time.perf_counter()
    fn()
    CPU.append(cpu() - c)
    return time.perf_counter() - t


def bare_log(root: str) -> None:
    subprocess.run(["git", "-C", root, "log", "--name-status", "--no-renames", "--", "content/"],
                   stdout=subprocess.DEVNULL, check=True)


def cold_history(root: str) -> None:
    h = load_history(root, use_cache=False)
    assert h.known and h.changes


def check(root: str, no_history: bool = False) -> None:
    env = dict(os.environ)
    if no_history:
        env["GIT_DIR"] = os.path.join(root, "no-such-git-dir")
    subprocess.run([os.path.join(BIN, "gkpublish"), "-C", root, "check", "--as-of", AS_OF],
                   stdout=subprocess.DEVNULL, env=env, check=False)


def new_commit(root: str, n: int) -> None:
    path = os.path.join(root, "content")
    first = next(os.path.join(d, f) for d, _, fs in sorted(os.walk(path)) for f in sorted(fs) if f.endswith(".md"))
    with open(first, encoding="utf-8") as fh:
        text = fh.read()
    with open(first, "w", encoding="utf-8") as fh:
        fh.write(text.replace("---\n", f"---\ncorrections:\n  - {{date: {AS_OF}, what: 基准第 {n} 次更正, why: 示例}}\n", 1)
                 if "corrections:" not in text else
                 text.replace("corrections:\n", f"corrections:\n  - {{date: {AS_OF}, what: 基准第 {n} 次更正, why: 示例}}\n", 1))
    subprocess.run(["git", "-C", root, "-c", "user.name=Bench", "-c", "user.email=b@example.invalid",
                    "commit", "-q", "-am", f"bench {n}"], check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--commits", type=int, default=30000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    root = os.path.abspath(args.out)
    if not args.reuse:
        t = timed(lambda: make_repo(root, args.items, args.commits, args.seed))
        print(f"generated in {t:.1f} s", file=sys.stderr)
    logs, passes, log_cpu, pass_cpu = [], [], [], []
    for _ in range(args.pairs):
        logs.append(timed(lambda: bare_log(root)))
        log_cpu.append(CPU[-1])
        passes.append(timed(lambda: cold_history(root)))
        pass_cpu.append(CPU[-1])
    cache = load_history(root).cache_file
    if cache and os.path.exists(cache):
        os.remove(cache)
    cold_check = timed(lambda: check(root))
    cold_cpu = CPU[-1]
    warm, plain, warm_cpu, plain_cpu = [], [], [], []
    for n in range(args.pairs):
        new_commit(root, n)
        warm.append(timed(lambda: check(root)))
        warm_cpu.append(CPU[-1])
        plain.append(timed(lambda: check(root, no_history=True)))
        plain_cpu.append(CPU[-1])
    med = statistics.median

    def runs(xs: list[float]) -> str:
        return ", ".join(f"{x:.2f}" for x in xs)

    print("| what | wall, median (s) | wall, runs | CPU, median (s) | CPU, runs |\n|---|---:|---|---:|---|")
    print(f"| bare `git log --name-status --no-renames` | {med(logs):.2f} | {runs(logs)} | {med(log_cpu):.2f} | {runs(log_cpu)} |")
    print(f"| cold history pass (`load_history`, no cache) | {med(passes):.2f} | {runs(passes)} | {med(pass_cpu):.2f} | {runs(pass_cpu)} |")
    print(f"| ratio cold pass / bare log (pairwise median) | {med([p / q for p, q in zip(passes, logs, strict=True)]):.2f} | |"
          f" {med([p / q for p, q in zip(pass_cpu, log_cpu, strict=True)]):.2f} | |")
    print(f"| cold `gkpublish check` (history + blob facts, cache written) | {cold_check:.2f} | | {cold_cpu:.2f} | |")
    print(f"| `gkpublish check` without history | {med(plain):.2f} | {runs(plain)} | {med(plain_cpu):.2f} | {runs(plain_cpu)} |")
    print(f"| warm `gkpublish check` after one new commit | {med(warm):.2f} | {runs(warm)} | {med(warm_cpu):.2f} | {runs(warm_cpu)} |")
    print(f"| warm minus without history (pairwise median) | {med([a - b for a, b in zip(warm, plain, strict=True)]):+.2f} | |"
          f" {med([a - b for a, b in zip(warm_cpu, plain_cpu, strict=True)]):+.2f} | |")

if __name__ == "__main__":
    main()
