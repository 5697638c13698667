"""The loaded model of a site repository: items, configuration, roster, load problems.

Everything a rule or the public view needs is here, read once by :mod:`gkpublish.loader`.
Rules never open files; they read this model.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
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
# ONE scanner (:func:`scan_blocks`) decides, line by line, what is hidden; parse_blocks,
# strip_blocks (the public body), GK204/GK205, GK5xx's offset mapping and verify-site's
# secrets all read its result. It fails closed (issue #8, class 1):
# - only the exact forms below are markers; every other line that *looks like* one (after
#   NFKC, without invisible characters, indentation, list or quote prefixes: a run of two
#   or more colon-like characters at the start, a block word after such a run anywhere, or
#   a block word after fence-like punctuation) is a problem (GK205/GK204) and hides from
#   that line on, as an opening marker would;
# - an unclosed block hides to the end of the body;
# - a block inside a block is a problem, and the whole outer extent is hidden (to the close
#   that balances the outer opening, or to the end);
# - inside a block, a fenced code block (``` or ~~~) is opaque: a ``:::`` in it does not close
#   the block. Outside a block, fences protect nothing: a marker in a code fence is a marker.
BLOCK_WORDS = ("不公开", "不予公开", "依申请公开")
BLOCK_OPEN_RE = re.compile(r"^:::[ \t]*(不公开|不予公开|依申请公开)(?:[ \t]+(.*))?$")
BLOCK_CLOSE_RE = re.compile(r"^:::[ \t]*$")
BLOCK_REASON_RE = re.compile(r"""(?:理由|reason)\s*[=＝:：]\s*["“]?([^"”]*)["”]?""")
CANONICAL_OPEN = '::: 不公开 理由="……"'
CANONICAL_CLOSE = ":::"

# colon-like characters, as they are after NFKC (：﹕︓ become ':', ⩴ '::='; ︰ is mapped
# before NFKC, as NFKC makes it two dots)
_COLON = ":∶˸꞉ːˑ׃⁚⁝᠄։፡᛬ꓽ܃܄⦂"
_RAW_COLON = _COLON + "：︰﹕︓⩴"
_PRE_NFKC = str.maketrans({"︰": ":"})
# Lines worth a closer look (a cheap test on the text as written, so that prose lines are
# not normalised): after a prefix of anything but ASCII letters and ideographs (spaces,
# invisible characters, quote, bullets, list numbers in any script, punctuation), a
# colon-like character or the start of a block word; or two colon-like characters anywhere
# with no letter, digit or ideograph between. 不 has a compatibility twin (U+F967). A
# property test checks that no line _classify calls marker-like is skipped.
_WORDLIKE = "A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # ASCII letters and ideographs
_CANDIDATE_RE = re.compile(
    f"^[^{_WORDLIKE}]*(?:[{_RAW_COLON}]|[不\uf967]|依申)"
    f"|[{_RAW_COLON}][^0-9{_WORDLIKE}\\n]*[{_RAW_COLON}]", re.M)
# The same pre-filter for a whole body at once: no match runs past the end of a line, so
# the lines one search of the body finds are the lines a search of each line would find
# (scan_blocks then skips the other lines outside a block without a Python call each).
_LINE_CANDIDATE_RE = re.compile(
    f"^[^{_WORDLIKE}\\n]*(?:[{_RAW_COLON}]|[不\uf967]|依申)"
    f"|[{_RAW_COLON}][^0-9{_WORDLIKE}\\n]*[{_RAW_COLON}]", re.M)
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_BLOCK_WORD_RE = "(?:不予?公[开開]|依申[请請]公[开開])"
# what goes before a marker in Markdown and does not stop it from being read as one:
# indentation, quote '>', bullets, ordered-list numbers
_PREFIX_RE = re.compile(r"^(?:[\s>*+\-•·‧∙●○◦▪■□◆◇–—]|[0-9]{1,9}[.)、])+")
_COLON_RUN_RE = re.compile(f"^[{_COLON}](?:\\s*[{_COLON}])+")
_MIDLINE_RE = re.compile(f"[{_COLON}](?:\\s*[{_COLON}])+\\s*[{{.]?\\s*{_BLOCK_WORD_RE}")
_FENCEISH_RE = re.compile(f"^[{_COLON};!~.={{]+\\s*{_BLOCK_WORD_RE}")
_BARE_WORD_RE = re.compile(f"^{_BLOCK_WORD_RE}\\s*(?:理由|reason)\\s*[=:]")
_CODE_FENCE_RE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")


def visible_form(line: str) -> str:
    """A line as a reader sees it: NFKC, without format characters (Cf: zero-width spaces,
    joiners, soft hyphens, BOM), combining marks and invisible fillers."""
    text = unicodedata.normalize("NFKC", line.translate(_PRE_NFKC))
    return "".join(c for c in text
                   if c not in _INVISIBLE and unicodedata.category(c) not in ("Cf", "Mn", "Me"))


def _marker_like(line: str) -> str | None:
    """None, or "close" / "open" for a line that looks like a block marker (any form)."""
    if not _CANDIDATE_RE.search(line):
        return None  # _classify would say None too (a property test checks it)
    return _classify(line)


def _classify(line: str) -> str | None:
    """_marker_like without the cheap pre-filter."""
    text = visible_form(line)
    rest = _PREFIX_RE.sub("", text)
    run = _COLON_RUN_RE.match(rest)
    if run:
        return "close" if not rest[run.end():].strip() else "open"
    if _MIDLINE_RE.search(text) or _FENCEISH_RE.match(rest) or _BARE_WORD_RE.match(rest):
        return "open"
    return None


def _shown(line: str) -> str:
    """The line as written, invisible characters spelled out (\\u200b), for messages."""
    out = []
    for c in line.strip("\n"):
        if c in _INVISIBLE or unicodedata.category(c) in ("Cf", "Mn", "Me", "Cc") or (c.isspace() and c not in " "):
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    shown = "".join(out)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _what_is_wrong(line: str) -> str:
    """Why a marker-like line is not a marker, in the words an editor can act on."""
    text = visible_form(line)
    why = []
    if any(c in _INVISIBLE or unicodedata.category(c) in ("Cf", "Mn", "Me") for c in line):
        why.append("含有看不见的字符（如零宽空格）")
    if _PREFIX_RE.match(text):
        why.append("行首有空格、缩进或列表/引用符号，标记必须顶格")
    if any(c in _RAW_COLON and c != ":" for c in line):
        why.append("使用了全角或其他形似冒号的字符，须用半角冒号 :")
    rest = _PREFIX_RE.sub("", text)
    run = _COLON_RUN_RE.match(rest)
    if run:
        colons = sum(1 for c in run.group() if not c.isspace())
        if colons != 3:
            why.append(f"冒号有 {colons} 个，须正好三个")
        if any(c.isspace() for c in run.group()):
            why.append("冒号之间有空格")
        after = rest[run.end():].strip()
        word = re.match(_BLOCK_WORD_RE, after)
        if after and not word:
            why.append("块的类型须为 不公开、不予公开 或 依申请公开")
        elif word and after[word.end():] and not after[word.end():][0].isspace():
            why.append("块类型之后须先空一格再写理由")
    elif _MIDLINE_RE.search(text):
        why.append("标记须单独成行，前面不能有其他文字")
    else:
        why.append("标记须以三个半角冒号 ::: 开头")
    if any(c.isspace() and c not in " \t" for c in line):
        why.append("含有全角空格或其他特殊空格，须用半角空格")
    if not why:
        why.append("写法不规范")
    return "、".join(why)



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
    # False: opened by a line that only looks like a marker (or a stray :::); it hides all the
    # same, and scan_blocks reports the line as a problem
    exact: bool = True


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

    def block_scan(self) -> BlockScan:
        """The body's non-public blocks, marker problems and hidden lines (computed once)."""
        scan = self.derived.get("block_scan")
        if scan is None:
            scan = self.derived["block_scan"] = scan_blocks(self.body, self.body_line)
        return scan

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

    def item_files(self) -> list[str]:
        """Every item file of content/ (``*.md``), those that could not be parsed included
        (GK101/GK102 leave them out of ``items``): what "检查了 N 个条目" counts."""
        parsed = {it.path for it in self.items}
        broken = {f.path for f in self.load_findings
                  if f.rule in ("GK101", "GK102") and f.path.startswith("content/") and f.path.endswith(".md")}
        return sorted(parsed | broken)

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


@dataclass(frozen=True)
class BlockScan:
    """What :func:`scan_blocks` found in a body."""

    blocks: list[NonPublicBlock]  # every hidden stretch, in order
    problems: list[tuple[int, str]]  # (file line, Chinese message): marker-like lines, nesting
    hidden: list[tuple[int, int]]  # 0-based body line ranges [start, end) that are not published

    def is_hidden(self, index: int) -> bool:
        return any(a <= index < b for a, b in self.hidden)


def _kind_and_reason(line: str) -> tuple[str, str]:
    m = BLOCK_OPEN_RE.match(line)
    if m:
        rest = m.group(2) or ""
        rm = BLOCK_REASON_RE.search(rest)
        return m.group(1), (rm.group(1) if rm else rest).strip()
    text = visible_form(line)
    word = re.search(_BLOCK_WORD_RE, text)
    kind = "不公开"
    if word:
        kind = word.group().replace("開", "开").replace("請", "请")
    # the reason as written (full-width brackets kept), only the invisible characters dropped
    raw = "".join(c for c in line if c not in _INVISIBLE and unicodedata.category(c) not in ("Cf", "Mn", "Me"))
    rm = BLOCK_REASON_RE.search(raw)
    return kind, (rm.group(1).strip() if rm else "")


def _suggestion(line: str) -> str:
    """The exact opening marker a marker-like line should be: its kind and reason kept."""
    kind, reason = _kind_and_reason(line)
    return f'::: {kind} 理由="{reason or "……"}"'


def candidate_lines(body: str) -> set[int]:
    """0-based indices of the body lines the cheap pre-filter lets through
    (``_CANDIDATE_RE.search(line)``), found by one search of the whole body."""
    found: set[int] = set()
    line = pos = 0
    for m in _LINE_CANDIDATE_RE.finditer(body):
        line += body.count("\n", pos, m.start())
        pos = m.start()
        found.add(line)
    return found


def scan_blocks(body: str, body_line: int = 1) -> BlockScan:
    """The non-public blocks of a body, the marker problems, and the hidden line ranges."""
    return _scan_blocks(body, body_line, candidate_lines(body))


def _scan_blocks(body: str, body_line: int, candidates: set[int] | None) -> BlockScan:
    """scan_blocks, told which lines can be a marker or marker-like outside a block
    (``None``: every line, as tests do to compare)."""
    lines = body.split("\n")
    blocks: list[NonPublicBlock] = []
    problems: list[tuple[int, str]] = []
    hidden: list[tuple[int, int]] = []
    if candidates is not None and not candidates:
        return BlockScan(blocks, problems, hidden)  # the common case: no marker can be here

    def problem(i: int, what: str) -> None:
        problems.append((body_line + i, what))

    depth = 0
    start = 0
    exact = True
    fence: str | None = None  # the opening fence of a code block inside a hidden block
    for i, line in enumerate(lines):
        if depth:
            if fence is not None:
                m = _CODE_FENCE_RE.match(line)
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                        and not line[m.end():].strip():
                    fence = None
                continue
            m = _CODE_FENCE_RE.match(line)
            if m:
                fence = m.group(1)
                continue
            if BLOCK_CLOSE_RE.match(line):
                depth -= 1
                if depth == 0:
                    kind, reason = _kind_and_reason(lines[start])
                    blocks.append(NonPublicBlock(kind, reason, body_line + start, body_line + i,
                                                 "\n".join(lines[start + 1:i]), exact))
                    hidden.append((start, i + 1))
                continue
            if BLOCK_OPEN_RE.match(line):
                depth += 1
                problem(i, f"第 {body_line + i} 行在第 {body_line + start} 行开始的不公开块里又开始了一个块"
                           "（不公开块不能嵌套）；外层块从开头到与之对应的结束标记都不会公开。请先用单独一行 ::: "
                           "结束外层块，再开始下一个块")
                continue
            like = _marker_like(line)
            if like is not None:
                if like == "open":
                    depth += 1  # counted as an opening: the block extends further (fail closed)
                problem(i, f"第 {body_line + i} 行“{_shown(line)}”像是不公开块的标记，但不是规定的写法"
                           f"（{_what_is_wrong(line)}），不会被当作{'开始' if like == 'open' else '结束'}标记；"
                           f"请改为单独一行、顶格、半角的 {CANONICAL_CLOSE if like == 'close' else _suggestion(line)}")
            continue
        if candidates is not None and i not in candidates:
            continue  # not a marker (those start with a colon) and not marker-like: prose
        if BLOCK_OPEN_RE.match(line):
            depth, start, exact, fence = 1, i, True, None
            continue
        if BLOCK_CLOSE_RE.match(line):
            problem(i, f"第 {body_line + i} 行的 ::: 前面没有 {CANONICAL_OPEN}（多余的结束标记）；"
                       "从这一行起的内容不会公开。请删除这一行，或在要隐藏的内容前加开始标记")
            depth, start, exact, fence = 1, i, False, None
            continue
        like = _marker_like(line)
        if like is not None:
            want = CANONICAL_CLOSE if like == "close" else _suggestion(line)
            problem(i, f"第 {body_line + i} 行“{_shown(line)}”像是不公开块的标记，但不是规定的写法"
                       f"（{_what_is_wrong(line)}）；从这一行起的内容不会公开。不公开块须写成顶格、"
                       f"半角冒号的 {CANONICAL_OPEN}，以单独一行 {CANONICAL_CLOSE} 结束；这一行请改为 {want}")
            depth, start, exact, fence = 1, i, False, None
    if depth:
        kind, reason = _kind_and_reason(lines[start])
        blocks.append(NonPublicBlock(kind, reason, body_line + start, None,
                                     "\n".join(lines[start + 1:]), exact))
        hidden.append((start, len(lines)))
    return BlockScan(blocks, problems, hidden)


def parse_blocks(body: str, body_line: int) -> list[NonPublicBlock]:
    """The non-public blocks of a body (see :func:`scan_blocks`)."""
    return scan_blocks(body, body_line).blocks


def strip_blocks(body: str, scan: BlockScan | None = None) -> str:
    """The body without its hidden lines (see :func:`scan_blocks`): blocks with their
    markers, and everything from a malformed marker or an unclosed block on. ``scan``: the
    body's scan when it is known already (``Item.block_scan()``: the hidden lines do not
    depend on where the body starts in its file)."""
    if scan is None:
        scan = scan_blocks(body)
    if not scan.hidden:
        return body
    lines = body.split("\n")
    keep = [True] * len(lines)
    for a, b in scan.hidden:
        for k in range(a, b):
            keep[k] = False
    return "\n".join(line for line, k in zip(lines, keep, strict=True) if k)
