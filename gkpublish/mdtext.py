"""Markdown as text: code masking, HTML tags and link targets, shared by the rules and the public view.

One extractor serves GK107 (targets must exist inside content/), GK108 (what is markup)
and the public view (which attachments a public item publishes), so what the gate
checked and what the build copies cannot differ.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote

CONTENT_PREFIX = "content/"

# Python-Markdown's opening fence: ``` or ~~~, then an optional {attrs} or (.)lang
FENCE_OPEN_RE = re.compile(r"(`{3,}|~{3,}) *(?:\{[^\n]*\}|\.?[\w#.+-]* *)$")
BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
BACKTICKS_RE = re.compile(r"`+")
HTML_BLOCK_START_RE = re.compile(r"^ {0,3}<[A-Za-z/!?]", re.M)
TAG_START_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*(?::[A-Za-z][A-Za-z0-9-]*)?)(?=[\s/>]|\Z)")
# the rest of a tag up to its '>', with quoted attribute values that may contain '>'
TAG_REST_RE = re.compile(r"""(?:"[^"]*"|'[^']*'|[^'">])*>""")


# -- code is not markup ---------------------------------------------------------------------
def _mask_fences(lines: list[str]) -> None:
    """Blank fenced code blocks in place, where CommonMark and Python-Markdown agree on them.

    Python-Markdown takes a fence only at column 0, with a plain info string, closed by the
    very same fence; CommonMark closes at any line of at least as many fence characters,
    and not inside a raw HTML block. An unclosed fence is text for Python-Markdown (its
    HTML is live), so it is not masked; where the two would close a fence at different
    lines, nothing after it is masked.
    """
    i = 0
    while i < len(lines):
        m = FENCE_OPEN_RE.match(lines[i])
        if not m or (m.group(1)[0] == "`" and "`" in lines[i][m.end(1):]) or _in_html_block(lines, i):
            i += 1
            continue
        fence = m.group(1)
        close = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
        j = next((k for k in range(i + 1, len(lines)) if close.fullmatch(lines[k])), None)
        if j is None:
            i += 1
            continue
        if lines[j].rstrip(" ") != fence:
            return
        for k in range(i, j + 1):
            lines[k] = " " * len(lines[k])
        i = j + 1


def _in_html_block(lines: list[str], i: int) -> bool:
    """Does line ``i`` continue a paragraph that began as raw HTML (CommonMark: until a blank line)?"""
    for k in range(i - 1, -1, -1):
        if not lines[k].strip():
            return False
        if HTML_BLOCK_START_RE.match(lines[k]):
            return True
    return False


def _mask_code_spans(text: str) -> str:
    """Blank `code spans` within one paragraph (never across a blank line)."""
    out = list(text)
    i = 0
    while True:
        i = text.find("`", i)
        if i < 0:
            break
        n = BACKTICKS_RE.match(text, i).end() - i
        if i > 0 and text[i - 1] == "\\":
            i += n
            continue
        closer = re.compile(rf"(?<!`)`{{{n}}}(?!`)")
        para_end = BLANK_LINE_RE.search(text, i)
        end = para_end.start() if para_end else len(text)
        m = closer.search(text, i + n, end)
        if m is None:
            i += n
            continue
        for k in range(i, m.end()):
            if out[k] != "\n":
                out[k] = " "
        i = m.end()
    return "".join(out)


def mask_code(text: str) -> str:
    """``text`` with fenced code blocks and code spans blanked (same length, same lines).

    Code spans are only masked before the first line that starts with ``<``: from there on
    a renderer may treat the text as a raw HTML block, where backticks are not code
    (Python-Markdown passes ``<div>`<script>…</script>`</div>`` through as HTML).
    """
    if "`" not in text and "~~~" not in text:
        return text
    lines = text.split("\n")
    _mask_fences(lines)
    text = "\n".join(lines)
    html_block = HTML_BLOCK_START_RE.search(text)
    cut = html_block.start() if html_block else len(text)
    return _mask_code_spans(text[:cut]) + text[cut:]


@dataclass(frozen=True)
class Tag:
    name: str  # lower case
    start: int  # offset of '<'
    attrs: str  # the text after the name up to the closing '>' (or to the end of the line)
    closed: bool  # a '>' was found


def iter_tags(text: str) -> Iterator[Tag]:
    """Opening HTML tags in ``text`` (mask code first). End tags carry nothing and are skipped."""
    for m in TAG_START_RE.finditer(text):
        if m.group(1):
            continue
        end = text.find(">", m.end())
        rest = TAG_REST_RE.match(text, m.end())
        if rest is not None:  # a quoted '>' ends later than the first '>': take the longer one
            end = max(end, rest.end() - 1)
        closed = end >= 0
        if not closed:
            eol = text.find("\n", m.end())
            end = len(text) if eol < 0 else eol
        yield Tag(m.group(2).lower(), m.start(), text[m.end():end], closed)


# -- link targets ---------------------------------------------------------------------------
INLINE_LINK_RE = re.compile(r"\]\(\s*(<[^>\n]*>|[^)\s]+)")
LINK_REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)", re.M)
LINK_ATTR_RE = re.compile(r"""(?:^|(?<=[\s/"']))(?:href|src)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
WINDOWS_ABS_RE = re.compile(r"^(?:[A-Za-z]:)?[\\/]")
URL_STRIP_RE = re.compile(r"[\t\n\r]")


def body_link_spans(body: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, target) of Markdown links, images, reference definitions and href/src,
    outside code: ``body[start:end]`` is the target as written (inside any quotes), ``target``
    what a browser follows."""
    text = mask_code(body)
    found: list[tuple[int, int, str]] = []
    for regex in (INLINE_LINK_RE, LINK_REF_DEF_RE):
        found += [(m.start(1), m.end(1), m.group(1)) for m in regex.finditer(text)]
    for tag in iter_tags(text):
        attrs_at = tag.start + 1 + len(tag.name)
        for m in LINK_ATTR_RE.finditer(tag.attrs):
            start, end, raw = attrs_at + m.start(1), attrs_at + m.end(1), m.group(1)
            if raw[:1] in "\"'" and raw[-1:] == raw[:1] and len(raw) >= 2:
                start, end, raw = start + 1, end - 1, raw[1:-1]
            found.append((start, end, raw))
    for start, end, target in sorted(found):
        # entities are decoded, as the browser decodes them in the href it follows
        # (&#46;pdf names the same file as .pdf)
        # and, as a browser does, leading/trailing spaces and control characters are
        # stripped and every tab and newline inside dropped
        target = html.unescape(target.strip().removeprefix("<").removesuffix(">"))
        yield start, end, URL_STRIP_RE.sub("", target.strip("".join(map(chr, range(0x21)))))


def body_links(body: str) -> Iterator[tuple[int, str]]:
    """(body offset, target) of every link of :func:`body_link_spans`."""
    for start, _end, target in body_link_spans(body):
        yield start, target


def resolve(folder: str, target: str) -> tuple[str | None, str | None]:
    """(repository path, None) for a local target, (None, why) when it leaves content/,
    (None, None) when it is not a file reference at all (web address, anchor, mail)."""
    if not target or target.startswith(("#", "?")) or target.startswith("//"):
        return None, None
    if WINDOWS_ABS_RE.match(target):
        return None, "是绝对路径，公开站点上无法访问"
    if SCHEME_RE.match(target):
        return (None, "是本机文件地址（file:），公开站点上无法访问") if target.lower().startswith("file:") else (None, None)
    path = re.split(r"[?#]", target, maxsplit=1)[0].replace("\\", "/")
    full = posixpath.normpath(posixpath.join(folder, path))
    if not full.startswith(CONTENT_PREFIX):
        return None, "解析到 content/ 之外（..），公开站点不会发布那里的文件"
    return full, None


# -- URLs as a browser reads them ----------------------------------------------------------
# Every attribute a browser fetches or navigates to (WHATWG HTML; srcset and ping hold lists).
URL_ATTRS = frozenset(
    "href src action formaction xlink:href background poster srcset data lowsrc dynsrc cite "
    "longdesc usemap codebase manifest ping icon archive classid profile itemtype".split()
)
TAG_ATTR_RE = re.compile(r"""(?:^|(?<=[\s/"']))([^\s"'<>/=]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
# Python-Markdown takes a destination up to the closing parenthesis, spaces included (a
# tab inside becomes spaces in the href): so does this, less a trailing "title".
MD_LINK_DEST_RE = re.compile(r"\]\(\s*(<[^>\n]*>|[^)\n]*)")
MD_LINK_TITLE_RE = re.compile(r"""\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\))?\s*$""")
MD_REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(?:\n[ \t]*)?(<[^>\n]*>|\S+)", re.M)
AUTOLINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
ATTR_LIST_RE = re.compile(r"\{:?[ \t]*([^{}\n]*=[^{}\n]*)\}")


def attribute_urls(name: str, value: str) -> list[str]:
    value = html.unescape(value)
    if name == "srcset":  # "a.png 1x, //evil/b.png 2x": the first word of each candidate
        return [c.split()[0] for c in value.split(",") if c.split()]
    if name in ("ping", "archive"):
        return value.split()
    return [value]


def url_targets(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, where, URL as the browser receives it) of every URL in Markdown ``text``
    outside code: link and image destinations, reference definitions, autolinks, every
    URL-bearing attribute of a tag (srcset and ping candidates each) and of an attribute
    list ``{: href=… }``. Entities are decoded, as a browser decodes them; the URL itself
    is left as written, for :func:`resolve_url`."""
    text = mask_code(text)
    found: list[tuple[int, str, str]] = []
    for regex, where in ((MD_LINK_DEST_RE, "链接或图片地址"), (MD_REF_DEF_RE, "链接定义"), (AUTOLINK_RE, "自动链接")):
        for m in regex.finditer(text):
            target = m.group(1)
            if regex is not AUTOLINK_RE:
                target = target if target.startswith("<") else MD_LINK_TITLE_RE.sub("", target)
                target = target.strip().removeprefix("<").removesuffix(">")
            found.append((m.start(1), where, html.unescape(target)))
    attr_sets = [(tag.start, f"<{tag.name}> 标签的", tag.attrs) for tag in iter_tags(text)]
    attr_sets += [(m.start(), "属性列表 {: …} 的", m.group(1)) for m in ATTR_LIST_RE.finditer(text)]
    for start, where, attrs in attr_sets:
        for a in TAG_ATTR_RE.finditer(attrs):
            name = a.group(1).lower()
            if name in URL_ATTRS:
                value = a.group(2)
                value = value[1:-1] if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1 else value
                found += [(start, f"{where} {name}", u) for u in attribute_urls(name, value)]
    yield from sorted(found)


class ResolvedURL(NamedTuple):
    scheme: str  # "https", "mailto", … (lower case, no ':')
    host: str  # lower case, no trailing dot; "" when the URL has none
    path: str  # the path, %-decoded


def resolve_url(url: str, base: str) -> ResolvedURL | None:
    """``url`` resolved against the page address ``base`` exactly as a browser does (the
    WHATWG URL Standard, by the ada parser): backslashes, ``http:host`` without slashes,
    protocol-relative ``//host``, tabs and newlines inside, upper case, IDNA hosts. None when
    a browser could not parse it (it would go nowhere)."""
    import ada_url

    try:
        joined = ada_url.join_url(base, url)
        parsed = ada_url.URL(joined)
    except ValueError:
        return None
    host = (parsed.hostname or "").lower().rstrip(".")
    return ResolvedURL(parsed.protocol.rstrip(":").lower(), host, unquote(parsed.pathname))


def own_site_path(url: str, site_url: str | None) -> str | None:
    """The repository path a URL of the site itself names (``https://<site url>/zcwj/x/`` →
    ``content/zcwj/x``), so that it is checked as a local link; None for any other URL."""
    if not site_url or not (SCHEME_RE.match(url) or url[:2] in ("//", "\\\\", "/\\", "\\/")):
        return None
    own = resolve_url(site_url, site_url)
    got = resolve_url(url, site_url)
    if own is None or got is None or got.scheme not in ("http", "https") or got.host != own.host:
        return None
    base = own.path if own.path.endswith("/") else own.path + "/"
    if not (got.path + "/").startswith(base):
        return None
    rest = got.path[len(base):].strip("/")
    # a page is also reached as …/index.html (and, without directory URLs, as ….html)
    rest = re.sub(r"(?:^|/)index\.html?$|\.html?$", "", rest).strip("/")
    return posixpath.normpath(CONTENT_PREFIX + rest) if rest else CONTENT_PREFIX.rstrip("/")
