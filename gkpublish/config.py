"""Reading site_config/: organisation, units, columns, review policies, sources, terms, 指南.

A missing or unreadable configuration file stops the command (exit 2) with a message that
names the file, the line and the fix: without configuration no gate can be trusted.
"""

from __future__ import annotations

import os
import stat
from typing import Any

import yaml

from gkpublish.errors import GkError
from gkpublish.model import Column, Config, Person, ReviewPolicy, Unit
from gkpublish.roster import validate_roster
from gkpublish.yamltext import problem_zh

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CONFIG_DIR = "site_config"
# file -> required: a site repository without these cannot be checked
CONFIG_FILES = {
    "site.yml": True,
    "organisation.yml": True,
    "columns.yml": True,
    "review.yml": True,
    "sources.yml": True,
    "domains.yml": False,
    "terms.yml": False,
    "guide.yml": True,
    "roster.yml": False,
}


# Deeper than this is not a configuration but an attack on the parser: PyYAML's constructor
# recurses (RecursionError at ~500 levels, a segfault at ~30,000), libyaml's event parser
# does not, so the depth is measured on the events first.
MAX_DEPTH = 50
# Aliases share one object many times; a few anchors are plenty for any real configuration
# ("billion laughs": each alias doubles what the schema validators walk).
MAX_ALIASES = 100


def _bad_scalar(loader: Any, node: Any, what: str, fix: str, construct: Any) -> Any:
    try:
        return construct(loader, node)
    except (ValueError, OverflowError):
        raise yaml.constructor.ConstructorError(None, None, f"{what}“{str(node.value)[:40]}”无效，{fix}",
                                                node.start_mark) from None


class ConfigLoader(Loader):  # type: ignore[misc, valid-type]
    """The safe loader, but a value YAML cannot turn into a date or a number is a YAML
    error with its line (not a ValueError without a file: ``added: 2026-02-30``, a
    5,001-digit integer)."""


ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda ld, n: _bad_scalar(
    ld, n, "日期", "应为存在的日期 YYYY-MM-DD", yaml.constructor.SafeConstructor.construct_yaml_timestamp))
ConfigLoader.add_constructor("tag:yaml.org,2002:int", lambda ld, n: _bad_scalar(
    ld, n, "整数", "数字过长；若是编号请加引号写成文本", yaml.constructor.SafeConstructor.construct_yaml_int))
ConfigLoader.add_constructor("tag:yaml.org,2002:float", lambda ld, n: _bad_scalar(
    ld, n, "数字", "若是编号请加引号写成文本", yaml.constructor.SafeConstructor.construct_yaml_float))


def _yaml_error(exc: yaml.YAMLError, where: str) -> GkError:
    mark = getattr(exc, "problem_mark", None)
    line = f"第 {mark.line + 1} 行" if mark is not None else ""
    problem = problem_zh(getattr(exc, "problem", None))
    return GkError(f"{where}:{mark.line + 1 if mark else ''}: YAML 无法解析（{line}{problem}），"
                   "请检查缩进、冒号后的空格和引号是否成对")


def check_yaml_shape(text: str, where: str) -> None:
    """Refuse (GkError naming the line) nesting deeper than MAX_DEPTH and alias floods,
    before anything recursive touches the document."""
    depth = aliases = 0
    # anchors of the collections still open: an alias to one of them makes the document
    # contain itself (`a: &x [*x]`), which every recursive reader of the value would follow
    # forever (RecursionError in the roster's normaliser, the schema validator, ...)
    open_anchors: list[str | None] = []
    try:
        for ev in yaml.parse(text, Loader=Loader):
            if isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                open_anchors.append(ev.anchor)
                if depth > MAX_DEPTH:
                    raise GkError(f"{where}:{ev.start_mark.line + 1}: 嵌套超过 {MAX_DEPTH} 层，"
                                  "不是有效的站点配置；请按 gkpublish init 生成的示例改写")
            elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
                open_anchors.pop()
            elif isinstance(ev, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise GkError(f"{where}:{ev.start_mark.line + 1}: 别名（*引用）超过 {MAX_ALIASES} 个；"
                                  "请直接写出各项的值")
                if ev.anchor in open_anchors:
                    raise GkError(f"{where}:{ev.start_mark.line + 1}: 别名 *{ev.anchor} 引用了包含它自己的"
                                  f"集合（&{ev.anchor}），内容无限循环；请直接写出各项的值")
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, where) from None


def load_yaml_text(text: str, where: str) -> Any:
    check_yaml_shape(text, where)
    try:
        return yaml.load(text, Loader=ConfigLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, where) from None
    except RecursionError:  # not reached after check_yaml_shape; never a traceback anyway
        raise GkError(f"{where}: 嵌套过深，不是有效的站点配置") from None


# Site rules outside site_config/ and schema/: the MkDocs configuration decides which code
# and which resources the build loads (hooks, plugins, scripts), so its bytes are protected
# by GK308 and compared with --trust-ref like the rest.
ROOT_CONFIG_FILES = ("mkdocs.yml", "mkdocs.yaml")  # plain mkdocs falls back to mkdocs.yaml


def _regular_file(root: str, rel: str) -> bytes | None:
    """The bytes of ``rel`` when it is a regular file; GkError for anything else that exists.

    Fail closed: a symlink (dangling or pointing anywhere) or a FIFO, socket or device in
    the site rules is refused, never followed or opened (opening a FIFO blocks forever)."""
    full = os.path.join(root, rel)
    try:
        st = os.lstat(full)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise GkError(f"{rel}: 无法读取（{exc.strerror}）；请检查文件权限") from None
    if stat.S_ISLNK(st.st_mode):
        raise GkError(f"{rel}: 是符号链接；站点配置只接受仓库中的普通文件，请用文件本身替换链接")
    if not stat.S_ISREG(st.st_mode):
        raise GkError(f"{rel}: 不是普通文件（管道、设备或套接字）；请删除它，站点配置只接受普通文件")
    try:
        fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise GkError(f"{rel}: 无法读取（{exc.strerror}）；请检查文件权限") from None


def _unreadable_dir(root: str) -> Any:
    def refuse(exc: OSError) -> None:
        where = os.path.relpath(exc.filename, root) if exc.filename else "site_config/"
        raise GkError(f"{where}: 无法读取目录（{exc.strerror}）；请检查权限") from None
    return refuse


def read_config_files(root: str) -> dict[str, bytes]:
    """Bytes of every file under site_config/ and schema/, and of mkdocs.yml (what GK308 protects).

    Only regular files: a symlink, FIFO, socket or device anywhere there is refused (exit 2)."""
    out: dict[str, bytes] = {}
    for top in (CONFIG_DIR, "schema"):
        base = os.path.join(root, top)
        if os.path.islink(base):
            raise GkError(f"{top}/: 是符号链接；站点配置目录必须是仓库中的普通目录")
        if not os.path.isdir(base):
            if os.path.lexists(base):
                raise GkError(f"{top}: 应为目录；请恢复为 gkpublish init 生成的 {top}/ 目录")
            continue
        for dirpath, dirnames, filenames in os.walk(base, onerror=_unreadable_dir(root)):
            dirnames.sort()
            for name in dirnames:
                if os.path.islink(os.path.join(dirpath, name)):
                    rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                    raise GkError(f"{rel}: 是指向目录的符号链接；站点配置只接受仓库中的普通文件与目录")
            for name in sorted(filenames):
                rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                data = _regular_file(root, rel)
                if data is not None:
                    out[rel] = data
    for rel in ROOT_CONFIG_FILES:
        data = _regular_file(root, rel)
        if data is not None:
            out[rel] = data
    return out


def _mapping(data: Any, rel: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise GkError(f"{rel}: 内容应为“键: 值”形式的映射，现在是{type(data).__name__}，请参照 gkpublish init 生成的示例")
    return data


def _list_of_maps(data: dict[str, Any], key: str, rel: str, required: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = data.get(key) or []
    if not isinstance(rows, list):
        raise GkError(f"{rel}: {key} 应为列表（每项以“- ”开头）")
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise GkError(f"{rel}: {key} 第 {n} 项应为映射")
        for k in required:
            if row.get(k) in (None, ""):
                raise GkError(f"{rel}: {key} 第 {n} 项缺少必填项 {k}")
    return rows


COLUMN_DEFAULT_KEYS = ("topic", "attribute", "department", "publisher")


def _column_defaults(row: dict[str, Any], rel: str) -> dict[str, str]:
    """A column's optional ``defaults`` for ``gkpublish new`` (topic, attribute, department, publisher)."""
    data = row.get("defaults") or {}
    if not isinstance(data, dict):
        raise GkError(f"{rel}: 栏目 {row['id']} 的 defaults 应为映射，如 defaults: {{topic: 综合政务/政务公开}}")
    unknown = [str(k) for k in data if k not in COLUMN_DEFAULT_KEYS]
    if unknown:
        raise GkError(f"{rel}: 栏目 {row['id']} 的 defaults 中有未知项 {'、'.join(unknown)}；"
                      f"可填写：{'、'.join(COLUMN_DEFAULT_KEYS)}")
    return {str(k): str(v) for k, v in data.items() if v not in (None, "")}


def load_config(root: str, files: dict[str, bytes] | None = None) -> Config:
    """Load site_config/. ``files`` (rel path -> bytes) overrides the disk, e.g. from a git ref."""
    files = files if files is not None else read_config_files(root)
    raw: dict[str, Any] = {}
    for name, required in CONFIG_FILES.items():
        rel = f"{CONFIG_DIR}/{name}"
        data = files.get(rel)
        if data is None:
            if required:
                raise GkError(f"{rel}: 缺少站点配置文件；请从 gkpublish init 生成的仓库中复制一份并按本单位情况填写")
            raw[name] = {}
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GkError(f"{rel}: 不是 UTF-8 编码，请另存为 UTF-8") from None
        raw[name] = _mapping(load_yaml_text(text, rel), rel)

    site = raw["site.yml"]
    for key in ("title", "organiser"):
        if not site.get(key):
            raise GkError(f"{CONFIG_DIR}/site.yml: 缺少必填项 {key}")

    org_rel = f"{CONFIG_DIR}/organisation.yml"
    organs: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(_list_of_maps(raw["organisation.yml"], "organs", org_rel, ("name", "code")), 1):
        for key in ("name", "code"):
            if not isinstance(row[key], str):
                # YAML reads an unquoted 000014349 as a number (even octal): the 索引号 would change silently
                raise GkError(f"{org_rel}: organs 第 {n} 项的 {key} 应写成带引号的文本，例如 {key}: \"{row[key]}\"")
        organs[row["name"]] = row
    units: dict[str, Unit] = {}
    for n, row in enumerate(_list_of_maps(raw["organisation.yml"], "units", org_rel, ("id", "name", "organ")), 1):
        for key in ("id", "name", "organ"):
            if not isinstance(row[key], str | int) or isinstance(row[key], bool):
                raise GkError(f"{org_rel}: units 第 {n} 项的 {key} 应为文本，例如 {key}: gkk")
        if str(row["organ"]) not in organs:
            raise GkError(f"{org_rel}: 科室 {row['id']} 所属机构“{row['organ']}”未在 organs 中定义")
        units[str(row["id"])] = Unit(id=str(row["id"]), name=str(row["name"]), organ=str(row["organ"]))

    rev_rel = f"{CONFIG_DIR}/review.yml"
    review: dict[str, ReviewPolicy] = {}
    for name, pol in _mapping(raw["review.yml"].get("policies"), rev_rel).items():
        pol = _mapping(pol, rev_rel)
        steps = pol.get("steps")
        if not isinstance(steps, list) or not steps:
            raise GkError(f"{rev_rel}: 审核流程 {name} 缺少 steps（审核层级列表）")
        review[str(name)] = ReviewPolicy(name=str(name), steps=tuple(map(str, steps)),
                                         important_steps=tuple(map(str, pol.get("important_steps") or ())),
                                         source=str(pol.get("source") or ""))

    col_rel = f"{CONFIG_DIR}/columns.yml"
    columns: dict[str, Column] = {}
    for n, row in enumerate(_list_of_maps(raw["columns.yml"], "columns", col_rel, ("id", "name"))):
        policy = str(row.get("review") or "政务公开")
        if policy not in review:
            raise GkError(f"{col_rel}: 栏目 {row['id']} 的审核流程“{policy}”未在 review.yml 中定义")
        interval = row.get("update_interval_days")
        if interval is not None and (not isinstance(interval, int) or interval <= 0):
            raise GkError(f"{col_rel}: 栏目 {row['id']} 的 update_interval_days 应为正整数（天）")
        columns[str(row["id"])] = Column(
            id=str(row["id"]), name=str(row["name"]), parent=row.get("parent"),
            update_interval_days=interval, category=str(row.get("category") or "其他"),
            review=policy, kind=str(row.get("kind") or "item"),
            description=str(row.get("description") or ""), order=n,
            defaults=_column_defaults(row, col_rel))

    people: dict[str, Person] = {}
    ros_rel = f"{CONFIG_DIR}/roster.yml"
    validate_roster(raw["roster.yml"], units, ros_rel)  # JSON Schema, units, keys (exit 2 when wrong)
    for row in _list_of_maps(raw["roster.yml"], "people", ros_rel, ("id", "name", "unit")):
        keys = row.get("keys") or []
        if not isinstance(keys, list):
            raise GkError(f"{ros_rel}: 人员 {row['id']} 的 keys 应为列表")
        people[str(row["id"])] = Person(
            id=str(row["id"]), name=str(row["name"]), unit=str(row["unit"]),
            steps=tuple(map(str, row.get("steps") or ())),
            keys=tuple(k if isinstance(k, dict) else {"key": str(k)} for k in keys))

    domains_cfg = raw["domains.yml"]
    allowed = domains_cfg.get("allowed") or []
    if not isinstance(allowed, list) or not all(isinstance(d, str) for d in allowed):
        raise GkError(f"{CONFIG_DIR}/domains.yml: allowed 应为域名列表（每项以“- ”开头，如 - www.gov.cn）")
    return Config(
        site=site,
        organs=organs,
        units=units,
        columns=columns,
        review=review,
        sources=_list_of_maps(raw["sources.yml"], "approved", f"{CONFIG_DIR}/sources.yml", ("name",)),
        domains=[d.lower() for d in allowed],
        terms=raw["terms.yml"],
        guide=raw["guide.yml"],
        people=people,
        files=files,
    )
