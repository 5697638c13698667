"""The site's static Chinese search: the index of :mod:`gkpublish.site.gkindex`, built
while MkDocs renders the pages, by a worker process on the second core.

Why not Material's built-in search: it ships the whole index to every visitor (86 MB of
JSON for 10,000 items). Why not Pagefind (used until issue #13): it segments Chinese with
one segmenter when indexing and another when querying (recall 53 %); fed with bigram words
it was exact but downloaded 190–360 KB per query at 2,000 items and needed ≈1 GB per
5,000-page bundle (docs/benchmarks.md, 方案比较与选择). The own index is exact by
construction, downloads 17–113 KB per query at 10,000 items (a word of up to four
characters is one page list) and its worker stays small.

How it is fed. MkDocs renders every page's content first and writes the pages after, on
one core. As each item page's content is rendered, :meth:`Indexer.add` writes it as a
small file in a private work folder and tells the worker its number on a pipe (a few
microseconds of MkDocs' thread: no thread of ours runs beside it, so no GIL hand-offs);
the worker (``python -m gkpublish.site.gkindex``) reads the file, takes its indexed text
(:func:`page_text`) and adds it to the index, page after page, newest first. At the end
it writes the index under ``search/index/``.

Only item pages are indexed: header, navigation, footer, lists and the 目录 are not search
content. The search page's UI is the site's own (``assets/gkpublish/gkpublish.js``).
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable

INDEX_DIR = "search/index"
WORKER = ["-m", "gkpublish.site.gkindex"]  # the worker's Python arguments (a test replaces them)


class SearchIndexError(Exception):
    pass


_BODY = re.compile(r"data-pagefind-body[^>]*>")
_IGNORED = re.compile(r"<(\w+)\b[^>]*\bdata-pagefind-ignore\b[^>]*>.*?</\1\s*>", re.S)
_BLOCK = re.compile(r"</?(?:p|div|li|ol|ul|td|th|tr|table|h[1-6]|br|section|blockquote|pre|caption|dd|dt)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def page_text(document: str) -> str:
    """The indexed text of an item page (or of its content): what is inside the
    ``data-pagefind-body`` element, without the ``data-pagefind-ignore`` elements, block
    elements apart (a word never runs from one paragraph or cell into the next). (The
    attribute names are Pagefind's, kept so that office templates need no change.)
    The search's ground truth (bench/search_quality.py) and what its index is made of."""
    m = _BODY.search(document)
    if m:
        end = document.find("</article>", m.end())
        document = document[m.end():end if end >= 0 else len(document)]
    text = _TAG.sub("", _BLOCK.sub("\n", _IGNORED.sub("\n", document)))
    return _SPACES.sub(" ", html.unescape(text)).strip()


class Indexer:
    """The search index of one build.

    ``entries`` are the item pages in id order (newest first): (src_uri, gkindex.Entry).
    :meth:`add` hands the worker an item page's content; :meth:`finish` waits for the index,
    tells ``on_written`` its files (site-relative) and returns them; :meth:`cancel` ends
    the worker (a failed build)."""

    def __init__(self, site_dir: str, entries: list, on_written: Callable[[list[str]], None] | None = None) -> None:
        self.site_dir = site_dir
        self.on_written = on_written
        self._ids = {uri: n for n, (uri, _e) in enumerate(entries)}
        self._proc: subprocess.Popen | None = None
        self._error: str | None = None
        from gkpublish.site.publish import clean_stale

        clean_stale(tempfile.gettempdir())  # work folders of killed builds
        self._work = tempfile.mkdtemp(prefix=f"gkpublish-search-{os.getpid()}-")
        if not entries:
            return  # nothing to index: no index; the search page says so
        with open(os.path.join(self._work, "entries.json"), "w", encoding="utf-8") as fh:
            json.dump([[uri, dataclasses.asdict(e)] for uri, e in entries], fh, ensure_ascii=False)
        out = os.path.join(site_dir, *INDEX_DIR.split("/"))
        if os.path.lexists(out):
            shutil.rmtree(out)
        cmd = [sys.executable, *WORKER, str(os.getpid()), self._work, out]
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise SearchIndexError(f"无法启动生成搜索索引的进程：{exc}") from None

    def add(self, uri: str, content: str) -> None:
        """The content (HTML) of the item page ``uri`` (its src_uri)."""
        n = self._ids.get(uri)
        if n is None or self._proc is None or self._error:
            return
        with open(os.path.join(self._work, f"{n}.html"), "w", encoding="utf-8") as fh:
            fh.write(content)
        try:
            os.write(self._proc.stdin.fileno(), b"%d\n" % n)
        except OSError as exc:  # the worker has died: finish() reports why
            self._error = str(exc)

    def finish(self) -> list[str]:
        """Wait for the index; the files written, site-relative."""
        proc, self._proc = self._proc, None
        if proc is None:
            shutil.rmtree(self._work, ignore_errors=True)
            return []
        try:
            out, err = proc.communicate(b"end\n")
        except OSError:
            out, err = proc.communicate()
        shutil.rmtree(self._work, ignore_errors=True)
        if proc.returncode != 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise SearchIndexError(f"生成搜索索引失败（退出码 {proc.returncode}）：" + " / ".join(detail)
                                   + "；请重新构建，仍失败请报告此信息")
        try:
            files = [f"{INDEX_DIR}/{f}" for f in json.loads(out.decode("utf-8"))]
        except ValueError:
            raise SearchIndexError("生成搜索索引的进程没有报告写出的文件；请重新构建") from None
        if self.on_written is not None:
            self.on_written(files)
        return sorted(files)

    def cancel(self) -> None:
        """A failed build: end the worker, clean up."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.communicate()
        shutil.rmtree(self._work, ignore_errors=True)
