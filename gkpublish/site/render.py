"""The page markup of the public site, from Jinja2 templates of the package theme.

Every generated page (item, tombstone, column, 目录, 已废止, home, 指南) is a template
under ``theme/gk/`` rendered with autoescape on, so a value of the public view can never
be inserted unescaped by forgetting a call. Templates receive public-view objects
(:class:`~gkpublish.public.PublicItem`, :class:`~gkpublish.model.Column`, …) and a few
URL helpers, nothing else.

An office restyles its site the way Material is restyled: a file of the same name under
its ``theme.custom_dir`` (e.g. ``site_config/overrides/gk/item.html``, allowed by the
signed site rules, GK120/GK308) replaces the package's template; search order is
``custom_dir`` → package theme.

The output is handed to MkDocs as raw HTML inside Markdown, where a blank line ends an
HTML block. Rendered templates are therefore joined into one line: every line is stripped
and the lines are concatenated without a separator, so a template line must end where no
space is needed (between tags, or in Chinese text).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

import jinja2

THEME_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "theme")
PREFIX = "gk/"


@functools.lru_cache(maxsize=8)
def environment(dirs: tuple[str, ...] = ()) -> jinja2.Environment:
    """The template environment: ``dirs`` (an office's custom_dir) first, then the package theme."""
    from gkpublish.site import pages

    loader = jinja2.FileSystemLoader([*dirs, THEME_DIR])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=False)
    env.globals.update(rel=pages.rel, column_url=pages.column_url, catalog_url=pages.catalog_url,
                       attachment_uri=pages.attachment_uri, size=pages._size)
    return env


_DIRS: list[tuple[str, ...]] = [()]


def use_dirs(dirs: Sequence[str]) -> None:
    """Template folders that override the package's (the site's custom_dir), for this build."""
    _DIRS[0] = tuple(d for d in dirs if d and os.path.isdir(d) and os.path.abspath(d) != THEME_DIR)


def render(name: str, **context: Any) -> str:
    """``theme/gk/<name>`` rendered, as one line of HTML. A broken template (an office's
    override with a syntax error or an unknown variable) is a SiteError naming the file
    and line, never a traceback and never a page with a hole in it."""
    from gkpublish.site.pages import SiteError

    try:
        text = environment(_DIRS[0]).get_template(PREFIX + name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise SiteError(f"页面模板 {exc.filename or PREFIX + name} 第 {exc.lineno} 行有语法错误：{exc.message}；"
                        "请修正该模板（或删除 custom_dir 中的同名文件以使用默认模板）") from None
    except jinja2.TemplateError as exc:
        raise SiteError(f"页面模板 {PREFIX + name} 无法渲染：{exc}；请检查 custom_dir 中覆盖的模板只使用"
                        "默认模板中出现的变量（见 gkpublish/site/theme/gk/）") from None
    return "".join(line.strip() for line in text.splitlines())
