"""Links and markup (issue #8, class 7): every URL is resolved as a browser resolves it
(WHATWG URL Standard) before the domain check, the site's own absolute addresses are local
links, and ``style`` is limited to harmless properties."""

from __future__ import annotations

import html
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish.mdtext import URL_ATTRS, attribute_urls, resolve_url
from gkpublish.rules.markup import style_problems
from tests.conftest import Site, line_of

SITE_URL = "https://example.gov.cn/"  # tests/fixtures/base_site_config/site.yml
ALLOWED = ("gov.cn",)  # domains.yml


def body_with(markup: str) -> str:
    return f"区政府办公室召开政务公开工作推进会。\n\n详见：{markup}\n"


# -- the site's own absolute addresses are local links (GK107) -----------------------------

@pytest.mark.parametrize("link", [
    "https://example.gov.cn/gzdt/secret-item/",
    "http://example.gov.cn/gzdt/secret-item/",
    "HTTPS://EXAMPLE.GOV.CN/gzdt/secret-item/",
    "https:\\\\example.gov.cn\\gzdt\\secret-item\\",
    "//example.gov.cn/gzdt/secret-item",
    "https://example.gov.cn./gzdt/secret-item/index.html",
])
def test_absolute_link_to_own_unpublished_item_is_gk107(site, link):
    site.item("gzdt/secret-item.md", attribute="依申请公开", review_date="2027-06-30",
              index_no="SAMPLE001/2026-00002")
    path = site.item("gzdt/public.md", body=body_with(f"[内部通报]({link})"))
    found = [f for f in site.check().of("GK107") if f.path == "content/gzdt/public.md"]
    assert len(found) == 1 and "未公开的条目" in found[0].message
    assert found[0].line == line_of(path, "详见")


def test_absolute_link_to_own_published_item_passes(site):
    site.item("gzdt/other.md", index_no="SAMPLE001/2026-00002")
    site.item("gzdt/public.md", body=body_with("[另见](https://example.gov.cn/gzdt/other/)"))
    assert not site.check().of("GK107")


# -- every URL as the browser reads it (GK403) ----------------------------------------------

@pytest.mark.parametrize("markup", [
    '<a href="https:\\\\evil.example/">链接</a>',
    "[链接](http:evil.example/)",
    '<img src="//evil.example/a.png" alt="图">',
    '<img src="a.png" srcset="a.png 1x, //evil.example/b.png 2x" alt="图">',
    '<a href="https://www.gov.cn/" ping="https://evil.example/track">链接</a>',
    '<a href="&#x68;ttps://evil.example/">链接</a>',
    '<a href="ht\ttps://evil.example/">链接</a>',
    "[链接](HTTPS://EVIL.EXAMPLE/)",
    "[链接](https://www.gov.cn@evil.example/)",
    "[链接](https://www.gov.cn.evil.example/)",
    "[链接](//192.168.1.1/)",
    "![图](//evil.example/x.png)",
    "[链接][r]\n\n[r]: //evil.example/",
    '[链接](#top){: href="//evil.example/" }',
])
def test_link_to_other_domain_however_written_is_gk403(site, markup):
    path = site.item("gzdt/x.md", body=body_with(markup))
    (f,) = site.check().of("GK403")
    assert "evil.example" in f.message or "192.168.1.1" in f.message
    assert f.line == line_of(path, markup.splitlines()[-1])  # where the URL is


@pytest.mark.parametrize("markup", [
    '<video poster="//evil.example/p.png"></video>',
    '<form action="https://evil.example/"><button formaction="//evil.example/">提交</button></form>',
    '<svg><a xlink:href="//evil.example/">x</a></svg>',
])
def test_disallowed_tag_with_other_domain_is_gk108_and_gk403(site, markup):
    site.item("gzdt/x.md", body=body_with(markup))
    assert {"GK108", "GK403"} <= site.check().ids


@pytest.mark.parametrize("markup", [
    "[国务院](https://www.gov.cn/zhengce/)",
    "[本站](https://example.gov.cn/gzdt/)",
    "[相对](#top)",
    '<img src="a.png" srcset="a.png 1x, https://www.gov.cn/b.png 2x" alt="图">',
    "[邮件](mailto:gkb@example.gov.cn)",
])
def test_links_to_allowed_and_own_domains_pass(site, markup):
    site.write("content/gzdt/a.png", b"\x89PNG\r\n\x1a\n")
    site.item("gzdt/x.md", body=body_with(markup))
    assert "GK403" not in site.check().ids


# -- style is limited to harmless properties (GK108) ------------------------------------------

@pytest.mark.parametrize(("style", "words"), [
    ("position:fixed;top:0;left:0;width:100%;height:100%", "position"),
    ("z-index:9999", "z-index"),
    ("display:none", "display"),
    ("transform:scale(10)", "transform"),
    ("background:url(//evil.example/x.png)", "url()"),
    ("background-color:red;background-image:u\\72l(//evil.example/)", "url()"),
    ("color:red;/* */posi\\74ion:fixed", "position"),
    ("width:expression(alert(1))", "expression"),
    ("&#112;osition:fixed", "position"),
])
def test_style_outside_the_allow_list_is_gk108(site, style, words):
    site.item("gzdt/x.md", body=body_with(f'<span style="{style}">通知</span>'))
    (f,) = site.check().of("GK108")
    assert words in f.message


def test_style_in_attribute_list_is_checked_too(site):
    site.item("gzdt/x.md", body="区政府办公室召开会议。\n{: style=\"position:fixed\" }\n")
    (f,) = site.check().of("GK108")
    assert "position" in f.message


@pytest.mark.parametrize("style", [
    "text-align:center", "color:#333;font-weight:bold", "width:30%;border:1px solid #000",
    "padding:4px; vertical-align:top;",
])
def test_harmless_table_style_passes(site, style):
    site.item("gzdt/x.md", body=body_with(f'<table><tr><td style="{style}">一</td></tr></table>'))
    assert "GK108" not in site.check().ids


def test_one_finding_names_every_disallowed_property():
    (words,) = style_problems("text-align:center;position:absolute;z-index:10;color:red")
    assert "position、z-index：" in words


# -- the property: a foreign host is reported, or it is not there ----------------------------

HOSTS = ["evil.example", "shop.example.com", "www.gov.cn.evil.example", "www.gov.cn", "zwgk.gov.cn",
         "example.gov.cn", "EVIL.example", "evil.example."]
POSITIONS = ["md-link", "md-image", "ref-def", "a-href", "img-src", "img-srcset", "a-ping", "attr-list",
             "area-href", "angle-link", "style-url"]


OWN_OR_ALLOWED = ["www.gov.cn", "zwgk.gov.cn", "example.gov.cn", "WWW.GOV.CN"]
# positions whose markup GK108 allows (<map>/<area> are not on the allow-list; url() never is)
ALLOWED_POSITIONS = ["md-link", "md-image", "ref-def", "a-href", "img-src", "img-srcset", "a-ping", "attr-list",
                     "angle-link"]


@st.composite
def written_urls(draw, hosts: list[str] = HOSTS, whitespace: bool = True) -> str:
    host = draw(st.sampled_from(hosts))
    scheme = draw(st.sampled_from(["https:", "http:", "HTTPS:", "hTTp:", "", "ftp:"]))
    slashes = draw(st.sampled_from(["//", "\\\\", "/\\", "\\/", "", "///"])) if scheme else "//"
    if not scheme and slashes == "":
        slashes = "//"
    userinfo = draw(st.sampled_from(["", "www.gov.cn@", "user:pw@"]))
    url = scheme + slashes + userinfo + host + draw(st.sampled_from(["/", "/a.png", ":8080/x", "?q=1", ""]))
    # a browser strips leading/trailing spaces and control characters, and every tab and
    # newline inside
    if whitespace and draw(st.booleans()):
        at = draw(st.integers(0, len(url)))
        url = url[:at] + draw(st.sampled_from(["\t", "\n"])) + url[at:]
    if whitespace and draw(st.booleans()):
        url = draw(st.sampled_from([" ", "\x01", "\x1f"])) + url
    out = []
    for c in url:
        enc = draw(st.integers(0, 9))
        out.append(f"&#{ord(c)};" if enc == 0 else f"&#x{ord(c):x};" if enc == 1 else c)
    return "".join(out)


def _placed(url: str, position: str) -> str:
    raw = url.replace("\n", "&#10;") if position not in ("a-href", "img-src", "area-href") else url
    raw = raw.replace(" ", "&#32;").replace('"', "&quot;")
    return {
        "md-link": f"[链接]({raw})",
        "md-image": f"![图]({raw})",
        "ref-def": f"[链接][r]\n\n[r]: {raw}",
        "a-href": f'<a href="{raw}">链接</a>',
        "img-src": f'<img src="{raw}" alt="图">',
        "img-srcset": f'<img src="a.png" srcset="a.png 1x, {raw} 2x" alt="图">',
        "a-ping": f'<a href="#top" ping="{raw}">链接</a>',
        "attr-list": f'[链接](#top){{: href="{raw}" }}',
        "area-href": f'<map name="m"><area href="{raw}" alt="区"></map>',
        "angle-link": f"[链接](<{raw}>)",
        "style-url": f'<span style="background:url({raw})">链接</span>',
    }[position]


class _URLs(HTMLParser):
    """Every URL-bearing attribute of rendered HTML, entities decoded (as html.parser does)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRS:
                self.urls += attribute_urls(name, html.escape(value))
            elif name == "style":
                self.styles.append(value)


def foreign_hosts(page_html: str, base: str) -> set[str]:
    """Hosts outside the site and the allowed domains that a browser would reach from the page."""
    parser = _URLs()
    parser.feed(page_html)
    out = set()
    for url in parser.urls:
        got = resolve_url(url, base)
        if got and got.scheme in ("http", "https", "ftp", "ws", "wss") and got.host != "example.gov.cn" \
                and not any(got.host == d or got.host.endswith("." + d) for d in ALLOWED):
            out.add(got.host)
    for style in parser.styles:
        out.update(h for h in re.findall(r"url\(\s*['\"]?(?:[a-z]+:)?//([^/'\")]+)", style, re.I))
    return out


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(written_urls(), st.sampled_from(POSITIONS)), min_size=10, max_size=16))
def test_every_foreign_url_is_reported_or_absent(batch):
    """Property: for each generated URL (schemes, case, backslashes, missing or extra
    slashes, userinfo, tabs/newlines/control characters, entity encoding) in each position
    that holds a URL, the rendered page reaches no foreign host, or the gate reports GK403
    or GK108 on that item."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Site(Path(tmp))
        site.write("content/gzdt/a.png", b"\x89PNG\r\n\x1a\n")
        for n, (url, position) in enumerate(batch):
            site.item(f"gzdt/x{n}.md", body=f"区政府办公室召开会议。\n\n{_placed(url, position)}\n",
                      index_no=f"SAMPLE001/2026-{n + 1:05d}")
        reported = {f.path for f in site.check().findings if f.rule in ("GK403", "GK108")}
    for n, (url, position) in enumerate(batch):
        page = markdown.markdown(f"区政府办公室召开会议。\n\n{_placed(url, position)}\n",
                                 extensions=["tables", "attr_list"])
        hosts = foreign_hosts(page, "https://example.gov.cn/gzdt/x/")
        assert not hosts or f"content/gzdt/x{n}.md" in reported, (url, position, page, hosts)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(written_urls(), st.sampled_from(POSITIONS)), min_size=12, max_size=12, unique=True),
       st.lists(st.tuples(written_urls(OWN_OR_ALLOWED, whitespace=False), st.sampled_from(ALLOWED_POSITIONS)), min_size=12, max_size=12,
                unique=True))
def test_built_site_reaches_no_foreign_host(any_hosts, allowed_hosts):
    """Property over one build: the generated items the gate passes are built into a site,
    and no page of it has a foreign host in any href, src, srcset, ping or style."""
    from tests.test_site_build import add_site_files, build_into

    batch = any_hosts + allowed_hosts
    with tempfile.TemporaryDirectory() as tmp:
        site = Site(Path(tmp) / "repo")
        add_site_files(site)
        site.write("content/gzdt/a.png", b"\x89PNG\r\n\x1a\n")
        for n, (url, position) in enumerate(batch):
            site.item(f"gzdt/x{n}.md", body=f"区政府办公室召开会议。\n\n{_placed(url, position)}\n",
                      index_no=f"SAMPLE001/2026-{n + 1:05d}", drafter="zhang-jb")
        site.item("gzdt/plain.md", index_no="SAMPLE001/2026-00099", drafter="zhang-jb")
        findings = site.check().findings
        # (a tab inside a Markdown destination can make GK107 read a broken local link:
        # that fails closed, and such items are left out of the build like the others)
        failing = {f.path for f in findings if f.rule in ("GK403", "GK108", "GK107")}
        foreign = {f.path for f in findings if f.rule == "GK403"}
        for path in failing:
            (site.root / path).unlink()
        kept = len(batch) - len(failing)
        site.sign_all()
        out = Path(tmp) / "public"
        rc, stdout, stderr = build_into(site, out)
        assert rc == 0, stdout + stderr
        pages = list(out.rglob("*.html"))
        assert len([p for p in pages if "/gzdt/x" in p.as_posix()]) == kept
        # the links to this site and to allowed domains are published, not refused
        assert not foreign & {f"content/gzdt/x{n}.md" for n in range(len(any_hosts), len(batch))}
        for p in pages:
            url = "https://example.gov.cn/" + p.relative_to(out).parent.as_posix() + "/"
            assert not foreign_hosts(p.read_text(encoding="utf-8"), url), p


@pytest.mark.parametrize("text", ["优惠券", "扫码\u200b领取", "优<b></b>惠券", "点击&#36141;买", "限时\u00ad抢购"])
def test_advertising_words_are_found_in_the_normalised_text(site, text):
    path = site.item("gzdt/x.md", body=body_with(text))
    (f,) = site.check().of("GK403")
    assert "广告用语" in f.message and f.line == line_of(path, "详见")


def test_address_written_as_text_is_checked_after_normalising(site):
    site.item("gzdt/x.md", body=body_with("https\u200b://shop.example.com/"))
    (f,) = site.check().of("GK403")
    assert "shop.example.com" in f.message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_url_resolves_or_is_none(url):
    """Property: resolving never raises, whatever the URL (a browser would go nowhere: None)."""
    got = resolve_url(url, "https://example.gov.cn/gzdt/x/")
    assert got is None or got.host == got.host.lower()


STYLE_PROPS = ["text-align", "color", "width", "border", "padding-left", "font-weight",
               "position", "z-index", "display", "transform", "margin-top", "opacity", "content", "--x"]


@st.composite
def styles(draw) -> tuple[str, bool]:
    """(a style attribute as written, whether a browser would apply a disallowed property)."""
    decls, bad = [], False
    for prop in draw(st.lists(st.sampled_from(STYLE_PROPS), min_size=1, max_size=4)):
        bad |= prop not in ("text-align", "color", "width", "border", "padding-left", "font-weight")
        written = "".join(
            draw(st.sampled_from([c, c.upper(), f"\\{ord(c):x} ", f"&#{ord(c)};"])) if c.isalpha() else c
            for c in prop)
        if draw(st.booleans()):
            written = "/* 注释 */" + written
        decls.append(f"{written}:{draw(st.sampled_from(['0', 'center', '1px solid #000', 'red', '100%']))}")
    return ";".join(decls), bad


@settings(max_examples=200, deadline=None)
@given(styles())
def test_style_is_refused_exactly_when_it_uses_a_disallowed_property(case):
    """Property: however a property name is written (case, CSS escapes, entities, comments),
    GK108's style check refuses the attribute exactly when it holds a disallowed property."""
    style, bad = case
    assert bool(list(style_problems(style))) == bad, style


def test_entity_encoded_link_to_an_allowed_site_is_not_a_missing_file(site):
    """Found by the build property: ``&#104;ttps://www.gov.cn/`` is https://www.gov.cn/ for
    the browser, not a local file named "&" (GK107 decodes entities as the browser does)."""
    site.item("gzdt/x.md", body=body_with("[国务院](&#104;ttps://www.gov.cn/)"))
    assert not site.check().ids & {"GK107", "GK403"}


def test_entity_encoded_link_to_an_unpublished_item_is_gk107(site):
    site.item("gzdt/secret-item.md", attribute="依申请公开", review_date="2027-06-30",
              index_no="SAMPLE001/2026-00002")
    site.item("gzdt/public.md", body=body_with("[通报](secret&#45;item.md)"))
    assert any("未公开的条目" in f.message for f in site.check().of("GK107"))
