"""GK501–GK506: 保密与隐私 (secrecy and privacy in public content and attachments).

条例 第十四条: 依法确定为国家秘密的政府信息 …… 不予公开; 第十五条: 涉及商业秘密、个人隐私等
公开会对第三方合法权益造成损害的政府信息，行政机关不得公开. 附件2 第九条 holds whoever lets
a secret out through careless review to account; 附件3 第二条 asks every publication to be
reviewed for 政治、法律、政策、保密、文字; 国办秘函〔2019〕19号 fails a site outright for
严重表述错误 and leaked secrets.

These rules read **public content only**, exactly what the public view publishes: the
body of each 主动公开 and 部分公开 item that is not withdrawn, with its non-public blocks and
HTML comments removed (:func:`gkpublish.public.public_body`), and its public front-matter
fields (:data:`gkpublish.public.PUBLIC_FIELDS`, the 转载来源 and 被转发公文 shown as
来源, attachment titles and file names, 更正说明, 废止信息), and the text of every file
the item publishes (:mod:`gkpublish.attachments`: txt/csv, docx/xlsx/pptx/OFD through
their XML, PDF through its text layer), reported on the attachment's path with its page,
sheet/cell or line. Of a withdrawn item, exactly what its notice page shows: title, 索引号,
the withdrawal's date and reason (:meth:`gkpublish.public.PublicTombstone.fields`).

**Names are public content too**: every file and folder name that becomes an address on the
site (:func:`gkpublish.public.site_names`: published and withdrawn items, the files they
publish, the folders between ``content/`` and them), every local link target of a public
body and every heading's anchor (the toc slug, or ``{#id}``) are read by
:func:`gkpublish.privacy_patterns.scan_name` and reported on the file or folder (the item,
for a body's link or heading), with the fix: rename (``git mv``) and change the links.
Non-public blocks may hold
personal data: that is what they are for. The detectors live in
:mod:`gkpublish.privacy_patterns`, shared with ``verify-site``; messages show personal
numbers masked, because they are printed in CI logs.

A finding is waived item by item in the front matter, naming the rule, the exact text and
a reason (rules.md, GK5xx); the waiver is reviewed with the item by the sign-offs::

    waivers:
      - rule: GK502
        value: "13800138000"
        reason: 区长信箱值班手机，依《政府信息公开指南》须向社会公开

For GK501–GK503 the value may be written with or without spaces and hyphens (and a
+86 prefix for a mobile). A waiver that no longer matches anything in the item's public
content is reported as a warning under its rule, so stale waivers do not pile up.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from gkpublish.attachments import PublicFile, Text, public_files
from gkpublish.mdtext import SCHEME_RE, mask_code, url_targets
from gkpublish.model import WARNING, Item, Repository
from gkpublish.privacy_patterns import (
    BANK_CARD,
    ID_CARD,
    MOBILE,
    SECRECY_MARK,
    TERM,
    Hit,
    Terms,
    compile_terms,
    mask,
    normalise,
    scan_name,
    scan_text,
)
from gkpublish.public import (
    HTML_COMMENT_RE,
    PUBLIC_FIELDS,
    is_published,
    is_tombstoned,
    public_body,
    site_names,
    tombstone,
)
from gkpublish.rules import Problem, rule

RULE_IDS = (ID_CARD, MOBILE, BANK_CARD, SECRECY_MARK, TERM)
TERMS_FILE = "site_config/terms.yml"
GUIDE_FILE = "site_config/guide.yml"

FIELD_LABELS = {
    "title": "标题", "index_no": "索引号", "doc_no": "文号", "publisher": "发布机构",
    "department": "主办科室", "column": "栏目", "topic": "主题分类", "written": "成文日期",
    "published": "发布日期", "validity": "有效性", "attribute": "公开属性", "summary": "内容概述",
    "keywords": "关键词", "source": "来源", "attachments": "附件", "corrections": "更正说明",
    "abolished": "废止信息", "withdrawn": "撤回说明",
}
WAIVE_HINT = "确需公开的，在前置元数据 waivers 中登记规则、原文和理由"


# -- the public content of one item, with a way back to file lines ---------------------

def _strings(value: Any) -> Iterator[str]:
    """Every scalar under ``value`` as text (numbers too: ``index_no: 13800138000`` is public)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def public_fields(item: Item) -> Iterator[tuple[str, str]]:
    """(top-level key, text) of every front-matter value the public site shows; of a
    withdrawn item, exactly what its notice page shows (:meth:`PublicTombstone.fields`)."""
    if is_tombstoned(item):
        yield from ((key, text) for key, text in tombstone(item).fields() if text)
        return
    meta = item.meta
    for key in PUBLIC_FIELDS:
        value = meta.get(key)
        if isinstance(value, str):  # the common case, kept cheap: this runs for every item
            yield key, value
        elif value is not None:
            for s in _strings(value):
                yield key, s
    source = item.mapping("source")
    reprint = source.get("转载来源")
    if isinstance(reprint, dict):
        for k in ("organ", "url", "publication", "date"):
            for s in _strings(reprint.get(k)):
                yield "source", s
    forwarded = source.get("forwarded")
    if isinstance(forwarded, dict):
        for k in ("organ", "doc_no"):
            for s in _strings(forwarded.get(k)):
                yield "source", s
    for a in item.seq("attachments") if "attachments" in meta else ():
        if isinstance(a, dict):
            for s in _strings([a.get("title"), a.get("file")]):
                yield "attachments", s
    for key in ("corrections", "abolished"):
        if key in meta:
            for s in _strings(meta[key]):
                yield key, s


def _mapped_public_body(item: Item) -> tuple[str, list[int], list[int]] | None:
    """The public body with anchors back into ``item.body``: (text, public offsets, body
    offsets), each anchor starting a stretch copied unchanged. Mirrors public_body(): the
    lines the one block scanner hides (item.block_scan()) go, then HTML comments; None if
    the two ever disagree."""
    body = item.body
    scan = item.block_scan()
    if not scan.hidden and "<!--" not in body:
        return body, [0], [0]  # the common case: nothing is removed
    hidden = [False] * (body.count("\n") + 1)
    for a, b in scan.hidden:
        hidden[a:b] = [True] * (b - a)
    kept: list[str] = []
    pub: list[int] = []
    orig: list[int] = []
    at = length = 0
    for index, line in enumerate(body.split("\n")):
        start, at = at, at + len(line) + 1
        if hidden[index]:
            continue
        pub.append(length + len(kept))  # + the newlines that join the kept lines
        orig.append(start)
        length += len(line)
        kept.append(line)
    stripped = "\n".join(kept)
    pieces: list[str] = []
    pub2: list[int] = []
    orig2: list[int] = []
    out = prev = 0
    for a, b in [(m.start(), m.end()) for m in HTML_COMMENT_RE.finditer(stripped)] + [(len(stripped), 0)]:
        if a > prev:  # the piece stripped[prev:a] survives
            i = bisect_right(pub, prev) - 1
            pub2.append(out)
            orig2.append(orig[i] + prev - pub[i])
            for j in range(i + 1, len(pub)):
                if pub[j] >= a:
                    break
                pub2.append(out + pub[j] - prev)
                orig2.append(orig[j])
            pieces.append(stripped[prev:a])
            out += a - prev
        prev = b
    text = "".join(pieces)
    if text != public_body(item):
        return None
    return text, pub2 or [0], orig2 or [0]


@dataclass
class PublicContent:
    """One item's public text as a single string (fields, then the body), so each item is
    scanned once; :meth:`line` maps an offset back to the file line."""

    item: Item
    text: str = ""
    field_starts: list[int] = field(default_factory=list)
    field_keys: list[str] = field(default_factory=list)
    body_start: int = 0
    body_map: tuple[list[int], list[int]] | None = None

    @classmethod
    def of(cls, item: Item) -> PublicContent:
        pc = cls(item)
        parts: list[str] = []
        at = 0
        for key, s in public_fields(item):
            pc.field_starts.append(at)
            pc.field_keys.append(key)
            parts.append(s)
            at += len(s) + 1  # "\n" between parts: no match crosses a field boundary
        mapped = _mapped_public_body(item)
        body = mapped[0] if mapped else public_body(item)
        pc.body_map = (mapped[1], mapped[2]) if mapped else None
        pc.body_start = at
        parts.append(body)
        pc.text = "\n".join(parts)
        return pc

    def where(self, offset: int) -> tuple[str | None, int | None]:
        """(front-matter key or None for the body, file line) of a text offset."""
        if offset >= self.body_start:
            if self.body_map is None:
                return None, None
            pub, orig = self.body_map
            p = offset - self.body_start
            i = bisect_right(pub, p) - 1
            return None, self.item.body_line_at(orig[i] + p - pub[i])
        key = self.field_keys[bisect_right(self.field_starts, offset) - 1]
        return key, None


def front_matter_line(item: Item, key: str, value: str) -> int | None:
    """The file line where ``value`` is written under top-level ``key`` (nested values and
    block scalars included), else the key's own line."""
    start = item.line_of(key)
    try:
        lines = item.raw.decode("utf-8-sig").replace("\r\n", "\n").split("\n")[:item.body_line - 1]
    except UnicodeDecodeError:
        return start
    first = (start or 1) - 1
    for n in range(first, len(lines)):
        if value in lines[n]:
            return n + 1
    return start


# -- scanning every item once; the five rules read the result --------------------------

@dataclass(frozen=True)
class Waiver:
    index: int  # 1-based position in the item's waivers list
    rule: str
    value: str


def canonical(rule_id: str, value: str) -> str:
    """What a waiver's value is compared by: the exact text, except that a number may be
    written with or without spaces/hyphens, full-width digits, or a +86 prefix."""
    value = normalise(value).text.strip()
    if rule_id in (ID_CARD, MOBILE, BANK_CARD):
        digits = "".join(c for c in value if c.isdigit() or c in "Xx").upper()
        return digits[-11:] if rule_id == MOBILE else digits
    return value.casefold() if rule_id == TERM else value


def _waivers(item: Item) -> list[Waiver]:
    out = []
    for n, w in enumerate(item.seq("waivers"), 1):  # a malformed entry is GK103's finding
        if isinstance(w, dict) and w.get("rule") in RULE_IDS and isinstance(w.get("value"), str):
            out.append(Waiver(n, w["rule"], w["value"]))
    return out


def _where_label(key: str | None) -> str:
    return "正文" if key is None else f"{FIELD_LABELS.get(key, key)}（{key}）"


def _message(rule_id: str, value: str, where: str, terms: Terms) -> str:
    shown = mask(rule_id, value)
    if rule_id == ID_CARD:
        return (f"{where}含未脱敏的居民身份证号 {shown}：属于个人隐私，不得公开（条例第十五条）。"
                f"请删除、改为脱敏形式（如 {shown}），或移入“::: 不公开”块；{WAIVE_HINT}")
    if rule_id == MOBILE:
        return (f"{where}含未脱敏的手机号码 {shown}：属于个人隐私，不得公开（条例第十五条）。"
                f"请删除、改为脱敏形式（如 {shown}）或改用办公电话，或移入“::: 不公开”块；{WAIVE_HINT}")
    if rule_id == BANK_CARD:
        return (f"{where}含银行卡号 {shown}（通过 Luhn 校验）：属于个人隐私或商业秘密，不得公开（条例第十五条）。"
                f"请删除、改为脱敏形式（如 {shown}），或移入“::: 不公开”块；{WAIVE_HINT}")
    if rule_id == SECRECY_MARK:
        return (f"{where}含密级标志“{value}”：标有密级或“内部资料”的信息不得公开（条例第十四条；附件2 第九条）。"
                f"请先按保密规定确认已解密，再删除该标志，否则改为不予公开；{WAIVE_HINT}")
    correct = terms.correct_for(value)
    if correct is not None:
        return (f"{where}“{value}”是错误写法，应为“{correct}”（严重表述错误，国办秘函〔2019〕19号；"
                f"{TERMS_FILE} official_names）。请改正；引用历史名称等{WAIVE_HINT}")
    return (f"{where}含禁用词“{value}”（{TERMS_FILE} prohibited；附件3 第二条），请删除或改写；{WAIVE_HINT}")


def _attachment_message(rule_id: str, value: str, where: str, terms: Terms) -> str:
    """The item message, with the fix that fits a file: edit it and upload it again."""
    return (_message(rule_id, value, f"附件（{where}）", terms).replace("，或移入“::: 不公开”块", "后重新上传附件")
            .replace("在前置元数据 waivers 中", "在发布该附件的条目的前置元数据 waivers 中"))


def _attachment_hits(path: str, files: dict[str, PublicFile], terms: Terms,
                     cache: dict[str, list[tuple[Hit, Text]]]) -> list[tuple[Hit, Text]]:
    """GK501–GK505 hits in the text of one public attachment, scanned once per command
    (an attachment published by several items is read once)."""
    hits = cache.get(path)
    if hits is None:
        pf = files.get(path)
        hits = cache[path] = [(hit, t) for t in (pf.inspection.texts if pf else ()) for hit in
                              (scan_text(t.text, terms) if not t.name else
                               [Hit(r, 0, len(t.text), v) for r, v in scan_name(t.text, terms)])]
    return hits


def _check_item(item: Item, terms: Terms, out: dict[str, list[Problem]],
                attachments: Iterable[tuple[Hit, Text, str]] = (),
                used: set[tuple[str, str]] | None = None) -> None:
    content = PublicContent.of(item)
    waivers = _waivers(item)
    keys = {(w.rule, canonical(w.rule, w.value)) for w in waivers}
    used = set() if used is None else used  # waivers the item's names already needed (_scan_names)
    reported: set[tuple[tuple[str, str], int | None]] = set()
    for hit in scan_text(content.text, terms, markdown=True):
        key = (hit.rule, canonical(hit.rule, hit.value))
        if key in keys:
            used.add(key)
            continue
        field_key, line = content.where(hit.start)
        if field_key is not None:
            line = front_matter_line(item, field_key, content.text[hit.start:hit.end])
        out[hit.rule].append(Problem(item.path, line, _message(hit.rule, hit.value, _where_label(field_key), terms)))
        reported.add((key, line))
    # the addresses in the body: local links and heading anchors are names, read as names
    # (a value the text scan reported on the same line is not reported twice)
    for offset, where, fix, name in _body_names(content.text[content.body_start:]):
        _, line = content.where(content.body_start + offset)
        for rule_id, value in scan_name(name, terms):
            key = (rule_id, canonical(rule_id, value))
            if key in keys:
                used.add(key)
            elif (key, line) not in reported:
                reported.add((key, line))
                out[rule_id].append(Problem(item.path, line, _name_message(rule_id, value, where, fix, terms)))
    # the attachments the item publishes are its public content too; the item's waivers cover them
    for hit, text, path in attachments:
        key = (hit.rule, canonical(hit.rule, hit.value))
        if key in keys:
            used.add(key)
            continue
        out[hit.rule].append(Problem(path, text.line, _attachment_message(hit.rule, hit.value, text.where, terms)))
    for w in waivers:
        if (w.rule, canonical(w.rule, w.value)) not in used:
            out[w.rule].append(Problem(
                item.path, front_matter_line(item, "waivers", w.value),
                f"豁免（waivers）第 {w.index} 项：{w.rule} 的“{mask(w.rule, w.value)}”在本条目的公开内容中已不存在，"
                "请删除这条过期豁免（或核对原文是否一字不差）", severity=WARNING))


# -- names: what reaches the site as an address ---------------------------------------------

_NAME_KINDS = {"item": "条目文件名", "attachment": "附件文件名", "folder": "文件夹名"}
_NAME_FIX = {
    "item": "请给条目文件改名（git mv 旧路径 新路径，新名称不含该内容），并修改其他条目中链接到它的地址",
    "attachment": "请给附件改名（git mv 旧路径 新路径，新名称不含该内容），并修改链接到它的条目（正文链接和 attachments 的 file）",
    "folder": "请给文件夹改名（git mv 旧文件夹 新文件夹，新名称不含该内容），并修改链接到其中文件的地址",
}
_LINK_FIX = "请改写该链接地址（链接到的文件或页面须先改名），或移入“::: 不公开”块"
_ANCHOR_FIX = "请改写该标题，或在标题末尾用 {#自定义锚点} 指定不含该内容的锚点，或移入“::: 不公开”块"
# ATX headings (## 标题; a "#" after a space mid-line counts too: reading one line too many
# is safe) and setext underlines (=== or --- under a line). Each pattern starts with a
# literal, which the regex engine finds fast: this runs over every public body.
_ATX_RE = re.compile(r"#(?<![^\n \t]#)#{0,5}[ \t]+([^\n]*?)(?:[ \t]+#+)?[ \t]*$", re.M)
_SETEXT_RE = re.compile(r"\n {0,3}(?:=+|-+)[ \t]*(?=\n|\Z)")
_ATTR_LIST_TAIL = re.compile(r"[ \t]*\{:?([^{}\n]*)\}[ \t]*$")
_ATTR_ID = re.compile(r"(?:^|\s)#([^\s}]+)|(?:^|\s)id\s*=\s*[\"']?([^\s\"'}]+)")


def _name_message(rule_id: str, value: str, where: str, fix: str, terms: Terms) -> str:
    """A finding on a name: what the name carries, that the name is public, and the fix."""
    shown = mask(rule_id, value)
    if rule_id == ID_CARD:
        what = f"含未脱敏的居民身份证号 {shown}：属于个人隐私，不得公开（条例第十五条）"
    elif rule_id == MOBILE:
        what = f"含未脱敏的手机号码 {shown}：属于个人隐私，不得公开（条例第十五条）"
    elif rule_id == BANK_CARD:
        what = f"含银行卡号 {shown}（通过 Luhn 校验）：属于个人隐私或商业秘密，不得公开（条例第十五条）"
    elif rule_id == SECRECY_MARK:
        what = (f"含密级标志“{value}”：标有密级或“内部资料”的信息不得公开（条例第十四条；附件2 第九条）；"
                "若文件确属涉密，不得发布，应撤下")
    else:
        correct = terms.correct_for(value)
        what = (f"含“{value}”，是错误写法，应为“{correct}”（严重表述错误，国办秘函〔2019〕19号；{TERMS_FILE}）"
                if correct is not None else f"含禁用词“{value}”（{TERMS_FILE} prohibited；附件3 第二条）")
    return (f"{where}{what}。名称会出现在公开网址、站点地图、订阅、搜索索引、目录和栏目列表中，与正文一样公开；"
            f"{fix}；{WAIVE_HINT}")


def _headings(body: str) -> Iterator[tuple[int, str]]:
    """(offset, heading text) of the ATX and setext headings of a Markdown body, outside code."""
    if not any(_anchor_matters(text) for _, text in _heading_lines(body)):
        return  # the common case, found without masking code: no heading can make a telling anchor
    for offset, text in _heading_lines(mask_code(body)):
        if _anchor_matters(text):
            yield offset, text


def _heading_lines(text: str) -> Iterator[tuple[int, str]]:
    for m in _ATX_RE.finditer(text):
        yield m.start(), m.group(1)
    for m in _SETEXT_RE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        line = text[start:m.start()]
        if line.strip() and not _SETEXT_RE.match("\n" + line):
            yield start, line.strip()


def _anchor_matters(heading: str) -> bool:
    """Can the heading's anchor hold a GK5xx hit its text does not show? Only with an explicit
    ``{#id}`` or 11 digits or more: the toc slug keeps ASCII letters and digits only (full-width
    digits become ASCII), so it has no Chinese for a 密级标志 and no other way to a number."""
    return "{" in heading or sum(map(str.isdigit, heading)) >= 11


def _body_names(body: str) -> Iterator[tuple[int, str, str, str]]:
    """(offset, where, fix, name) of the addresses a public body puts on the site besides its
    text: every local link target (relative paths, anchors, %-encoded or not; a web address
    of another site is text, scanned as text) and the anchor (``id``) of every heading, as
    Python-Markdown's toc extension makes it: the explicit ``{#id}``, or the slug of the
    heading's text (ASCII letters and digits only: 1101【05】… becomes 110105…)."""
    from markdown.extensions.toc import slugify

    for offset, where, target in url_targets(body):
        if target and not SCHEME_RE.match(target) and not target.startswith(("//", "\\\\")):
            yield offset, f"正文中的{where}", _LINK_FIX, target
    for offset, text in _headings(body):
        tail = _ATTR_LIST_TAIL.search(text)
        if tail:
            for m in _ATTR_ID.finditer(tail.group(1)):
                yield offset, "正文标题的锚点（{#…}）", _ANCHOR_FIX, m.group(1) or m.group(2)
            text = text[:tail.start()]
        if sum(map(str.isdigit, text)) >= 11:  # (see _anchor_matters)
            for reading in dict.fromkeys((text, normalise(text, markdown=True).text)):
                yield offset, "正文标题生成的页内锚点（网址 #…）", _ANCHOR_FIX, slugify(reading, "-")


def _scan_names(repo: Repository, terms: Terms, out: dict[str, list[Problem]]) -> dict[str, set[tuple[str, str]]]:
    """GK501–GK505 in every name that reaches the site (:func:`gkpublish.public.site_names`),
    reported on the file or folder that carries it. A hit is waived when every item that
    publishes the name waives it. Returns the waivers used, by item path."""
    items = {it.path: it for it in repo.items}
    keys_of: dict[str, set[tuple[str, str]]] = {}
    used: dict[str, set[tuple[str, str]]] = {}
    for name in site_names(repo):
        hits = scan_name(name.name, terms)
        if not hits:
            continue
        for rule_id, value in hits:
            key = (rule_id, canonical(rule_id, value))
            waiving = []
            for owner in name.owners:
                if owner not in keys_of:
                    item = items.get(owner)
                    keys_of[owner] = {(w.rule, canonical(w.rule, w.value)) for w in _waivers(item)} if item else set()
                if key in keys_of[owner]:
                    waiving.append(owner)
            for owner in waiving:
                used.setdefault(owner, set()).add(key)
            if name.owners and len(waiving) == len(name.owners):
                continue
            out[rule_id].append(Problem(name.path, None, _name_message(
                rule_id, value, _NAME_KINDS[name.kind], _NAME_FIX[name.kind], terms)))
    return used


def _scan(repo: Repository) -> dict[str, list[Problem]]:
    """All GK501–GK505 problems of the repository, computed once and kept in ``repo.extra``."""
    cached = repo.extra.get(__name__)
    if cached is not None:
        return cached
    out: dict[str, list[Problem]] = {r: [] for r in RULE_IDS}
    terms, config_problems = compile_terms(repo.config.terms)
    for p in config_problems:
        out[TERM].append(Problem(TERMS_FILE, None, f"{TERMS_FILE}：{p}；该项未参与检查"))
    files = public_files(repo)
    owned: dict[str, list[str]] = {}
    for pf in files.values():
        for owner in pf.owners:
            owned.setdefault(owner, []).append(pf.path)
    cache: dict[str, list[tuple[Hit, Text]]] = {}
    used = _scan_names(repo, terms, out)
    for item in repo.items:
        if is_published(item):  # 依申请公开/不予公开/withdrawn: never public, never scanned
            found = [(hit, t, path) for path in owned.get(item.path, ())
                     for hit, t in _attachment_hits(path, files, terms, cache)]
            _check_item(item, terms, out, found, used.get(item.path))
        elif is_tombstoned(item):
            # the notice at a withdrawn item's address publishes its title, 索引号 and the
            # withdrawal (public_fields); its body is not published, so it is not scanned
            _check_item(replace(item, body="", derived={}), terms, out, used=used.get(item.path))
    for path in owned.get(GUIDE_FILE, ()):  # the 申请表 of guide.yml: no item, no waivers
        for hit, t in _attachment_hits(path, files, terms, cache):
            out[hit.rule].append(Problem(path, t.line, _attachment_message(hit.rule, hit.value, t.where, terms)))
    repo.extra[__name__] = out
    return out


@rule("GK501", "E", "公开内容含未脱敏的居民身份证号", "条例 第十五条")
def id_card(repo: Repository) -> Iterator[Problem]:
    """A 居民身份证号 is personal information (条例 第十五条): public content never shows one.

    The text is read as a visitor reads it (:func:`gkpublish.privacy_patterns.normalise`,
    shared with verify-site): entities decoded (``&#49;1010…``), zero-width and other
    format characters removed, full-width digits, every space, dash and dot variant
    folded, tags between digits ignored, attribute values (``title``, ``alt``,
    ``aria-label``, ``data-*``, link titles) scanned too — for GK502–GK505 alike.

    A hit is an 18-character number (17 digits and a digit or X, also written 6-8-4 or
    6-4-4-4 with spaces, hyphens or dots) with a known province code, a real birth date and a valid GB 11643 check
    character, not part of a longer run of digits or letters. Masked forms pass. Old
    15-digit numbers are not detected: they carry no check digit and look like the 15-digit
    工商注册号 that 行政许可 notices publish by design.

    Names are read too (for GK502–GK505 alike): the name of every item file, attachment and
    folder that reaches the site (it is the page's address, the download link, and is in the
    sitemap, the feed and the search index), percent-decoded, with ``-``, ``_``, ``.``, ``+``,
    ``~`` and spaces between digit groups; the names of the files inside a published zip;
    and every local link and heading anchor of a public body (Python-Markdown's slug keeps only ASCII letters and digits:
    ``## 1101【05】19491231【】002X`` has the anchor ``#11010519491231002x``). The finding is
    on the file or folder; the fix is to rename it (``git mv``) and change the links to it.

    Passing::

        申请人：张某，身份证号 1101**********002X
        content/xzxk/2026-001-决定书.pdf
        content/xzxk/20261202-12345678901234567.md     (a date and a 17-digit serial)

    Failing::

        申请人：张某，身份证号 11010519491231002X
        申请人：张某，身份证号 110105&#8203;19491231&#8203;002X
        content/xzxk/2026-001.md:12: GK501 正文含未脱敏的居民身份证号 1101**********002X：……
        content/xzxk/张三_110105_19491231_002x.pdf: GK501 附件文件名含未脱敏的居民身份证号 ……请给附件改名（git mv ……）
    """
    yield from _scan(repo)[ID_CARD]


@rule("GK502", "E", "公开内容含未脱敏的手机号码", "条例 第十五条")
def mobile(repo: Repository) -> Iterator[Problem]:
    """A personal mobile number is personal information (条例 第十五条).

    A hit is ``1[3-9]`` and nine more digits (optionally ``+86``, also written 3-4-4, 3-8
    or 7-4 with a space, a hyphen or a dot of any width between the groups), read from
    the normalised text (``&#49;3800138000``, ``138<b>0013</b>8000`` count), on
    its own: not inside a longer run of digits or letters, not an amount (``…元``, a
    decimal). Landlines (``023-67000000``), 文号 (``江北府办发〔2022〕37号``), 索引号
    (``SAMPLE001/2022-00037``) and dates (``20220615``) are not mobiles. An office mobile
    that must be public (a 值班电话 in the 指南) is waived in the item's front matter.

    Passing::

        联系电话：023-67000000；联系人手机：138****8000

    Failing::

        联系人：李某，手机 13800138000
        联系人：李某，<span title="手机 138 0013 8000">联系方式</span>
        content/tzgg/2026-05.md:9: GK502 正文含未脱敏的手机号码 138****8000：……
    """
    yield from _scan(repo)[MOBILE]


@rule("GK503", "E", "公开内容含银行卡号", "条例 第十五条")
def bank_card(repo: Repository) -> Iterator[Problem]:
    """A bank card number is personal or commercial information (条例 第十五条).

    A hit is 16–19 digits (or groups of four separated by spaces or hyphens) that pass the
    Luhn check and start like a card (3–6, or 9 for old domestic cards; UnionPay is 62),
    and that are neither a valid 身份证号 (GK501 reports those) nor a valid 统一社会信用代码.
    An account that is meant to be public (a 非税收入 collection account) is waived.

    Passing::

        退款将原路退回尾号 7894 的银行卡。

    Failing::

        退款账户：6222 0212 3456 7894
        content/cwzj/2026-03.md:15: GK503 正文含银行卡号 6222 **** **** 7894（通过 Luhn 校验）：……
    """
    yield from _scan(repo)[BANK_CARD]


@rule("GK504", "E", "公开内容含密级标志或“内部资料”", "条例 第十四条; 附件2 第九条")
def secrecy_mark(repo: Repository) -> Iterator[Problem]:
    """A 密级标志 on a public page means a classified or internal document is being
    published (条例 第十四条): ``绝密★``/``机密★``/``秘密★`` with or without its period
    (``秘密★1年``, ``机密★★``), ``密级：机密``, ``内部资料``, ``注意保密``, ``内部使用``,
    read from the normalised text: ``秘<span></span>密★1年``, ``秘**密**★``, ``秘&#23494;★``
    and a zero-width space between the characters are the same mark.

    The level words alone are ordinary legal language and pass: 国家秘密, 商业秘密,
    保密审查, 密级和期限, 机密性 (the seed documents use them all).

    In a **name** (a file or folder name that reaches the site), a level word is a label:
    ``机密-名单.xlsx``, ``【秘密】通知.pdf`` and ``绝密材料/`` fire; only the ordinary
    compounds pass (国家秘密, 商业秘密, 工作秘密, 技术秘密, 经营秘密, 军事秘密, 机密性).

    Passing::

        对拟公开的政府信息进行保密审查，依法确定为国家秘密的不予公开。
        content/zcwj/国家秘密定密管理暂行规定解读.md

    Failing::

        秘密★1年
        秘<span></span>密★1年
        关于做好2026年度保密检查工作的通知
        content/tzgg/2026-07.md:8: GK504 正文含密级标志“秘密★1年”：……
        content/tzgg/机密-名单.xlsx: GK504 附件文件名含密级标志“机密”：……请给附件改名（git mv ……）
    """
    yield from _scan(repo)[SECRECY_MARK]


@rule("GK505", "E", "公开内容含禁用词或规范名称的错误写法", "附件3 第二条; 国办秘函〔2019〕19号")
def terms(repo: Repository) -> Iterator[Problem]:
    """Words the site never publishes and wrong forms of official names (严重表述错误, a
    single-item veto in 国办秘函〔2019〕19号), from ``site_config/terms.yml``::

        prohibited: [某禁用词]
        official_names:
          - correct: 重庆市江北区人民政府
            wrong: [江北区政府, 江北县人民政府]

    A wrong form inside its correct full name passes (江北区人民政府 listed as wrong does
    not fire inside 重庆市江北区人民政府). A malformed entry of terms.yml is reported
    here against that file.

    Passing: ``重庆市江北区人民政府办公室关于……的通知``.

    Failing::

        江北区政府办公室关于……的通知
        content/tzgg/2026-08.md:2: GK505 标题（title）“江北区政府”是错误写法，应为“重庆市江北区人民政府”……
    """
    yield from _scan(repo)[TERM]


@rule("GK506", "E", "公开附件泄露修订痕迹、批注、作者信息或隐藏内容", "条例 第十五条; 附件3 第二条")
def office_leaks(repo: Repository) -> Iterator[Problem]:
    """An attached office document publishes more than its pages show. Each file a public
    item publishes is opened (zip + XML for docx/xlsx/pptx/OFD, pypdf for PDF) and refused
    when it carries:

    * Word tracked changes (``w:ins``, ``w:del``: the deleted wording is still in the file)
      and comments (``word/comments.xml``, Excel and PowerPoint comments, PDF annotations);
    * embedded files (``*/embeddings/`` of an Office file, a PDF's embedded files): they are
      published with the document and nobody reviewed them;
    * who wrote it: ``docProps/core.xml`` 作者 (``dc:creator``) and 最后修改者
      (``cp:lastModifiedBy``), ``docProps/app.xml`` 单位 (``Company``) and ``Manager``;
      a PDF's ``/Author`` (any non-empty value), its XMP ``dc:creator``, and a ``/Creator``
      written in Chinese characters only (a person, not the software that made the file);
      OFD ``Author``;
    * hidden content: Word hidden text (``w:vanish``), hidden Excel sheets, rows and
      columns, hidden slides, PDF text in render mode 3 (invisible, but copied and indexed);
    * a photo's EXIF: where it was taken (GPS) and who took it (Artist, XPAuthor, Copyright).

    The text of every such file (and of txt/csv) is also scanned for GK501–GK505, under
    those rules and with the item's waivers: body, headers, footers, notes, comments,
    document properties, every other XML part (charts, text boxes, custom XML), PDF pages
    and annotations. There is no waiver for GK506: clean the file
    (Office“检查文档”, WPS“隐私”, accept all changes) and export it again. Office 97-2003
    binary files (doc/xls/ppt/wps/et/dps) are scanned for text only (best effort); the
    text in images is not read.

    Passing: a ``.docx`` exported after 检查文档 (no revisions, no comments, empty author).

    Failing::

        content/tzgg/2026-05/通知.docx: GK506 含修订痕迹（2 处插入/删除，w:ins/w:del）：删除的原文仍在文件中……
        content/tzgg/2026-05/名单.pdf: GK506 PDF 文档信息含作者（Author）“张三”：会随附件公开……
    """
    for pf in public_files(repo).values():
        owners = "、".join(pf.owners)
        for leak in pf.inspection.leaks:
            yield Problem(pf.path, None, f"{leak}（由 {owners} 发布）")
