"""GK108: unsafe markup in public content.

附件3 第二条 makes every publishing unit answerable for the *safety* of what its site
serves. Markdown lets raw HTML through to the page, so an item pasted from a web editor
or from Word can carry a ``<script>``, an ``<iframe>`` of another site or an ``onerror=``
handler, and the public build would serve it under the government's domain. This family
reads exactly what would be published (:func:`gkpublish.public.public_body`: non-public
blocks and HTML comments removed) and refuses anything executable or embedded.

The renderer (Python-Markdown today, possibly another tomorrow) is not trusted to
sanitise: where renderers disagree about what is code and what is HTML, the check
assumes HTML (fail closed).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator

from gkpublish.mdtext import TAG_ATTR_RE, URL_ATTRS, attribute_urls, iter_tags, mask_code
from gkpublish.model import Item, Repository
from gkpublish.public import PUBLIC_FIELDS, public_body
from gkpublish.rules import Problem, rule

# Raw HTML a 政务公开 page may need and that cannot run code: inline emphasis, tables
# pasted from Word, lists, images and links (their URLs are checked below). Anything else
# is written in Markdown instead.
ALLOWED_TAGS = frozenset(
    "a abbr b blockquote br caption col colgroup dd del div dl dt em hr i img ins li ol p s "
    "small span strong sub sup table tbody td tfoot th thead tr u ul".split()
)
# Tags that run code, embed other sites, submit data or restyle the whole page.
DANGEROUS_TAGS = {
    "script": "会在访问者浏览器中执行脚本",
    "iframe": "会把其他网站嵌入本站页面",
    "frame": "会把其他网站嵌入本站页面",
    "frameset": "会把其他网站嵌入本站页面",
    "object": "会嵌入插件或外部内容",
    "embed": "会嵌入插件或外部内容",
    "applet": "会嵌入插件或外部内容",
    "form": "会向其他地址提交访问者填写的数据",
    "style": "会改变整个页面的样式，可伪装页面内容",
    "link": "会加载外部样式或脚本",
    "meta": "可使页面跳转到其他网站",
    "base": "会改变页面上所有链接的指向",
    "svg": "可携带脚本",
    "math": "可携带脚本",
}
BAD_SCHEMES = {
    "javascript": "点击时会执行脚本",
    "vbscript": "点击时会执行脚本",
    "data": "把内容直接嵌入页面，可携带脚本，也绕过了附件的审核",
}
# ``style`` may only use these properties: alignment, colour, type and table sizing, the
# formatting Word and WPS leave on pasted tables. Anything that positions, layers, hides
# or transforms (position, z-index, transform, display, visibility, opacity, margin,
# float, content …) can lay a forged page over the real one; url()/image() fetch from
# other sites; both are refused.
ALLOWED_STYLE_PROPERTIES = frozenset(
    "text-align text-indent vertical-align color background-color font-weight font-style font-size "
    "font-family text-decoration line-height letter-spacing white-space word-break width min-width "
    "max-width height border border-collapse border-spacing border-color border-style border-width "
    "border-top border-bottom border-left border-right padding padding-top padding-bottom "
    "padding-left padding-right list-style-type".split()
)
CSS_FETCH_RE = re.compile(r"(?:url|image|image-set|cross-fade|element|src)\s*\(|@import", re.I)
CSS_ESCAPE_RE = re.compile(r"\\(?:([0-9A-Fa-f]{1,6})[ \t\n\r\f]?|(.))", re.S)
CSS_COMMENT_RE = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)

DECLARATION_RE = re.compile(r"<[!?][A-Za-z\[]")
AUTOLINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
# a Markdown link or image destination: ](dest "title")
LINK_DEST_RE = re.compile(r"\]\(\s*(<[^>]*>|[^)]*)")
REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(?:\n[ \t]*)?(\S[^\n]*)", re.M)
# attr_list (enabled by MkDocs Material): {: onclick="…" } sets attributes on the element
ATTR_LIST_RE = re.compile(r"\{:?[ \t]*([^{}\n]*=[^{}\n]*)\}")
STYLE_SCRIPT_RE = re.compile(r"expression\s*\(|javascript:|vbscript:|behavior\s*:|-moz-binding", re.I)
CONTROL_RE = re.compile(r"[\x00-\x20\x7f]+")
UNSAFE_HINT_RE = re.compile(r"[<{]|\]\(|\]:")


# -- what is unsafe -------------------------------------------------------------------------
def bad_scheme(url: str) -> str | None:
    """``javascript`` / ``vbscript`` / ``data`` when ``url`` uses that scheme, as a browser reads it
    (entities decoded, whitespace and control characters inside the scheme ignored)."""
    u = CONTROL_RE.sub("", html.unescape(url)).lstrip("<\"'").lower()
    for scheme in BAD_SCHEMES:
        if u.startswith(scheme + ":"):
            return scheme
    return None


def _scheme_words(scheme: str) -> str:
    if scheme == "data":
        return f"data: 地址（{BAD_SCHEMES[scheme]}）；请把图片或文件放在条目旁，用相对路径引用"
    return f"{scheme}: 地址（{BAD_SCHEMES[scheme]}）；请改为 https:// 网址或 content/ 中的文件"


def _attribute_problems(where: str, attrs: str) -> Iterator[str]:
    for m in TAG_ATTR_RE.finditer(attrs):
        name, value = m.group(1).lower(), m.group(2)
        if name.startswith("on"):
            yield f"{where}带有事件属性 {name}，会在访问者浏览器中执行脚本；请删除该属性"
        elif name in URL_ATTRS:
            for url in attribute_urls(name, value.strip("\"'")):
                if scheme := bad_scheme(url):
                    yield f"{where}的 {name} 使用了 {_scheme_words(scheme)}"
                    break
        elif name == "style":
            yield from (f"{where}的 style {words}" for words in style_problems(value.strip("\"'")))


def _css_text(value: str) -> str:
    """A style attribute as the CSS parser reads it: entities, CSS escapes and comments gone."""
    value = CSS_COMMENT_RE.sub("", html.unescape(value))

    def unescape(m: re.Match[str]) -> str:
        if m.group(1):
            cp = int(m.group(1), 16)
            return chr(cp) if 0 < cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF else "\ufffd"
        return m.group(2)

    return CSS_ESCAPE_RE.sub(unescape, value)


def style_problems(value: str) -> Iterator[str]:
    """What is wrong with a ``style`` attribute: a property outside
    :data:`ALLOWED_STYLE_PROPERTIES`, anything that fetches (``url(``, ``image(``,
    ``@import``) or runs (``expression(``, ``javascript:``), however escaped."""
    css = _css_text(value)
    if STYLE_SCRIPT_RE.search(css):
        yield "中含可执行的样式（expression/javascript 等）；请删除该样式"
        return
    if CSS_FETCH_RE.search(css):
        yield "中含 url()/image()/@import：会从其他网站加载内容；图片请放在条目旁，用 Markdown 图片引用"
        return
    props = [decl.split(":", 1)[0].strip().lower() for decl in css.split(";") if decl.strip()]
    bad = list(dict.fromkeys(p for p in props if p not in ALLOWED_STYLE_PROPERTIES))
    if bad:
        yield (f"使用了不允许的样式属性 {'、'.join(bad)}：定位、层叠、隐藏或变形类样式可以覆盖或伪装页面内容；"
               f"只允许 {'、'.join(sorted(ALLOWED_STYLE_PROPERTIES))}；请删除这些样式")


def unsafe_markup(text: str) -> Iterator[tuple[int, str]]:
    """(offset, Chinese message) for every unsafe construct in Markdown ``text``.

    Public so that other parts (``verify-site``) can apply the same judgement.
    """
    if not UNSAFE_HINT_RE.search(text):  # most text has nothing that could be markup
        return
    text = mask_code(text)
    for tag in iter_tags(text):
        shown = f"<{tag.name}>"
        if tag.name in DANGEROUS_TAGS:
            yield tag.start, (f"公开内容含 {shown} 标签：{DANGEROUS_TAGS[tag.name]}，不符合附件3 第二条的安全要求；"
                              "请删除；如要展示代码，请放入 ``` 代码块")
        elif tag.closed and tag.name not in ALLOWED_TAGS:
            yield tag.start, (f"公开内容含不在允许列表中的 HTML 标签 {shown}：请改用 Markdown 排版"
                              "（从 Word/WPS 粘贴的内容请先清除格式）；允许的标签见 docs/rules.md 的 GK108")
        if tag.closed or tag.name in DANGEROUS_TAGS:
            for words in _attribute_problems(f"{shown} 标签", tag.attrs):
                yield tag.start, words
    for m in DECLARATION_RE.finditer(text):
        yield m.start(), "公开内容含 HTML 声明或处理指令（<!…> / <?…>）：请删除，正文只用 Markdown"
    for regex in (LINK_DEST_RE, REF_DEF_RE, AUTOLINK_RE):
        for m in regex.finditer(text):
            if scheme := bad_scheme(m.group(1)):
                yield m.start(1), f"链接或图片地址使用了 {_scheme_words(scheme)}"
    for m in ATTR_LIST_RE.finditer(text):
        for words in _attribute_problems("属性列表 {: …}", "{ " + m.group(1)):
            yield m.start(), words


def _file_lines(item: Item, public: str) -> list[int]:
    """File line of each line of the public body (blocks and comments removed lines)."""
    if public == item.body:
        return [item.body_line + k for k in range(public.count("\n") + 1)]
    body_lines, public_lines = item.body.split("\n"), public.split("\n")
    out = [item.body_line] * len(public_lines)
    matcher = difflib.SequenceMatcher(None, body_lines, public_lines, autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            out[j] = item.body_line + min(i1 + (j - j1), max(i2 - 1, i1))
    return out


def _meta_strings(item: Item) -> Iterator[tuple[str, str]]:
    """(key, text) of the published front-matter fields and the attachments' titles."""
    for key in PUBLIC_FIELDS:
        value = item.meta.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                yield key, v
    for a in item.seq("attachments"):
        if isinstance(a, dict) and isinstance(a.get("title"), str):
            yield "attachments", a["title"]


@rule("GK108", "E", "公开内容含不安全的标记", "附件3 第二条（安全）")
def unsafe_markup_in_public_content(repo: Repository) -> Iterator[Problem]:
    """Public content must not carry markup that runs code or embeds other sites.

    Checked: the body of 主动公开 items and the public part of 部分公开 items (non-public
    blocks and HTML comments removed, exactly as the site would show it), and the
    published front-matter fields (title, summary, attachment titles …).

    - ``<script>``, ``<iframe>``, ``<object>``, ``<embed>``, ``<form>``, ``<style>`` (and
      ``<frame>``, ``<link>``, ``<meta>``, ``<base>``, ``<svg>``, ``<math>``);
    - any ``on…=`` event attribute, in a tag or in an attribute list ``{: onclick=… }``;
    - ``javascript:``, ``vbscript:`` and ``data:`` URLs in links, images and every
      URL-bearing attribute (``href``, ``src``, each ``srcset`` candidate, ``ping`` …);
    - a ``style`` (in a tag or an attribute list) with a property outside the allow-list
      (alignment, colour, type, borders, padding, width/height: the formatting Word and WPS
      leave on tables) — ``position:fixed``, ``z-index``, ``display``, ``transform``,
      ``margin`` … can lay a forged page over the real one, and one finding names every
      such property — or with ``url(``/``image(``/``@import``/``expression(``, after
      entities, CSS escapes (``u\\72l(``) and comments are decoded;
    - any other raw HTML tag outside the allow-list: a abbr b blockquote br caption col
      colgroup dd del div dl dt em hr i img ins li ol p s small span strong sub sup table
      tbody td tfoot th thead tr u ul.

    HTML inside a fenced code block or a code span is shown as code and is ignored, except
    where a renderer could read it as raw HTML (an unclosed fence; a code span after a
    line that starts with ``<``).

    Passing::

        会议听取了各科室工作汇报<sup>1</sup>。

        <td style="text-align:center;font-weight:bold">合计</td>

        ```html
        <script>这是代码示例，不会执行</script>
        ```

    Failing (three findings: the ``<iframe>``, the ``onerror`` handler, the ``position``)::

        <iframe src="https://example.com/"></iframe>
        <img src="photo.jpg" onerror="alert(1)">
        <div style="position:fixed;top:0;left:0;width:100%;height:100%">通知</div>
    """
    for item in repo.items:
        if not item.is_public:
            continue
        public = public_body(item)
        lines = _file_lines(item, public)
        for offset, message in unsafe_markup(public):
            yield Problem(item.path, lines[public.count("\n", 0, offset)], message)
        for key, text in _meta_strings(item):
            for _, message in unsafe_markup(text):
                yield Problem(item.path, item.line_of(key), f"前置元数据 {key} 中：{message}")
