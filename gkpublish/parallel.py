"""Use the second core on large repositories, without changing a single finding.

Loading and the rules are pure functions of the repository's files, so on a repository of
thousands of items the work is shared with forked worker processes: a fork sees the
parent's memory (the loaded model, the compiled patterns) without copying or pickling it,
and only results travel back. The parent works too, taking tasks from the same counter,
so a busy second core costs little. Results come back in task order, exactly as one
process would have produced them, and an exception in a worker is raised in the parent.

``GKPUBLISH_JOBS=1`` forces one process; without ``os.fork`` (Windows), or when other
threads run (a fork copies only the calling thread), there is one.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a fork costs more than it saves (and tests stay in one process).
MIN_ITEMS = 2000


PR_SET_PDEATHSIG = 1
try:  # looked up once in the parent: a forked child should run as little as possible
    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
    _prctl = None


def die_with_parent(parent: int) -> None:
    """Called first in a forked worker: die (SIGKILL) when ``parent`` dies, however it dies.

    A worker outliving a killed build (SIGKILL, SIGHUP of a closed terminal) would run on
    forever holding the repository in memory. Linux delivers the signal when the thread that
    forked us exits; gkpublish forks from the main thread. If the parent is already gone
    (it died before the call), the worker leaves at once."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def jobs(n_items: int) -> int:
    """How many processes to use for a repository of ``n_items`` items."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1  # forking a threaded process (mkdocs serve) could copy a held lock
    env = os.environ.get("GKPUBLISH_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return min(2, os.cpu_count() or 1) if n_items >= MIN_ITEMS else 1


def chunks(seq: Sequence[T], size: int) -> list[Sequence[T]]:
    return [seq[i:i + size] for i in range(0, len(seq), size)]


def map_shared(func: Callable[[T], R], tasks: Sequence[T], processes: int) -> list[R]:
    """``[func(t) for t in tasks]``, shared between this process and ``processes - 1`` forks.

    ``func`` may be a closure over the loaded repository: it reaches the workers by fork.
    """
    if processes <= 1 or len(tasks) <= 1:
        return [func(t) for t in tasks]
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("q", 0)  # the next task, taken by whichever process is free

    def work() -> dict[int, R]:
        done: dict[int, R] = {}
        while True:
            with counter.get_lock():
                i = counter.value
                counter.value += 1
            if i >= len(tasks):
                return done
            done[i] = func(tasks[i])

    workers: list[tuple[int, Any]] = []
    running: set[int] = set()
    # Keep the workers' garbage collector off the parent's objects: touching them would
    # copy every page of the model into each worker (Python docs, gc.freeze).
    gc.freeze()
    parent = os.getpid()
    try:
        for _ in range(min(processes, len(tasks)) - 1):
            reader, writer = ctx.Pipe(duplex=False)
            pid = os.fork()
            if pid == 0:  # the worker: do tasks, send the results, leave without cleanup
                code = 0
                try:
                    die_with_parent(parent)
                    reader.close()
                    try:
                        result: tuple[bool, Any] = (True, work())
                    except BaseException as exc:  # raised again in the parent
                        result = (False, exc)
                    writer.send(result)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            running.add(pid)
            writer.close()
            workers.append((pid, reader))
        results = work()
        for pid, reader in workers:
            try:
                ok, payload = reader.recv()
            except EOFError:
                raise RuntimeError("并行检查的子进程意外退出；可设置 GKPUBLISH_JOBS=1 单进程运行") from None
            os.waitpid(pid, 0)
            running.discard(pid)
            if not ok:
                raise payload
            results.update(payload)
    finally:
        for pid in running:  # only when something went wrong: stop the others
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        for _, reader in workers:
            reader.close()
        gc.unfreeze()
    return [results[i] for i in range(len(tasks))]
