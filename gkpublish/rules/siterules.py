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


@rule("GK121", "E", "机关标志文件不是不含元数据的 PNG、JPEG 或 WebP 图片", "附件3 第二条（安全）")
def emblem_file(repo: Repository) -> Iterator[Problem]:
    """The organ's emblem ``site_config/emblem.png`` (or ``emblem.jpg``/``emblem.jpeg``/
    ``emblem.webp``) is shown in every page's header and as the favicon, so it is public
    output: judged by its bytes, it is a raster PNG, JPEG or WebP of at most 256 KB and
    16–1024 pixels a side, with nothing but image data — no EXIF, XMP, ICC profile, text
    chunk, comment, animation or bytes after the image's end (see
    :mod:`gkpublish.site.emblem`). Any other ``site_config/emblem.*`` (SVG can carry scripts
    and links; GIF moves) and more than one emblem file are errors too. Without an emblem
    file the site shows the theme's neutral emblem.

    Passing::

        site_config/emblem.png      # 128×128 PNG saved without metadata

    Failing::

        site_config/emblem.svg      # SVG: scripts and links
        site_config/emblem.jpg      # a photo with EXIF (camera, GPS, author)
        site_config/emblem.png      # with a tEXt chunk "Author: 张三"
    """
    from gkpublish.site.emblem import problems

    for path, message in problems(repo.config.files):
        yield Problem(path, None, message)
