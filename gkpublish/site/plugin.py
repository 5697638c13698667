"""The ``gkpublish`` MkDocs plugin: the public view in, generated pages out.

Thin on purpose (style.md: the renderer must be replaceable without touching a rule):

* ``on_config``: load the repository once, run the gate, refuse on errors (``mkdocs
  build`` refuses exactly like ``gkpublish build``), ask for the public view and turn it
  into pages (:mod:`gkpublish.site.pages`); add the package's theme overrides.
* ``on_files``: replace MkDocs' files entirely. Nothing from ``docs_dir`` or ``content/``
  is copied unless the public view produced it; only the theme's static files are kept.
* ``on_page_markdown`` / ``on_page_content``: give each page its metadata and its
  pre-rendered HTML around the Markdown body.
* ``on_post_build``: the Pagefind search index, the manifest of produced files, and
  ``verify-site`` on the output (a failing site is removed).

No compliance decision is taken here: the gate and the public view decide.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import shutil
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from gkpublish.model import ERROR, Finding, Repository
from gkpublish.public import PublicView

log = logging.getLogger("mkdocs.plugins.gkpublish")

THEME_DIR = os.path.join(os.path.dirname(__file__), "theme")
# Material's own search (lunr) is not used: Pagefind replaces it. Source maps are not needed.
UNUSED_THEME_FILES = ("assets/javascripts/lunr/", "assets/javascripts/workers/")


def _early_indexing() -> bool:
    """Index each search bundle while MkDocs renders the rest (GKPUBLISH_EARLY_INDEX=1/0 overrides)."""
    forced = os.environ.get("GKPUBLISH_EARLY_INDEX")
    return forced == "1" if forced in ("0", "1") else (os.cpu_count() or 1) >= 2


class GkPublishConfig(Config):
    repo = c.Optional(c.Type(str))  # the site repository (default: the folder of mkdocs.yml)
    as_of = c.Optional(c.Type(str))  # check date YYYY-MM-DD (default: today)
    search = c.Type(bool, default=True)  # build the Pagefind index


def gate_message(findings: list[Finding], items: int, preview: bool = False) -> str:
    from gkpublish.output import as_text

    head = "门禁未通过（预览中略去有错误的条目）：" if preview else "门禁未通过，不生成站点："
    return head + "\n" + as_text(findings, items)


class GkPublishPlugin(BasePlugin[GkPublishConfig]):
    def __init__(self) -> None:
        self.command = "build"
        self.verify_after_build = True  # gkpublish build verifies (and reports) itself …
        self.defer_search = False  # … and finishes the search index while it scans the pages
        self.indexer = None
        self._shard_of: dict[str, int] = {}
        self._left: list[int] = []
        self.produced: dict[str, str] = {}
        self._preloaded: tuple[Repository, list[Finding]] | None = None
        self.repo: Repository | None = None
        self.view: PublicView | None = None
        self.bundle: Any = None
        self.files: Files | None = None
        self.gate_errors = 0

    def preload(self, repo: Repository, findings: list[Finding]) -> None:
        """Use an already loaded and checked repository (one read per command)."""
        self._preloaded = (repo, findings)

    # -- events ---------------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        # MkDocs keeps one instance of a plugin with on_startup for the whole process (and
        # across mkdocs serve rebuilds): start every command from the defaults.
        self.command = command
        self.verify_after_build = True
        self.defer_search = False
        self._preloaded = None
        self.indexer = None

    def on_shutdown(self) -> None:
        if self.indexer is not None:  # a failed build: let the running Pagefind end
            try:
                self.finish_search()
            except Exception:  # noqa: BLE001 - the build already failed; its error is reported
                pass

    def on_config(self, config):  # type: ignore[override]
        from gkpublish.errors import GkError
        from gkpublish.public import public_view
        from gkpublish.site.pages import SiteError, build_site

        root = self.config.repo or os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml"))
        try:
            if self._preloaded is not None:
                repo, findings = self._preloaded
                self._preloaded = None
            else:
                repo, findings = self._check(root)
        except GkError as exc:
            raise PluginError(str(exc)) from None
        errors = [f for f in findings if f.severity == ERROR]
        self.gate_errors = len(errors)
        if errors and self.command != "serve":
            raise PluginError(gate_message(findings, len(repo.items)))
        if errors:  # preview only (mkdocs serve): public_view leaves the failing items out
            log.warning(gate_message(findings, len(repo.items), preview=True))
        self.repo = repo
        self.view = view = public_view(repo, findings)
        try:
            self.bundle = build_site(view, repo.attachments, repo.as_of)
        except SiteError as exc:
            raise PluginError(str(exc)) from None

        config.site_name = str(view.site.get("title") or config.site_name)
        if not config.site_url and view.site.get("url"):
            config.site_url = str(view.site["url"]).rstrip("/") + "/"
        dirs = config.theme.dirs
        if THEME_DIR not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, THEME_DIR)
        config.extra["gk_site"] = dict(view.site)
        config.extra["gk_gate_errors"] = self.gate_errors
        if not config.nav:
            config.nav = self.bundle.nav
        return config

    def _check(self, root: str) -> tuple[Repository, list[Finding]]:
        from gkpublish.loader import load_repository
        from gkpublish.rules import run_rules

        as_of = dt.date.fromisoformat(self.config.as_of) if self.config.as_of else None
        repo = load_repository(root, as_of=as_of)
        findings = run_rules(repo)
        for f in findings:
            if f.severity != ERROR:
                log.info(f"{f.path}:{f.line or ''}: {f.rule} {f.message}")
        return repo, findings

    def on_files(self, files: Files, *, config) -> Files:  # type: ignore[override]
        theme_dirs = set(config.theme.dirs)
        out = Files([f for f in files if f.src_dir in theme_dirs
                     and not f.src_uri.startswith(UNUSED_THEME_FILES) and not f.src_uri.endswith(".map")])
        in_nav = set(_nav_targets(config.nav))
        # item pages bundle by bundle (MkDocs writes pages in this order), so that each search
        # bundle can be indexed as soon as its pages are written
        self._shard_of = {uri: n for n, shard in enumerate(self.bundle.shards) for uri in shard.pages}
        self._left = [len(shard.pages) for shard in self.bundle.shards]
        pages = sorted(self.bundle.pages, key=lambda p: self._shard_of.get(p.src_uri, len(self._left)))
        for page in pages:
            inclusion = InclusionLevel.INCLUDED if page.src_uri in in_nav else InclusionLevel.NOT_IN_NAV
            out.append(File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion))
        for f in self.bundle.files:
            if f.source is not None:
                out.append(File.generated(config, f.src_uri, abs_src_path=f.source))
            else:
                out.append(File.generated(config, f.src_uri, content=f.content))
        self._pages = self.bundle.by_uri()
        self._kinds = {f.src_uri: f.kind for f in self.bundle.files}
        self.files = out
        return out

    def on_env(self, env, *, config, files):  # type: ignore[override]
        env.globals["gk_nav"] = _RenderCache()  # see theme/main.html, block site_nav
        return env

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:  # type: ignore[override]
        gen = self._pages.get(page.file.src_uri)
        if gen is not None:
            page.meta["gk_kind"] = gen.kind
            page.meta["title"] = html.escape(gen.title)
            if gen.hide:
                page.meta["hide"] = list(gen.hide)
        return markdown

    def on_page_content(self, html_text: str, *, page, config, files) -> str:  # type: ignore[override]
        gen = self._pages.get(page.file.src_uri)
        if gen is None:
            return html_text
        return gen.before + html_text + gen.after

    def on_pre_build(self, *, config) -> None:  # type: ignore[override]
        from gkpublish.site.search import Indexer

        self.indexer = Indexer(config.site_dir, self.bundle.shards) if self.config.search else None
        self._early = _early_indexing()
        self._complete: int | None = None  # a bundle whose last page MkDocs is about to write

    def on_post_page(self, output: str, *, page, config) -> str:  # type: ignore[override]
        # A bundle is indexed as soon as its pages are written, while MkDocs renders the
        # rest (10,000 items on 2 cores: 57 s against 72–84 s indexing after the pages).
        # MkDocs writes a page *after* on_post_page returns, so a bundle whose last page
        # is this one is submitted at the next page (or by finish_search), never before its
        # last file exists: Pagefind would race the write and miss that page.
        if self._complete is not None and self.indexer is not None:
            self.indexer.submit(self._complete)
            self._complete = None
        n = self._shard_of.get(page.file.src_uri)
        if n is not None and self.indexer is not None and self._early:
            self._left[n] -= 1
            if self._left[n] == 0:
                self._complete = n
        return output

    def finish_search(self) -> list[str]:
        """Wait for the search index; the files it wrote."""
        indexer, self.indexer = self.indexer, None
        return indexer.finish() if indexer is not None else []

    def on_post_build(self, *, config) -> None:  # type: ignore[override]
        from gkpublish.site import manifest as mf
        from gkpublish.site.search import SearchIndexError

        site_dir = config.site_dir
        produced: dict[str, str] = {}
        for f in self.files or ():
            if f.is_documentation_page():
                kind = mf.PAGE
            elif f.generated_by:
                kind = self._kinds.get(f.src_uri, mf.ATTACHMENT)
            else:
                kind = mf.THEME
            produced[f.dest_uri] = kind
        for name in sorted(config.theme.static_templates):
            for out in (name, name + ".gz"):
                if os.path.isfile(os.path.join(site_dir, out)):
                    produced[out] = mf.MKDOCS
        self.produced = produced
        if self.defer_search:
            return  # gkpublish build finishes the index while it scans the pages (site/build.py)
        try:
            for path in self.finish_search():
                produced[path] = mf.SEARCH
            mf.write_manifest(site_dir, produced)
        except (SearchIndexError, ValueError) as exc:
            raise PluginError(str(exc)) from None
        if self.verify_after_build:
            from gkpublish.site.verify import verify_site

            leaks = verify_site(site_dir, self.repo, self.view)
            if leaks:
                _clear(site_dir)
                raise PluginError("verify-site 发现不应公开的内容，已删除构建结果：\n"
                                  + "\n".join(f"  {leak}" for leak in leaks))

    def on_serve(self, server, *, config, builder):  # type: ignore[override]
        root = self.config.repo or os.path.dirname(os.path.abspath(config.config_file_path))
        for top in ("content", "site_config", "schema", "approvals"):
            path = os.path.join(root, top)
            if os.path.isdir(path):
                server.watch(path)
        return server


class _RenderCache:
    """Rendered template fragments by key, for one build."""

    def __init__(self) -> None:
        self._done: dict[Any, str] = {}

    def has(self, key: Any) -> bool:
        return key in self._done

    def get(self, key: Any) -> str:
        return self._done[key]

    def put(self, key: Any, rendered: str) -> str:
        self._done[key] = rendered
        return rendered


def _nav_targets(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [t for v in nav.values() for t in _nav_targets(v)]
    if isinstance(nav, list):
        return [t for v in nav for t in _nav_targets(v)]
    return []


def _clear(site_dir: str) -> None:
    for name in os.listdir(site_dir):
        path = os.path.join(site_dir, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
