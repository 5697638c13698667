"""mkdocs.yml is site rules: which keys may load code or resources into the public site.

MkDocs executes what its configuration names: ``hooks`` are Python files imported at load
time, ``plugins`` and ``markdown_extensions`` are Python packages (``pymdownx.snippets``
reads any file on the machine into a page), ``extra_javascript``/``extra_css`` put a
script or a style on every page, ``theme.custom_dir`` replaces templates, ``!ENV`` and
``INHERIT`` pull values from outside the file, ``extra.analytics`` and ``theme.font`` make
Material load scripts and fonts from other domains, ``nav``/``copyright``/``repo_url`` put
raw links or HTML on every page.

One allow-list, fail closed: every key of mkdocs.yml (and of ``theme``) must be one this
module knows to be inert, with a value it can check; anything else is refused with the
key, the line and the fix. What the site's operators really need beyond that is named in
the **signed** site rules, ``site_config/site.yml``::

    mkdocs:
      allow:
        plugins: [some-plugin]                 # by name, exactly as in mkdocs.yml
        markdown_extensions: [pymdownx.details]
        extra: [homepage]                      # keys of mkdocs.yml's extra
        custom_dir: site_config/overrides      # only inside site_config/ (GK308 protects its bytes)

site.yml, like mkdocs.yml itself, lives under GK308: a change needs a 主要领导 sign-off.
``hooks``, ``INHERIT`` and YAML tags are never allowed (a hook is code no sign-off
reviews; a tag or an inherited file is not in the signed bytes).

The same check serves ``gkpublish check`` (rule GK120, :mod:`gkpublish.rules.siterules`),
``gkpublish build``/``serve`` (exit 2 *before* MkDocs loads the file) and the plugin
(plain ``mkdocs build``/``serve``): its ``load_config`` refuses while MkDocs validates
``plugins``, which MkDocs does before it imports ``hooks``, and ``on_config`` checks what
was really loaded. Plugins listed before gkpublish, Markdown extensions and the theme are
imported by MkDocs before that: gkpublish's own commands check first.

This module does not import MkDocs: the gate uses it.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from typing import Any

import yaml

from gkpublish.config import ConfigLoader, check_yaml_shape
from gkpublish.errors import GkError

CONFIG_FILE = "mkdocs.yml"
THEME_DIR = os.path.join(os.path.dirname(__file__), "theme")
# Folders of the site repository that neither the output nor the docs_dir may be in: the
# build empties its output folder, and these are what is published and what decides it.
PROTECTED_TOPS = ("content", "approvals", "site_config", "records", "schema", ".git")

# Python-Markdown's own extensions and pymdownx ones that only change how Markdown turns
# into HTML: none reads a file, loads a module named in the configuration or adds a script.
# (pymdownx.snippets includes files; pymdownx.b64 embeds local files; arithmatex and
# emoji's CDN options want external scripts: not here.)
SAFE_EXTENSIONS = frozenset(
    "abbr admonition attr_list def_list footnotes md_in_html sane_lists tables toc smarty "
    "pymdownx.betterem pymdownx.caret pymdownx.details pymdownx.mark pymdownx.tilde "
    "pymdownx.tasklist pymdownx.smartsymbols pymdownx.saneheaders".split())
SAFE_PLUGINS = frozenset({"gkpublish"})
GKPUBLISH_PLUGIN_OPTIONS = frozenset({"repo", "as_of", "search"})
THEME_KEYS = frozenset({"name", "language", "locale", "direction", "font", "features", "palette",
                        "logo", "favicon", "icon", "custom_dir"})
ALLOW_KEYS = ("plugins", "markdown_extensions", "extra", "custom_dir")

# Keys refused whatever their value, with why.
NEVER = {
    "hooks": "会在构建时导入并执行其中的 Python 代码",
    "INHERIT": "会合并另一个配置文件，其内容不在签审范围内",
    "nav": "导航由 gkpublish 根据栏目生成；手写导航可在每个页面加入任意链接",
    "copyright": "页脚由 site_config/site.yml 生成；copyright 是原样输出到每个页面的 HTML",
    "repo_url": "会在每个页面加入外部仓库链接，Material 还会从外部网站读取仓库信息",
    "repo_name": "与 repo_url 一起在每个页面加入外部仓库链接",
    "edit_uri": "会在每个页面加入外部编辑链接",
    "edit_uri_template": "会在每个页面加入外部编辑链接",
    "extra_templates": "会把 docs_dir 中的模板渲染进站点，未经门禁检查",
}


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


# Keys whose value is inert once it has the right type.
PLAIN_KEYS = {
    "site_name": (_is_str, "文本"),
    "site_description": (_is_str, "文本"),
    "site_author": (_is_str, "文本"),
    "site_url": (lambda v: isinstance(v, str) and re.match(r"https?://[^\s/]+", v) is not None,
                 "以 https:// 开头的网址"),
    "strict": (_is_bool, "true 或 false"),
    "dev_addr": (_is_str, "“地址:端口”文本"),
    "remote_branch": (_is_str, "文本"),
    "remote_name": (_is_str, "文本"),
    "exclude_docs": (_is_str, "文本"),
    "not_in_nav": (_is_str, "文本"),
    "draft_docs": (_is_str, "文本"),
    "watch": (lambda v: isinstance(v, list) and all(map(_is_str, v)), "路径列表"),
    "validation": (lambda v: isinstance(v, dict), "映射"),
}
HANDLED = {"docs_dir", "site_dir", "theme", "plugins", "markdown_extensions", "extra",
           "extra_css", "extra_javascript", "use_directory_urls"}


@dataclass(frozen=True)
class ConfigProblem:
    key: str  # the mkdocs.yml key (dotted for nested ones, e.g. theme.custom_dir)
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{CONFIG_FILE}:{self.line or ''}: {self.key}：{self.message}"


class _StrictLoader(yaml.SafeLoader):
    """Nodes only: tags, duplicate keys and lines are judged before anything is built."""


STANDARD_TAGS = frozenset("tag:yaml.org,2002:" + t for t in
                          "str int float bool null map seq timestamp merge".split())


def _node_problems(node: yaml.Node, path: str, out: list[ConfigProblem]) -> None:
    stack = [(node, path)]
    while stack:
        n, where = stack.pop()
        if n.tag not in STANDARD_TAGS:
            out.append(ConfigProblem(where or "（文件）", n.start_mark.line + 1,
                                     f"不允许 YAML 标签 {n.tag}（如 !ENV、!relative、!!python/…）：它从文件之外取值"
                                     "或执行代码，取到的内容不在签审范围内；请直接写出值"))
            continue
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in n.value:
                key = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
                sub = f"{where}.{key}" if where else key
                if key in seen:
                    out.append(ConfigProblem(sub, k.start_mark.line + 1,
                                             "键重复；同一个键只能出现一次，请删除多余的一处"))
                seen.add(key)
                stack.append((v, sub))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((v, where) for v in n.value)


def _lines(node: yaml.Node) -> dict[str, int]:
    """Line of each top-level key and of each theme key (dotted)."""
    out: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = str(k.value)
            out.setdefault(key, k.start_mark.line + 1)
            if isinstance(v, yaml.MappingNode):
                for kk, _vv in v.value:
                    out.setdefault(f"{key}.{kk.value}", kk.start_mark.line + 1)
    return out


def _parse(text: str) -> tuple[Any, dict[str, int], list[ConfigProblem]]:
    try:
        check_yaml_shape(text, CONFIG_FILE)
    except GkError as exc:
        return None, {}, [ConfigProblem("（文件）", None, str(exc))]
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, {}, [ConfigProblem("（文件）", mark.line + 1 if mark else None,
                                        f"YAML 无法解析（{getattr(exc, 'problem', None) or exc}），请检查缩进与引号")]
    if node is None:
        return {}, {}, []
    problems: list[ConfigProblem] = []
    _node_problems(node, "", problems)
    try:  # the other keys are still judged: a tagged value counts as absent (already refused)
        data = yaml.load(text, Loader=_TagsAsNone)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, {}, problems + [ConfigProblem("（文件）", mark.line + 1 if mark else None,
                                                   f"YAML 无法解析（{getattr(exc, 'problem', None) or exc}）")]
    return data, _lines(node), problems


class _TagsAsNone(ConfigLoader):
    pass


_TagsAsNone.add_multi_constructor("", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class Allowances:
    plugins: frozenset[str] = frozenset()
    markdown_extensions: frozenset[str] = frozenset()
    extra: frozenset[str] = frozenset()
    custom_dir: str | None = None


def allowances(site: dict[str, Any]) -> tuple[Allowances, list[str]]:
    """What ``site_config/site.yml``'s ``mkdocs.allow`` permits, and problems with it."""
    problems: list[str] = []
    block = site.get("mkdocs") if isinstance(site, dict) else None
    if block is None:
        return Allowances(), []
    where = "site_config/site.yml: mkdocs"
    if not isinstance(block, dict) or set(block) - {"allow"}:
        return Allowances(), [f"{where} 只能包含 allow（映射），例如 mkdocs: {{allow: {{plugins: [名称]}}}}"]
    allow = block.get("allow") or {}
    if not isinstance(allow, dict):
        return Allowances(), [f"{where}.allow 应为映射"]
    unknown = [str(k) for k in allow if k not in ALLOW_KEYS]
    if unknown:
        problems.append(f"{where}.allow 中有未知项 {'、'.join(unknown)}；可填写：{'、'.join(ALLOW_KEYS)}")
    lists: dict[str, frozenset[str]] = {}
    for key in ("plugins", "markdown_extensions", "extra"):
        value = allow.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problems.append(f"{where}.allow.{key} 应为名称列表，例如 {key}: [名称]")
            value = []
        lists[key] = frozenset(_ext_name(v) if key == "markdown_extensions" else v for v in value)
    custom = allow.get("custom_dir")
    if custom is not None and not isinstance(custom, str):
        problems.append(f"{where}.allow.custom_dir 应为 site_config/ 下的目录路径")
        custom = None
    return Allowances(lists["plugins"], lists["markdown_extensions"], lists["extra"],
                      _norm(custom) if custom else None), problems


def _norm(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))


def _ext_name(name: str) -> str:
    return name[len("markdown.extensions."):] if name.startswith("markdown.extensions.") else name


def _names(value: Any) -> list[tuple[str, Any]] | None:
    """(name, options) of a plugins/markdown_extensions list or mapping; None when malformed."""
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if not isinstance(value, list):
        return None
    out: list[tuple[str, Any]] = []
    for entry in value:
        if isinstance(entry, str):
            out.append((entry, None))
        elif isinstance(entry, dict) and len(entry) == 1:
            (k, v), = entry.items()
            out.append((str(k), v))
        else:
            return None
    return out


def protected_top(rel: str) -> str | None:
    """The protected folder a repository-relative, normalised path is in (or is), if any;
    "" when it is the repository itself or outside it (an ancestor included)."""
    if rel in (".", "") or rel == ".." or rel.startswith("../") or rel.startswith("/"):
        return ""
    top = rel.split("/", 1)[0]
    return top if top in PROTECTED_TOPS else None


def output_problem(root: str, site_dir: str) -> str | None:
    """Why ``site_dir`` (absolute) may not be an output folder of the repository at ``root``, if so.

    The output folder is emptied and replaced by every build: it can be neither the
    repository, one of its ancestors, nor inside a folder that holds the published content
    or the decisions about it."""
    # Both readings of the path: the one the file system follows (symlinks first) and the
    # lexical one MkDocs computes (os.path.abspath folds "link/.." before any symlink is
    # followed). Either landing on a protected folder is refused (fail closed).
    real_root = os.path.realpath(root)
    for where in {os.path.realpath(site_dir), os.path.realpath(os.path.abspath(site_dir))}:
        if where == real_root or os.path.commonpath([where, real_root]) == where:
            return "输出目录不能是站点仓库本身或其上级目录"
        for top in PROTECTED_TOPS:
            base = os.path.join(real_root, top)
            if os.path.commonpath([where, base]) == base:
                return f"输出目录不能位于仓库的 {top}/ 之中（构建会清空输出目录）"
    return None


def mkdocs_problems(text: str, site: dict[str, Any] | None = None, root: str | None = None) -> list[ConfigProblem]:
    """Every key of ``text`` (mkdocs.yml) that could load code or foreign resources, or
    point the build into the repository's own folders, unless ``site`` (site.yml) allows it."""
    allow, allow_problems = allowances(site or {})
    out = [ConfigProblem("mkdocs.allow", None, p) for p in allow_problems]
    data, lines, problems = _parse(text)
    out.extend(problems)
    if data is None and problems:
        return out
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return out + [ConfigProblem("（文件）", 1, "内容应为“键: 值”形式的映射，请参照 gkpublish init 生成的 mkdocs.yml")]

    def bad(key: str, message: str) -> None:
        out.append(ConfigProblem(key, lines.get(key), message))

    for key, value in data.items():
        key = str(key)
        if key in NEVER:
            bad(key, f"不允许（{NEVER[key]}）；请删除该项")
        elif key in PLAIN_KEYS and value is not None:
            ok, what = PLAIN_KEYS[key]
            if not ok(value):
                bad(key, f"应为{what}")
        elif key not in HANDLED:
            bad(key, "不是 gkpublish 认可的 MkDocs 配置项（未知的键可能加载代码或外部资源）；请删除该项，"
                     "或对照 gkpublish init 生成的 mkdocs.yml 检查拼写")

    for key in ("docs_dir", "site_dir"):
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            bad(key, "应为目录路径")
            continue
        keep = "site" if key == "site_dir" else "site_pages"
        norm = _norm(value)
        if key == "site_dir":
            why = output_problem(root or "/nonexistent-root", value if os.path.isabs(value)
                                 else os.path.join(root or "/nonexistent-root", norm))
            if why is None and all(p == ".." for p in norm.split("/")) or norm == ".":
                why = "输出目录不能是站点仓库本身或其上级目录"
        else:
            top = protected_top(norm)
            why = ("docs_dir 须是仓库中的空目录" if top == "" else
                   f"docs_dir 不能位于仓库的 {top}/ 之中" if top else None)
        if why:
            bad(key, f"“{value}”：{why}；请保持为 {keep}")

    url = data.get("site_url")
    if isinstance(url, str) and PLAIN_KEYS["site_url"][0](url):
        own = (site or {}).get("url") if isinstance(site, dict) else None
        if not isinstance(own, str) or own.rstrip("/") != url.rstrip("/"):
            # the canonical link and the sitemap of every page point at site_url
            bad("site_url", f"“{url}”与 site_config/site.yml 的 url（{own or '未填写'}）不一致；"
                            "请删除 site_url，站点网址只在 site.yml 中填写")

    if data.get("use_directory_urls", True) is not True:
        bad("use_directory_urls", "只能为 true：页面链接、站点地图与 verify-site 都按目录式网址生成；请删除该项")

    theme = data.get("theme", "material")
    if isinstance(theme, str):
        theme = {"name": theme}
    if not isinstance(theme, dict):
        bad("theme", "应为映射，name: material")
    else:
        if theme.get("name") != "material":
            bad("theme", f"主题只能是 material（现为 {theme.get('name')!r}）；gkpublish 的模板与检查都以它为准")
        for k in theme:
            if k not in THEME_KEYS:
                bad(f"theme.{k}", "不是 gkpublish 认可的主题配置项；请删除该项")
        if "font" in theme and theme["font"] is not False:
            bad("theme.font", "只能为 false：其他取值会让每个页面从 Google Fonts 加载字体（外部资源）")
        for k in ("logo", "favicon"):
            if k in theme and not _local_path(theme[k]):
                bad(f"theme.{k}", "应为站点内的相对路径（不能是网址）")
        for k in ("language", "locale", "direction"):
            if k in theme and not isinstance(theme[k], str):
                bad(f"theme.{k}", "应为文本")
        if "features" in theme and not (isinstance(theme["features"], list) and all(map(_is_str, theme["features"]))):
            bad("theme.features", "应为文本列表")
        if "palette" in theme and not _inert(theme["palette"]):
            bad("theme.palette", "应为颜色设置（文本、布尔值的映射或列表）")
        if "icon" in theme and not _inert(theme["icon"]):
            bad("theme.icon", "应为图标名称的映射")
        if "custom_dir" in theme:
            custom = theme["custom_dir"]
            norm = _norm(custom) if isinstance(custom, str) else None
            if norm is None or not (norm + "/").startswith("site_config/") or norm == "site_config":
                bad("theme.custom_dir", "只能是 site_config/ 下的目录（其中的文件与站点配置一起受主要领导签审保护，GK308）")
            elif allow.custom_dir != norm:
                bad("theme.custom_dir", f"须先在 site_config/site.yml 中写明 mkdocs: {{allow: {{custom_dir: {norm}}}}}"
                                        "（经主要领导签审）才能使用")

    plugins = _names(data.get("plugins", ["gkpublish"]))
    if plugins is None:
        bad("plugins", "应为插件名称列表")
    else:
        names = [n for n, _ in plugins]
        if "gkpublish" not in names:
            bad("plugins", "必须启用 gkpublish 插件（- gkpublish）：页面只能由公开视图生成")
        for name, opts in plugins:
            if name == "gkpublish":
                if opts is not None and (not isinstance(opts, dict) or set(opts) - GKPUBLISH_PLUGIN_OPTIONS):
                    bad("plugins", f"gkpublish 插件只接受选项 {'、'.join(sorted(GKPUBLISH_PLUGIN_OPTIONS))}")
                elif isinstance(opts, dict) and "repo" in opts and _norm(str(opts["repo"])) != ".":
                    bad("plugins", "gkpublish 插件的 repo 选项只能指向本仓库（.）；请删除该选项")
            elif name not in allow.plugins:
                bad("plugins", f"插件 {name} 未获准：插件是在构建时执行的代码（如 material/search 另建一份包含全部正文的索引）。"
                               f"请删除；确需使用时在 site_config/site.yml 写明 mkdocs: {{allow: {{plugins: [{name}]}}}}（经主要领导签审）")

    exts = _names(data.get("markdown_extensions", []))
    if exts is None:
        bad("markdown_extensions", "应为扩展名称列表")
    else:
        for name, _opts in exts:
            short = _ext_name(name)
            if short not in SAFE_EXTENSIONS and short not in allow.markdown_extensions:
                why = "可把机器上任意文件的内容插入页面" if short in ("pymdownx.snippets", "pymdownx.b64") else "是在构建时执行的代码"
                bad("markdown_extensions", f"扩展 {name} 不在允许列表中（{why}）；请删除，确需使用时在 site_config/site.yml 写明 "
                                           f"mkdocs: {{allow: {{markdown_extensions: [{short}]}}}}（经主要领导签审）")

    extra = data.get("extra", {})
    if not isinstance(extra, dict):
        bad("extra", "应为映射")
    else:
        for k in extra:
            if str(k) not in allow.extra:
                bad("extra", f"extra.{k} 未获准：Material 用 extra 的项加载统计脚本（analytics）、外部链接（social）等；"
                             f"请删除，确需使用时在 site_config/site.yml 写明 mkdocs: {{allow: {{extra: [{k}]}}}}（经主要领导签审）")

    for key in ("extra_css", "extra_javascript"):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            bad(key, "应为列表")
            continue
        for entry in entries:
            path = entry.get("path") if isinstance(entry, dict) else entry
            if not _local_path(path) or not _in_package_theme(str(path)):
                bad(key, f"“{path}”不是 gkpublish 主题自带的文件：外部网址或仓库中的脚本、样式会出现在每个页面上，"
                         "未经门禁检查；请删除该项")
    return out


def _inert(value: Any) -> bool:
    """Only strings, numbers, booleans and null, in lists and mappings."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif not (v is None or isinstance(v, str | int | float | bool)):
            return False
    return True


def _local_path(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    v = value.strip().replace("\\", "/")
    return not (re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", v) or v.startswith("/") or ".." in v.split("/"))


def _in_package_theme(path: str) -> bool:
    full = os.path.normpath(os.path.join(THEME_DIR, path))
    return full.startswith(THEME_DIR + os.sep) and os.path.isfile(full)


def refuse_unsafe(root: str, files: dict[str, bytes], site: dict[str, Any], config_file: str | None = None) -> None:
    """GkError (exit 2) listing every problem of the repository's mkdocs.yml; before MkDocs loads it.

    ``files``: the site rules as read by :func:`gkpublish.config.read_config_files` (which
    refuses a symlinked or non-regular mkdocs.yml); ``config_file``: another file to check."""
    if config_file is not None and os.path.abspath(config_file) != os.path.join(os.path.abspath(root), CONFIG_FILE):
        try:
            with open(config_file, "rb") as fh:
                data: bytes | None = fh.read()
        except OSError as exc:
            raise GkError(f"{config_file}: 无法读取（{exc.strerror}）") from None
    else:
        data = files.get(CONFIG_FILE)
    if data is None:
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GkError(f"{CONFIG_FILE}: 不是 UTF-8 编码，请另存为 UTF-8") from None
    problems = mkdocs_problems(text, site, root)
    if problems:
        # one line (contract: exit 2 with a one-line reason); each problem names its key and line
        raise GkError(f"{CONFIG_FILE} 含有会加载代码或外部资源的配置，拒绝构建：" + "；".join(str(p) for p in problems))
