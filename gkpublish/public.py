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

from gkpublish.model import ERROR, Column, Finding, Item, Repository, strip_blocks

# Front-matter fields that may be shown on the public site (条例 第十二条; domain.md
# "索引号 and item metadata"). Everything else (reviewers, drafter, reason, privacy,
# waivers …) is internal.
PUBLIC_FIELDS = ("title", "index_no", "doc_no", "publisher", "department", "column", "topic",
                 "written", "published", "validity", "attribute", "summary", "keywords")
# site.yml keys that may appear on the site (footer, 指南); anything else there may be a secret.
PUBLIC_SITE_KEYS = ("title", "organiser", "url", "site_code", "icp", "icp_url", "psb", "psb_url",
                    "contact", "address", "phone", "email", "description", "language")

HTML_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
LOCAL_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


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

    @property
    def title(self) -> str:
        return self.meta.get("title", "")

    @property
    def published(self) -> str:
        return str(self.meta.get("published") or "")


@dataclass
class PublicView:
    site: dict[str, Any]
    guide: dict[str, Any]
    columns: list[Column]
    items: list[PublicItem]  # newest first

    def by_column(self) -> dict[str, list[PublicItem]]:
        out: dict[str, list[PublicItem]] = {c.id: [] for c in self.columns}
        for it in self.items:
            out.setdefault(it.meta.get("column", ""), []).append(it)
        return out


def item_url(path: str) -> str:
    rel = path[len("content/"):] if path.startswith("content/") else path
    return posixpath.splitext(rel)[0] + "/"


def public_body(item: Item) -> str:
    return HTML_COMMENT_RE.sub("", strip_blocks(item.body))


def _attachments(item: Item, body: str, repo: Repository) -> list[PublicAttachment]:
    folder = posixpath.dirname(item.path)
    wanted: dict[str, str] = {}
    for a in item.seq("attachments"):
        if isinstance(a, dict) and isinstance(a.get("file"), str):
            wanted[a["file"]] = str(a.get("title") or posixpath.basename(a["file"]))
    for m in LOCAL_LINK_RE.finditer(body):
        target = m.group(1).split("#", 1)[0]
        if target and "://" not in target and not target.startswith(("mailto:", "tel:", "#")) \
                and not target.endswith(".md"):
            wanted.setdefault(target, posixpath.basename(target))
    out = []
    for rel, title in wanted.items():
        full = posixpath.normpath(posixpath.join(folder, rel))
        if full in repo.attachments and full not in repo.unsafe_paths:
            out.append(PublicAttachment(full, posixpath.basename(full), title))
    return out


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


def public_view(repo: Repository, findings: list[Finding] | None = None) -> PublicView:
    """Only what may be published. Items with an error finding are left out as well
    (defence in depth: ``gkpublish build`` refuses to build when the gate fails)."""
    failed = {f.path for f in findings or () if f.severity == ERROR}
    items: list[PublicItem] = []
    for item in repo.items:
        if not is_published(item) or item.path in failed:
            continue
        body = public_body(item)
        items.append(PublicItem(
            source_path=item.path, url=item_url(item.path),
            meta={k: item.meta[k] for k in PUBLIC_FIELDS if k in item.meta},
            body=body, source=_public_source(item), attachments=_attachments(item, body, repo),
            corrections=[c for c in item.seq("corrections") if isinstance(c, dict)],
            abolished=item.mapping("abolished") or None,
        ))
    items.sort(key=lambda p: (p.published, p.meta.get("index_no", "")), reverse=True)
    site = {k: v for k, v in repo.config.site.items() if k in PUBLIC_SITE_KEYS}
    columns = sorted(repo.config.columns.values(), key=lambda c: c.order)
    return PublicView(site=site, guide=dict(repo.config.guide), columns=columns, items=items)


def secrets_of(repo: Repository) -> list[tuple[str, str]]:
    """(where, text) pairs that must never appear on the public site: titles and bodies of
    unpublished items, their file names, non-public blocks of published ones."""
    out: list[tuple[str, str]] = []
    for item in repo.items:
        if is_published(item):
            for b in item.blocks:
                out.append((f"{item.path}:{b.start_line}", b.text))
        else:
            out.append((item.path, item.title))
            out.append((item.path, item.body))
            out.append((item.path, posixpath.basename(item.path)))
    return out
