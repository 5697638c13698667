"""Putting a built site in place without ever destroying the live one.

Every path that builds a site (``gkpublish build`` and plain ``mkdocs build`` through the
plugin) builds into a fresh folder next to the target, named
``.gkpublish-build-<pid>-<random>``, and only a site that ``verify-site`` passed replaces
the target, in one atomic step (:func:`swap_in`: ``renameat2(RENAME_EXCHANGE)`` on Linux, so
there is no moment without a site). A build that fails, is cancelled or killed leaves the
old site untouched; a killed one (SIGKILL cannot be caught) leaves its folder behind, and
the next build removes such folders once their process is gone (:func:`clean_stale`).

A site that would lose most of its public items at once (a missing or emptied ``content/``,
a wrong branch) is refused unless asked for explicitly (:func:`shrink_problem`): the old
site's manifest says how many items it published.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import sys
import tempfile

from gkpublish.errors import GkError

BUILD_PREFIX = ".gkpublish-build-"
# every temporary folder gkpublish makes next to a site or in the system's temp folder
STALE_RE = re.compile(r"^\.?gkpublish-(?:build|old|config|search)-(\d+)-[A-Za-z0-9_]+$")
# A site that publishes at least this many items may not drop below half of them in one build.
SHRINK_FROM = 4
SHRINK_RATIO = 0.5
ALLOW_SHRINK_ENV = "GKPUBLISH_ALLOW_SHRINK"  # plain mkdocs build has no --allow-shrink


def new_dir(parent: str, kind: str = "build") -> str:
    """A fresh private folder in ``parent`` whose name records this process (for clean_stale)."""
    return tempfile.mkdtemp(prefix=f".gkpublish-{kind}-{os.getpid()}-", dir=parent)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


def clean_stale(parent: str) -> list[str]:
    """Remove gkpublish's temporary folders in ``parent`` left by processes that are gone
    (a build killed with SIGKILL, a power cut). Only folders of this user, named by
    :func:`new_dir`, whose recorded process no longer exists; the names removed."""
    removed: list[str] = []
    try:
        names = os.listdir(parent)
    except OSError:
        return removed
    for name in names:
        m = STALE_RE.match(name)
        if not m:
            continue
        pid = int(m.group(1))
        path = os.path.join(parent, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if (not os.path.isdir(path) or os.path.islink(path) or st.st_uid != os.getuid()
                or pid == os.getpid() or _alive(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(name)
    return removed


def _exchange(a: str, b: str) -> bool:
    """Atomically exchange two paths (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    res = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # old kernel or a file system without it: two renames instead
    raise OSError(err, os.strerror(err), b)


def swap_in(new: str, target: str) -> None:
    """Make ``new`` the site at ``target``; the old site there is removed afterwards."""
    if os.path.isdir(target) and not os.path.islink(target):
        if _exchange(new, target):
            shutil.rmtree(new, ignore_errors=True)  # now the old site
            return
        old = new_dir(os.path.dirname(target), "old")
        os.rename(target, os.path.join(old, "site"))
        os.rename(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(new, target)


def published_items(site_dir: str) -> int | None:
    """How many items the site in ``site_dir`` publishes, from its manifest; None without one."""
    from gkpublish.site.manifest import MANIFEST, PAGE

    try:
        with open(os.path.join(site_dir, MANIFEST), encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    items = doc.get("items")
    if isinstance(items, int) and not isinstance(items, bool) and items >= 0:
        return items
    files = doc.get("files")
    if isinstance(files, dict):  # an older manifest: its pages (items, columns, home …)
        return sum(1 for v in files.values() if isinstance(v, dict) and v.get("kind") == PAGE)
    return None


def shrink_problem(target: str, new_items: int, allow: bool = False) -> str | None:
    """Why replacing the site at ``target`` with one of ``new_items`` items is refused, if it is."""
    if allow or os.environ.get(ALLOW_SHRINK_ENV) == "1":
        return None
    old = published_items(target)
    if not old:
        return None
    if new_items == 0 or (old >= SHRINK_FROM and new_items < old * SHRINK_RATIO):
        return (f"新站点只有 {new_items} 个公开条目，而 {target} 中现有站点有 {old} 个：一次减少一半以上，"
                "可能是 content/ 缺失、为空或检出了错误的分支，为保护现有站点拒绝发布；"
                f"若确需如此，请加 --allow-shrink（mkdocs build 时设置环境变量 {ALLOW_SHRINK_ENV}=1）")
    return None


def require_content(root: str) -> None:
    """A site repository without content/ would build an empty site: an error, not a site."""
    path = os.path.join(root, "content")
    if os.path.islink(path) or not os.path.isdir(path):
        raise GkError(f"{path}: 找不到 content/ 目录（或它不是普通目录）；站点不会在没有条目的情况下生成，"
                      "请确认在站点仓库根目录运行、检出了正确的分支")


def check_target(target: str) -> None:
    """GkError when replacing ``target`` could destroy something that is not a gkpublish site."""
    from gkpublish.site.manifest import MANIFEST

    if not os.path.lexists(target):
        return
    if os.path.islink(target) or not os.path.isdir(target):
        raise GkError(f"{target}: 已存在且不是目录，请换一个输出目录")
    try:
        names = os.listdir(target)
    except OSError as exc:
        raise GkError(f"{target}: 无法读取（{exc.strerror}）") from None
    if names and not os.path.isfile(os.path.join(target, MANIFEST)):
        raise GkError(f"{target}: 目录非空且不是 gkpublish 生成的站点（没有 {MANIFEST}），为避免误删不会覆盖；"
                      "请换一个输出目录或先清空它")
