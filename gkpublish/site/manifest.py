"""The list of files a build produced, written into the site as ``gkpublish-manifest.json``.

``verify-site`` compares a site directory against it: a file that is not listed (dropped
in by hand, left over, written by something else) or whose bytes changed since the build
was not produced from public content, and fails the check. The manifest holds only site
paths, what made each file, and SHA-256 digests: nothing that is not already public.
"""

from __future__ import annotations

import hashlib
import json
import os

MANIFEST = "gkpublish-manifest.json"
# its SSHSIG, written after it when the build has a publishing key (gkpublish.site.sitesign)
SIGNATURE = MANIFEST + ".sig"
VERSION = 1

# kinds of produced files
PAGE, THEME, ATTACHMENT, FORM, FEED, SEARCH, MKDOCS, EMBLEM = (
    "page", "theme", "attachment", "form", "feed", "search", "mkdocs", "emblem")


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def walk_site(site_dir: str) -> tuple[list[str], list[str]]:
    """(regular files, symlinks and other non-regular entries), site-relative, POSIX.
    Symlinked folders are not entered. (os.scandir: the entry types come with the listing,
    no stat per file.)"""
    files: list[str] = []
    odd: list[str] = []
    stack = [("", site_dir)]
    while stack:
        rel, path = stack.pop()
        with os.scandir(path) as it:
            for entry in it:
                name = rel + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((name + "/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files.append(name)
                else:  # a symlink (to a file or a folder), a FIFO, a socket, a device
                    odd.append(name)
    return sorted(files), sorted(odd)


def write_manifest(site_dir: str, produced: dict[str, str],
                   digests: dict[str, str] | None = None, items: int | None = None) -> dict[str, dict[str, str]]:
    """Record ``produced`` (site path → kind). Every regular file in ``site_dir`` must be in
    it: anything else was not made by this build, and the build stops (ValueError).
    ``digests``: SHA-256 already taken of the bytes verify-site checked (the others are
    read from disk). ``items``: the number of public items (gkpublish.site.publish)."""
    digests = digests or {}
    files, odd = walk_site(site_dir)
    extra = [f for f in files if f not in produced and f != MANIFEST] + odd
    if extra:
        raise ValueError("构建目录中有不是本次构建生成的文件：" + "、".join(extra[:10])
                         + (f" 等 {len(extra)} 个" if len(extra) > 10 else ""))
    entries = {path: {"kind": kind, "size": os.path.getsize(os.path.join(site_dir, path)),
                      "sha256": digests.get(path) or sha256_file(os.path.join(site_dir, path))}
               for path, kind in sorted(produced.items()) if os.path.isfile(os.path.join(site_dir, path))}
    doc: dict = {"version": VERSION, "generator": "gkpublish", "files": entries}
    if items is not None:  # how many items the site publishes: the next build may not drop most at once
        doc["items"] = items
    with open(os.path.join(site_dir, MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=0, sort_keys=True)
    return entries


def read_manifest(site_dir: str) -> dict[str, dict[str, str]] | None:
    path = os.path.join(site_dir, MANIFEST)
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return None
    files = doc.get("files") if isinstance(doc, dict) else None
    return files if isinstance(files, dict) else None
