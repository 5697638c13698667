"""The loaded model of a site repository: items, configuration, roster, load problems.

Everything a rule or the public view needs is here, read once by :mod:`gkpublish.loader`.
Rules never open files; they read this model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

# 公开属性 (附件1 第三条、第四条; 綦江 第六条)
ATTRIBUTES = ("主动公开", "部分公开", "依申请公开", "不予公开")
PUBLIC_ATTRIBUTES = frozenset({"主动公开", "部分公开"})

# Grounds for not disclosing (条例 第十四、十五、十六条). The key is what a reason names.
GROUNDS: dict[str, str] = {
    "国家秘密": "条例第十四条",
    "法律行政法规禁止公开": "条例第十四条",
    "危及三安全一稳定": "条例第十四条",
    "商业秘密": "条例第十五条",
    "个人隐私": "条例第十五条",
    "内部事务信息": "条例第十六条",
    "过程性信息": "条例第十六条",
    "行政执法案卷信息": "条例第十六条",
}

# 附注 lines (附件1 第四条) and the attribute each one states.
NOTE_ATTRIBUTE = {
    "此件公开发布": "主动公开",
    "此件主动公开": "主动公开",
    "此件依申请公开": "依申请公开",
    "此件不予公开": "不予公开",
    "此件不公开": "不予公开",
    "此件部分公开": "部分公开",
}
NOTE_RE = re.compile(r"^[ \t　]*[（(](此件[^）)]{2,8})[）)][ \t　]*$", re.M)

# A non-public part of a 部分公开 body is a fenced block that carries its reason:
#
#   ::: 不公开 理由="个人隐私（条例第十五条）"
#   …
#   :::
#
# The public build removes it whole. An unclosed block hides everything to the end of the
# file (fail closed) and is a finding.
BLOCK_OPEN_RE = re.compile(r"^:::[ \t]*(不公开|不予公开|依申请公开)(?:[ \t]+(.*))?$")
BLOCK_CLOSE_RE = re.compile(r"^:::[ \t]*$")
BLOCK_REASON_RE = re.compile(r"""(?:理由|reason)\s*[=＝:：]\s*["“]?([^"”]*)["”]?""")

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # relative to the repository root, POSIX separators
    line: int | None
    rule: str
    severity: str  # "error" | "warning"
    message: str  # Chinese, concrete, actionable

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.rule, self.message)

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "path": self.path,
                "line": self.line, "message": self.message}


@dataclass(frozen=True)
class NonPublicBlock:
    kind: str  # 不公开 / 不予公开 / 依申请公开
    reason: str  # may be empty: that is GK202/GK205's business
    start_line: int  # 1-based line of the opening fence in the file
    end_line: int | None  # line of the closing fence; None when unclosed
    text: str  # the hidden content (used by verify-site to prove it never leaks)


@dataclass
class Item:
    """One disclosure item: a Markdown file with YAML front matter under content/."""

    path: str  # e.g. content/zcwj/2022-37.md
    raw: bytes  # exact bytes: sign-offs bind their SHA-256
    sha256: str
    meta: dict[str, Any]  # front matter; dates normalised to ISO strings
    meta_lines: dict[str, int]  # top-level key -> 1-based line in the file
    body: str  # Markdown after the front matter, LF line endings
    body_line: int  # 1-based file line of the body's first line
    blocks: list[NonPublicBlock] = field(default_factory=list)
    # the local files this item references (front-matter ``attachments`` and body links that
    # resolve to a file under content/): repository path -> SHA-256 of the file's bytes.
    # Filled by the loader; sign-offs bind them together with ``sha256`` (issue #8, class 3).
    attachments: dict[str, str] = field(default_factory=dict)
    # values derived from the fields above, computed once (e.g. the public body, read by
    # GK108, GK403, GK5xx and the public view); never part of equality
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- typed access; wrong types read as None (the schema reports them) --------------
    def text(self, key: str) -> str | None:
        v = self.meta.get(key)
        return v if isinstance(v, str) and v.strip() else None

    def date(self, key: str) -> dt.date | None:
        return parse_date(self.meta.get(key))

    def mapping(self, key: str) -> dict[str, Any]:
        v = self.meta.get(key)
        return v if isinstance(v, dict) else {}

    def seq(self, key: str) -> list[Any]:
        v = self.meta.get(key)
        return v if isinstance(v, list) else []

    def flag(self, key: str) -> bool:
        return self.meta.get(key) is True

    @property
    def title(self) -> str:
        return self.text("title") or self.path

    @property
    def attribute(self) -> str | None:
        v = self.text("attribute")
        return v if v in ATTRIBUTES else None

    @property
    def is_public(self) -> bool:
        """Would (part of) this item reach the public site?"""
        return self.attribute in PUBLIC_ATTRIBUTES

    @property
    def column(self) -> str | None:
        return self.text("column")

    @property
    def is_document(self) -> bool:
        """A 公文 (has a 文号): it must carry a 附注 line (附件1 第四条)."""
        return self.text("doc_no") is not None

    @property
    def source_type(self) -> str:
        return self.mapping("source").get("type") or "原创"

    @property
    def drafter(self) -> str | None:
        return self.text("drafter")

    def line_of(self, key: str) -> int | None:
        """The line of a top-level front-matter key, or of the front matter's start."""
        return self.meta_lines.get(key, 1 if self.meta_lines else None)

    def body_line_at(self, offset: int) -> int:
        """File line of a character offset in ``body``."""
        return self.body_line + self.body.count("\n", 0, offset)

    def notes(self) -> list[tuple[str, int]]:
        """附注 lines in the body: (text such as 此件公开发布, file line)."""
        return [(m.group(1), self.body_line_at(m.start())) for m in NOTE_RE.finditer(self.body)]


@dataclass(frozen=True)
class Column:
    """A 栏目 of the site (附件3 第五条: each has a minimum update frequency)."""

    id: str
    name: str
    parent: str | None = None  # grouping, e.g. 法定主动公开内容
    update_interval_days: int | None = None  # None: no update obligation (e.g. 制度)
    category: str = "其他"  # 动态 / 通知公告 / 政策文件 / 其他: selects inspection thresholds
    review: str = "政务公开"  # review policy name in site_config/review.yml
    kind: str = "item"  # item kind → schema/<kind>.schema.json (item, document)
    description: str = ""
    order: int = 0
    # what `gkpublish new` pre-fills: topic, attribute, department, publisher (columns.yml `defaults`)
    defaults: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ReviewPolicy:
    """Ordered sign-off levels a column's items need (附件2 第七条 / 附件3 第三条)."""

    name: str
    steps: tuple[str, ...]  # e.g. (科室负责人, 分管领导, 主要领导)
    important_steps: tuple[str, ...] = ()  # added for 重要信息
    source: str = ""


@dataclass(frozen=True)
class Unit:
    """A 科室 or a co-producing organ (谁主管谁审批)."""

    id: str
    name: str
    organ: str  # the 发布机构 it belongs to


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    unit: str  # Unit.id
    steps: tuple[str, ...]  # the steps this person may sign
    keys: tuple[dict[str, Any], ...] = ()  # {"key": "ssh-ed25519 AAAA…", "revoked": date|None}


@dataclass
class Config:
    """Everything under site_config/, validated."""

    site: dict[str, Any]
    organs: dict[str, dict[str, Any]]  # 发布机构 name -> {"code": organ code, ...}
    units: dict[str, Unit]  # by id
    columns: dict[str, Column]  # by id
    review: dict[str, ReviewPolicy]
    sources: list[dict[str, Any]]  # approved reprint sources (附件3 第四条)
    domains: list[str]  # allowed link domains
    terms: dict[str, Any]  # prohibited terms, official names
    guide: dict[str, Any]  # 政府信息公开指南 data
    people: dict[str, Person] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # site_config/ and schema/ bytes, for GK308

    def unit_by_name(self, name: str) -> Unit | None:
        for u in self.units.values():
            if u.name == name or u.id == name:
                return u
        return None


@dataclass
class Repository:
    """The whole loaded repository: one read per command."""

    root: str  # absolute path
    config: Config
    items: list[Item]
    attachments: dict[str, str]  # content/ files that are not items: repo path -> absolute path on disk
    unsafe_paths: dict[str, str]  # content/ paths rejected while loading (symlink outside …) -> reason
    load_findings: list[Finding]  # GK101/GK102/GK107 found while reading
    as_of: dt.date
    trust_note: str | None = None  # "the working tree is trusted" when no --trust-ref
    extra: dict[str, Any] = field(default_factory=dict)  # later subsystems: approvals, git facts

    def item(self, path: str) -> Item | None:
        for it in self.items:
            if it.path == path:
                return it
        return None


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_blocks(body: str, body_line: int) -> list[NonPublicBlock]:
    """Find the non-public fenced blocks of a body (see BLOCK_OPEN_RE)."""
    if ":::" not in body:  # every fence starts with ::: (most bodies have none)
        return []
    blocks: list[NonPublicBlock] = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        m = BLOCK_OPEN_RE.match(lines[i])
        if not m:
            i += 1
            continue
        rm = BLOCK_REASON_RE.search(m.group(2) or "")
        reason = (rm.group(1) if rm else (m.group(2) or "")).strip()
        j = i + 1
        while j < len(lines) and not BLOCK_CLOSE_RE.match(lines[j]):
            j += 1
        closed = j < len(lines)
        blocks.append(NonPublicBlock(
            kind=m.group(1), reason=reason, start_line=body_line + i,
            end_line=body_line + j if closed else None,
            text="\n".join(lines[i + 1:j]),
        ))
        i = j + 1
    return blocks


def strip_blocks(body: str) -> str:
    """The body without its non-public blocks (fences included). Unclosed: cut to the end."""
    if ":::" not in body:  # no fence: nothing to remove (called by several rules per item)
        return body
    out: list[str] = []
    hidden = False
    for line in body.split("\n"):
        if hidden:
            if BLOCK_CLOSE_RE.match(line):
                hidden = False
            continue
        if BLOCK_OPEN_RE.match(line):
            hidden = True
            continue
        out.append(line)
    return "\n".join(out)
