"""Write the CLI reference (docs/cli.md) from the argparse parser itself.

The reference is generated, like docs/rules.md from the rules' docstrings, so it cannot
drift from the commands: ``tests/test_userdocs.py`` compares the file with this output.
Run ``.venv/bin/python tools/cli_reference.py > docs/cli.md`` after changing an option.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gkpublish.cli import build_parser  # noqa: E402


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _name(action: argparse.Action) -> str:
    if action.option_strings:
        names = ", ".join(f"`{o}`" for o in action.option_strings)
        if action.nargs != 0:
            metavar = action.metavar or (action.dest.upper() if not action.choices else None)
            if metavar:
                names += f" `{metavar}`"
        return names
    return f"`{action.metavar or action.dest}`"


def _details(action: argparse.Action) -> str:
    if isinstance(action, argparse._VersionAction):
        return "显示版本号后退出"
    text = action.help or ""
    if action.choices:
        text += "（可选值：" + "、".join(f"`{c}`" for c in action.choices) + "）"
    if action.required:
        text += "（必填）"
    if (action.default not in (None, False, argparse.SUPPRESS, "", []) and action.nargs != 0
            and "默认" not in text):
        text += f"（默认 `{action.default}`）"
    return _cell(text)


def _table(parser: argparse.ArgumentParser) -> list[str]:
    rows = [a for a in parser._actions
            if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]
    if not rows:
        return ["（无参数）", ""]
    out = ["| 参数 | 说明 |", "|---|---|"]
    out += [f"| {_name(a)} | {_details(a)} |" for a in rows]
    return out + [""]


def _commands(parser: argparse.ArgumentParser, prefix: str, level: str) -> list[str]:
    """Every subcommand of ``parser`` (recursively: ``report ledger`` …), in parser order."""
    out: list[str] = []
    for sub in (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)):
        for name, p in sub.choices.items():
            out += [f"{level} {prefix} {name}", "", _cell(p.description or ""), ""]
            out += _table(p)
            out += _commands(p, f"{prefix} {name}", level + "#")
    return out


def markdown() -> str:
    parser = build_parser()
    lines = [
        "# 命令行参考",
        "",
        "本页由 `tools/cli_reference.py` 根据命令行解析器生成（请勿手工编辑；改动参数后重新生成："
        "`.venv/bin/python tools/cli_reference.py > docs/cli.md`）。",
        "",
        "退出码：0 通过，1 门禁发现错误，2 无法运行（参数、文件或配置有误，消息中说明改法）。",
        "",
        "## gkpublish",
        "",
        _cell(parser.description or ""),
        "",
    ]
    lines += _table(parser)
    lines += _commands(parser, "gkpublish", "##")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
