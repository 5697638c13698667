"""Static Chinese search with Pagefind, run over the built site.

Why Pagefind and not Material's built-in search: Material's search ships the whole index
to every visitor (measured: 86 MB of JSON for 10,000 items). Pagefind splits its index
into chunks and fragments, so a query loads only the chunks for its words and the
fragments of the results it shows (well under 500 KB on 10,000 items; see
docs/benchmarks.md). The extended binary (PyPI ``pagefind[extended]``) segments Chinese
words, which the plain one cannot.

Only item pages are indexed: their content is wrapped in ``data-pagefind-body`` by the
theme (``theme/main.html``), so header, navigation, footer, lists and the 目录 are not
search content. Pagefind writes its own UI (``pagefind-ui.js``/``.css``) into the site;
the search page (``search/``) uses it with Chinese labels (``assets/gkpublish/gkpublish.js``).
"""

from __future__ import annotations

import os
import shutil
import subprocess

BUNDLE_DIR = "pagefind"
# UI variants Pagefind also writes that the site does not use.
UNUSED = ("pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-highlight.js")


class SearchIndexError(Exception):
    pass


def pagefind_executable() -> str:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:  # pragma: no cover - a broken install
        raise SearchIndexError("找不到 Pagefind 扩展版（PyPI 包 pagefind[extended]，含中文分词）；"
                               "请运行 make setup 或 pip install 'pagefind[extended]'") from None
    return str(get_executable())


def start_index(site_dir: str) -> subprocess.Popen:
    """Start Pagefind over the HTML under ``site_dir`` (into ``site_dir/pagefind/``); it runs
    while the caller does other work (gkpublish build scans the pages meanwhile)."""
    out = os.path.join(site_dir, BUNDLE_DIR)
    if os.path.lexists(out):
        shutil.rmtree(out)
    cmd = [pagefind_executable(), "--site", site_dir, "--output-subdir", BUNDLE_DIR, "--silent"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace")


def finish_index(proc: subprocess.Popen, site_dir: str) -> list[str]:
    """Wait for Pagefind; the files it wrote, relative to ``site_dir`` (POSIX separators)."""
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()[-5:]
        raise SearchIndexError("Pagefind 生成搜索索引失败：" + " / ".join(detail))
    out = os.path.join(site_dir, BUNDLE_DIR)
    for name in UNUSED:
        path = os.path.join(out, name)
        if os.path.isfile(path):
            os.remove(path)
    written = []
    for dirpath, _dirs, files in os.walk(out):
        for name in files:
            written.append(os.path.relpath(os.path.join(dirpath, name), site_dir).replace(os.sep, "/"))
    return sorted(written)


def index_site(site_dir: str) -> list[str]:
    """Index the site and wait for it."""
    return finish_index(start_index(site_dir), site_dir)
