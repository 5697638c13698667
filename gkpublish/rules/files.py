"""GK101–GK103: files and front matter.

An item is a UTF-8 Markdown file under ``content/`` that starts with YAML front matter
(附件1 第四条: every 公文 must carry its 公开属性 and the data that go with it). These
rules make sure each file can be read at all, and that its front matter has the shape
the site's JSON Schema (``schema/``) describes.
"""

from __future__ import annotations

from collections.abc import Iterator

from gkpublish.model import Repository
from gkpublish.rules import Problem, rule
from gkpublish.schema import Schemas


def _load_findings(repo: Repository, rule_id: str) -> Iterator[Problem]:
    for f in repo.load_findings:
        if f.rule == rule_id:
            yield Problem(f.path, f.line, f.message)


@rule("GK101", "E", "文件不是 UTF-8 文本", "—")
def not_utf8(repo: Repository) -> Iterator[Problem]:
    """The item file must be UTF-8 text (a BOM and CRLF line endings are accepted).

    Files saved by Windows office software are often GBK/GB18030; the message says which
    encoding the file looks like and how to convert it. A NUL byte means a binary file
    (a .docx renamed to .md); a file over 5 MB is refused as an item.

    Passing: a file saved as UTF-8 (with or without BOM, LF or CRLF).

    Failing: the same text saved as GBK::

        content/tzgg/notice.md:1: GK101 文件不是 UTF-8 编码：看起来是 GBK/GB18030 编码；请转换为 UTF-8 ……
    """
    yield from _load_findings(repo, "GK101")


@rule("GK102", "E", "前置元数据缺失或无法解析", "附件1 第四条")
def front_matter(repo: Repository) -> Iterator[Problem]:
    """Every item starts with YAML front matter between ``---`` lines, as a mapping.

    The front matter must also say each thing once and plainly, because PyYAML accepts some
    mistakes silently or cannot read them at all. Each of these is an error with its line
    (the other items are still checked):

    - a key written twice at any level, however it is quoted or escaped (``attribute`` and
      ``"attribute"``, ``'attr\u0069bute'``, ``? attribute``, a flow mapping ``{…}``):
      PyYAML keeps the last value, which could flip ``attribute`` unnoticed;
    - anchors, aliases (``&名称`` / ``*名称``) and merge keys (``<<``);
    - nesting deeper than 25 levels (PyYAML would crash: RecursionError, or a segfault at
      30,000 levels);
    - a number too long to read (5,000 digits and more); quote it if it is text;
    - a control character, or NEL / U+2028 / U+2029, which YAML reads as a line break that no
      editor shows (a field could hide inside the value before it).

    A date that does not exist (``2026-02-30``, ``2026-13-01``) is kept as the text written,
    and GK103 names the field (``应为日期 YYYY-MM-DD``).

    Passing::

        ---
        title: 关于开展2024年度政务公开工作的通知
        attribute: 主动公开
        ---

    Failing (the colon after ``title`` has no space, so the YAML does not parse; the
    message gives the line)::

        ---
        title:关于……
          attribute: 主动公开
        ---

    Failing (the quoted key is the same key: the item would be 主动公开)::

        ---
        attribute: 依申请公开
        "attribute": 主动公开
        ---
    """
    yield from _load_findings(repo, "GK102")


@rule("GK103", "E", "前置元数据不符合 JSON Schema", "附件1 第四条")
def schema(repo: Repository) -> Iterator[Problem]:
    """Front matter must match ``schema/<kind>.schema.json`` (the column chooses the kind).

    The message names the field in Chinese and by key. Unknown keys are errors, because a
    misspelt key (``atribute``) would otherwise be silently ignored. Where the schema
    enforces a named rule (a 转载 without 转载来源 → GK401, 不予公开 without 理由 → GK202),
    the finding carries that rule's ID instead of GK103.

    Passing: ``published: 2024-03-01``.

    Failing: ``published: 2024年3月1日`` → ``发布日期（published） 应为日期 YYYY-MM-DD``.
    """
    schemas = Schemas(repo.config.files)
    for item in repo.items:
        col = repo.config.columns.get(item.column or "")
        kind = col.kind if col else ("document" if item.is_document and "document.schema.json" in schemas.docs else "item")
        for p in schemas.check(item.meta, kind):
            yield Problem(item.path, item.line_of(p.key) if p.key else 1, p.message,
                          rule=None if p.rule == "GK103" else p.rule)
