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
from typing import Any

import yaml

from gkpublish.config import Loader, load_config, read_config_files
from gkpublish.errors import GkError
from gkpublish.model import ERROR, Finding, Item, Repository, parse_blocks
from gkpublish.textio import decode_item

CONTENT_DIR = "content"
ITEM_SUFFIX = ".md"
TOP_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.M)


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


def parse_item(path: str, data: bytes) -> tuple[Item | None, list[Finding]]:
    """Turn one file's bytes into an Item, or into the findings that say why it cannot be one."""
    decoded = decode_item(data)
    if decoded.text is None:
        return None, [Finding(path, decoded.line, "GK101", ERROR, decoded.problem or "无法读取")]
    text = decoded.text
    if not text.strip():
        return None, [Finding(path, 1, "GK102", ERROR,
                              "文件为空：条目须以 --- 开头的 YAML 前置元数据（front matter）开始，可用 gkpublish new 生成")]
    parts = split_front_matter(text)
    if parts is None:
        return None, [Finding(path, 1, "GK102", ERROR,
                              "缺少前置元数据：文件第一行应为 ---，其后是 title、attribute 等字段，再以 --- 结束")]
    fm, body, body_line = parts
    try:
        meta = yaml.load(fm, Loader=Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "语法错误"
        return None, [Finding(path, line, "GK102", ERROR,
                              f"前置元数据 YAML 无法解析（{problem}）：请检查缩进、冒号后的空格、引号是否成对")]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = "列表" if isinstance(meta, list) else "单个值"
        return None, [Finding(path, 2, "GK102", ERROR,
                              f"前置元数据应为“键: 值”映射，现在是{kind}；请按 gkpublish new 生成的格式填写")]
    findings: list[Finding] = []
    meta_lines: dict[str, int] = {}
    for m in TOP_KEY_RE.finditer(fm):
        key = m.group(1)
        line = fm.count("\n", 0, m.start()) + 2
        if key in meta_lines:
            # PyYAML keeps the last value silently: that is data loss, so say it.
            findings.append(Finding(path, line, "GK102", ERROR,
                                    f"前置元数据中 {key} 重复出现（第 {meta_lines[key]} 行和第 {line} 行），只会保留后者；请删除其中一个"))
            continue
        meta_lines[key] = line
    item = Item(
        path=path, raw=data, sha256=hashlib.sha256(data).hexdigest(), meta=_normalise(meta),
        meta_lines=meta_lines, body=body, body_line=body_line, blocks=parse_blocks(body, body_line))
    return item, findings


def _inside(path: str, base: str) -> bool:
    try:
        return os.path.commonpath([path, base]) == base
    except ValueError:
        return False


def scan_content(root: str) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Item paths, attachment paths and unsafe paths under content/, without following links out."""
    base = os.path.realpath(os.path.join(root, CONTENT_DIR))
    items: list[str] = []
    attachments: dict[str, str] = {}
    unsafe: dict[str, str] = {}
    if not os.path.isdir(base):
        return items, attachments, unsafe
    stack = [base]
    while stack:
        d = stack.pop()
        with os.scandir(d) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            rel = os.path.relpath(e.path, os.path.join(root)).replace(os.sep, "/")
            if e.is_symlink():
                target = os.path.realpath(e.path)
                if not _inside(target, base):
                    unsafe[rel] = f"符号链接指向 content/ 之外（{os.readlink(e.path)}），公开站点不会跟随它；请把文件复制进 content/ 或删除该链接"
                    continue
                if os.path.isdir(target):
                    unsafe[rel] = "指向目录的符号链接不受支持；请直接放置文件"
                    continue
            if e.is_dir(follow_symlinks=False):
                if not e.name.startswith("."):
                    stack.append(e.path)
                continue
            if e.name.startswith("."):
                continue
            if e.name.endswith(ITEM_SUFFIX):
                items.append(rel)
            else:
                attachments[rel] = e.path
    items.sort()
    return items, attachments, unsafe


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
    item_paths, attachments, unsafe = scan_content(root)
    items: list[Item] = []
    findings: list[Finding] = [Finding(p, None, "GK107", ERROR, why) for p, why in unsafe.items()]
    for rel in item_paths:
        with open(os.path.join(root, rel), "rb") as fh:
            data = fh.read()
        item, problems = parse_item(rel, data)
        findings.extend(problems)
        if item is not None:
            items.append(item)
    repo = Repository(root=root, config=config, items=items, attachments=attachments, unsafe_paths=unsafe,
                      load_findings=findings, as_of=as_of or dt.date.today())
    if trust_ref is None:
        repo.trust_note = WORKTREE_TRUST_NOTE
    else:
        from gkpublish.trust import apply_trust  # roster and keys from the trusted revision

        apply_trust(repo, trust_ref)
    return repo
