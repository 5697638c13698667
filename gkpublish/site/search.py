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
import threading

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


# In the bundles after the first, only what a merged index loads is kept (the UI is the first's).
SHARD_KEEP = ("fragment", "index", "filter", "pagefind-entry.json", "pagefind.js", "pagefind-worker.js")


def _run(site_dir: str, bundle: str, glob: str | None) -> list[str]:
    out = os.path.join(site_dir, *bundle.split("/"))
    if os.path.lexists(out):
        shutil.rmtree(out)
    cmd = [pagefind_executable(), "--site", site_dir, "--output-subdir", bundle, "--silent"]
    if glob:
        cmd += ["--glob", glob]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise SearchIndexError(f"Pagefind 生成搜索索引（{bundle}）失败：" + " / ".join(detail))
    for name in os.listdir(out):
        path = os.path.join(out, name)
        if os.path.isfile(path) and (name in UNUSED or (bundle != BUNDLE_DIR and not name.startswith(SHARD_KEEP)
                                                       and not name.endswith((".pf_meta", ".pagefind")))):
            os.remove(path)
    return []


class Indexer:
    """Runs Pagefind over the bundles of a site (gkpublish.site.pages.SearchShard), one at a
    time in a background thread, each as soon as its pages are written: the search index is
    built while MkDocs renders the rest of the site, with one bundle's memory at a time."""

    def __init__(self, site_dir: str, shards: list) -> None:
        self.site_dir = site_dir
        self.shards = shards
        self._ready = [threading.Event() for _ in shards]
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="pagefind", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        for event, shard in zip(self._ready, self.shards, strict=True):
            event.wait()
            if self._error is None:
                try:
                    _run(self.site_dir, shard.bundle, shard.glob)
                except BaseException as exc:  # reported by finish()
                    self._error = exc

    def submit(self, n: int) -> None:
        """Bundle ``n``'s pages are all written."""
        self._ready[n].set()

    def finish(self) -> list[str]:
        """Index what is left, wait; the files written, site-relative."""
        for event in self._ready:
            event.set()
        self._thread.join()
        if self._error is not None:
            if isinstance(self._error, SearchIndexError):
                raise self._error
            raise SearchIndexError(f"Pagefind 生成搜索索引失败：{self._error}")
        out = os.path.join(self.site_dir, BUNDLE_DIR)
        written = []
        for dirpath, _dirs, files in os.walk(out):
            for name in files:
                written.append(os.path.relpath(os.path.join(dirpath, name), self.site_dir).replace(os.sep, "/"))
        return sorted(written)


def index_site(site_dir: str, shards: list | None = None) -> list[str]:
    """Index the whole site (one bundle unless ``shards`` say otherwise) and wait."""
    from gkpublish.site.pages import SearchShard

    return Indexer(site_dir, shards or [SearchShard(BUNDLE_DIR, None)]).finish()
