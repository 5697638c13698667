"""GK110–GK111: a draft is not an item — placeholder text, an empty body, a summary that
only repeats the title, a title with markup.

``gkpublish new`` writes （在此填写正文） as the body and the title as the 内容概述, so that
the file passes the schema while it is being written. Signed by mistake, such a page would
be published as it is: 条例 第十二条 wants a 目录 entry whose 内容概述 describes the
information, and a page that says （在此填写正文） informs nobody. These rules decide that
a draft still looks like a draft, on the text the public view would publish (non-public
blocks and HTML comments are not published, so a placeholder left in them is not
reported here).

Placeholders are recognised after normalisation, so that full-width letters, spaces and
brackets of any kind do not hide them: NFKC, then invisible characters, whitespace and
brackets (（）()【】[]〔〕「」《》<>…) and punctuation removed. A line is a placeholder when
it then starts with 在此/此处/这里 + 填写/输入/录入/补充, or contains 待填写, 待补充, 待完善,
请填写, 填写正文, or the words TODO, TBD, FIXME, XXX (three or more X), lorem ipsum.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from gkpublish.model import Item, Repository
from gkpublish.public import HTML_COMMENT_RE, is_published, public_body
from gkpublish.rules import Problem, rule

# after _squash (no whitespace, no brackets, no punctuation)
_CN_PLACEHOLDER = re.compile(r"^(?:在此|此处|这里)(?:填写|输入|录入|补充)|待填写|待补充|待完善|请填写|填写正文|正文内容待")
# ASCII words: judged on the NFKC text with punctuation turned into spaces (word boundaries)
_ASCII_PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9])(?:TODO|TBD|FIXME|lorem\s*ipsum)(?![A-Za-z0-9])", re.I)
_XXX = re.compile(r"(?<![A-Za-z0-9])X{3,}(?![A-Za-z0-9])")  # XXX同志, ＸＸＸ局: a name not filled in
_INVISIBLE = {"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"}
_HTML_IN_TITLE = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]{2,8});")


def _clean(text: str) -> str:
    """NFKC, invisible characters dropped (so ＴＯＤＯ, T\u200bODO and T O D O look alike)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE or ch in " \t")


def _squash(text: str) -> str:
    """Letters and digits only: brackets, punctuation, symbols and spaces removed."""
    return "".join(ch for ch in _clean(text) if unicodedata.category(ch)[0] in "LN")


def placeholder_in(text: str) -> str | None:
    """The placeholder a line of text still contains, as found (normalised); None if none."""
    squashed = _squash(text)
    m = _CN_PLACEHOLDER.search(squashed)
    if m:
        return m.group()
    spaced = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in _clean(text))
    m = _ASCII_PLACEHOLDER.search(spaced) or _XXX.search(spaced)
    if m:
        return m.group()
    # a line that is nothing but a placeholder word spaced out ("T O D O", "Ｔ　Ｏ　Ｄ　Ｏ")
    if squashed.upper() in ("TODO", "TBD", "FIXME") or re.fullmatch(r"X{3,}", squashed):
        return squashed
    return None


def _public_lines(item: Item) -> Iterator[tuple[int, str]]:
    """(file line, text) of the body lines the public view publishes."""
    body = HTML_COMMENT_RE.sub(lambda m: "\n" * m.group().count("\n"), item.body)
    scan = item.block_scan()
    for i, line in enumerate(body.split("\n")):
        if not scan.is_hidden(i):
            yield item.body_line + i, line


def _same_text(a: str, b: str) -> bool:
    return _squash(a) == _squash(b)


@rule("GK110", "E", "正文为空或仍是占位文字，或内容概述照抄标题", "条例 第十二条")
def draft_leftovers(repo: Repository) -> Iterator[Problem]:
    """A published item (主动公开, 部分公开) has a real body and a 内容概述 of its own.

    Reported, each with its line: a public body that is empty (and has no attachment to
    publish instead); a line that is still placeholder text (（在此填写正文）, 待填写, 待补充,
    TODO, XXX …, in any width, spacing or brackets); a ``summary`` that is a placeholder or
    only repeats the title (the 目录 would say nothing more than the title).

    Passing::

        title: 关于开展2026年政务公开培训的通知
        summary: 通知各科室于12月参加政务公开业务培训。
        ---
        各科室：为提升政务公开工作水平……

    Failing::

        summary: 关于开展2026年政务公开培训的通知   # → 内容概述与标题相同
        ---
        （在此填写正文）                            # → 第 N 行仍是占位文字“在此填写”
    """
    for item in repo.items:
        if not is_published(item):
            continue
        found = False
        for line_no, line in _public_lines(item):
            what = placeholder_in(line)
            if what:
                found = True
                yield Problem(item.path, line_no,
                              f"正文第 {line_no} 行仍是占位文字“{what}”：请换成要公开的正文，或删除这一行")
        if not found and not public_body(item).strip() and not item.seq("attachments"):
            yield Problem(item.path, item.body_line,
                          "正文为空：公开的页面上没有任何内容；请在前置元数据（---）之后写正文，或以附件发布原件")
        summary, title = item.meta.get("summary"), item.meta.get("title")
        if not isinstance(summary, str) or not summary.strip():
            continue  # the schema reports a missing summary
        what = placeholder_in(summary)
        if what:
            yield Problem(item.path, item.line_of("summary"),
                          f"内容概述（summary）仍是占位文字“{what}”：请用一两句话概括公开的内容")
        elif isinstance(title, str) and _same_text(summary, title):
            yield Problem(item.path, item.line_of("summary"),
                          "内容概述（summary）与标题相同（gkpublish new 暂用标题）：请改写为对内容的概括，"
                          "如发布机构、事项、对象和要点")


@rule("GK111", "E", "标题含 HTML 标记或字符实体", "附件3 第五条")
def plain_title(repo: Repository) -> Iterator[Problem]:
    """``title`` is plain text: the site, the 目录, search and feeds show it as written, so
    markup would be shown literally (``<b>`` on the page) or differ between outputs.

    Passing: ``title: 关于印发《江北区政务公开工作要点》的通知``.

    Failing: ``title: 关于<b>重要</b>事项的通知`` → ``标题含 HTML 标记“<b>”``;
    ``title: A&amp;B`` → ``标题含 HTML 字符实体“&amp;”``.
    """
    for item in repo.items:
        title = item.meta.get("title")
        if not isinstance(title, str):
            continue
        m = _HTML_IN_TITLE.search(unicodedata.normalize("NFKC", title))
        if m:
            kind = "字符实体" if m.group().startswith("&") else "标记"
            yield Problem(item.path, item.line_of("title"),
                          f"标题含 HTML {kind}“{m.group()}”：标题是纯文本，请删除标记，直接写文字（如《》、“”）")
