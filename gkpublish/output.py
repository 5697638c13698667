"""Findings for people (Chinese text), for scripts (JSON) and for pull requests (GitHub)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from gkpublish.model import ERROR, WARNING, Finding


def counts(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == ERROR)
    return errors, sum(1 for f in findings if f.severity == WARNING)


def as_text(findings: Sequence[Finding], items: int, trust_note: str | None = None) -> str:
    """One finding per line, ``path:line: ID message``, grouped by file, a summary at the end."""
    out: list[str] = []
    if trust_note:
        out.append(f"注意：{trust_note}")
        out.append("")
    current = None
    for f in findings:
        if current is not None and f.path != current:
            out.append("")
        current = f.path
        where = f"{f.path}:{f.line}:" if f.line else f"{f.path}:"
        label = "警告 " if f.severity == WARNING else ""
        out.append(f"{where} {f.rule} {label}{f.message}")
    errors, warnings = counts(findings)
    if out and out[-1] != "":
        out.append("")
    verdict = "未通过" if errors else "通过"
    out.append(f"检查了 {items} 个条目：{errors} 个错误，{warnings} 个警告。{verdict}。")
    return "\n".join(out)


def as_json(findings: Sequence[Finding], items: int, trust_ref: str | None = None,
            trust_note: str | None = None) -> str:
    errors, warnings = counts(findings)
    doc = {
        "version": 1,
        "ok": errors == 0,
        "summary": {"items": items, "errors": errors, "warnings": warnings},
        "findings": [f.as_json() for f in findings],
        "trust": {"ref": trust_ref, "note": trust_note},
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: Sequence[Finding], items: int, trust_note: str | None = None) -> str:
    """GitHub Actions workflow commands, so findings are annotated on the pull request's diff."""
    out = []
    if trust_note:
        out.append(f"::notice title=gkpublish::{_escape_data(trust_note)}")
    for f in findings:
        level = "error" if f.severity == ERROR else "warning"
        props = [f"file={_escape_prop(f.path)}"]
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_prop(f.rule)}")
        out.append(f"::{level} {','.join(props)}::{_escape_data(f'{f.rule} {f.message}')}")
    errors, warnings = counts(findings)
    out.append(f"检查了 {items} 个条目：{errors} 个错误，{warnings} 个警告。{'未通过' if errors else '通过'}。")
    return "\n".join(out)
