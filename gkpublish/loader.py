"""Load a site repository once into the model (:class:`gkpublish.model.Repository`).

One read of the repository per command: every item file is read, decoded and its front
matter parsed exactly once. Problems that stop a file from becoming an item at all (not
UTF-8, no parsable front matter, a symlink out of content/) become findings here, under
the rule that covers them, so the rules themselves never open files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import sys
import unicodedata
from typing import Any, NamedTuple

import yaml

from gkpublish import parallel, yamltext
from gkpublish.approvals import load_approvals
from gkpublish.attachments import KNOWN as KNOWN_TYPES
from gkpublish.attachments import allowed_types, inspect_public, name_problem
from gkpublish.config import Loader, load_config, read_config_files
from gkpublish.errors import GkError
from gkpublish.model import ERROR, Finding, Item, Repository, scan_blocks
from gkpublish.register import load_register
from gkpublish.textio import MAX_ITEM_BYTES, decode_item, size_problem

CONTENT_DIR = "content"
ITEM_SUFFIX = ".md"


def _normalise(value: Any) -> Any:
    """YAML dates become ISO strings so the JSON Schema sees JSON types."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, body's first file line), or None when there is no front matter."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return None
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.M)
    if end is None:
        return None
    fm = text[4:4 + end.start()]
    rest = text[4 + end.end():]
    if rest.startswith("\n"):
        rest = rest[1:]
    body_line = fm.count("\n") + 3
    return fm, rest, body_line


# PyYAML's problems, in the words a clerk can act on
# PyYAML's problems in Chinese: one table (gkpublish.yamltext) for every YAML file
YAML_PROBLEMS_ZH = yamltext.YAML_PROBLEMS_ZH
# where PyYAML notices the problem late, the line where the construct began is the one to fix
YAML_CONTEXTS_ZH = {
    "while scanning a quoted scalar": "引号没有闭合",
    "while parsing a flow sequence": "方括号没有闭合",
    "while parsing a flow mapping": "花括号没有闭合",
    "while scanning a simple key": "缺少冒号或冒号后的空格",
}


# a key (ASCII name or a Chinese word such as 转载来源) followed by a full-width colon: typed
# with a Chinese input method, ``department：办公室`` is no key for YAML
_FULL_WIDTH_KEY_RE = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z_\u4e00-\u9fff][\w-]{0,40}?)[ \t]*([：﹕︓∶])")


def full_width_colon(text: str) -> tuple[int, str, str] | None:
    """(0-based line, key, colon) of the first line whose key ends in a full-width colon.

    Only asked after YAML failed: inside a block scalar such a line is ordinary text."""
    for n, line in enumerate(text.split("\n")):
        m = _FULL_WIDTH_KEY_RE.match(line)
        if m and ":" not in line[:m.start(2)]:
            return n, m.group(1), m.group(2)
    return None


def _yaml_error(exc: yaml.YAMLError) -> tuple[int, str]:
    """(file line, Chinese problem) of a front-matter YAML error (front matter starts on line 2)."""
    mark = getattr(exc, "problem_mark", None)
    words = yamltext.problem_zh(getattr(exc, "problem", None))
    line = mark.line + 2 if mark is not None else 1
    context, cmark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context in YAML_CONTEXTS_ZH and cmark is not None and cmark.line + 2 != line:
        words = f"第 {cmark.line + 2} 行{YAML_CONTEXTS_ZH[context]}，在第 {line} 行发现"
        line = cmark.line + 2
    return line, words


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_PLAIN_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp"))


def _too_long_for_str(value: int) -> bool:
    """Would str(value) exceed Python's int-str conversion limit?"""
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return bool(limit) and abs(value).bit_length() * 0.30103 >= limit - 1


# Characters the YAML reader refuses (C0/C1 controls but tab, LF, CR; non-characters) or reads
# as a line break that no editor shows as one (NEL, LINE/PARAGRAPH SEPARATOR): refused first,
# with their line, as our line count (LF only) would not match PyYAML's.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


class _NotPlain(Exception):
    """A front matter the fast constructor leaves to PyYAML."""


# Deeper nesting is refused before PyYAML composes it: its composer and constructor recurse
# (500 levels: RecursionError; 30,000: libyaml overflows the C stack), and so does the JSON
# Schema validator. Real front matter nests 3 or 4 levels. Counted in collection tokens
# (indentless sequences, which have none, can at most double the real depth).
MAX_DEPTH = 25
_OPENERS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


_INDENT_RE = re.compile(r"^ *", re.M)
# block entries / explicit keys on one line ("- - ? x"), maybe with tags or anchors between
_MARKER_RUN_RE = re.compile(r"(?:[-?](?:[ \t]+|$)(?:[!&][^ \t\n]*[ \t]+)*)+", re.M)
_MARKER_RE = re.compile(r"[-?](?:[ \t]|$)", re.M)


def _depth_bound(fm: str) -> int:
    """A cheap upper bound of the nesting depth: a nested block collection needs more
    indentation or one more ``- ``/``? `` on its line (at most two levels per column or
    marker: an indentless sequence and a compact mapping), a flow collection a bracket."""
    indent = max(map(len, _INDENT_RE.findall(fm)), default=0)
    markers = max((len(_MARKER_RE.findall(run)) for run in _MARKER_RUN_RE.findall(fm)), default=0)
    return 2 * (indent + markers + 1) + fm.count("[") + fm.count("{")


def _too_deep(fm: str) -> int | None:
    """The file line where the front matter nests deeper than MAX_DEPTH, or None. The
    token scanner (libyaml's, iterative) counts collection starts and ends."""
    if _depth_bound(fm) <= MAX_DEPTH:
        return None  # ordinary front matter: no need to scan
    depth = 0
    for token in yaml.scan(fm, Loader=Loader):
        if isinstance(token, _OPENERS):
            depth += 1
            if depth > MAX_DEPTH:
                return token.start_mark.line + 2
        elif isinstance(token, _CLOSERS):
            depth -= 1
    return None


class _FrontMatterLoader(Loader):
    """The site's YAML loader, noting in the same pass what PyYAML accepts silently:
    duplicate keys at any level (the last value wins), compared as the constructed key, so
    that ``attribute``, ``"attribute"``, ``'attr\u0069bute'`` or ``? attribute`` are one key;
    aliases (``*name``), which can nest into billions of values ("billion laughs") and which
    front matter never needs, and merge keys (``<<``); numbers too long to convert (Python's
    int-str limit). A date that does not exist (``2026-02-30``) stays the text written, so
    the JSON Schema names the field (GK103 ``应为日期 YYYY-MM-DD``)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []  # (key, first line, repeated line)
        self.alias_line: int | None = None
        self.merge_line: int | None = None
        self.long_numbers: list[tuple[int, int]] = []  # (file line, digits)
        self.key_lines: dict[str, int] = {}  # top-level key -> file line
        self._root: Any = None

    def construct_document(self, node: Any) -> Any:
        self._root = node
        try:
            return self._plain(node, set(), "")
        except _NotPlain:
            self.duplicates.clear()  # what _plain noted before it gave up; _keys notes all
            self.key_lines.clear()
        self._keys(node)
        return super().construct_document(node)

    def _key_of(self, node: Any) -> Any:
        """A scalar key as the constructed value (escapes and quotes resolved by the scanner)."""
        if node.tag == _STR_TAG:
            return node.value
        if node.tag in _PLAIN_SCALAR_TAGS:
            return self.yaml_constructors[node.tag](self, node)
        return (node.tag, node.value)

    def _keys(self, root: Any) -> None:
        """Every mapping's keys, without recursion (depth is bounded, aliases may loop):
        duplicates as constructed (and as the text _normalise makes of them), top-level lines."""
        stack: list[tuple[Any, str]] = [(root, "")]
        seen: set[int] = set()
        while stack:
            node, where = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.SequenceNode):
                stack.extend((v, f"{where}[{n}]") for n, v in enumerate(node.value))
            elif isinstance(node, yaml.MappingNode):
                first: dict[Any, int] = {}
                texts: dict[str, int] = {}
                for k, v in node.value:
                    line = k.start_mark.line + 2
                    if isinstance(k, yaml.ScalarNode):
                        if k.tag == "tag:yaml.org,2002:merge":
                            self.merge_line = self.merge_line or line
                            continue
                        key = self._key_of(k)
                        text = key if isinstance(key, str) else str(key)
                        try:
                            earlier = first.get(key, texts.get(text))
                        except TypeError:  # unhashable: PyYAML reports it
                            earlier = texts.get(text)
                        if earlier is not None:
                            self.duplicates.append((f"{where}.{text}" if where else text, earlier, line))
                        else:
                            try:
                                first[key] = line
                            except TypeError:
                                pass
                            texts[text] = line
                            if node is root:
                                self.key_lines[text] = line
                        stack.append((v, f"{where}.{text}" if where else text))
                    else:
                        stack.append((v, where))

    def _plain(self, node: Any, seen: set[int], where: str) -> Any:
        """What PyYAML's SafeConstructor builds, for the plain maps, lists and scalars of
        ordinary front matter, without its per-node bookkeeping (it was half the loading
        time), noting duplicate keys as _keys does. Anything else (an alias, a merge key,
        another tag) raises _NotPlain, and PyYAML's own path builds and reports the document."""
        if id(node) in seen:  # the same node twice: an alias
            raise _NotPlain
        seen.add(id(node))
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            if tag == _STR_TAG:
                return node.value
            if tag in _PLAIN_SCALAR_TAGS:
                return self.yaml_constructors[tag](self, node)
        elif isinstance(node, yaml.SequenceNode):
            if tag == _SEQ_TAG:
                return [self._plain(v, seen, f"{where}[{n}]") for n, v in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode) and tag == _MAP_TAG:
            out: dict[Any, Any] = {}
            lines: dict[str, int] = {}  # first line of each key, as text and as value
            firsts: dict[Any, int] = {}
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode) or (k.tag != _STR_TAG and k.tag not in _PLAIN_SCALAR_TAGS):
                    raise _NotPlain
                key = self._plain(k, seen, where)
                text = key if isinstance(key, str) else str(key)
                path = f"{where}.{text}" if where else text
                line = k.start_mark.line + 2
                earlier = firsts.get(key, lines.get(text))
                if earlier is not None:
                    self.duplicates.append((path, earlier, line))
                else:
                    lines[text] = firsts[key] = line
                    if node is self._root:
                        self.key_lines[text] = line
                out[key] = self._plain(v, seen, path)
            return out
        raise _NotPlain

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node in self.constructed_objects and self.alias_line is None:
            self.alias_line = node.start_mark.line + 2
        return super().construct_object(node, deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return node.value  # 2026-02-30: the schema's date format reports it by field

    def construct_yaml_int(self, node: Any) -> Any:
        try:
            value = super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            value = None
        # 0x…/0o…/0b… convert whatever their length, but printing one in decimal (a message
        # quoting the value) would raise later: the same limit applies
        if value is None or _too_long_for_str(value):
            self.long_numbers.append((node.start_mark.line + 2, sum(c.isalnum() for c in node.value)))
            return node.value
        return value


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp)
_FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", _FrontMatterLoader.construct_yaml_int)


def parse_item(path: str, data: bytes) -> tuple[Item | None, list[Finding]]:
    """Turn one file's bytes into an Item, or into the findings that say why it cannot be one.
    Never raises on any input: a problem is a finding with the file's line."""
    try:
        return _parse_item(path, data)
    except (RecursionError, ValueError, OverflowError, TypeError, MemoryError) as exc:
        # a last line of defence: this item cannot be read, the others are still checked
        return None, [Finding(path, 1, "GK102", ERROR,
                              f"前置元数据无法读取（{type(exc).__name__}）：请检查其嵌套层次、数字和日期的写法，"
                              "或用 gkpublish new 重新生成后再填写")]


def _parse_item(path: str, data: bytes) -> tuple[Item | None, list[Finding]]:
    decoded = decode_item(data)
    if decoded.text is None:
        return None, [Finding(path, decoded.line, "GK101", ERROR, decoded.problem or "无法读取")]
    text = decoded.text
    if not text.strip():
        return None, [Finding(path, 1, "GK102", ERROR,
                              "文件为空：条目须以 --- 开头的 YAML 前置元数据（front matter）开始，可用 gkpublish new 生成")]
    parts = split_front_matter(text)
    if parts is None and text.startswith("---\n"):
        return None, [Finding(path, 1, "GK102", ERROR,
                              "前置元数据没有结束：第 1 行的 --- 之后缺少另一行 ---；请在 title、attribute 等字段之后、正文之前加一行 ---")]
    if parts is None:
        return None, [Finding(path, 1, "GK102", ERROR,
                              "缺少前置元数据：文件第一行应为 ---，其后是 title、attribute 等字段，再以 --- 结束")]
    fm, body, body_line = parts
    bad = _CONTROL_RE.search(fm)
    if bad is not None:
        line = fm.count("\n", 0, bad.start()) + 2
        char = bad.group()
        what = ("YAML 会把它当作换行，屏幕上却看不出来（字段可能被藏在上一行的值里）"
                if char in "\x85\u2028\u2029" else "YAML 不允许这种字符")
        return None, [Finding(path, line, "GK102", ERROR,
                              f"前置元数据第 {line} 行含有看不见的控制字符 U+{ord(char):04X}：{what}；"
                              "请删除它（常见于从网页或 Word 复制的文字），换行请直接回车")]
    loader = _FrontMatterLoader(fm)
    try:
        deep = _too_deep(fm)
        if deep is not None:
            return None, [Finding(path, deep, "GK102", ERROR,
                                  f"前置元数据嵌套过深（第 {deep} 行起超过 {MAX_DEPTH} 层）：条目的字段只需要几层；"
                                  "请检查是否误粘贴了大量括号 [ { 或缩进，按 gkpublish new 生成的格式填写")]
        meta = loader.get_single_data()
    except yaml.YAMLError as exc:
        colon = full_width_colon(fm)
        if colon is not None:
            n, key, char = colon
            return None, [Finding(path, n + 2, "GK102", ERROR,
                                  f"前置元数据第 {n + 2} 行“{key}”后面是全角冒号“{char}”：YAML 只认半角冒号；"
                                  f"请改为“{key}: ”（半角冒号加一个空格）")]
        line, problem = _yaml_error(exc)
        return None, [Finding(path, line, "GK102", ERROR,
                              f"前置元数据 YAML 无法解析（{problem}）：请检查缩进、冒号后的空格、引号是否成对")]
    finally:
        loader.dispose()
    if loader.alias_line is not None:
        return None, [Finding(path, loader.alias_line, "GK102", ERROR,
                              "前置元数据使用了 YAML 锚点/别名（&名称 / *名称）：不支持，请把值直接写出来")]
    if loader.merge_line is not None:
        return None, [Finding(path, loader.merge_line, "GK102", ERROR,
                              "前置元数据使用了 YAML 合并键（<<）：不支持，请把每个字段直接写出来")]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = "列表" if isinstance(meta, list) else "单个值"
        return None, [Finding(path, 2, "GK102", ERROR,
                              f"前置元数据应为“键: 值”映射，现在是{kind}；请按 gkpublish new 生成的格式填写")]
    findings: list[Finding] = []
    for key, first, line in loader.duplicates:
        # PyYAML keeps the last value silently: that is data loss (a quoted "attribute" would
        # flip the attribute), so say it, however the key is quoted or escaped.
        findings.append(Finding(path, line, "GK102", ERROR,
                                f"前置元数据中 {key} 重复出现（第 {first} 行和第 {line} 行；加引号、转义或写成 ? 键 "
                                "也算同一个键），只会保留后者；请删除其中一个"))
    for line, digits in loader.long_numbers:
        findings.append(Finding(path, line, "GK102", ERROR,
                                f"第 {line} 行的数字有 {digits} 位，过长无法读取：请核对；如确是编号等文字，请加引号"))
    scan = scan_blocks(body, body_line)
    item = Item(
        path=path, raw=data, sha256=hashlib.sha256(data).hexdigest(), meta=_normalise(meta),
        meta_lines=dict(loader.key_lines), body=body, body_line=body_line, blocks=scan.blocks)
    item.derived["block_scan"] = scan
    return item, findings


class ContentScan(NamedTuple):
    items: list[str]  # item paths (content/…/*.md)
    attachments: dict[str, str]  # allowed attachment path -> absolute path on disk
    unsafe: dict[str, str]  # paths leading out of content/ (GK107) -> why
    rejected: dict[str, str]  # neither an item nor an allowed attachment (GK109) -> why


def _inside(path: str, base: str) -> bool:
    try:
        return os.path.commonpath([path, base]) == base
    except ValueError:
        return False


# git's housekeeping files: never published, never items
IGNORED_DOTFILES = (".gitkeep", ".gitignore", ".gitattributes")


def scan_content(root: str, allowed: frozenset[str] = KNOWN_TYPES) -> ContentScan:
    """Item paths, attachment paths, unsafe paths (GK107) and rejected paths (GK109) under
    content/, without following links out and without reading any file.

    Fail closed: a file is an item when it is exactly ``*.md``, an attachment when its type
    is on the site's allow-list (``allowed``) and its path is not the site's own
    (:func:`gkpublish.attachments.name_problem`); anything else is rejected. Rejected files
    are never published (they are in neither list) and each is a GK109 finding.
    """
    base = os.path.realpath(os.path.join(root, CONTENT_DIR))
    scan = ContentScan([], {}, {}, {})
    if not os.path.isdir(base):
        return scan
    stack = [base]
    while stack:
        d = stack.pop()
        with os.scandir(d) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            # e.path is base + "/" + …: the repository path without os.path.relpath (its
            # normalisation was most of the scan's time on 10,000 items)
            rel = CONTENT_DIR + e.path[len(base):].replace(os.sep, "/")
            if e.is_symlink():
                target = os.path.realpath(e.path)
                if not _inside(target, base):
                    scan.unsafe[rel] = f"符号链接指向 content/ 之外（{os.readlink(e.path)}），公开站点不会跟随它；请把文件复制进 content/ 或删除该链接"
                    continue
                if os.path.isdir(target):
                    scan.unsafe[rel] = "指向目录的符号链接不受支持；请直接放置文件"
                    continue
            if e.name.startswith("."):
                if e.name not in IGNORED_DOTFILES:
                    scan.rejected[rel] = (f"隐藏{'文件夹' if e.is_dir(follow_symlinks=False) else '文件'}“{e.name}”不能放在 content/ 下："
                                          "它不是条目也不是附件，站点不会发布它；请删除或移出 content/")
                continue
            if e.is_dir(follow_symlinks=False):
                stack.append(e.path)
                continue
            try:
                regular = e.is_file()
            except OSError:
                regular = False
            if not regular and not e.name.endswith(ITEM_SUFFIX):  # an item: _read_item says GK101
                scan.rejected[rel] = "不是普通文件（可能是管道、设备或失效的链接）；content/ 下只能放条目和附件"
                continue
            why = name_problem(rel, allowed)
            if why:
                scan.rejected[rel] = why
            elif e.name.endswith(ITEM_SUFFIX):
                scan.items.append(rel)
            else:
                scan.attachments[rel] = e.path
    _case_collisions(scan)
    scan.items.sort()
    return scan


def _case_collisions(scan: ContentScan) -> None:
    """Two site paths that differ only in case (or in Unicode composition) are one file on
    Windows and macOS (and on a web server that folds case): the one published would be
    whichever was copied last."""
    by_key: dict[str, list[str]] = {}
    for rel in [*scan.items, *scan.attachments]:
        # NFC too: macOS writes names decomposed (e + U+0301), Linux keeps what it is given
        key = unicodedata.normalize("NFC", rel[:-len(ITEM_SUFFIX)] if rel.endswith(ITEM_SUFFIX) else rel).casefold()
        by_key.setdefault(key, []).append(rel)
    for paths in by_key.values():
        if len(paths) < 2:
            continue
        for rel in paths:
            others = "、".join(p for p in paths if p != rel)
            scan.rejected[rel] = (f"与 {others} 只有大小写不同（或同为一个网址）：在不区分大小写的系统和服务器上是同一个文件；"
                                  "请改名使其明显不同")
            if rel in scan.attachments:
                del scan.attachments[rel]
            else:
                scan.items.remove(rel)


def _read_item(path: str) -> tuple[bytes | None, str | None]:
    """The file's bytes, or why not: the size is checked with os.stat *before* reading, so a
    50 MB export pasted into content/ is refused without being loaded into memory."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None, "不是普通文件（可能是管道或设备）；条目须是 Markdown 文本文件"
        if too_large := size_problem(st.st_size):
            return None, too_large
        with open(path, "rb") as fh:
            return fh.read(MAX_ITEM_BYTES + 1), None
    except OSError as exc:
        return None, f"无法读取文件（{exc.strerror}）；请检查文件权限"


def _load_item(root: str, rel: str) -> tuple[Item | None, list[Finding]]:
    data, problem = _read_item(os.path.join(root, rel))
    if data is None:
        return None, [Finding(rel, None, "GK101", ERROR, problem or "无法读取")]
    return parse_item(rel, data)


def bind_attachments(repo: Repository) -> None:
    """Fill ``Item.attachments`` (repo path -> SHA-256 of the file's bytes) for every item: the
    local files its front-matter ``attachments:`` and its WHOLE body link to (a file linked
    from a hidden block was reviewed too), when they are attachments under content/. Sign-offs
    bind these digests (GK303 when one changes). Each file is hashed once, streamed; a file that
    is not a regular file (a FIFO) is never opened — the content scan reports it."""
    import posixpath
    from urllib.parse import unquote

    from gkpublish.mdtext import body_links, resolve

    digests: dict[str, str | None] = {}

    def digest(rel: str) -> str | None:
        if rel not in digests:
            digests[rel] = None
            try:
                fd = os.open(repo.attachments[rel], os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
                try:
                    if stat.S_ISREG(os.fstat(fd).st_mode):
                        h = hashlib.sha256()
                        while chunk := os.read(fd, 1 << 20):
                            h.update(chunk)
                        digests[rel] = h.hexdigest()
                finally:
                    os.close(fd)
            except OSError:
                pass  # unreadable: bound as absent, so a sign-off never covers it
        return digests[rel]

    for item in repo.items:
        folder = posixpath.dirname(item.path)
        targets = [a["file"] for a in item.seq("attachments") if isinstance(a, dict) and isinstance(a.get("file"), str)]
        targets += [unquote(t) for _, t in body_links(item.body)]
        found: dict[str, str] = {}
        for target in targets:
            full, _ = resolve(folder, target)
            if full and full in repo.attachments and full not in repo.unsafe_paths:
                d = digest(full)
                if d is not None:
                    found[full] = d
        item.attachments = dict(sorted(found.items()))


WORKTREE_TRUST_NOTE = ("未指定 --trust-ref：人员名册与密钥取自工作区本身，只能证明签审记录与工作区中的名册一致；"
                       "在 CI 中请用 --trust-ref 指向目标分支")


def load_repository(root: str, as_of: dt.date | None = None, trust_ref: str | None = None,
                    config_files: dict[str, bytes] | None = None) -> Repository:
    """Read the repository at ``root`` once. Raises GkError when it cannot be checked at all.

    ``trust_ref``: the git revision whose roster and keys verify the sign-offs (contract:
    "Sign-offs and trust"); without it the working tree is trusted and ``trust_note`` says so.
    """
    root = os.path.abspath(root)
    if not os.path.isdir(os.path.join(root, "site_config")):
        raise GkError(f"{root}: 这里不是站点仓库（找不到 site_config/ 目录）；请在站点仓库根目录运行，或用 gkpublish init 新建")
    files = config_files if config_files is not None else read_config_files(root)
    config = load_config(root, files)
    scan = scan_content(root, allowed_types(config.site))
    item_paths, attachments = scan.items, scan.attachments
    unsafe = {**scan.unsafe, **scan.rejected}  # a link to any of them is GK107 as well
    items: list[Item] = []
    findings: list[Finding] = [Finding(p, None, "GK107", ERROR, why) for p, why in scan.unsafe.items()]
    findings += [Finding(p, None, "GK109", ERROR, why) for p, why in scan.rejected.items()]
    # thousands of items: parsed in chunks shared with a forked worker (same order, same findings)
    parts = parallel.map_shared(lambda rels: [_load_item(root, rel) for rel in rels],
                                parallel.chunks(item_paths, 250), parallel.jobs(len(item_paths)))
    for part in parts:
        for item, problems in part:
            findings.extend(problems)
            if item is not None:
                items.append(item)
    repo = Repository(root=root, config=config, items=items, attachments=attachments, unsafe_paths=unsafe,
                      load_findings=findings, as_of=as_of or dt.date.today())
    bind_attachments(repo)  # sign-offs bind each item's attachments too (GK303)
    # the files the public site would publish, read and inspected once here, before the
    # rule families fork (GK109 types, GK5xx text, GK506 metadata)
    inspect_public(repo)
    # signed sign-off records, read in parallel too; malformed ones → GK302
    repo.extra["approvals"] = load_approvals(root, parallel.jobs(len(item_paths)))
    repo.extra["register"] = load_register(root)  # records/requests/: the 依申请公开 register (GK7xx)
    if trust_ref is None:
        repo.trust_note = WORKTREE_TRUST_NOTE
    else:
        from gkpublish.trust import apply_trust  # roster and keys from the trusted revision

        apply_trust(repo, trust_ref)
    return repo
