"""The ``gkpublish`` MkDocs plugin: the public view in, generated pages out.

Thin on purpose (style.md: the renderer must be replaceable without touching a rule):

* ``on_config``: load the repository once, run the gate, refuse on errors (``mkdocs
  build`` refuses exactly like ``gkpublish build``), ask for the public view and turn it
  into pages (:mod:`gkpublish.site.pages`); add the package's theme overrides.
* ``on_files``: replace MkDocs' files entirely. Nothing from ``docs_dir`` or ``content/``
  is copied unless the public view produced it; only the theme's static files are kept.
* ``on_page_markdown`` / ``on_page_content``: give each page its metadata and its
  pre-rendered HTML around the Markdown body.
* ``on_page_content`` / ``on_post_page``: hand each item page's content to the search
  indexer (:mod:`gkpublish.site.search`) as MkDocs renders it, and every written file to
  verify-site's streaming check (:class:`gkpublish.site.verify.StreamScan`), so both run
  on the core MkDocs' single thread leaves idle instead of after it.
* ``on_post_build`` (:meth:`GkPublishPlugin.finish_build`): the rest of the search index,
  the manifest of produced files, and ``verify-site`` on the output (a failing site is
  removed).
* Site rules and the live site (:mod:`gkpublish.site.mkdocs_config`,
  :mod:`gkpublish.site.publish`): ``load_config`` refuses an unsafe mkdocs.yml while MkDocs
  validates ``plugins`` (before it imports hooks); ``on_config`` checks what MkDocs really
  loaded, refuses an output folder in the repository's own folders or a site that would
  lose most of its items, and (plain ``mkdocs build``) redirects ``site_dir`` to a fresh
  folder beside it, swapped in by ``on_post_build`` only after verify-site passed.

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

from gkpublish.errors import GkError
from gkpublish.model import ERROR, Finding, Repository
from gkpublish.public import PublicView

log = logging.getLogger("mkdocs.plugins.gkpublish")

THEME_DIR = os.path.join(os.path.dirname(__file__), "theme")
# Material's own search (lunr) is not used: gkpublish.site.gkindex replaces it. Source maps are not needed.
UNUSED_THEME_FILES = ("assets/javascripts/lunr/", "assets/javascripts/workers/")
MATERIAL_FAVICON = "assets/images/favicon.png"  # Material's default theme.favicon


class GkPublishConfig(Config):
    repo = c.Optional(c.Type(str))  # the site repository (default: the folder of mkdocs.yml)
    as_of = c.Optional(c.Type(str))  # check date YYYY-MM-DD (default: today)
    search = c.Type(bool, default=True)  # build the search index (gkpublish.site.gkindex)


# what gkpublish serve shows while the gate fails: said the same in the terminal (gate_message)
# and in the announce bar of every preview page (theme/main.html, config.extra.gk_preview_shown)
PREVIEW_SHOWN = "只缺签审的条目带“未签审（预览）”标记显示，其他有错误的条目在其地址显示错误清单"


def gate_message(findings: list[Finding], items: int, preview: bool = False) -> str:
    from gkpublish.output import as_text

    head = f"门禁未通过（预览：{PREVIEW_SHOWN}）：" if preview else "门禁未通过，不生成站点："
    return head + "\n" + as_text(findings, items)


class GkPublishPlugin(BasePlugin[GkPublishConfig]):
    def __init__(self) -> None:
        self.command = "build"
        self.defer_finish = False  # gkpublish build finishes (finish_build) and reports itself
        self.indexer = None
        self.scan = None
        self._written: str | None = None
        self.produced: dict[str, str] = {}
        self._preloaded: tuple[Repository, list[Finding]] | None = None
        self.repo: Repository | None = None
        self.view: PublicView | None = None
        self.bundle: Any = None
        self.files: Files | None = None
        self.gate_errors = 0
        # set by gkpublish build after on_startup: it builds into its own temporary folder
        # and swaps it in itself; publish_target is the folder the site will replace
        self.publish_target: str | None = None
        self.allow_shrink = False
        self.trusted_config = False  # gkpublish's own default mkdocs.yml (no repository file)
        self._tmp: str | None = None  # plain mkdocs build: the folder built into, swapped in on success
        self._swap_to: str | None = None
        self._signals: dict[int, Any] = {}
        self._preview_uris: set[str] = set()  # serve only: unsigned drafts shown with the banner
        self._findings_uris: set[str] = set()  # serve only: pages listing an item's findings
        self._env: Any = None

    def load_config(self, options: dict[str, Any], config_file_path: str | None = None):  # type: ignore[no-untyped-def]
        """MkDocs instantiates plugins (in the order listed) *before* it imports ``hooks``:
        refusing here, while MkDocs validates ``plugins``, stops a plain ``mkdocs build`` or
        ``mkdocs serve`` before any hook module, and any plugin listed after gkpublish, is
        imported (gkpublish build/serve have checked the file before MkDocs read it)."""
        from mkdocs.config.base import ValidationError

        result = super().load_config(options, config_file_path)
        if config_file_path and not result[0]:
            problem = _site_rules_problem(str(options.get("repo") or os.path.dirname(os.path.abspath(config_file_path))),
                                          config_file_path)
            if problem:
                raise ValidationError(problem)
        return result

    def preload(self, repo: Repository, findings: list[Finding]) -> None:
        """Use an already loaded and checked repository (one read per command)."""
        self._preloaded = (repo, findings)

    # -- events ---------------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        # MkDocs keeps one instance of a plugin with on_startup for the whole process (and
        # across mkdocs serve rebuilds): start every command from the defaults.
        self.command = command
        self.defer_finish = False
        self._preloaded = None
        self.indexer = None
        self.scan = None
        self.publish_target = None
        self.allow_shrink = False
        self.trusted_config = False
        self._tmp = self._swap_to = None

    def on_shutdown(self) -> None:
        # a failed build: stop the checks and the search indexer
        scan, self.scan = self.scan, None
        if scan is not None:
            scan.cancel()
        indexer, self.indexer = self.indexer, None
        if indexer is not None:
            indexer.cancel()
        self._drop_tmp()
        self._restore_signals()

    def on_build_error(self, *, error: Exception) -> None:
        self._drop_tmp()  # the old site stays as it was

    def _drop_tmp(self) -> None:
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    def _catch_signals(self) -> None:
        """SIGTERM (a cancelled CI job) and SIGHUP (a closed terminal) end plain mkdocs build
        through its ``finally``: the temporary folder is removed, the old site stays."""
        import signal
        import sys
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                self._signals[sig] = signal.signal(sig, lambda n, _f: sys.exit(128 + n))
            except (ValueError, OSError):  # pragma: no cover - not the main interpreter
                pass

    def _restore_signals(self) -> None:
        import signal

        for sig, handler in self._signals.items():
            try:
                signal.signal(sig, handler)
            except (ValueError, OSError, TypeError):  # pragma: no cover
                pass
        self._signals = {}

    def _refuse_foreign_code(self, config, repo: Repository) -> None:  # type: ignore[no-untyped-def]
        """mkdocs.yml is site rules (gkpublish.site.mkdocs_config): refuse before any page is built.

        For plain mkdocs build this runs after MkDocs has loaded the plugins and imported
        any hook (a hook's top-level code has run by now); gkpublish build and serve check
        the file before MkDocs reads it."""
        from gkpublish.site import mkdocs_config as mc

        problems: list[str] = []
        path = config.config_file_path
        if not self.trusted_config:
            if path and os.path.abspath(path) != os.path.join(repo.root, mc.CONFIG_FILE):
                try:
                    with open(path, encoding="utf-8-sig") as fh:
                        text = fh.read()
                except (OSError, UnicodeDecodeError) as exc:
                    raise PluginError(f"{path}: 无法读取：{exc}") from None
            else:
                data = repo.config.files.get(mc.CONFIG_FILE)
                text = data.decode("utf-8-sig", "replace") if data is not None else ""
            problems += [str(p) for p in mc.mkdocs_problems(text, repo.config.site, repo.root)]
        # what MkDocs actually loaded (command-line options and hooks included)
        allow, _ = mc.allowances(repo.config.site)
        foreign = [name for name in config.plugins if name not in mc.SAFE_PLUGINS | allow.plugins]
        if foreign:
            problems.append(f"已加载未获准的插件或 hooks：{'、'.join(foreign)}；请从 mkdocs.yml 中删除")
        if config.theme.name != "material":
            problems.append(f"主题只能是 material（现为 {config.theme.name}）")
        docs = os.path.relpath(os.path.realpath(config.docs_dir), os.path.realpath(repo.root)).replace(os.sep, "/")
        top = mc.protected_top(docs)
        if top:
            problems.append(f"docs_dir {config.docs_dir} 位于仓库的 {top}/ 之中；请保持为 site_pages")
        if problems:
            raise PluginError("mkdocs.yml 含有会加载代码或外部资源的配置，拒绝构建：\n"
                              + "\n".join(f"  {p}" for p in problems))

    def _build_beside(self, config, repo: Repository, view: PublicView) -> None:  # type: ignore[no-untyped-def]
        """Never build into the live site: check the target, build next to it, swap on success."""
        from gkpublish.site import mkdocs_config as mc
        from gkpublish.site import publish

        target = self.publish_target or config.site_dir
        why = mc.output_problem(repo.root, target)
        if why:
            raise PluginError(f"site_dir {target}: {why}；请改用仓库中的 site/ 或仓库之外的目录")
        try:
            publish.check_target(target)
        except GkError as exc:
            raise PluginError(str(exc)) from None
        problem = publish.shrink_problem(target, len(view.items), self.allow_shrink)
        if problem:
            raise PluginError(problem)
        if self.publish_target is not None:
            return  # gkpublish build: config.site_dir is already its temporary folder
        parent = os.path.dirname(os.path.abspath(target))
        os.makedirs(parent, exist_ok=True)
        publish.clean_stale(parent)
        self._catch_signals()  # first: a signal between the two would leave the folder behind
        self._swap_to = target
        self._tmp = config.site_dir = publish.new_dir(parent)

    def on_config(self, config):  # type: ignore[override]
        from gkpublish.public import public_view
        from gkpublish.site.pages import SiteError, build_site, item_src_uri

        root = self.config.repo or os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml"))
        try:
            if self._preloaded is not None:
                repo, findings = self._preloaded
                self._preloaded = None
            else:
                if self.command != "serve":
                    from gkpublish.site.publish import require_content

                    require_content(os.path.abspath(root))
                repo, findings = self._check(root)
        except GkError as exc:
            raise PluginError(str(exc)) from None
        self._refuse_foreign_code(config, repo)
        errors = [f for f in findings if f.severity == ERROR]
        self.gate_errors = len(errors)
        if errors and self.command != "serve":
            raise PluginError(gate_message(findings, len(repo.item_files())))
        if errors:  # preview only (mkdocs serve): public_view leaves the failing items out
            log.warning(gate_message(findings, len(repo.item_files()), preview=True))
        self.repo = repo
        # the draft preview (issue #12): only mkdocs serve asks for it; every other command
        # refused above on these errors, and the view it gets has no preview item
        preview = self.command == "serve"
        self.view = view = public_view(repo, findings, preview=preview)
        from gkpublish.site import render

        # an office's theme.custom_dir may override the page templates (theme/gk/*.html)
        custom = config.theme.custom_dir
        render.use_dirs([custom] if custom else [])
        try:
            self.bundle = build_site(view, repo.attachments, repo.as_of)
        except SiteError as exc:
            raise PluginError(str(exc)) from None
        self._preview_uris = {item_src_uri(it) for it in view.items if it.preview} if preview else set()
        self._findings_uris = set()
        if preview:
            self._findings_uris = _findings_pages(self.bundle, repo, view, findings)
        if self.command != "serve":
            self._build_beside(config, repo, view)

        config.site_name = str(view.site.get("title") or config.site_name)
        if not config.site_url and view.site.get("url"):
            config.site_url = str(view.site["url"]).rstrip("/") + "/"
        dirs = config.theme.dirs
        if THEME_DIR not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, THEME_DIR)
        if view.emblem is not None:
            # the organ's emblem (site_config/emblem.*) in the header and as the favicon, unless
            # mkdocs.yml names its own (theme.logo / theme.favicon, Material's default favicon aside)
            if not config.theme.get("logo"):
                config.theme["logo"] = view.emblem.site_path
            if config.theme.get("favicon") in (None, "", MATERIAL_FAVICON):
                config.theme["favicon"] = view.emblem.site_path
        config.extra["gk_site"] = dict(view.site)
        config.extra["gk_gate_errors"] = self.gate_errors
        config.extra["gk_preview_shown"] = PREVIEW_SHOWN
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
        # item pages newest first, in the search index's id order (MkDocs renders pages in
        # this order), so that the indexer never waits for a page
        order = {uri: n for n, (uri, _e) in enumerate(self.bundle.search)}
        pages = sorted(self.bundle.pages, key=lambda p: order.get(p.src_uri, len(order)))
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
        self._env = env
        self._banner = None
        return env

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:  # type: ignore[override]
        gen = self._pages.get(page.file.src_uri)
        if gen is not None:
            page.meta["gk_kind"] = gen.kind
            page.meta["title"] = html.escape(gen.title)
            if page.file.src_uri in self._preview_uris:
                page.meta["title"] = PREVIEW_TITLE + page.meta["title"]
                page.meta["gk_preview"] = True
            if gen.hide:
                page.meta["hide"] = list(gen.hide)
        return markdown

    def on_page_content(self, html_text: str, *, page, config, files) -> str:  # type: ignore[override]
        gen = self._pages.get(page.file.src_uri)
        if gen is None:
            return html_text
        content = gen.before + html_text + gen.after
        if page.file.src_uri in self._preview_uris:
            content = self._preview_banner() + content
        if self.indexer is not None and gen.kind == "item":
            # MkDocs renders every page's content first and writes pages after: indexing the
            # content now keeps the indexer busy on the second core through both phases
            self.indexer.add(page.file.src_uri, content)
        return content

    def on_pre_build(self, *, config) -> None:  # type: ignore[override]
        from gkpublish.site.search import Indexer
        from gkpublish.site.verify import StreamScan

        self._written = None
        # The checking process is forked before the indexer starts its threads. mkdocs serve
        # (a live-reload server thread) checks at the end, in process.
        self.scan = StreamScan(self.repo, self.view, config.site_dir, stream=self.command == "build")
        self.indexer = (Indexer(config.site_dir, self.bundle.search, on_written=self._search_written)
                        if self.config.search else None)

    def _search_written(self, paths: list[str]) -> None:
        if self.scan is not None:
            from gkpublish.site import manifest as mf

            for path in paths:
                self.scan.add(path, mf.SEARCH)

    def on_post_page(self, output: str, *, page, config) -> str:  # type: ignore[override]
        # MkDocs writes a page *after* on_post_page returns: the previous page is on disk now.
        from gkpublish.site import manifest as mf

        if self._written is not None and self.scan is not None:
            self.scan.add(self._written, mf.PAGE)
        # a findings page (serve only) quotes the gate's messages for the editor: it is not
        # site content and is never built by gkpublish build
        self._written = None if page.file.src_uri in self._findings_uris else page.file.dest_uri
        return output

    def on_post_build(self, *, config) -> None:  # type: ignore[override]
        from gkpublish.site import manifest as mf

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
        if self.scan is not None:  # everything but the pages already handed over is on disk now
            if self._written is not None:
                self.scan.add(self._written, mf.PAGE)
            for path, kind in produced.items():
                if kind != mf.PAGE:
                    self.scan.add(path, kind)
        self._site_dir = site_dir
        if self.defer_finish:
            return  # gkpublish build calls finish_build and decides what to do with the result
        try:
            leaks = self.finish_build()
        except (GkError, ValueError) as exc:
            raise PluginError(str(exc)) from None
        if leaks:
            if self._tmp is not None:
                self._drop_tmp()
                kept = f"；{self._swap_to} 中原有的站点保持不变"
            else:
                _clear(site_dir)
                kept = ""
            raise PluginError(f"verify-site 发现不应公开的内容，已删除构建结果{kept}：\n"
                              + "\n".join(f"  {leak}" for leak in leaks))
        if self._tmp is not None and self._swap_to is not None:
            from gkpublish.site import publish

            os.chmod(self._tmp, 0o755)
            publish.swap_in(self._tmp, self._swap_to)
            self._tmp = None
            config.site_dir = self._swap_to  # e.g. mkdocs gh-deploy publishes config.site_dir next
            self._restore_signals()

    def _preview_banner(self) -> str:
        banner = getattr(self, "_banner", None)
        if banner is None:
            banner = self._banner = _preview_banner_html(self._env)
        return banner

    def finish_build(self) -> list:
        """Wait for the search index and the checks; write the manifest; the leaks found
        (verify-site's findings on the whole output, provenance included)."""
        from gkpublish.site import manifest as mf
        from gkpublish.site.search import SearchIndexError
        from gkpublish.site.verify import Verifier, _dedupe, provenance_leaks

        site_dir = self._site_dir
        produced = dict(self.produced)
        indexer, self.indexer = self.indexer, None
        scan = self.scan  # the indexer hands it each bundle's files until it has finished
        try:
            if indexer is not None:
                produced.update((p, mf.SEARCH) for p in indexer.finish())
            self.scan = None
            leaks, digests, checked = scan.finish() if scan is not None else ([], {}, set())
            mf.write_manifest(site_dir, produced, digests, items=len(self.view.items) if self.view else None)
        except (SearchIndexError, RuntimeError, ValueError) as exc:
            if scan is not None:
                scan.cancel()
            raise GkError(f"站点构建失败：{exc}") from None
        if scan is None:
            return []
        more, files, kinds = provenance_leaks(site_dir)
        unchecked = [f for f in files if f not in checked]  # not made by this build: check them too
        if unchecked:
            more += Verifier(self.repo, self.view).scan(site_dir, unchecked, kinds)
        return _dedupe(leaks + more)

    def on_serve(self, server, *, config, builder):  # type: ignore[override]
        root = self.config.repo or os.path.dirname(os.path.abspath(config.config_file_path))
        for top in ("content", "site_config", "schema", "approvals"):
            path = os.path.join(root, top)
            if os.path.isdir(path):
                server.watch(path)
        return server


PREVIEW_TITLE = "【未签审（预览）】"


def _preview_banner_html(env: Any) -> str:
    """theme/partials/gk-preview.html (an office may override it like any partial)."""
    if env is not None:
        try:
            return env.get_template("partials/gk-preview.html").render()
        except Exception:  # noqa: BLE001 - a broken override must not hide that this is a draft
            pass
    return ('<div class="gk-preview" role="alert"><strong>未签审（预览）</strong>'
            '此页面尚未完成签审，只在本地预览中显示，不会发布。</div>')


def _findings_pages(bundle: Any, repo: Repository, view: PublicView, findings: list[Finding]) -> set[str]:
    """serve only: at the address of each item the preview leaves out for its errors, a page
    listing them (file:line: ID message), so the editor sees why instead of a 404."""
    from gkpublish.public import is_published, item_url
    from gkpublish.site.pages import SitePage

    shown = {it.source_path for it in view.items} | {t.source_path for t in view.tombstones}
    taken = {p.src_uri for p in bundle.pages}
    errors: dict[str, list[Finding]] = {}
    for f in findings:
        if f.severity == ERROR:
            errors.setdefault(f.path, []).append(f)
    uris: set[str] = set()
    for item in repo.items:
        if item.path in shown or item.path not in errors or not is_published(item):
            continue
        uri = item_url(item.path).rstrip("/") + ".md"
        if uri in taken:
            continue
        rows = "".join(
            f"<li><code>{html.escape(f.path)}:{f.line or ''}</code> <strong>{html.escape(f.rule)}</strong> "
            f"{html.escape(f.message)}</li>"
            for f in sorted(errors[item.path], key=lambda f: (f.line or 0, f.rule)))
        title = item.text("title") or item.path
        before = (f'<div class="gk-preview gk-preview--failed" role="alert"><strong>门禁未通过（预览）</strong>'
                  f'条目 <code>{html.escape(item.path)}</code> 有以下错误，改正之前不会显示、也不能发布：</div>'
                  f'<h1>{html.escape(title)}</h1><ul class="gk-findings">{rows}</ul>')
        bundle.pages.append(SitePage(src_uri=uri, title=f"门禁未通过：{title}", kind="findings", before=before))
        uris.add(uri)
    return uris


def _site_rules_problem(root: str, config_file: str) -> str | None:
    """Why mkdocs.yml may not be loaded any further (gkpublish.site.mkdocs_config), if so."""
    from gkpublish.config import load_config, read_config_files
    from gkpublish.site.build import default_config
    from gkpublish.site.mkdocs_config import mkdocs_problems

    try:
        with open(config_file, encoding="utf-8-sig") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        return f"{config_file}: 无法读取：{exc}"
    if text == default_config(root):
        return None  # gkpublish build's own default configuration, in its temporary folder
    try:
        site = load_config(root, read_config_files(root)).site
    except GkError:
        site = {}  # on_config reports the broken configuration; meanwhile nothing is allowed by name
    problems = mkdocs_problems(text, site, root)
    if not problems:
        return None
    return ("mkdocs.yml 含有会加载代码或外部资源的配置，gkpublish 插件拒绝继续加载：\n"
            + "\n".join(f"  {p}" for p in problems))


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
