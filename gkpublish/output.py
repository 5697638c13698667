"""Findings for people (Chinese text), for scripts (JSON) and for pull requests (GitHub)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

from gkpublish.model import ERROR, WARNING, Finding

# Characters that would break a finding's line or disguise it: control characters (a file
# name with a newline would start a line of its own, e.g. a forged ``::error::`` workflow
# command; ESC would drive the terminal), line and paragraph separators, format characters
# (bidirectional overrides that reorder what is shown, zero-width characters).
_UNSAFE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` on one visible line: unsafe characters written as escapes (``\\n``, ``\\u202e``)."""
    if not _UNSAFE_RE.search(text):
        return text
    return _UNSAFE_RE.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


def _other_format(text: str) -> str:
    """Any remaining category Cf character, escaped as well (rare: checked per character)."""
    if text.isascii():
        return text
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c for c in text)


def counts(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == ERROR)
    return errors, sum(1 for f in findings if f.severity == WARNING)


def as_text(findings: Sequence[Finding], items: int, trust_note: str | None = None) -> str:
    """One finding per line, ``path:line: ID message``, grouped by file, a summary at the end."""
    out: list[str] = []
    if trust_note:
        out.append(f"注意：{one_line(trust_note)}")
        out.append("")
    current = None
    for f in findings:
        if current is not None and f.path != current:
            out.append("")
        current = f.path
        path = _other_format(one_line(f.path))
        where = f"{path}:{f.line}:" if f.line else f"{path}:"
        label = "警告 " if f.severity == WARNING else ""
        out.append(f"{where} {f.rule} {label}{one_line(f.message)}")
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
    """GitHub's escaping of a workflow command's message (%, CR, LF); other control
    characters are spelt out, so no byte of a file name can act on the runner's log."""
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return one_line(s)


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
