"""GK401–GK403: 转载与来源 (reprints and sources).

附件3 第四条: 转载信息必须注明转载信息来源 …… 不得刊登商业广告或链接商业广告页面。原则上
只转载党政机关以及有关主管部门确定的稿源单位发布的信息。

A reprint names its source in ``source.转载来源`` (``organ``, ``url`` or ``publication``,
``date``); the site's approved sources (党政机关 and designated 稿源单位) are listed in
``site_config/sources.yml`` as ``approved: [{name, domains, aliases}]``, and the domains
public content may link to in ``site_config/domains.yml`` (``allowed``). The schema reports
a 转载 without a complete 转载来源 under GK401; these rules add what crosses the
configuration and the public text.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable, Iterator
from urllib.parse import quote, urlsplit

from ada_url import idna_to_ascii, join_url

from gkpublish.mdtext import resolve_url, url_targets
from gkpublish.model import Item, Repository, parse_date
from gkpublish.privacy_patterns import Normalised, normalise
from gkpublish.public import is_published, public_body
from gkpublish.rules import Problem, rule
from gkpublish.rules.markup import _file_lines

# Advertising wording that never belongs on a government site (附件3 第四条). Deliberately
# narrow: 广告 alone is not here, because 市场监管 notices and this very rule (不得刊登商业
# 广告) use the word; a site adds its own words in site_config/terms.yml ``advertising``.
ADVERTISING = ("推广链接", "优惠券", "点击购买", "扫码领取", "限时抢购")

# Web addresses written as text: http(s)/ftp URLs and bare www. hosts (Markdown extensions such as magiclink turn them into links).
# Chinese text runs straight into a URL (详见https://…), so no \b before the scheme.
_URL_RE = re.compile(r"(?i)(?<![a-z])(?:https?|ftp)://[^\s<>\"'）)\]】，。；！？、]+")
_WWW_RE = re.compile(r"(?i)(?<![a-z0-9./@-])www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+")


def host_of(url: str) -> str | None:
    """The lower-case host of an absolute URL (``www.gov.cn@evil.example`` → evil.example)."""
    if url.lower().startswith("www."):
        url = "//" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def web_host(url: str) -> str | None:
    """The host of ``url`` if it is a usable web address (http(s), no spaces, a dotted host)."""
    host = host_of(url) if url.lower().startswith(("http://", "https://")) else None
    return host if host and "." in host and not re.search(r"\s", url) else None


def under(host: str, domains: Iterable[str]) -> bool:
    """Is ``host`` one of ``domains`` or a subdomain of one?"""
    return any(host == d or host.endswith("." + d) for d in domains)


def _domains(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return [str(d).strip().lower().rstrip(".") for d in items if str(d).strip()]


def approved_source(repo: Repository, organ: str) -> dict | None:
    """The sources.yml ``approved`` entry whose ``name`` (or one of its ``aliases``) is ``organ``."""
    for src in repo.config.sources:
        names = [src.get("name"), *(src.get("aliases") or [])]
        if organ.strip() in {str(n).strip() for n in names if n}:
            return src
    return None


def _reprint_source(item: Item) -> dict | None:
    src = item.mapping("source").get("转载来源")
    return src if isinstance(src, dict) else None


@rule("GK401", "E", "转载未注明完整的转载来源", "附件3 第四条")
def reprint_names_source(repo: Repository) -> Iterator[Problem]:
    """转载信息必须注明转载信息来源 (附件3 第四条). A ``source.type: 转载`` item records
    ``source.转载来源`` with the original ``organ``, ``date`` and ``url`` (or, for print,
    ``publication``); the schema reports a missing or incomplete record under this ID.

    This rule adds: ``url`` is a real web address (``http(s)://`` and a host name); the
    original ``date`` is not after the item's ``published``; and a 转载来源 appears only
    on a 转载 (an item typed 原创 or 转发 that names a 转载来源 misstates its origin: a
    转发 records the forwarded document in ``source.forwarded``).

    Passing::

        source:
          type: 转载
          转载来源: {organ: 中国政府网, url: https://www.gov.cn/zhengce/2026-10/20/x.htm, date: 2026-10-20}

    Failing::

        source:
          type: 转载
          转载来源: {organ: 中国政府网, url: "https://原文链接", date: 2026-10-20}
    """
    for item in repo.items:
        src = _reprint_source(item)
        if src is None:
            continue  # a 转载 without one is reported by the schema
        line = item.line_of("source")
        if item.source_type != "转载":
            yield Problem(item.path, line,
                          f"来源类型（source.type）为{item.source_type}，却填写了转载来源：如果本条目转载自其他单位，"
                          "请把 source.type 改为 转载；否则删除 source.转载来源（转发公文填写 source.forwarded）")
            continue
        url = src.get("url")
        # a url without http(s):// breaks the schema's pattern, already reported under this ID
        if isinstance(url, str) and url.startswith(("http://", "https://")) and web_host(url) is None:
            yield Problem(item.path, line,
                          f"转载来源的原文网址（source.转载来源.url）“{url}”不是有效的网址（附件3 第四条：转载须注明来源）；"
                          "请填写原文页面的完整地址，如 https://www.gov.cn/……；纸质出版物请改填 publication")
        original, published = parse_date(src.get("date")), item.date("published")
        if original and published and original > published:
            yield Problem(item.path, line,
                          f"转载来源的原发布日期（source.转载来源.date）{original} 晚于本站发布日期 {published}："
                          "转载不会早于原文；请核对原文的发布日期")


@rule("GK402", "E", "转载来源不在批准的稿源名单中", "附件3 第四条")
def reprint_from_approved(repo: Repository) -> Iterator[Problem]:
    """原则上只转载党政机关以及有关主管部门确定的稿源单位发布的信息 (附件3 第四条).
    ``source.转载来源.organ`` is the ``name`` (or one of the ``aliases``) of an entry of
    ``site_config/sources.yml`` ``approved``, and its ``url``'s host is one of that entry's
    ``domains`` or a subdomain of one. An approved source without ``domains`` cannot vouch
    for a URL (fail closed: add its domains). A print ``publication`` is checked by organ only.

    Passing (sources.yml approves 中国政府网 with domains [www.gov.cn])::

        转载来源: {organ: 中国政府网, url: https://www.gov.cn/zhengce/x.htm, date: 2026-10-20}

    Failing::

        转载来源: {organ: 某某资讯网, url: https://news.example.com/a.html, date: 2026-10-20}
        转载来源: {organ: 中国政府网, url: https://www.gov.cn.example.com/x.htm, date: 2026-10-20}
    """
    for item in repo.items:
        src = _reprint_source(item)
        if item.source_type != "转载" or src is None or not isinstance(src.get("organ"), str):
            continue
        organ, line = src["organ"], item.line_of("source")
        approved = approved_source(repo, organ)
        if approved is None:
            yield Problem(item.path, line,
                          f"转载来源“{organ}”不在批准的稿源单位名单（site_config/sources.yml 的 approved）中："
                          "附件3 第四条规定原则上只转载党政机关及主管部门确定的稿源单位发布的信息；请改从批准的来源转载，"
                          "或经审批后把该单位及其域名加入 sources.yml")
            continue
        url = src.get("url")
        host = web_host(url) if isinstance(url, str) else None
        if host is None:
            continue  # a print publication, or a malformed URL (GK401)
        domains = _domains(approved.get("domains"))
        if not domains:
            yield Problem(item.path, line,
                          f"批准来源“{approved['name']}”在 site_config/sources.yml 中没有配置 domains，无法核对原文网址 {host}；"
                          "请为该来源填写其官方域名")
        elif not under(host, domains):
            yield Problem(item.path, line,
                          f"原文网址的域名 {host} 不属于批准来源“{approved['name']}”的域名（{'、'.join(domains)}）："
                          "可能是仿冒或转手的页面（附件3 第四条）；请改用来源单位官方网站上的原文地址")


def _bare_links(text: str) -> list[str]:
    """Web addresses written as plain text (详见https://…, www.…): a reader copies them, and
    Markdown extensions such as magiclink make them links."""
    # The scans are slow on long CJK text (no literal prefix to search for), and most texts
    # have no address: every URL contains "//", every bare host "www.".
    found: list[str] = []
    if "//" in text:
        found += [m.group(0) for m in _URL_RE.finditer(text)]
    if "www." in text.lower():
        found += [m.group(0) for m in _WWW_RE.finditer(text) if not any(m.group(0) in u for u in found)]
    return list(dict.fromkeys(found))


PLACEHOLDER_SITE = "https://gkpublish.invalid/"


def site_url(repo: Repository) -> str:
    """The site's own address (site.yml ``url``); a placeholder host when there is none, so
    that a relative link still resolves to "this site"."""
    return _site_url(str(repo.config.site.get("url") or "").strip())


@functools.lru_cache(maxsize=16)
def _site_url(url: str) -> str:
    """site_url of a site.yml ``url``: a pure function of the text, asked for every item
    (page_base), so parsed once."""
    got = resolve_url(url, PLACEHOLDER_SITE) if url else None
    # only an absolute http(s) address counts: "" or "关于本站" would resolve to the placeholder
    # itself, and joining page paths onto it would fail
    ok = got is not None and got.scheme in ("http", "https") and got.host and got.host != "gkpublish.invalid"
    return url if ok else PLACEHOLDER_SITE


def page_base(repo: Repository, item: Item) -> str:
    """The address of the item's page: what its relative links resolve against."""
    stem = posixpath.splitext(item.path.removeprefix("content/"))[0]
    stem = stem[:-len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
    return join_url(site_url(repo), quote(stem))


def allowed_domains(repo: Repository) -> list[str]:
    """domains.yml ``allowed``, every approved source's ``domains``, and the site's own host."""
    allowed = list(repo.config.domains)
    for src in repo.config.sources:
        allowed += _domains(src.get("domains"))
    own = resolve_url(site_url(repo), site_url(repo))
    return [_ascii_host(d) for d in allowed] + ([own.host] if own and own.host else [])


def _ascii_host(domain: str) -> str:
    """A domain as the URL parser writes hosts (IDNA: 政府.cn → xn--mxtq1m.cn)."""
    try:
        got = idna_to_ascii(domain)
    except (ValueError, UnicodeError):
        return domain
    got = got.decode("ascii", "replace") if isinstance(got, bytes) else got
    return got.lower() or domain


@rule("GK403", "E", "公开内容链接到未允许的域名或含广告", "附件3 第四条")
def no_outside_links_or_ads(repo: Repository) -> Iterator[Problem]:
    """不得刊登商业广告或链接商业广告页面 (附件3 第四条). In public content (the title,
    the summary and the public body of published items: non-public blocks and HTML
    comments are not public), every URL points to a domain of ``site_config/domains.yml``
    ``allowed``, of an approved source in ``sources.yml``, or the site's own ``url``
    (subdomains included). Every URL means: link and image destinations, reference
    definitions, autolinks, every URL-bearing attribute (``href``, ``src``, each
    ``srcset`` candidate, ``ping``, ``action``, ``formaction``, ``poster``,
    ``xlink:href`` …) and attribute lists ``{: href=… }``, and addresses written as text
    (``https://…``, ``www.…``). Each is resolved against the page's address exactly as a
    browser does (WHATWG URL Standard, by the ada parser) before its host is compared, so
    ``https:\\\\evil.example/``, ``http:evil.example/``, ``//evil.example``, tabs or
    entities inside the scheme, and ``https://www.gov.cn@evil.example/`` are all
    evil.example. ``mailto:``/``tel:`` and relative links are not checked here (GK107
    checks the latter).

    No advertising wording either (read from the normalised text, as GK5xx: a zero-width
    space or a tag inside the word hides nothing): the built-in 推广链接, 优惠券, 点击购买, 扫码领取,
    限时抢购, plus the list ``advertising`` in ``site_config/terms.yml`` when present. The
    word 广告 alone is not on the list: regulators publish about 广告 and the seed itself
    says 不得刊登商业广告.

    Passing (domains.yml allows gov.cn)::

        详见[国务院政策文件库](https://www.gov.cn/zhengce/)。

    Failing::

        详见[购物平台](https://shop.example.com/)，扫码领取优惠券。
        <a href="https:\\\\shop.example.com/">详见</a>
        <img src="a.png" srcset="a.png 1x, //shop.example.com/b.png 2x">
    """
    allowed = allowed_domains(repo)
    extra = repo.config.terms.get("advertising") if isinstance(repo.config.terms, dict) else None
    extra = extra if isinstance(extra, list) else [extra] if isinstance(extra, str) else []
    ads = [(w, normalise(w, markup=False).text.casefold())  # (as listed, as looked for)
           for w in list(ADVERTISING) + [str(t) for t in extra if str(t).strip()]]
    for item in repo.items:
        if not is_published(item):
            continue
        base = page_base(repo, item)
        for key, name in (("title", "标题"), ("summary", "内容概述")):
            if text := item.text(key):
                for _, message in _offences(normalise(text), [], base, allowed, ads):
                    yield Problem(item.path, item.line_of(key), f"{name}（{key}）" + message)
        body = public_body(item)
        lines: list[int] | None = None
        for at, message in _offences(normalise(body, markdown=True), url_targets(body), base, allowed, ads):
            lines = lines if lines is not None else _file_lines(item, body)
            yield Problem(item.path, lines[body.count("\n", 0, at)], "正文" + message)


WEB_SCHEMES = frozenset(("http", "https", "ftp", "ws", "wss"))


def foreign_host(url: str, base: str, allowed: list[str]) -> str | None:
    """The host outside ``allowed`` that ``url`` reaches from the page at ``base``, else None.
    Whitespace inside a URL may be kept by the renderer (a tab becomes spaces) or dropped by
    the browser: any reading that reaches another host counts (fail closed)."""
    for reading in sorted({url, re.sub(r"\s+", "", url)}):
        got = resolve_url("//" + reading if reading.lower().startswith("www.") else reading, base)
        if got is not None and got.scheme in WEB_SCHEMES and not under(got.host, allowed):
            return got.host
    return None


def _offences(text: Normalised, targets: Iterable[tuple[int, str, str]], base: str, allowed: list[str],
              ads: list[tuple[str, str]]) -> Iterator[tuple[int, str]]:
    """(source offset, what is wrong) for links outside ``allowed`` and advertising words.

    ``targets`` are the URLs of the markup (:func:`gkpublish.mdtext.url_targets`); addresses
    written as text and advertising words are looked for in the normalised text (a
    zero-width space inside 优惠券 hides nothing). Each URL is resolved against the page
    address ``base`` as a browser resolves it (:func:`gkpublish.mdtext.resolve_url`)
    before its host is compared."""
    links = [(at, url) for at, _, url in targets]
    written = {url for _, url in links}
    for u in _bare_links(text.text):
        if u not in written:
            links.append((text.source_offset(max(0, text.text.find(u))), u))
    for at, url in links:
        host = foreign_host(url, base, allowed)
        if host is not None:
            yield at, (f"中的链接 {url.strip()} 在浏览器中指向允许范围以外的域名 {host or '（无主机）'}（附件3 第四条：不得链接商业广告页面）；"
                       "请删除该链接，或经审批后把该域名加入 site_config/domains.yml 的 allowed")
    folded = text.text.casefold()
    for word, key in ads:
        at = folded.find(key)
        if at >= 0:
            yield text.source_offset(at), f"含有广告用语“{word}”（附件3 第四条：不得刊登商业广告）；请删除相关内容"
