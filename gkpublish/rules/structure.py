"""GK104–GK107, GK109: identity, columns, organs and links of an item; the files of content/.

条例 第十二条 requires a 政府信息公开目录 in which every item has its 索引 (索引号), and
the site's columns (附件3 第五条) and publishing organs (附件2 第三条) are fixed in
``site_config/``: an item that names a column, an organ or a 科室 nobody defined would
be published nowhere, or under the wrong responsibility. These rules compare the front
matter with ``site_config/`` and with the files of ``content/``.

Where the JSON Schema already reports a field as missing or of the wrong type (its
``x-rule`` routes that to the same ID), these rules stay silent about it.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from gkpublish.errors import GkError
from gkpublish.mdtext import body_links, own_site_path, resolve, url_targets
from gkpublish.model import Item, Repository
from gkpublish.public import is_published, public_body, secret_files
from gkpublish.rules import Problem, rule
from gkpublish.rules.files import _load_findings

CONTENT_PREFIX = "content/"
# domain.md: <organ code>/<YYYY>-<5-digit serial>, e.g. 000014349/2018-00222
DEFAULT_INDEX_PATTERN = "{code}/{year}-{serial:05d}"
PLACEHOLDER_RE = re.compile(r"\{(\w+)(?::([^}]*))?\}")
GENERIC_CODE = r"[0-9A-Za-z][0-9A-Za-z-]*"
# 文号 brackets are typed in many ways: 〔2022〕, [2022], 【2022】, (2022)
DOC_NO_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "【": "〔", "】": "〕", "(": "〔", ")": "〕",
                                 "（": "〔", "）": "〕", "［": "〔", "］": "〕"})


def _value(item: Item, key: str) -> str | None:
    """A front-matter string as written; None when the schema reports it (missing, wrong type, "")."""
    v = item.meta.get(key)
    return v if isinstance(v, str) and v != "" else None


def _value_line(item: Item, key: str, value: str) -> int | None:
    """The line, within the front matter of ``key``, on which ``value`` is written (nested entries)."""
    start = item.line_of(key)
    if start is None:
        return None
    lines = item.raw.decode("utf-8-sig", "replace").splitlines()
    for n in range(start, min(item.body_line, len(lines) + 1)):
        if value in lines[n - 1]:
            return n
    return start


def _close(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.5)
    return f"（是否应为 {' / '.join(close)}？）" if close else ""


def _others(paths: list[str], me: str) -> str:
    return "、".join(p for p in paths if p != me)


# -- GK104 ------------------------------------------------------------------------------------
def index_no_pattern(repo: Repository) -> str:
    cfg = repo.config.site.get("index_no")
    pattern = cfg.get("pattern") if isinstance(cfg, dict) else None
    if pattern is None:
        return DEFAULT_INDEX_PATTERN
    if not isinstance(pattern, str) or not pattern.strip():
        raise GkError("site_config/site.yml: index_no.pattern 应为文本，例如 \"{code}/{year}-{serial:05d}\"")
    return pattern


def index_no_regex(pattern: str, codes: Iterable[str] = ()) -> re.Pattern[str]:
    """The 索引号 pattern of site.yml as a regex with the groups code, year, yyyymm and serial.

    Placeholders: ``{code}`` the publishing organ's code, ``{year}`` 4 digits, ``{yyyymm}``
    year and month, ``{serial:05d}`` a zero-padded serial (``{serial}``: any length).
    """
    out: list[str] = []
    pos = 0
    for m in PLACEHOLDER_RE.finditer(pattern):
        out.append(re.escape(pattern[pos:m.start()]))
        name, spec = m.group(1), m.group(2) or ""
        if name == "code" and not spec:
            alts = [re.escape(c) for c in codes if c] + [GENERIC_CODE]
            out.append(f"(?P<code>{'|'.join(alts)})")
        elif name == "year" and not spec:
            out.append(r"(?P<year>\d{4})")
        elif name == "yyyymm" and not spec:
            out.append(r"(?P<yyyymm>\d{4}(?:0[1-9]|1[0-2]))")
        elif name == "serial" and (width := re.fullmatch(r"0?(\d*)d?", spec)):
            n = width.group(1)
            if n and (len(n) > 2 or int(n) > 20):  # {serial:099999999999d} would exhaust memory
                raise GkError(f"site_config/site.yml: index_no.pattern 中的“{m.group(0)}”位数过大（最多 20 位）；"
                              "请写成如 {serial:05d}")
            out.append(rf"(?P<serial>\d{{{n}}})" if spec.startswith("0") and n else r"(?P<serial>\d+)")
        else:
            raise GkError(f"site_config/site.yml: index_no.pattern 中的“{m.group(0)}”不受支持；"
                          "可用 {code}、{year}、{yyyymm}、{serial:05d}")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    try:
        return re.compile("".join(out))
    except re.error as exc:  # e.g. the same placeholder twice
        raise GkError(f"site_config/site.yml: index_no.pattern“{pattern}”无法使用（{exc}）") from None


def _organ_code(repo: Repository, organ: str | None) -> str | None:
    row = repo.config.organs.get(organ or "")
    return str(row["code"]) if row and row.get("code") is not None else None


def _index_problems(repo: Repository, item: Item, index_no: str, pattern: str,
                    regex: re.Pattern[str]) -> Iterator[str]:
    code = _organ_code(repo, _value(item, "publisher"))
    published = item.date("published")
    try:
        example = pattern.format(code=code or "<机构代码>", year=(published or repo.as_of).year,
                                 yyyymm=(published or repo.as_of).strftime("%Y%m"), serial=1)
    except (KeyError, ValueError, IndexError):
        example = pattern
    m = regex.fullmatch(index_no)
    if m is None:
        yield (f"索引号“{index_no}”不符合本站格式 {pattern}（site_config/site.yml index_no.pattern），"
               f"应形如 {example}；可用 gkpublish new 生成下一个索引号")
        return
    groups = m.groupdict()
    if code and groups.get("code") not in (None, code):
        yield (f"索引号中的机构代码 {groups['code']} 与发布机构“{item.text('publisher')}”的代码 {code} 不一致"
               "（site_config/organisation.yml）；请改为本机构代码")
    if published and groups.get("year") and groups["year"] != str(published.year):
        yield (f"索引号中的年份 {groups['year']} 与发布日期 {published.isoformat()} 的年份 {published.year} 不一致；"
               "索引号按发布年份编排，请核对发布日期或改正索引号")
    if published and groups.get("yyyymm") and groups["yyyymm"] != published.strftime("%Y%m"):
        yield (f"索引号中的年月 {groups['yyyymm']} 与发布日期 {published.isoformat()} 不一致；"
               "请核对发布日期或改正索引号")


@rule("GK104", "E", "索引号或文号重复、索引号格式不对", "条例 第十二条")
def index_and_doc_no(repo: Repository) -> Iterator[Problem]:
    """Every item has a 索引号 of the site's pattern, unique across the site, and no two items
    of the same 发布机构 carry the same 文号.

    The pattern is ``index_no.pattern`` in ``site_config/site.yml`` (default
    ``{code}/{year}-{serial:05d}``): ``{code}`` is the 发布机构's ``code`` in
    ``organisation.yml``, ``{year}`` the year of ``published`` (``{yyyymm}`` where the 索引号
    carries year and month), ``{serial:05d}`` a five-digit serial. A duplicate is reported
    on every item involved, naming the other files. 文号 are compared ignoring the kind of
    brackets (``〔2022〕`` = ``[2022]``).

    Passing (publisher code ``000014349``, published 2018-05-02)::

        index_no: 000014349/2018-00222
        doc_no: 江北府办发〔2018〕37号

    Failing: ``index_no: 2018-222`` (not the pattern), ``index_no: 000014349/2017-00222``
    (year is not the published year), or a second item with ``index_no:
    000014349/2018-00222`` or ``doc_no: 江北府办发[2018]37号`` from the same organ.
    """
    pattern = index_no_pattern(repo)
    regex = index_no_regex(pattern, (str(o.get("code")) for o in repo.config.organs.values()))
    by_index: dict[str, list[Item]] = defaultdict(list)
    by_doc_no: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in repo.items:
        index_no = _value(item, "index_no")
        if index_no is not None:
            by_index[index_no.strip()].append(item)
            for words in _index_problems(repo, item, index_no, pattern, regex):
                yield Problem(item.path, item.line_of("index_no"), words)
        doc_no = _value(item, "doc_no")
        if doc_no is not None:
            key = re.sub(r"\s+", "", doc_no).translate(DOC_NO_BRACKETS)
            by_doc_no[(item.text("publisher") or "", key)].append(item)
    for index_no, items in by_index.items():
        if len(items) > 1:
            paths = [it.path for it in items]
            for it in items:
                yield Problem(it.path, it.line_of("index_no"),
                              f"索引号 {index_no} 与 {_others(paths, it.path)} 重复：索引号在全站必须唯一"
                              "（条例第十二条 政府信息公开目录）；请用 gkpublish new 生成新的索引号")
    for (publisher, _), items in by_doc_no.items():
        if len(items) > 1:
            paths = [it.path for it in items]
            for it in items:
                yield Problem(it.path, it.line_of("doc_no"),
                              f"文号“{it.text('doc_no')}”已被{publisher or '同一发布机构'}的 {_others(paths, it.path)} 使用："
                              "同一机关的文号不能重复；请核对文号，同一文件的更正请在原条目中修改并填写 corrections")


# -- GK105 ------------------------------------------------------------------------------------
@rule("GK105", "E", "栏目未在站点配置中定义", "附件3 第五条")
def column_defined(repo: Repository) -> Iterator[Problem]:
    """``column`` must be the id of a column in ``site_config/columns.yml``.

    附件3 第五条 fixes the site's columns and their update duty; an item in an undefined
    column would not appear in any column and escape its update check. The message
    suggests the closest column ids; a column's Chinese name is recognised and its id given.

    Passing: ``column: gzdt`` (defined as 工作动态).

    Failing: ``column: gzdongtai`` → ``栏目“gzdongtai”未在 site_config/columns.yml 中定义（是否应为 gzdt？）``.
    """
    columns = repo.config.columns
    for item in repo.items:
        column = _value(item, "column")
        if column is None or column in columns:
            continue
        by_name = [c.id for c in columns.values() if c.name == column.strip()]
        if by_name:
            hint = f"；column 应填写栏目 ID：{by_name[0]}（{column.strip()}）"
        else:
            hint = _close(column, columns) + "；请改为已定义的栏目 ID，或先在 columns.yml 中增设栏目"
        yield Problem(item.path, item.line_of("column"),
                      f"栏目“{column}”未在 site_config/columns.yml 中定义{hint}")


# -- GK106 ------------------------------------------------------------------------------------
@rule("GK106", "E", "发布机构、主办科室或共同制作单位未在站点配置中定义", "附件2 第三条")
def organs_defined(repo: Repository) -> Iterator[Problem]:
    """``publisher`` must be an organ of ``site_config/organisation.yml``, ``department`` a
    unit of that organ, and each ``co_producers[].unit`` a defined organ or unit.

    谁主管谁审批谁负责 (附件2 第三条): the responsible organ and 科室 decide who must sign
    off, so they must be the ones the site knows.

    Passing::

        publisher: 重庆市江北区人民政府办公室
        department: 政务公开科

    Failing: ``department: 局办公室`` (a unit of 重庆市綦江区审计局, not of the publisher),
    or ``publisher: 江北区政府办`` (not defined; the closest organ names are suggested).
    """
    organs = repo.config.organs
    units = list(repo.config.units.values())
    unit_names = sorted({u.name for u in units} | {u.id for u in units})
    for item in repo.items:
        publisher = _value(item, "publisher")
        if publisher is not None and publisher not in organs:
            yield Problem(item.path, item.line_of("publisher"),
                          f"发布机构“{publisher}”未在 site_config/organisation.yml 的 organs 中定义{_close(publisher, organs)}；"
                          "请填写机构全称，或先在 organisation.yml 中增加该机构")
        department = _value(item, "department")
        if department is not None:
            found = [u for u in units if department in (u.name, u.id)]
            if not found:
                yield Problem(item.path, item.line_of("department"),
                              f"主办科室“{department}”未在 site_config/organisation.yml 的 units 中定义"
                              f"{_close(department, unit_names)}；请改为已定义的科室，或先在 units 中增加")
            elif publisher in organs and not any(u.organ == publisher for u in found):
                owners = "、".join(sorted({u.organ for u in found}))
                yield Problem(item.path, item.line_of("department"),
                              f"主办科室“{department}”属于{owners}，不属于发布机构“{publisher}”（谁主管谁审批）；"
                              "请核对发布机构或主办科室")
        for entry in item.seq("co_producers"):
            unit = entry.get("unit") if isinstance(entry, dict) else None
            if not isinstance(unit, str) or not unit or unit in organs or unit in unit_names:
                continue
            yield Problem(item.path, _value_line(item, "co_producers", unit),
                          f"共同制作单位“{unit}”未在 site_config/organisation.yml 中定义（organs 或 units）"
                          f"{_close(unit, list(organs) + unit_names)}；请填写已定义的机构或科室名称")


# -- GK107 ------------------------------------------------------------------------------------
def _link_problem(repo: Repository, known: set[str], dirs: set[str], folder: str, target: str,
                  attachment: bool = False) -> str | None:
    full, why = resolve(folder, target)
    if why:
        return f"“{target}”{why}；请把文件放进 content/（通常放在条目旁），并用相对路径引用"
    if full is None:
        return f"“{target}”是网址而不是文件；附件须放进 content/，并用相对路径引用" if attachment else None
    if full in repo.unsafe_paths:
        return f"“{target}”指向不安全的文件：{repo.unsafe_paths[full]}"
    if attachment:
        found = full in known
    else:  # a link may be %-encoded, name an item without .md, or a folder of the site
        plain = posixpath.normpath(posixpath.join(folder, unquote(re.split(r"[?#]", target, maxsplit=1)[0])))
        found = any(p in known or p + ".md" in known or p in dirs for p in (full, plain))
    if found:
        return None
    what = "条目" if full.endswith(".md") else "文件"
    return f"“{target}”指向的{what} {full} 不存在；请上传该文件或改正路径（路径相对于条目所在目录 {folder}/）"


@rule("GK107", "E", "附件或链接目标缺失，或位于 content/ 之外", "—")
def links_inside_content(repo: Repository) -> Iterator[Problem]:
    """Attachments (``attachments: [{file, title}]``, relative to the item's folder) and local
    links and images in the body must point at files that exist inside ``content/``.

    Only ``content/`` is published: a target reached through ``..``, an absolute path, a
    ``file:`` address or a symbolic link out of ``content/`` would be a broken link on
    the site, or would publish a file nobody reviewed. Symbolic links out of ``content/``
    are reported where they are (their target is never read) and on each item that uses
    them. Links to other items (``.md``) must exist too, and a published item must not link
    to an item that is not published (依申请公开, 不予公开, withdrawn), or to a file only an
    unpublished item or a non-public block links to: the page does not exist on the site
    and the link's address would name it. An absolute address of the site itself
    (``site.yml`` ``url``, however written: ``HTTPS://<site>/zcwj/x/``, ``https:\\\\<site>\\zcwj\\x``,
    ``//<site>/zcwj/x/index.html``) is resolved as a browser resolves it and checked as such
    a local link. Other web addresses are GK403's business.

    Passing (``content/zcwj/2022-37/附件1.pdf`` exists)::

        attachments:
          - file: 2022-37/附件1.pdf
            title: 附件1：公开属性源头认定制度
        ……详见[附件1](2022-37/附件1.pdf)，另见[上一期](2022-36.md)。

    Failing: ``file: ../../records/申请登记.xlsx`` (outside content/), ``![](/home/u/a.png)``
    (absolute path), ``[附件2](附件2.pdf)`` when no such file was committed, or
    ``[通报](https://<site>/zcwj/内部通报/)`` when that item is 依申请公开.
    """
    yield from _load_findings(repo, "GK107")
    known = set(repo.attachments) | {it.path for it in repo.items} | {f.path for f in repo.load_findings}
    dirs = {posixpath.dirname(p) for p in known}
    dirs |= {d[:i] for d in list(dirs) for i in range(len(d)) if d[i] == "/"}
    for item in repo.items:
        folder = posixpath.dirname(item.path)
        for entry in item.seq("attachments"):
            target = entry.get("file") if isinstance(entry, dict) else None
            if not isinstance(target, str) or not target:
                continue  # the schema reports it (x-rule GK107)
            words = _link_problem(repo, known, dirs, folder, target, attachment=True)
            if words:
                yield Problem(item.path, _value_line(item, "attachments", target), f"附件{words}")
        for offset, target in body_links(item.body):
            line = item.body_line_at(offset)
            words = _link_problem(repo, known, dirs, folder, target)
            if words:
                yield Problem(item.path, line, f"正文链接{words}")
    yield from _links_to_unpublished(repo)


def _links_to_unpublished(repo: Repository) -> Iterator[Problem]:
    """A public page linking to an item that is not published would be a broken link, and
    its address would name the unpublished item on the public site (its file name is
    often its subject): the public view unlinks it, and the gate says so. An absolute
    address of the site itself (site.yml ``url``: ``https://<site>/zcwj/x/``) is such a
    link too, and so is one to a file that only an unpublished item or a non-public block
    links to."""
    unpublished = {it.path: it for it in repo.items if not is_published(it)}
    own = str(repo.config.site.get("url") or "") or None
    secret = secret_files(repo)
    if not unpublished and not secret:
        return
    for item in repo.items:
        if not is_published(item):
            continue
        folder = posixpath.dirname(item.path)
        body = public_body(item)
        targets = [(target, resolve(folder, unquote(target))[0]) for _offset, target in body_links(body)]
        if own and (":" in body or "//" in body):
            targets += [(url, own_site_path(url, own)) for _offset, _where, url in url_targets(body)]
        reported: set[str] = set()
        for target, full in targets:
            other = full and (unpublished.get(full) or unpublished.get(full + ".md")
                              or unpublished.get(full + "/index.md"))
            if full and target not in reported and (other or full in secret):
                reported.add(target)
                what = f"未公开的条目（{other.attribute or '已撤回'}）" if other else f"不公开的文件（{secret[full]}）"
                yield Problem(item.path, _public_line(item, target),
                              f"正文链接“{target}”指向{what}：公开站点上没有这个页面或文件，"
                              "而链接地址会暴露它的文件名；请删除该链接，或只写文件名称和文号（附件1 第四条）")


def _public_line(item: Item, target: str) -> int | None:
    at = item.body.find(target)
    return item.body_line_at(at) if at >= 0 else None


# -- GK109 ------------------------------------------------------------------------------------
@rule("GK109", "E", "content/ 下的文件既不是条目也不是允许的附件，或占用站点保留地址", "—")
def content_files(repo: Repository) -> Iterator[Problem]:
    """Everything under ``content/`` is exactly an item (``*.md``, lower case) or an
    attachment of an allowed type; anything else is refused, because the site would copy
    or render it unchecked (issue #8: a ``内部通报.MD`` was copied raw, front matter and all;
    a ``说明.markdown`` became a page; ``content/assets/…`` replaced the theme's script).

    Refused by name (reported whether or not an item links the file):

    * other Markdown spellings (``.MD``, ``.Md``, ``.markdown``, ``.mdown``), web pages,
      scripts and vector images (``.html``, ``.htm``, ``.svg``, ``.js``, ``.css``, ``.xml``),
      and any type not on the site's allow-list (default: pdf, ofd, doc, docx, xls, xlsx,
      wps, et, dps, ppt, pptx, jpg, jpeg, png, gif, bmp, zip, txt, csv; narrowed with
      ``site_config/site.yml`` ``attachments: {allowed: [...]}``); an upper-case extension;
    * a path the site uses itself: the folders ``guide``, ``catalog``, ``columns``,
      ``abolished``, ``search``, ``assets``, ``pagefind`` (and an item ``guide.md`` …),
      ``index.md`` in any folder, ``feed.xml``, ``404.html``, ``sitemap.xml(.gz)``,
      ``gkpublish-manifest.json``, ``robots.txt`` at the top (in any case: ``Assets/``);
    * names starting with ``_`` (reserved: ``approvals/_site_config`` holds the sign-offs of
      the configuration) or ``.`` (hidden files; ``.gitkeep`` is ignored); two paths that
      differ only in case; pipes and devices.

    Refused by content, for the files a published item publishes (read once per command):
    bytes that are not what the extension says (a ``.pdf`` that is HTML, a ``.png`` that is
    SVG, a ``.docx`` that is not an Office zip), an Office file with macros, a PDF with
    JavaScript, a zip holding a
    type that is not allowed, a text file with YAML front matter or with
    ``<script>``/``<html>``/``<svg>``, a file that cannot be read (corrupt zip, encrypted
    PDF), and a file whose bytes are those of an item file or of a non-public file (a
    symbolic link to an unpublished item's attachment), or a txt/csv attachment holding
    non-public text (an unpublished item's title or body, a hidden block, a reviewer's
    comment): ``gkpublish build`` would refuse it (verify-site), so the gate does first.

    Passing: ``content/zcwj/2026-01/附件1.pdf`` (a real PDF) linked from a 主动公开 item.

    Failing::

        content/tzgg/内部通报.MD: GK109 扩展名“.MD”不是条目的扩展名：条目必须是小写 .md 文件……
        content/assets/javascripts/bundle.js: GK109 “.js”文件（网页、脚本、样式或矢量图）……
        content/tzgg/附件.pdf: GK109 文件内容与扩展名 .pdf 不符：应为PDF，实际像是网页/SVG/脚本……
    """
    from gkpublish.attachments import public_files

    yield from _load_findings(repo, "GK109")
    for pf in public_files(repo).values():
        owners = "、".join(pf.owners)
        if pf.same_as:
            yield Problem(pf.path, None, f"附件{pf.same_as}：经 {owners} 发布会公开不应公开的文件；"
                                         "请删除该链接或附件，或换成可以公开的版本")
        why = pf.inspection.kind_problem or pf.inspection.unreadable
        if why:
            yield Problem(pf.path, None, f"{why}（由 {owners} 发布）")
    yield from _verify_text_attachments(repo)


def _verify_text_attachments(repo: Repository) -> Iterator[Problem]:
    """One pipeline: verify-site reads the text files the build copies (txt, csv) for the
    non-public text of the repository (unpublished items, hidden blocks, records/,
    approvals/); the gate asks the same check first, so a sign-off never approves a file
    the build then refuses. GK5xx patterns are left to GK501–GK505 (with waivers)."""
    import os

    from gkpublish.attachments import public_files
    from gkpublish.public import public_view

    texts = [pf for pf in public_files(repo).values()
             if pf.path.lower().endswith((".txt", ".csv")) and not (pf.inspection.kind_problem or pf.inspection.unreadable)]
    if not texts:
        return
    from gkpublish.site import manifest as mf
    from gkpublish.site.verify import Verifier

    verifier = Verifier(repo, public_view(repo))
    for pf in texts:
        if pf.text_bytes is None:
            continue
        for leak in verifier.content_leaks(os.path.relpath(pf.path, "content"), pf.text_bytes, mf.ATTACHMENT):
            if not re.match(r"GK\d{3} ", leak.reason):
                yield Problem(pf.path, None, f"附件{leak.reason}：构建时 verify-site 会拒绝发布（由 {'、'.join(pf.owners)} 发布）；"
                                             "请从附件中删除这些内容")
