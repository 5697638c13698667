"""Build the public site with MkDocs into a directory, for ``gkpublish build`` and tests.

The repository is loaded and checked once by the caller and handed to the plugin
(:meth:`GkPublishPlugin.preload`), so a build reads the repository once. The caller
decides what to do with the result of ``verify-site`` (``gkpublish build`` moves the
site into place only when it is clean).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile

import yaml

from gkpublish.errors import GkError
from gkpublish.model import ERROR, Finding, Repository
from gkpublish.site.verify import Leak

CONFIG_FILE = "mkdocs.yml"

# What a site repository's mkdocs.yml contains (gkpublish init writes it); also used when a
# repository has none.
DEFAULT_CONFIG = """\
# 公开站点：mkdocs build / mkdocs serve 与 gkpublish build / serve 都经过 gkpublish 插件。
# 页面全部由插件根据“公开视图”生成（content/ 与 docs_dir 中的文件不会被直接复制）；
# 站点名称、页脚、导航来自 site_config/。
site_name: 政务公开            # 由 site_config/site.yml 的 title 覆盖
docs_dir: site_pages           # 保持为空：页面由插件生成
site_dir: site
theme:
  name: material
  language: zh
  font: false                  # 不加载外部字体（内网、离线可用），使用系统中文字体
  features:
    - navigation.top
  palette:
    primary: custom
    accent: custom
plugins:
  - gkpublish                  # 不启用 Material 自带的 search：站内搜索由 gkpublish 自己的分片索引（search/index/）提供
markdown_extensions:
  - tables
  - attr_list
  - admonition
  - toc:
      permalink: false
validation:
  nav:
    omitted_files: ignore
  links:
    not_found: warn
    anchors: ignore
    unrecognized_links: ignore
"""


def default_config(root: str) -> str:
    """DEFAULT_CONFIG for a repository without mkdocs.yml (written outside it: the plugin's
    ``repo`` option names the repository)."""
    return DEFAULT_CONFIG.replace("  - gkpublish ", f"  - gkpublish:\n      repo: {json.dumps(root)}\n  #")


class _Echo(logging.Handler):
    """MkDocs warnings on stderr while gkpublish drives it (MkDocs' CLI is not involved)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        import sys

        print(f"mkdocs: {record.getMessage()}", file=sys.stderr)


def build_site_dir(repo: Repository, findings: list[Finding], site_dir: str,
                   config_file: str | None = None, target: str | None = None,
                   allow_shrink: bool = False, _default: bool = False) -> list[Leak]:
    """Build into ``site_dir`` (created or emptied) and verify it; the leaks found.

    ``target``: the site folder ``site_dir`` will replace (refused when it is a protected
    folder, or when the new site would lose most of its items, unless ``allow_shrink``)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException

    from gkpublish.site.mkdocs_config import refuse_unsafe

    if any(f.severity == ERROR for f in findings):  # callers refuse first; never build past the gate
        raise GkError("门禁未通过，不能构建站点")
    config_file = config_file or os.path.join(repo.root, CONFIG_FILE)
    if not os.path.isfile(config_file):
        # no mkdocs.yml: the default one, with an empty docs_dir outside the repository
        with tempfile.TemporaryDirectory(prefix=f".gkpublish-config-{os.getpid()}-", dir=os.path.dirname(site_dir)) as tmp:
            os.mkdir(os.path.join(tmp, "site_pages"))
            default = os.path.join(tmp, CONFIG_FILE)
            with open(default, "w", encoding="utf-8") as fh:
                fh.write(default_config(repo.root))
            return build_site_dir(repo, findings, site_dir, default, target, allow_shrink, _default=True)
    if not _default:  # the repository's (or a given) file: refused before MkDocs imports what it names
        refuse_unsafe(repo.root, repo.config.files, repo.config.site, config_file)
    logger = logging.getLogger("mkdocs")
    handler = _Echo()
    logger.addHandler(handler)
    try:
        _ensure_docs_dir(config_file)
        try:
            cfg = load_config(config_file=config_file, site_dir=site_dir)
        except (ConfigurationError, Abort) as exc:
            raise GkError(f"{config_file}: 配置无效：{exc}") from None
        plugin = cfg.plugins.get("gkpublish")
        if plugin is None:
            raise GkError(f"{config_file}: 未启用 gkpublish 插件；请在 plugins 中加入 - gkpublish")
        cfg.plugins.on_startup(command="build", dirty=False)
        plugin.preload(repo, findings)
        plugin.defer_finish = True
        plugin.publish_target = target or site_dir
        plugin.allow_shrink = allow_shrink
        plugin.trusted_config = _default
        try:
            build(cfg)
            return plugin.finish_build()
        except (MkDocsException, Abort) as exc:
            raise GkError(f"站点构建失败：{exc}") from None
        finally:
            cfg.plugins.on_shutdown()
    finally:
        logger.removeHandler(handler)


def _ensure_docs_dir(config_file: str) -> None:
    """MkDocs refuses a missing docs_dir; ours is an empty placeholder (pages are generated),
    which a copy of the repository without empty folders may lack."""
    try:
        with open(config_file, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_IgnoreTags)
    except (OSError, yaml.YAMLError):
        return  # MkDocs reports it
    docs = data.get("docs_dir", "docs") if isinstance(data, dict) else None
    if isinstance(docs, str) and docs:
        path = os.path.join(os.path.dirname(os.path.abspath(config_file)), docs)
        if not os.path.exists(path):
            os.makedirs(path)


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml may carry tags such as !ENV; only docs_dir is read here."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)
