"""分类浏览: the public items by 主题分类, 发布机构 and 体裁, besides the columns (issue #12 item 6).

Every page here is made from the :class:`~gkpublish.public.PublicView` and nothing else, so a
value (a topic, a publisher, a 体裁) exists only because a public item carries it: an item
that is withdrawn, 依申请公开, 不予公开 or failing the gate is not in the view and can add
no value, no count and no link.

URLs (all under the reserved top-level folder ``browse/``)::

    browse/                               分类浏览: the three facets
    browse/<facet>/  browse/<facet>/2/    one facet's values with their counts (paged)
    browse/<facet>/<slug>/  …/<slug>/2/   one value's items, newest first (paged)

A value's ``slug`` is ``v`` + the first 16 hex digits of the SHA-256 of its UTF-8 bytes:
ASCII, stable (the same value has the same address in every build, whatever the other
values), and never made of the value's characters, so a value with ``/``, ``..`` or
``%2e`` cannot leave its folder. Two different values with the same slug (not expected
in practice, 64 bits) are a :class:`~gkpublish.site.pages.SiteError`: the build stops
rather than merging two values on one page.

Page size stays bounded on a 10,000-item site: list pages hold ``pages.PAGE_SIZE`` items,
index pages :data:`VALUES_PER_PAGE` values (never items).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from gkpublish.model import Column
from gkpublish.public import PublicItem, PublicView

BROWSE = "browse"
BROWSE_TITLE = "分类浏览"
VALUES_PER_PAGE = 200  # values per index page (a value is one line: label and count)
SLUG_DIGITS = 16


@dataclass(frozen=True)
class Facet:
    key: str  # URL folder under browse/
    label: str  # 主题分类 / 发布机构 / 体裁
    lead: str  # one sentence for the index page


FACETS = (
    Facet("topic", "主题分类", "按信息的主题分类浏览本机关主动公开的政府信息。"),
    Facet("publisher", "发布机构", "按发布机构浏览本机关主动公开的政府信息。"),
    # the lead names no 体裁 value: a value is on the page only because a public item has it
    Facet("genre", "体裁", "按体裁浏览：栏目的信息类别，以及公文的文件类别。"),
)


def values_of(facet: Facet, item: PublicItem, column: Column | None) -> list[str]:
    """The values of ``facet`` an item of the public view carries (empty strings dropped).

    体裁 is the column's category (政策文件 / 通知公告 / 动态 / 其他, the same as the search
    page's 体裁 filter) and, for a 规章 or 行政规范性文件, its ``genre`` as well: such an item
    is listed under both."""
    if facet.key == "genre":
        found = [column.category if column else None, item.meta.get("genre")]
    else:
        found = [item.meta.get(facet.key)]
    out: list[str] = []
    for v in found:
        if isinstance(v, str) and v.strip() and v not in out:
            out.append(v)
    return out


def slug(value: str) -> str:
    return "v" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:SLUG_DIGITS]


def browse_url() -> str:
    return f"{BROWSE}/"


def index_url(facet: Facet, page: int = 1) -> str:
    return f"{BROWSE}/{facet.key}/" if page == 1 else f"{BROWSE}/{facet.key}/{page}/"


def value_url(facet: Facet, value: str, page: int = 1) -> str:
    base = f"{BROWSE}/{facet.key}/{slug(value)}/"
    return base if page == 1 else f"{base}{page}/"


@dataclass
class FacetValue:
    value: str
    items: list[PublicItem] = field(default_factory=list)  # newest first (the view's order)

    @property
    def group(self) -> str:
        """The first level of a two-level topic (``财政、金融、审计/审计`` → ``财政、金融、审计``);
        "" when the value is not two non-empty levels (``审计``, ``审计/``, ``/审计``)."""
        head, _, tail = self.value.partition("/")
        return head if head.strip() and tail.strip() else ""

    @property
    def label(self) -> str:
        """What the index shows for the value: under its group, the rest of it; else all of it."""
        return self.value.partition("/")[2] if self.group else self.value


def collect(view: PublicView) -> dict[str, list[FacetValue]]:
    """Facet key → its values, each with its items (newest first), in display order:
    主题分类 by value (so a topic's group stays together), the others most items first."""
    from gkpublish.site.pages import SiteError

    columns = {c.id: c for c in view.columns}
    out: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        found: dict[str, FacetValue] = {}
        for it in view.items:
            for v in values_of(facet, it, columns.get(it.meta.get("column", ""))):
                found.setdefault(v, FacetValue(v)).items.append(it)
        slugs: dict[str, str] = {}
        for v in found:
            other = slugs.setdefault(slug(v), v)
            if other != v:
                raise SiteError(f"{facet.label}“{other}”与“{v}”的浏览页地址相同（{slug(v)}）；"
                                "请修改其中一个条目的取值后重新构建")
        values = list(found.values())
        if facet.key == "topic":
            values.sort(key=lambda fv: fv.value)
        else:
            values.sort(key=lambda fv: (-len(fv.items), fv.value))
        out[facet.key] = values
    return out


def facet_pages(view: PublicView, pager: Callable[..., str], render: Callable[..., str],
                page_size: int) -> list:
    """Every page of 分类浏览 (SitePage objects of :mod:`gkpublish.site.pages`)."""
    from gkpublish.site.pages import SitePage, to_src

    collected = collect(view)
    pages: list[SitePage] = []
    summary = [(f, index_url(f), len(collected[f.key])) for f in FACETS]
    url = browse_url()
    pages.append(SitePage(src_uri=to_src(url), title=BROWSE_TITLE, kind="browse",
                          before=render("browse.html", base=url, facets=summary, total=len(view.items),
                                        title=BROWSE_TITLE)))
    for facet in FACETS:
        values = collected[facet.key]
        chunks = [values[i:i + VALUES_PER_PAGE] for i in range(0, len(values), VALUES_PER_PAGE)] or [[]]
        for n, chunk in enumerate(chunks, 1):
            url = index_url(facet, n)
            nav = pager(url, n, len(chunks), lambda k, f=facet: index_url(f, k))
            rows = [(fv, value_url(facet, fv.value), len(fv.items)) for fv in chunk]
            crumbs = [("首页", ""), (BROWSE_TITLE, browse_url())]
            title = f"按{facet.label}浏览" + ("" if n == 1 else f"（第 {n} 页）")
            pages.append(SitePage(src_uri=to_src(url), title=title, kind="facet", before=render(
                "facet_index.html", base=url, facet=facet, rows=rows, count=len(values),
                grouped=facet.key == "topic", crumbs=crumbs, title=title, pager_html=Markup(nav))))
        for fv in values:
            chunks_i = [fv.items[i:i + page_size] for i in range(0, len(fv.items), page_size)]
            for n, chunk_i in enumerate(chunks_i, 1):
                url = value_url(facet, fv.value, n)
                nav = pager(url, n, len(chunks_i), lambda k, f=facet, v=fv.value: value_url(f, v, k))
                crumbs = [("首页", ""), (BROWSE_TITLE, browse_url()), (facet.label, index_url(facet))]
                title = f"{facet.label}：{fv.value}" + ("" if n == 1 else f"（第 {n} 页）")
                pages.append(SitePage(src_uri=to_src(url), title=title, kind="facet_list", before=render(
                    "facet_list.html", base=url, facet=facet, value=fv.value, count=len(fv.items),
                    items=chunk_i, crumbs=crumbs, with_doc_no=True, empty=None, pager_html=Markup(nav))))
    return pages


__all__ = ["BROWSE", "FACETS", "Facet", "VALUES_PER_PAGE", "browse_url", "collect", "facet_pages",
           "index_url", "slug", "value_url", "values_of"]
