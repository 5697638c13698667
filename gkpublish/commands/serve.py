"""gkpublish serve: live preview (mkdocs serve) with the gate's findings shown.

The gkpublish plugin runs the gate on every rebuild and prints its findings. The preview
shows what would be published, and drafts: an item whose only errors are missing sign-offs
(``public.PREVIEW_RULES``) is shown with a 未签审（预览） banner and title; an item with any
other error shows its findings at its address. Nothing is written to site/, and
``gkpublish build`` refuses both kinds as before.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from gkpublish.cli import find_root
from gkpublish.errors import GkError

NAME = "serve"
HELP = "本地预览站点（mkdocs serve），每次刷新都显示门禁检查结果"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT",
                   help="监听地址（默认 127.0.0.1:8000）")
    p.add_argument("--no-livereload", action="store_true", help="不自动刷新")


def run(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    root = find_root(os.path.abspath(args.directory))
    config_file = os.path.join(root, "mkdocs.yml")
    if not os.path.isfile(config_file):
        raise GkError(f"{config_file}: 找不到 mkdocs.yml")
    # before MkDocs reads mkdocs.yml: loading it would already import hooks and plugins
    from gkpublish.config import load_config, read_config_files
    from gkpublish.site.mkdocs_config import refuse_unsafe

    files = read_config_files(root)
    refuse_unsafe(root, files, load_config(root, files).site)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s - %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    print(f"预览地址：http://{args.dev_addr}/ （只缺签审的条目标为“未签审（预览）”，其他有错误的条目显示错误清单；预览不是发布；按 Ctrl+C 结束）", file=sys.stderr)
    try:
        serve(config_file=config_file, dev_addr=args.dev_addr, livereload=not args.no_livereload)
    except MkDocsException as exc:
        raise GkError(f"预览失败：{exc}") from None
    finally:
        logger.removeHandler(handler)
    return 0
