"""bench/generate.py writes repositories that pass every gate except the sign-offs (GK3xx).

The benchmark is only meaningful if it times the gate on clean, realistic content; this
keeps the generator in step with the demo configuration and the rules as they change.
"""

from __future__ import annotations

import collections
import datetime as dt
import importlib.util
import sys
from pathlib import Path

from gkpublish.loader import load_repository
from gkpublish.model import ATTRIBUTES, ERROR
from gkpublish.rules import run_rules
from tests.conftest import PROJECT

spec = importlib.util.spec_from_file_location("bench_generate", PROJECT / "bench" / "generate.py")
generate = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = generate  # dataclasses look their module up there
spec.loader.exec_module(generate)


def test_generated_repository_passes_all_but_the_sign_off_gates(tmp_path: Path) -> None:
    out = tmp_path / "site"
    generate.generate(50, str(out), seed=7, as_of=dt.date(2026, 11, 1))
    repo = load_repository(str(out), as_of=dt.date(2026, 11, 2))
    assert len(repo.items) == 50
    errors = [f for f in run_rules(repo) if f.severity == ERROR and not f.rule.startswith("GK3")]
    assert errors == []
    attributes = collections.Counter(item.attribute for item in repo.items)
    assert set(attributes) == set(ATTRIBUTES)
    assert {item.column for item in repo.items} == set(repo.config.columns)


def test_same_seed_same_repository(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate.generate(20, str(a), seed=3)
    generate.generate(20, str(b), seed=3)
    files = sorted(p.relative_to(a) for p in (a / "content").rglob("*.md"))
    assert files == sorted(p.relative_to(b) for p in (b / "content").rglob("*.md"))
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
