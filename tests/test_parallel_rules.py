"""Loading and the rule families run in forked workers on large repositories (gkpublish.parallel).

The model and the findings must be exactly those of a single process: same items, same
rules, lines, messages and order. GKPUBLISH_JOBS forces the mode regardless of size.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from gkpublish.loader import load_repository
from gkpublish.rules import run_rules
from tests.conftest import default_meta
from tests.test_bench_generate import generate


def _bad(meta_overrides: dict, body: str) -> str:
    fm = yaml.safe_dump(default_meta(**meta_overrides), allow_unicode=True, sort_keys=False)
    return f"---\n{fm}---\n\n{body}"


BAD_ITEMS = {
    "no_attribute.md": _bad({"attribute": None}, "正文。\n"),
    "reprint_without_source.md": _bad({"source": {"type": "转载"}}, "正文。\n"),
    "withheld_without_reason.md": _bad({"attribute": "不予公开", "index_no": "SAMPLE001/2026-09991"}, "正文。\n"),
    "script.md": _bad({"index_no": "SAMPLE001/2026-09992"}, "<script>alert(1)</script>\n（此件不予公开）\n"),
    "secret.md": _bad({"index_no": "SAMPLE001/2026-09993"}, "机密★1年\n\n联系人手机 13800138000。\n"),
    "broken_yaml.md": "---\ntitle: [\n---\n正文\n",
    "unknown_column.md": _bad({"column": "nosuch", "index_no": "SAMPLE001/2026-09994"}, "正文。\n"),
}


@pytest.fixture
def broken_site(tmp_path: Path) -> Path:
    out = tmp_path / "site"
    generate.generate(40, str(out), seed=5)
    for name, text in BAD_ITEMS.items():
        (out / "content" / "gzdt" / name).write_text(text, encoding="utf-8")
    (out / "content" / "gzdt" / "gbk.md").write_bytes("---\ntitle: 关于开展政务公开工作的通知\n---\n".encode("gbk"))
    return out


def test_parallel_load_equals_serial(broken_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKPUBLISH_JOBS", "1")
    serial = load_repository(str(broken_site), as_of=dt.date(2026, 11, 2))
    monkeypatch.setenv("GKPUBLISH_JOBS", "2")
    forked = load_repository(str(broken_site), as_of=dt.date(2026, 11, 2))
    assert len(serial.items) > 40
    assert forked.items == serial.items
    assert {f.rule for f in serial.load_findings} == {"GK101", "GK102"}
    assert forked.load_findings == serial.load_findings


def test_parallel_findings_equal_serial(broken_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = load_repository(str(broken_site), as_of=dt.date(2026, 11, 2))
    monkeypatch.setenv("GKPUBLISH_JOBS", "1")
    serial = run_rules(repo)
    monkeypatch.setenv("GKPUBLISH_JOBS", "2")
    parallel = run_rules(repo)
    assert len({f.rule for f in serial}) >= 5
    assert parallel == serial
    monkeypatch.setenv("GKPUBLISH_JOBS", "2")
    assert run_rules(repo, ["content/gzdt/script.md"]) == [
        f for f in serial if f.path == "content/gzdt/script.md"]


def test_records_read_by_two_processes_are_the_records_one_process_reads(site, tmp_path: Path) -> None:
    """approvals/ is read by the parent and a forked worker on large repositories: the same
    bytes, the same problems (a symlink, a stray file, a record in a nested folder)."""
    from gkpublish.approvals import load_approvals

    for n in range(3):
        site.item(f"gzdt/a{n}.md", index_no=f"SAMPLE001/2026-{n + 1:05d}", drafter="zhang-jb")
        site.item(f"gzdt/2026/b{n}.md", index_no=f"SAMPLE001/2026-{n + 11:05d}", drafter="zhang-jb")
    site.sign_all()
    site.write("approvals/gzdt/notes.txt", "备忘")
    site.write("approvals/README.json", "{}")
    (site.root / "approvals" / "gzdt" / "2026" / "link.json").symlink_to(tmp_path)
    one, two = load_approvals(str(site.root), 1), load_approvals(str(site.root), 2)
    assert len(one.records) > 6 and len(one.problems) == 3
    assert [(r.file, r.id) for r in two.records] == [(r.file, r.id) for r in one.records]
    assert sorted(two.problems) == sorted(one.problems)
    assert two.blob_ids() == one.blob_ids()
