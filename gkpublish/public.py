"""The public view: the only thing the site, search, feeds and public reports are made from.

Computed in one place so that the no-leak promise is checkable: 依申请公开 and 不予公开
items, withdrawn items, non-public blocks of 部分公开 bodies, HTML comments, and every
front-matter field not on the whitelist below never leave this module. ``verify-site``
uses :func:`secrets_of` to prove none of it reached the built site.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from gkpublish.mdtext import body_link_spans, body_links, own_site_path, resolve
from gkpublish.model import ERROR, Column, Finding, Item, Repository, strip_blocks

# Front-matter fields that may be shown on the public site (条例 第十二条; domain.md
# "索引号 and item metadata"). Everything else (reviewers, drafter, reason, privacy,
# waivers …) is internal.
PUBLIC_FIELDS = ("title", "index_no", "doc_no", "publisher", "department", "column", "topic",
                 "written", "published", "validity", "attribute", "summary", "keywords",
                 # 规章 / 行政规范性文件: a category word (annual report table 二, 分类浏览's 体裁)
                 "genre")
# site.yml keys that may appear on the site (footer, 指南); anything else there may be a secret.
PUBLIC_SITE_KEYS = ("title", "organiser", "url", "site_code", "icp", "icp_url", "psb", "psb_url",
                    "contact", "address", "phone", "email", "description", "language")

HTML_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)


@dataclass(frozen=True)
class PublicAttachment:
    path: str  # repository path under content/
    name: str  # file name shown for download
    title: str


@dataclass
class PublicItem:
    source_path: str  # repository path of the item (for build messages; not published)
    url: str  # site-relative directory URL, e.g. xxgk/zcwj/2022-37/
    meta: dict[str, Any]  # whitelisted fields only
    body: str  # Markdown with non-public blocks and HTML comments removed
    source: dict[str, Any]  # public parts of 来源 (type, 转载来源 organ/url/date, forwarded organ/doc_no)
    attachments: list[PublicAttachment] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    abolished: dict[str, Any] | None = None
    emergency: bool = False  # 突发公共事件紧急发布 (条例 第二十条(十二)): the page says so; its reason stays internal
    preview: bool = False  # only in public_view(preview=True): an unsigned draft, shown with a 未签审 banner

    @property
    def title(self) -> str:
        return self.meta.get("title", "")

    @property
    def published(self) -> str:
        return str(self.meta.get("published") or "")


@dataclass(frozen=True)
class PublicTombstone:
    """What stays at a withdrawn item's address (附件3 第八条): its title, 索引号, column and
    the withdrawal's date and reason — nothing of the withdrawn body or other fields."""

    source_path: str  # repository path (for build messages; not published)
    url: str  # the item's former address
    title: str
    index_no: str
    column: str
    date: str
    reason: str

    def fields(self) -> list[tuple[str, str]]:
        """(front-matter key, text) of everything the notice page shows: what the page
        renders, what verify-site looks for and what GK5xx scans are this one list."""
        return [("title", self.title), ("index_no", self.index_no), ("withdrawn", self.date),
                ("withdrawn", self.reason)]

    def texts(self) -> list[str]:
        """Everything the notice page shows."""
        return [text for _, text in self.fields()]


@dataclass
class PublicView:
    site: dict[str, Any]
    guide: dict[str, Any]
    columns: list[Column]
    items: list[PublicItem]  # newest first
    tombstones: list[PublicTombstone] = field(default_factory=list)  # withdrawn items' notices
    # the organ's emblem (site_config/emblem.png …, gkpublish.site.emblem), only if it passed
    # every check (GK121); None: the theme's neutral emblem
    emblem: Any = None

    def by_column(self) -> dict[str, list[PublicItem]]:
        out: dict[str, list[PublicItem]] = {c.id: [] for c in self.columns}
        for it in self.items:
            out.setdefault(it.meta.get("column", ""), []).append(it)
        return out


def item_url(path: str) -> str:
    rel = path[len("content/"):] if path.startswith("content/") else path
    return posixpath.splitext(rel)[0] + "/"


def public_body(item: Item) -> str:
    """The body as published: non-public blocks and HTML comments removed (computed once)."""
    body = item.derived.get("public_body")
    if body is None:
        body = item.derived["public_body"] = HTML_COMMENT_RE.sub("", strip_blocks(item.body, item.block_scan()))
    return body


def _attachments(item: Item, body: str, repo: Repository) -> list[PublicAttachment]:
    """Files a public item publishes: its front-matter attachments and the local files its
    public body links to (the same extractor GK107 checks), never a file of a hidden block.
    Computed once per item for its public body (the gate's inspection and the site share it)."""
    if not repo.attachments:
        return []
    cached = item.derived.get("public_attachments") if body is item.derived.get("public_body") else None
    if cached is not None:
        return list(cached)
    folder = posixpath.dirname(item.path)
    wanted: dict[str, str] = {}
    for a in item.seq("attachments"):
        if isinstance(a, dict) and isinstance(a.get("file"), str):
            full, _ = resolve(folder, a["file"])
            if full:
                wanted.setdefault(full, str(a.get("title") or posixpath.basename(full)))
    for _, target in body_links(body):
        full, _ = resolve(folder, unquote(target))
        if full and not full.endswith(".md"):
            wanted.setdefault(full, posixpath.basename(full))
    out = [PublicAttachment(full, posixpath.basename(full), title) for full, title in wanted.items()
           if full in repo.attachments and full not in repo.unsafe_paths]
    if body is item.derived.get("public_body"):
        item.derived["public_attachments"] = out
    return out


def _unlink_unpublished(item: Item, body: str, unpublished: set[str], site_url: str | None) -> str:
    """Links to items that are not published become ``#``: their address would name the
    unpublished item on the public site (GK107 reports such links; this holds even when
    the gate is bypassed, e.g. by ``gkpublish serve``) — however the link is written:
    relative, entity-encoded, or as an absolute URL of the site itself."""
    if not unpublished:
        return body
    folder = posixpath.dirname(item.path)
    spans = []
    for start, end, target in body_link_spans(body):
        full = own_site_path(target, site_url) or resolve(folder, unquote(target))[0]
        if full and (full in unpublished or full + ".md" in unpublished):
            spans.append((start, end))
    for start, end in sorted(spans, reverse=True):
        body = body[:start] + "#" + body[end:]
    return body


def _public_source(item: Item) -> dict[str, Any]:
    src = item.mapping("source")
    out: dict[str, Any] = {"type": item.source_type}
    reprint = src.get("转载来源")
    if isinstance(reprint, dict):
        out["转载来源"] = {k: reprint[k] for k in ("organ", "url", "publication", "date") if k in reprint}
    fwd = src.get("forwarded")
    if isinstance(fwd, dict):
        out["forwarded"] = {k: fwd[k] for k in ("organ", "doc_no") if k in fwd}
    return out


def is_published(item: Item) -> bool:
    """Public attribute and not withdrawn (附件3 第八条: withdrawn items leave the site)."""
    return item.is_public and not item.mapping("withdrawn")


def is_tombstoned(item: Item) -> bool:
    """A withdrawn public item: a notice stays at its address, built from :func:`tombstone`."""
    return item.is_public and bool(item.mapping("withdrawn"))


def tombstone(item: Item) -> PublicTombstone:
    w = item.mapping("withdrawn")
    return PublicTombstone(source_path=item.path, url=item_url(item.path), title=item.text("title") or "",
                           index_no=item.text("index_no") or "", column=item.text("column") or "",
                           date=str(w.get("date") or ""), reason=str(w.get("reason") or ""))


# Errors that only say "a sign-off is still missing": a level not signed (GK301, GK305,
# GK306, GK307) or a review made before the last edit (GK303: the edited text waits for a new
# round). ``gkpublish serve`` previews such an item as a draft; a forged or unverifiable
# record (GK302), a broken order or separation of duties (GK304), and every other rule keep
# the item out of the preview too.
PREVIEW_RULES = frozenset({"GK301", "GK303", "GK305", "GK306", "GK307"})


def preview_only(findings: list[Finding] | None) -> set[str]:
    """Item paths whose every error is a missing sign-off (:data:`PREVIEW_RULES`)."""
    rules: dict[str, set[str]] = {}
    for f in findings or ():
        if f.severity == ERROR:
            rules.setdefault(f.path, set()).add(f.rule)
    return {path for path, ids in rules.items() if ids <= PREVIEW_RULES}


def public_view(repo: Repository, findings: list[Finding] | None = None, preview: bool = False) -> PublicView:
    """Only what may be published. Items with an error finding are left out as well
    (defence in depth: ``gkpublish build`` refuses to build when the gate fails).

    ``preview=True`` is for ``gkpublish serve`` only: items whose only errors are missing
    sign-offs (:func:`preview_only`) are kept, marked ``PublicItem.preview``, and go through
    everything else here like any published item (hidden blocks removed …). The build never
    asks for it, and refuses on those errors anyway."""
    failed = {f.path for f in findings or () if f.severity == ERROR}
    drafts = preview_only(findings) if preview else set()
    failed -= drafts
    # attachments whose inspection failed (wrong type, unreadable, non-public bytes, GK506)
    # stay off the site whatever findings the caller passes: the gate is not the only layer
    from gkpublish.attachments import public_files

    failed |= {p for p, pf in public_files(repo).items()
               if pf.same_as or pf.inspection.kind_problem or pf.inspection.unreadable or pf.inspection.leaks}
    items: list[PublicItem] = []
    tombstones: list[PublicTombstone] = []
    unpublished = {it.path for it in repo.items if not is_published(it)}
    site_url = repo.config.site.get("url") if isinstance(repo.config.site.get("url"), str) else None
    for item in repo.items:
        if is_tombstoned(item) and item.path not in failed:
            tombstones.append(tombstone(item))
        if not is_published(item) or item.path in failed:
            continue
        body = _unlink_unpublished(item, public_body(item), unpublished, site_url)
        items.append(PublicItem(
            source_path=item.path, url=item_url(item.path),
            meta={k: item.meta[k] for k in PUBLIC_FIELDS if k in item.meta},
            body=body, source=_public_source(item),
            # an attachment with an error of its own (GK109, GK5xx, GK506) stays off the site
            # even where the gate is bypassed (gkpublish serve)
            attachments=[a for a in _attachments(item, body, repo) if a.path not in failed],
            corrections=[c for c in item.seq("corrections") if isinstance(c, dict)],
            abolished=item.mapping("abolished") or None,
            emergency=bool(item.mapping("emergency")),
            preview=item.path in drafts,
        ))
    items.sort(key=lambda p: (p.published, p.meta.get("index_no", "")), reverse=True)
    site = {k: v for k, v in repo.config.site.items() if k in PUBLIC_SITE_KEYS}
    columns = sorted(repo.config.columns.values(), key=lambda c: c.order)
    tombstones.sort(key=lambda t: t.url)
    from gkpublish.site.emblem import emblem_of

    return PublicView(site=site, guide=dict(repo.config.guide), columns=columns, items=items,
                      tombstones=tombstones, emblem=emblem_of(repo.config.files))


def secrets_of(repo: Repository) -> list[tuple[str, str]]:
    """(where, text) pairs that must never appear on the public site: titles and bodies of
    unpublished items, their file names and every front-matter value; of published ones,
    the non-public blocks, HTML comments and the values of fields that are not shown
    (reviewers, drafter, reason, privacy …)."""
    out: list[tuple[str, str]] = []
    for item in repo.items:
        if is_published(item):
            for b in item.blocks:
                out.append((f"{item.path}:{b.start_line}", b.text))
            for m in HTML_COMMENT_RE.finditer(strip_blocks(item.body, item.block_scan())):
                out.append((f"{item.path}:注释", m.group()[4:].removesuffix("-->")))
            for key, value in item.meta.items():
                if key in PUBLIC_FIELDS or key in _SHOWN_FIELDS:
                    continue
                out.extend((f"{item.path}:{key}", s) for s in _strings(value))
            consulted = item.mapping("source").get("forwarded")
            if isinstance(consulted, dict):
                out.extend((f"{item.path}:source", s) for s in _strings(consulted.get("consulted")))
        elif is_tombstoned(item):
            # the notice at its address shows title, 索引号 and the withdrawal; the rest is secret
            out.append((item.path, item.body))
            shown = set(tombstone(item).texts())
            out.extend((f"{item.path}:{key}", s) for key, value in item.meta.items() if key not in _TOMBSTONE_FIELDS
                       for s in _strings(value) if s not in shown)
        else:
            out.append((item.path, item.title))
            out.append((item.path, item.body))
            out.append((item.path, posixpath.basename(item.path)))
            out.append((item.path, item_url(item.path)))  # the address a link to it would carry
            out.extend((f"{item.path}:{key}", s) for key, value in item.meta.items() for s in _strings(value))
    return out


# What a withdrawn item's notice shows (tombstone); its column only as the breadcrumb's link.
_TOMBSTONE_FIELDS = ("title", "index_no", "withdrawn", "column")
# Front-matter fields outside PUBLIC_FIELDS that the site shows (as 来源, 附件, 更正, 废止).
_SHOWN_FIELDS = ("source", "attachments", "corrections", "abolished", "withdrawn")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def secret_files(repo: Repository) -> dict[str, str]:
    """content/ files that must never reach the site, repository path → why: the attachments
    and linked files of unpublished items, and files linked only from a non-public block."""
    out: dict[str, str] = {}
    for item in repo.items:
        if is_published(item):
            for b in item.blocks:
                for a in _linked(item, b.text, repo):
                    out.setdefault(a, f"{item.path}:{b.start_line} 不公开部分链接的文件")
        else:
            for a in _attachments(item, item.body, repo):
                out.setdefault(a.path, f"{item.path} 的附件（{item.attribute or '未公开'}）")
    return out


def _linked(item: Item, text: str, repo: Repository) -> list[str]:
    folder = posixpath.dirname(item.path)
    found = []
    for _, target in body_links(text):
        full, _ = resolve(folder, unquote(target))
        if full in repo.attachments:
            found.append(full)
    return found


# -- names that reach the site ---------------------------------------------------------------

@dataclass(frozen=True)
class SiteName:
    """A name of a file or folder under ``content/`` that the public site shows: in the
    page's address, the attachment's download link, the sitemap, the feed, the search index,
    the 目录, the 文号 index and every column list that links it."""

    path: str  # repository path of the file or folder that carries the name
    name: str  # the name itself: the last component of ``path``
    kind: str  # "item" (a page's address, a withdrawn item's notice too), "attachment", "folder"
    owners: tuple[str, ...]  # who publishes it: item paths (their waivers apply), site_config/guide.yml


def site_names(repo: Repository) -> list[SiteName]:
    """Every name that reaches the public site, once each: the file name of every published
    item and of every withdrawn item (its notice stays at its address), of every file the
    public site would publish (:func:`gkpublish.attachments.public_files`: attachments,
    linked files, the 申请表 of guide.yml), and every folder between ``content/`` and them.
    GK501–GK505 scan these (:mod:`gkpublish.rules.privacy`); whatever builds an address
    from a repository path should be covered by this list."""
    from gkpublish.attachments import public_files

    files: dict[str, tuple[str, list[str]]] = {}
    for item in repo.items:
        if is_published(item) or is_tombstoned(item):
            files[item.path] = ("item", [item.path])
    for path, pf in public_files(repo).items():
        files.setdefault(path, ("attachment", []))[1].extend(pf.owners)
    folders: dict[str, list[str]] = {}
    for path, (_kind, owners) in files.items():
        parts = path.split("/")
        for n in range(2, len(parts)):  # content/a, content/a/b … (not content/ itself)
            folders.setdefault("/".join(parts[:n]), []).extend(owners)
    out = [SiteName(path, posixpath.basename(path), kind, tuple(dict.fromkeys(owners)))
           for path, (kind, owners) in sorted(files.items())]
    out += [SiteName(path, posixpath.basename(path), "folder", tuple(dict.fromkeys(owners)))
            for path, owners in sorted(folders.items())]
    return out
