"""Static Chinese search with Pagefind, indexed while MkDocs builds the pages.

Why Pagefind and not Material's built-in search: Material's search ships the whole index
to every visitor (measured: 86 MB of JSON for 10,000 items). Pagefind splits its index
into chunks and fragments, so a query loads only the chunks for its words and the
fragments of the results it shows (see docs/benchmarks.md). The extended binary (PyPI
``pagefind[extended]``) segments Chinese words, which the plain one cannot.

How it is fed. MkDocs renders every page's content first and writes the pages after, on
one core. As each item page's content is rendered, :meth:`Indexer.add` writes it, in the
page's language and inside a ``data-pagefind-body`` element (:func:`search_document`), as
a small HTML file at the page's URL in a private work folder: the navigation, header and
footer around it are left out (Pagefind would parse them only to ignore them). As soon as
a bundle's pages are all there, the Pagefind CLI indexes that folder on the second core
while MkDocs goes on. Writing a small file costs MkDocs' thread tens of microseconds;
measured alternatives cost more: a Python thread streaming pages to ``pagefind --service``
slowed MkDocs by 5 s on 10,000 pages (the thread hand-offs of the GIL), and Pagefind's own
Python client waits 0.1 s per page (17 minutes).

Pagefind holds a bundle's whole index in memory (≈200 KB per Chinese item page), so a
large site is indexed in bundles (:class:`gkpublish.site.pages.SearchShard`), one Pagefind
process after another, and the search page merges them.

Only item pages are indexed: header, navigation, footer, lists and the 目录 are not search
content. The search page's UI is the site's own (``assets/gkpublish/gkpublish.js``) over
Pagefind's JS API; Pagefind's UI files are not shipped.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Callable

BUNDLE_DIR = "pagefind"
# Pagefind's ready-made UIs: the site has its own (assets/gkpublish/gkpublish.js).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")


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
    elements apart (a word never runs from one paragraph or cell into the next).
    The search's ground truth (bench/search_quality.py) and what its index is made of."""
    m = _BODY.search(document)
    if m:
        end = document.find("</article>", m.end())
        document = document[m.end():end if end >= 0 else len(document)]
    text = _TAG.sub("", _BLOCK.sub("\n", _IGNORED.sub("\n", document)))
    return _SPACES.sub(" ", html.unescape(text)).strip()


def pagefind_executable() -> str:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:  # pragma: no cover - a broken install
        raise SearchIndexError("找不到 Pagefind 扩展版（PyPI 包 pagefind[extended]，含中文分词）；"
                               "请运行 make setup 或 pip install 'pagefind[extended]'") from None
    return str(get_executable())


# Chinese has no spaces, and Pagefind segments it with one segmenter when indexing and the
# browser's Intl.Segmenter when querying; the two disagree (recall 53 % on 13 common terms,
# docs/benchmarks.md). So the search does not rely on word segmentation at all: every pair
# of adjacent Han characters (a bigram) is given to Pagefind as one ASCII word of ten
# lower-case letters, in text order, with a SEPARATOR between runs of Han characters. The
# search page splits each run of Han characters in the query into the same words and asks
# Pagefind for them as an exact phrase (consecutive positions), which holds exactly where the
# run is a substring of one run of the page: recall by construction, precision too. What is
# still left (a query word's punctuation) is dropped by the page's own substring check on the
# result's text (gkpublish.js ``confirm``).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# never a bigram word: the fifth letter of a code point's is at most "c" (0x10FFFF < 3·26⁴)
SEPARATOR = "z" * 10
TITLE_MARK = "y"  # a title's bigram words: "y" + ten letters
_TITLE = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_PUBLISHED = re.compile(r'data-pagefind-meta="发布日期">(\d{4}-\d{2}-\d{2})<')


def _letters(cp: int) -> str:
    """A code point as five lower-case letters (26⁵ > 0x10FFFF): no digit, so no
    segmenter splits it."""
    out = []
    for _ in range(5):
        cp, r = divmod(cp, 26)
        out.append(_LETTERS[r])
    return "".join(out)


def bigram_runs(text: str) -> list[list[str]]:
    """For each run of Han characters of ``text`` (NFKC), its bigram words in order (a run of
    one character has none: single characters are not searched by bigram). The same as
    ``bigramRuns`` in gkpublish.js (tests/test_search_quality.py)."""
    out = []
    for run in _HAN.findall(unicodedata.normalize("NFKC", text)):
        codes = [_letters(ord(c)) for c in run]
        out.append([codes[i] + codes[i + 1] for i in range(len(codes) - 1)])
    return out


def bigram_words(text: str) -> list[str]:
    """The words the index holds for ``text``: each run's bigram words, runs apart."""
    words: list[str] = []
    for run in bigram_runs(text):
        if run:
            words.extend(run)
            words.append(SEPARATOR)
    return words


def search_document(content: str, language: str) -> str:
    """The document Pagefind indexes for an item page: the page's content (what the theme
    places inside its ``data-pagefind-body`` element) in the page's language, then, hidden,
    the bigram words of its title (each with a ``y`` in front: found apart, so that title
    matches are listed first), those of its text, and its 发布日期 as the sort key (newer
    first)."""
    title = _TITLE.search(content)
    title_words = " ".join(TITLE_MARK + w for w in bigram_words(page_text(title.group(1)))) if title else ""
    words = " ".join(bigram_words(page_text(content)))
    published = _PUBLISHED.search(content)
    sort = f' data-pagefind-sort="date:{published.group(1)}"' if published else ""
    return (f'<html lang="{html.escape(language)}"><body><div data-pagefind-body>'
            f'{content}<div hidden class="gk-bigrams"{sort}>'
            f"<p>{title_words}</p><p>{words}</p></div></div></body></html>")


class Indexer:
    """The search index of one build, bundle after bundle.

    :meth:`add` writes an item page's search document; :meth:`end` says a bundle has all
    its pages, and a background thread (which only waits: on the bundle, then on Pagefind)
    indexes it (a bundle without pages gets no index), writes it into the site, tells ``on_written`` its files, and starts the next
    bundle once that process has ended and freed its memory. :meth:`finish` waits for all."""

    def __init__(self, site_dir: str, shards: list, language: str = "zh",
                 on_written: Callable[[list[str]], None] | None = None) -> None:
        self.site_dir = site_dir
        self.shards = shards
        self.language = language
        self.on_written = on_written
        self.written: list[str] = []
        from gkpublish.site.publish import clean_stale

        clean_stale(tempfile.gettempdir())  # work folders of killed builds
        self._work = tempfile.mkdtemp(prefix=f"gkpublish-search-{os.getpid()}-")
        self._ready = [threading.Event() for _ in shards]
        self._error: BaseException | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._index_all, name="pagefind", daemon=True)
        self._thread.start()

    # -- called by the plugin (MkDocs' thread) ---------------------------------------------
    def add(self, n: int, url: str, content: str) -> None:
        """The content (HTML) of the item page at ``url`` (site-absolute, e.g.
        ``/zcwj/2022-37/``), of bundle ``n``."""
        if self._ready[n].is_set():
            self._error = self._error or SearchIndexError(
                f"搜索索引包 {self.shards[n].bundle} 已开始建立后又收到页面 {url}")
            return
        folder = os.path.join(self._work, str(n), *[p for p in url.split("/") if p])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as fh:
            fh.write(search_document(content, self.language))

    def end(self, n: int) -> None:
        """Bundle ``n`` has all its pages."""
        self._ready[n].set()

    def finish(self) -> list[str]:
        """Index what is left, wait; the files written, site-relative."""
        for event in self._ready:
            event.set()
        self._thread.join()
        shutil.rmtree(self._work, ignore_errors=True)
        if self._error is not None:
            if isinstance(self._error, SearchIndexError):
                raise self._error
            raise SearchIndexError(f"Pagefind 生成搜索索引失败：{self._error}")
        return sorted(self.written)

    def cancel(self) -> None:
        """A failed build: index nothing more, wait for a running Pagefind, clean up."""
        self._stop = True
        for event in self._ready:
            event.set()
        self._thread.join()
        shutil.rmtree(self._work, ignore_errors=True)

    # -- the background thread -------------------------------------------------------------
    def _index_all(self) -> None:
        for n, shard in enumerate(self.shards):
            self._ready[n].wait()
            if self._stop or self._error is not None:
                return
            try:
                self._index(n, shard.bundle)
            except BaseException as exc:  # reported by finish()
                self._error = exc
                return

    def _index(self, n: int, bundle: str) -> None:
        source = os.path.join(self._work, str(n))
        if not os.path.isdir(source):
            return  # no pages (a site without items): no index; the search page says so
        out = os.path.join(self.site_dir, *bundle.split("/"))
        if os.path.lexists(out):
            shutil.rmtree(out)
        cmd = _dies_with_us([pagefind_executable(), "--site", source, "--output-path", out, "--silent"])
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace")
        except OSError as exc:
            raise SearchIndexError(f"无法运行 Pagefind：{exc}") from None
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            raise SearchIndexError(f"Pagefind 生成搜索索引（{bundle}）失败（退出码 {proc.returncode}）："
                                   + " / ".join(detail))
        shutil.rmtree(source, ignore_errors=True)
        kept = _keep(self.site_dir, out)
        self.written.extend(kept)
        if self.on_written is not None:
            self.on_written(kept)


# Pagefind must end with the build, even a killed one. subprocess's preexec_fn is unsafe in a
# threaded process (this runs in the indexer's thread), so a tiny Python exec's Pagefind after
# asking Linux for SIGKILL when its parent thread ends (PR_SET_PDEATHSIG survives execve); if
# the build died before that, it does not start Pagefind at all.
_SHIM = ("import ctypes,os,sys\n"
         "ctypes.CDLL(None).prctl(1, 9)\n"
         "if os.getppid() != int(sys.argv[1]): os._exit(1)\n"
         "os.execv(sys.argv[2], sys.argv[2:])\n")


def _dies_with_us(cmd: list[str]) -> list[str]:
    if not sys.platform.startswith("linux"):
        return cmd
    return [sys.executable, "-S", "-c", _SHIM, str(os.getpid()), *cmd]


def _keep(site_dir: str, out: str) -> list[str]:
    """Remove Pagefind's UI files from a written bundle; the files kept, site-relative."""
    kept: list[str] = []
    for dirpath, _dirs, files in os.walk(out):
        for name in files:
            path = os.path.join(dirpath, name)
            if dirpath == out and name in UNUSED:
                os.remove(path)
            else:
                kept.append(os.path.relpath(path, site_dir).replace(os.sep, "/"))
    return kept
