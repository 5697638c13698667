"""gkpublish report: the office's records, one subcommand per module.

Each module in ``REPORTS`` has ``NAME``, ``HELP``, ``configure(parser)`` and ``run(args) -> int``
(as :mod:`gkpublish.commands` modules do); a module not written yet is skipped.
"""

from __future__ import annotations

import argparse
import importlib

from gkpublish.errors import GkError

NAME = "report"
HELP = "生成报表：栏目更新情况、依申请公开登记、政府信息公开年度报告、发布台账、审签表、考核数据"

REPORTS = (
    "gkpublish.reports.columns",
    "gkpublish.reports.requests",
    "gkpublish.reports.annual",
    "gkpublish.reports.ledger",
    "gkpublish.reports.form",
    "gkpublish.reports.assessment",
)


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="report", metavar="REPORT", parser_class=type(p))
    for name in REPORTS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        sp = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.configure(sp)
        sp.set_defaults(_report=mod.run)


def run(args: argparse.Namespace) -> int:
    report = getattr(args, "_report", None)
    if report is None:
        raise GkError("请指定报表：columns、requests、annual、ledger、form、assessment（如 gkpublish report columns；用 gkpublish report --help 查看全部）")
    return int(report(args) or 0)
