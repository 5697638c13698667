"""GK120: the MkDocs configuration is site rules, and it may not load code or foreign resources.

附件3 第二条 makes the publishing unit answerable for the safety of its site. MkDocs runs
what ``mkdocs.yml`` names (hooks, plugins, Markdown extensions) and puts on every page the
scripts, styles and links it lists; ``gkpublish build`` and ``serve`` refuse such a file
(exit 2) before MkDocs reads it, and this rule reports the same in ``gkpublish check``, so
one pipeline holds. The allow-list and its reasons are in :mod:`gkpublish.site.mkdocs_config`;
what a site really needs beyond it is named in the signed ``site_config/site.yml``
(``mkdocs: {allow: …}``). ``mkdocs.yml``'s bytes are also part of what GK308 protects.
"""

from __future__ import annotations

from collections.abc import Iterator

from gkpublish.config import ROOT_CONFIG_FILES
from gkpublish.model import Repository
from gkpublish.rules import Problem, rule
from gkpublish.site.mkdocs_config import mkdocs_problems


@rule("GK120", "E", "mkdocs.yml 加载代码或外部资源、或把输出指向仓库自身的目录", "附件3 第二条（安全）")
def mkdocs_config(repo: Repository) -> Iterator[Problem]:
    """Every key of ``mkdocs.yml`` is one gkpublish knows to be inert, or is allowed by name
    in ``site_config/site.yml`` (``mkdocs.allow``: ``plugins``, ``markdown_extensions``,
    ``extra``, ``custom_dir`` under ``site_config/``). Never allowed: ``hooks``, ``INHERIT``,
    YAML tags (``!ENV``, ``!relative``, ``!!python/…``), duplicate keys, ``nav``,
    ``copyright``, ``repo_url``, ``extra_javascript``/``extra_css`` that are not files of the
    gkpublish theme, a theme other than ``material``, ``theme.font`` other than ``false``,
    ``use_directory_urls: false``, a ``site_url`` other than site.yml's ``url``, and a ``site_dir``/``docs_dir`` that is the repository or
    lies in ``content/``, ``approvals/``, ``site_config/``, ``records/``, ``schema/``, ``.git``.

    Passing (``gkpublish init``'s file)::

        theme:
          name: material
          font: false
        plugins:
          - gkpublish
        markdown_extensions:
          - tables
          - toc:
              permalink: false

    Failing::

        hooks:
          - evil_hook.py            # Python run by every build
        extra_javascript:
          - https://cdn.example/x.js
        markdown_extensions:
          - pymdownx.snippets       # includes any file of the machine into a page
        site_dir: content           # the build empties its output: the items are deleted
    """
    for name in ROOT_CONFIG_FILES:  # mkdocs.yml, and mkdocs.yaml that plain mkdocs falls back to
        data = repo.config.files.get(name)
        if data is None:
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield Problem(name, None, "不是 UTF-8 编码，请另存为 UTF-8")
            continue
        for p in mkdocs_problems(text, repo.config.site, repo.root):
            yield Problem(name, p.line, f"{p.key}：{p.message}")
