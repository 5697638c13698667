"""The ``gkpublish`` command line. Exit codes: 0 passed, 1 the gate found errors, 2 could not run.

Each subcommand is a module in :mod:`gkpublish.commands` with ``NAME``, ``HELP``,
``configure(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from typing import NoReturn

from gkpublish import __version__
from gkpublish.errors import GkError

COMMANDS = (
    "init", "new", "check", "approve", "status", "build", "serve", "verify_site", "verify_deployed", "report",
    "rules",
)


# argparse's own texts (usage, headings, help of -h, its errors) in Chinese. argparse looks each
# one up through gettext at the moment it is needed (``argparse._``/``argparse.ngettext``), so one
# table here covers every subcommand; a text not in the table stays as argparse has it, and
# tests/test_cli_messages.py fails on any English word of argparse left in an output.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示此帮助并退出",
    "subcommands": "子命令",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项值 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "后面须跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少跟一个值",
    "expected %s argument": "后面须跟 %s 个值",
    "expected %s arguments": "后面须跟 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "选项不接受值 %r",
    "one of the arguments %s is required": "须给出以下参数之一：%s",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的子命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def _zh(message: str) -> str:
    return ARGPARSE_ZH.get(message, message)


def _nzh(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


argparse._ = _zh  # type: ignore[attr-defined]
argparse.ngettext = _nzh  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one Chinese line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise GkError(f"参数错误：{message}（用 {self.prog} --help 查看用法）")


def parse_date_arg(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise GkError(f"日期“{value}”格式不对，应为 YYYY-MM-DD") from None


def find_root(start: str) -> str:
    """The site repository containing ``start``: the nearest folder with site_config/."""
    here = os.path.abspath(start)
    while True:
        if os.path.isdir(os.path.join(here, "site_config")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            raise GkError(f"{os.path.abspath(start)}: 不在站点仓库中（向上找不到 site_config/ 目录）；"
                          "请进入站点仓库，或用 -C 指定，或用 gkpublish init 新建")
        here = parent


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gkpublish", description="政务公开网站发布工具：合规检查、签审与公开站点生成")
    parser.add_argument("--version", action="version", version=f"gkpublish {__version__}", help="显示版本号并退出")
    parser.add_argument("-C", dest="directory", default=".", metavar="DIR", help="在 DIR 中运行（默认当前目录）")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, title="子命令")
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"gkpublish.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"gkpublish.commands.{name}":
                continue
            raise
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "_run", None):
            build_parser().print_help()
            return 2
        return int(args._run(args) or 0)
    except GkError as exc:
        from gkpublish.output import one_line  # a value from a file may hold a line break

        print(f"gkpublish: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("gkpublish: 已中断", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # never a traceback for a user; GKPUBLISH_DEBUG=1 shows it
        if os.environ.get("GKPUBLISH_DEBUG"):
            raise
        print(f"gkpublish: 内部错误：{type(exc).__name__}: {exc}（设置 GKPUBLISH_DEBUG=1 可查看详细信息，请报告此问题）",
              file=sys.stderr)
        return 2


def run() -> NoReturn:
    """The ``gkpublish`` command: :func:`main`, then leave at once. A build holds the whole
    repository model and the public view in memory; freeing them object by object at
    interpreter exit took 1.2 s at 10,000 items, for nothing: files are closed, child
    processes joined, temporary folders removed by then (their ``with`` blocks and
    ``finally`` clauses have run), and the children die with this process anyway."""
    rc = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (gkpublish check | head): nothing to add
            pass
    os._exit(rc)
