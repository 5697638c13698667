"""The rule catalogue: compliance gates with stable IDs (GK101 …).

Each family lives in its own module, in the spirit of yamllint's ``rules/``: the module
docstring introduces the family and the article it comes from; each rule is a small
generator decorated with :func:`rule`, whose docstring is its documentation with a
passing and a failing example (``docs/rules.md`` is generated from these docstrings by
``gkpublish rules --markdown``, so code and documentation cannot drift).

A rule receives the loaded :class:`~gkpublish.model.Repository` and yields
:class:`Problem` objects; it never opens files.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gkpublish import parallel
from gkpublish.model import ERROR, WARNING, Finding, Repository

SEVERITY = {"E": ERROR, "W": WARNING}

# Import order is the documentation order.
FAMILIES = (
    "gkpublish.rules.files",  # GK101–GK103: files and front matter
    "gkpublish.rules.structure",  # GK104–GK107, GK109: identity, columns, organs, links, content/ files
    "gkpublish.rules.editorial",  # GK110–GK111: placeholders, empty bodies, summary = title, markup in titles
    "gkpublish.rules.markup",  # GK108: unsafe markup
    "gkpublish.rules.siterules",  # GK120: mkdocs.yml
    "gkpublish.rules.attribute",  # GK201–GK209: 公开属性
    "gkpublish.rules.signoff",  # GK301–GK308: 审核与签发
    "gkpublish.rules.reprint",  # GK401–GK403: 转载与来源
    "gkpublish.rules.privacy",  # GK501–GK506: 保密与隐私, attachments included
    "gkpublish.rules.history",  # GK601–GK604, GK607, GK608: timeliness, columns, git history
    "gkpublish.rules.site",  # GK605–GK606: 指南, 废止
    "gkpublish.rules.requests",  # GK701–GK705: the 依申请公开 register, the annual report
)


# Every finding's message ends with the concrete next step (issue #11 item 3): it holds a
# clause that tells the reader what to do — 请 (please …), 应 (should / should be …, not
# 相应/对应/响应/适应/应用), 须 (must …), 可 (may …, e.g. 可签 who may sign; not 可能 "possibly")
# — or names the command to run. tests/conftest.py checks this for every finding of every test.
NEXT_STEP = re.compile(r"请|(?<![相对响适])应(?!用)|须|可(?!能)|运行 gkpublish")


def has_next_step(message: str) -> bool:
    """Whether ``message`` tells the reader what to do next (see ``NEXT_STEP``)."""
    return NEXT_STEP.search(message) is not None


@dataclass(frozen=True)
class Problem:
    """What a rule yields: where, and what to do. The engine adds the rule ID."""

    path: str
    line: int | None
    message: str
    severity: str | None = None  # override the rule's default (e.g. GK203's W case)
    rule: str | None = None  # only the schema check routes problems to other rules' IDs


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # "error" | "warning"
    title: str  # one line, Chinese
    source: str  # the article it enforces
    doc: str  # the docstring: description + passing and failing example
    family: str
    check: Callable[[Repository], Iterable[Problem]]


RULES: dict[str, Rule] = {}


def rule(id: str, severity: str, title: str, source: str) -> Callable:
    """Register a rule. ``severity`` is "E" or "W" as in rules.md."""

    def register(func: Callable[[Repository], Iterable[Problem]]) -> Callable:
        if id in RULES and RULES[id].check is not func:
            raise RuntimeError(f"rule {id} registered twice")
        RULES[id] = Rule(id=id, severity=SEVERITY[severity], title=title, source=source,
                         doc=inspect.cleandoc(func.__doc__ or ""), family=func.__module__, check=func)
        return func

    return register


def load_rules() -> dict[str, Rule]:
    for name in FAMILIES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a family that is not written yet is fine; a broken import is not
                raise
    return dict(sorted(RULES.items()))


def _family_findings(repo: Repository, rules: dict[str, Rule], family: str) -> list[Finding]:
    out: list[Finding] = []
    for r in rules.values():
        if r.family != family:
            continue
        for p in r.check(repo):
            rid = p.rule or r.id
            sev = p.severity or (rules[rid].severity if rid in rules else r.severity)
            out.append(Finding(p.path, p.line, rid, sev, p.message))
    return out


# The costliest families first (measured on 10,000 items with three sign-offs each: the
# sign-offs ≈ 5 s CPU, reprint and privacy ≈ 1–1.5 s, the others less): the processes take
# tasks in this order, so the longest starts at once instead of after the others and the
# two cores finish together. The order of the findings does not depend on it (sorted).
_COSTLY_FIRST = ("gkpublish.rules.signoff", "gkpublish.rules.reprint", "gkpublish.rules.privacy")


def run_rules(repo: Repository, paths: Iterable[str] | None = None) -> list[Finding]:
    """Run every gate over the model. ``paths`` (repo-relative prefixes) narrow what is reported.

    On a large repository the families run in forked workers (:mod:`gkpublish.parallel`).
    Families are independent: a rule may cache work in ``repo.extra`` for the rules of its
    own family (privacy does), never for another family's.
    """
    rules = load_rules()
    families = list(dict.fromkeys(r.family for r in rules.values()))
    families.sort(key=lambda f: _COSTLY_FIRST.index(f) if f in _COSTLY_FIRST else len(_COSTLY_FIRST))
    findings: set[Finding] = set()
    for found in parallel.map_shared(lambda family: _family_findings(repo, rules, family), families,
                                     parallel.jobs(len(repo.items))):
        findings.update(found)
    result = sorted(findings, key=Finding.sort_key)
    if paths:
        prefixes = [p.rstrip("/") for p in paths]
        result = [f for f in result if any(f.path == p or f.path.startswith(p + "/") for p in prefixes)]
    return result
