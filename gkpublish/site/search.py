"""Static Chinese search with Pagefind, indexed while MkDocs writes the pages.

Why Pagefind and not Material's built-in search: Material's search ships the whole index
to every visitor (measured: 86 MB of JSON for 10,000 items). Pagefind splits its index
into chunks and fragments, so a query loads only the chunks for its words and the
fragments of the results it shows (see docs/benchmarks.md). The extended binary (PyPI
``pagefind[extended]``) segments Chinese words, which the plain one cannot.

How it is fed: Pagefind's service mode (``pagefind --service``, the protocol behind its
Node and Python APIs: base64 JSON messages ended by ``,`` on stdin/stdout). MkDocs
renders every page's content first and writes the pages after; the plugin hands
:meth:`Indexer.add` each item page's content as it is rendered, and a background thread
streams it to Pagefind, so the index is built on the second core while MkDocs' single
thread renders and writes the site, instead of after it. What is sent is the content the
theme places inside the page's ``data-pagefind-body`` element (:func:`search_document`),
not the navigation and footer around it, which Pagefind would parse only to ignore.
Pagefind's own Python client is not used: it waits 0.1 s per response (10,000 pages:
17 minutes).

Pagefind holds a bundle's whole index in memory (≈200 KB per Chinese item page), so a
large site is indexed in bundles (:class:`gkpublish.site.pages.SearchShard`), one
``pagefind --service`` process after another, and the search page merges them.

Only item pages are indexed: header, navigation, footer, lists and the 目录 are not search
content. The search page's UI is the site's own (``assets/gkpublish/gkpublish.js``) over
Pagefind's JS API; Pagefind's UI files are not shipped.
"""

from __future__ import annotations

import base64
import html
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable

BUNDLE_DIR = "pagefind"
# Pagefind's ready-made UIs: the site has its own (assets/gkpublish/gkpublish.js).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")


class SearchIndexError(Exception):
    pass


def pagefind_executable() -> str:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:  # pragma: no cover - a broken install
        raise SearchIndexError("找不到 Pagefind 扩展版（PyPI 包 pagefind[extended]，含中文分词）；"
                               "请运行 make setup 或 pip install 'pagefind[extended]'") from None
    return str(get_executable())


def search_document(content: str, language: str) -> str:
    """The document Pagefind indexes for an item page: the page's content (what the theme
    places inside its ``data-pagefind-body`` element) in the page's language. The navigation,
    header and footer around it are not sent: Pagefind would parse them only to ignore them."""
    return (f'<html lang="{html.escape(language)}"><body><div data-pagefind-body>'
            f"{content}</div></body></html>")


class PagefindService:
    """One ``pagefind --service`` process: a synchronous client of its message protocol.

    Requests are written without waiting (the pipe applies back-pressure); a reader thread
    collects the responses by message id. Pagefind's stderr goes to a temporary file, read
    only to explain a failure."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen([pagefind_executable(), "--service"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=self._stderr)
        except OSError as exc:
            self._stderr.close()
            raise SearchIndexError(f"无法启动 Pagefind：{exc}") from None
        self._next_id = 0
        self._responses: dict[int, dict] = {}
        self._done = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="pagefind-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        pending = b""
        while chunk := self._proc.stdout.read1(1 << 16):
            pending += chunk
            *messages, pending = pending.split(b",")
            for raw in messages:
                try:
                    message = json.loads(base64.b64decode(raw))
                    key, payload = message.get("message_id"), message["payload"]
                except (ValueError, KeyError, TypeError):
                    continue  # not a message of the protocol
                with self._done:
                    self._responses[key] = payload
                    self._done.notify_all()
        with self._done:
            self._closed = True
            self._done.notify_all()

    def send(self, payload: dict) -> int:
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b",")
        except (BrokenPipeError, OSError):
            raise self._failure("Pagefind 意外退出") from None
        return self._next_id

    def wait(self, message_id: int) -> dict:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._failure("Pagefind 意外退出") from None
        with self._done:
            self._done.wait_for(lambda: message_id in self._responses or self._closed)
            payload = self._responses.pop(message_id, None)
        if payload is None:
            raise self._failure("Pagefind 意外退出")
        if payload.get("type") == "Error":
            raise SearchIndexError(f"Pagefind 报告错误：{payload.get('message')}")
        return payload

    def request(self, payload: dict) -> dict:
        return self.wait(self.send(payload))

    def close(self) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            try:
                self._proc.stdin.close()
            except OSError:
                pass
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=5)
        self._stderr.close()

    def _failure(self, what: str) -> SearchIndexError:
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._stderr.seek(0)
        detail = self._stderr.read().decode("utf-8", "replace").strip().splitlines()[-5:]
        return SearchIndexError(what + ("：" + " / ".join(detail) if detail else ""))


class Indexer:
    """The search index of one build: bundle after bundle, each in its own Pagefind process,
    fed by a background thread while MkDocs renders.

    :meth:`add` queues a page for bundle ``n`` (pages arrive bundle by bundle; a page of the
    next bundle, or :meth:`end`, closes a bundle: it is written and its process ends, which
    frees its memory before the next starts). :meth:`finish` waits for the last bundle."""

    def __init__(self, site_dir: str, shards: list, language: str = "zh",
                 on_written: Callable[[list[str]], None] | None = None) -> None:
        self.site_dir = site_dir
        self.shards = shards
        self.language = language
        self.on_written = on_written  # told the files of each bundle once they are on disk
        self.written: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="pagefind", daemon=True)
        self._thread.start()

    # -- called by the plugin (MkDocs' thread) ---------------------------------------------
    def add(self, n: int, url: str, content: str) -> None:
        """The content (HTML) of the item page at ``url`` (site-absolute, e.g.
        ``/zcwj/2022-37/``), of bundle ``n``."""
        self._queue.put((n, url, search_document(content, self.language)))

    def end(self, n: int) -> None:
        """Bundle ``n`` has all its pages."""
        self._queue.put((n, None, None))

    def finish(self) -> list[str]:
        """Write what is left, wait; the files written, site-relative."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            if isinstance(self._error, SearchIndexError):
                raise self._error
            raise SearchIndexError(f"Pagefind 生成搜索索引失败：{self._error}")
        return sorted(self.written)

    # -- the background thread -------------------------------------------------------------
    def _work(self) -> None:
        current: _Bundle | None = None
        done: set[int] = set()
        while (job := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the error is reported by finish()
            n, url, document = job
            try:
                if current is not None and current.n != n:
                    self._close(current)
                    done.add(current.n)
                    current = None
                if url is None:  # end of bundle n
                    if n not in done:
                        self._close(current or self._open(n))
                        done.add(n)
                    current = None
                    continue
                if n in done:
                    raise SearchIndexError(f"搜索索引包 {self.shards[n].bundle} 已写出后又收到页面 {url}")
                current = current or self._open(n)
                current.add(url, document)
            except BaseException as exc:  # reported by finish()
                self._error = exc
                if current is not None:
                    current.service.close()
                current = None
        try:
            if self._error is None:
                if current is not None:
                    self._close(current)
                    done.add(current.n)
                for n in range(len(self.shards)):  # a bundle that got no page still gets an index
                    if n not in done:
                        self._close(self._open(n))
        except BaseException as exc:
            self._error = exc

    def _open(self, n: int) -> _Bundle:
        return _Bundle(n, PagefindService())

    def _close(self, bundle: _Bundle) -> None:
        service = bundle.service
        try:
            for message_id in bundle.pending:
                response = service.wait(message_id)
                if response.get("type") != "IndexedFile":
                    raise SearchIndexError(f"Pagefind 未能索引页面：{response}")
            out = os.path.join(self.site_dir, *self.shards[bundle.n].bundle.split("/"))
            if os.path.lexists(out):
                shutil.rmtree(out)
            service.request({"type": "WriteFiles", "index_id": bundle.index_id(), "output_path": out})
        finally:
            service.close()
        kept = _keep(self.site_dir, out)
        self.written.extend(kept)
        if self.on_written is not None:
            self.on_written(kept)


class _Bundle:
    """A bundle being indexed: its Pagefind process and the pages not yet confirmed."""

    def __init__(self, n: int, service: PagefindService) -> None:
        self.n = n
        self.service = service
        self.pending: list[int] = []
        self._index_id: int | None = None

    def index_id(self) -> int:
        if self._index_id is None:
            self._index_id = int(self.service.request({"type": "NewIndex", "config": None})["index_id"])
        return self._index_id

    def add(self, url: str, document: str) -> None:
        self.pending.append(self.service.send({"type": "AddFile", "index_id": self.index_id(), "file_path": None,
                                               "url": url, "file_contents": document}))


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
