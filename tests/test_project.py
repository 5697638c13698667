"""The project keeps its promises about itself: generated docs current, schema copies equal."""

import filecmp
import io
from contextlib import redirect_stdout
from pathlib import Path

from gkpublish.cli import main
from gkpublish.rules import load_rules

ROOT = Path(__file__).parent.parent


def test_docs_rules_md_is_generated_from_the_docstrings():
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["rules", "--markdown"]) == 0
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == buf.getvalue(), \
        "docs/rules.md is stale: run `.venv/bin/gkpublish rules --markdown > docs/rules.md`"


def test_every_rule_documents_a_passing_and_a_failing_example():
    for r in load_rules().values():
        doc = r.doc
        assert ("Passing" in doc or "通过" in doc) and ("Failing" in doc or "不通过" in doc), r.id


def test_demo_schema_is_the_shipped_schema():
    shipped = ROOT / "gkpublish" / "data" / "schema"
    names = sorted(p.name for p in shipped.glob("*.json"))
    assert names == sorted(p.name for p in (ROOT / "schema").glob("*.json"))
    for n in names:
        assert filecmp.cmp(shipped / n, ROOT / "schema" / n, shallow=False), n


def test_nothing_reads_the_shared_folder():
    for p in list((ROOT / "gkpublish").rglob("*.py")) + list((ROOT / "tests").rglob("*.py")) + \
            list((ROOT / "bench").rglob("*.py")):
        if p.name == "test_project.py":
            continue
        assert "shared/" not in p.read_text(encoding="utf-8"), p
