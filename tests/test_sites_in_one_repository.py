"""Several organs' sites in one git work tree (an organ is a site: ``gkpublish -C sub check``).

The demo is two sites in one repository (the root and ``examples/qijiang-audit/``), as a
集约化 platform keeps many organs' sites: every git fact a site reads — the history of its
``content/`` (GK601/GK602/GK607), the trusted roster (``--trust-ref``), the commit a signed
build records — is that site's own, whichever site was checked before it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.history import load_history
from tests.conftest import Site, public_line

AS_OF = dt.date(2026, 11, 23)


def git(root: Path, *args: str, when: str = "2026-11-16T10:00:00+08:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    r = subprocess.run(["git", "-C", str(root), "-c", "commit.gpgsign=false", *args],
                       capture_output=True, env=env, check=False)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode().strip()


def commit_all(root: Path, message: str, when: str = "2026-11-16T10:00:00+08:00") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message, when=when)


# -- the history of content/ ------------------------------------------------------------------

# where a site can sit in the work tree: the top, one level down, deeper, Chinese and spaced names
PLACES = ["", "examples/qijiang-audit", "sites/綦江区审计局", "a/b/c", "org one"]


@settings(max_examples=12, deadline=None)
@given(st.lists(st.sampled_from(PLACES), min_size=2, max_size=4, unique=True),
       st.lists(st.integers(0, 3), min_size=4, max_size=4),
       st.lists(st.integers(0, 3), min_size=1, max_size=8),
       st.integers(0, 3))
def test_every_site_reads_its_own_history_whichever_was_read_before(places, counts, order, grows):
    """For every generated set of sites in one work tree (places, items per site) and every
    order of reading them, before and after a later commit that adds an item to one site: a
    site's git facts are exactly the paths of its own content/ (the cache of another site is
    never taken for its own)."""
    tmp = Path(tempfile.mkdtemp(prefix="gk-sites-"))
    try:
        git(tmp, "init", "-q", "-b", "main")
        own: dict[str, set[str]] = {}
        for n, place in enumerate(places):
            root = tmp / place if place else tmp
            own[place] = set()
            for k in range(counts[n] + 1):  # every site has at least one item
                rel = f"content/gzdt/s{n}-{k}.md"
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(f"第{n}个站点的第{k}个条目\n", encoding="utf-8")
                own[place].add(rel)
        commit_all(tmp, "各机构站点")

        def read_in(order_: list[int]) -> None:
            for i in order_:
                place = places[i % len(places)]
                facts = load_history(str(tmp / place if place else tmp), today=AS_OF)
                assert facts.known, facts.reason
                assert set(facts.changes) == own[place], (place, places)

        read_in(order)
        later = places[grows % len(places)]
        rel = "content/tzgg/later.md"
        path = (tmp / later if later else tmp) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("后来新增的条目\n", encoding="utf-8")
        own[later].add(rel)
        commit_all(tmp, "后来新增", when="2026-11-18T10:00:00+08:00")
        read_in(list(reversed(order)) + list(range(len(places))))  # cached at the old commit: walked on
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_gk602_of_a_sub_site_names_its_own_entry_date_after_the_top_site_was_checked(tmp_path):
    top = Site(tmp_path / "repo")
    top.item("gzdt/a.md", published="2026-11-16")
    sub = Site(tmp_path / "repo" / "examples" / "qijiang-audit")
    sub.item("gzdt/b.md", published="2026-11-02")
    git(top.root, "init", "-q", "-b", "main")
    commit_all(top.root, "两个站点", when="2026-11-16T10:00:00+08:00")
    assert [f.path for f in top.check().of("GK602") if f.severity == "error"] == []  # caches the top's facts
    [f] = [f for f in sub.check().of("GK602") if f.severity == "error"]
    assert f.path == "content/gzdt/b.md" and "2026-11-16" in f.message and "2026-11-02" in f.message


# -- the trusted roster -----------------------------------------------------------------------

GZDT = [("经办人", "zhang-jb"), ("科室负责人", "li-kz"), ("保密审查", "chen-bm"), ("分管领导", "liu-fg")]


def test_trust_ref_from_a_sub_site_reads_that_sites_roster_not_the_top_sites(tmp_path):
    """The top site's trusted roster has mallory; the sub-site's has not: mallory's sign-off
    on a sub-site item is refused, because the sub-site's roster at the trusted revision is
    the one that counts."""
    top = Site(tmp_path / "repo")
    roster = top.config_data("roster.yml")
    roster["people"].append({"id": "mallory", "name": "马某", "unit": "gkk", "steps": ["科室负责人"], "keys": []})
    top.config("roster.yml", roster)
    top.enrol()
    sub = Site(tmp_path / "repo" / "examples" / "qijiang-audit")
    sub.enrol()
    sub.sign_config()
    git(top.root, "init", "-q", "-b", "main")
    commit_all(top.root, "两个站点")

    git(top.root, "checkout", "-q", "-b", "pr")
    data = sub.config_data("roster.yml")  # the change enrols mallory in the sub-site's working tree
    data["people"].append({"id": "mallory", "name": "马某", "unit": "gkk", "steps": ["科室负责人"],
                           "keys": [{"key": public_line("mallory"), "added": "2026-11-20", "revoked": None}]})
    sub.config("roster.yml", data)
    sub.item("gzdt/b.md", drafter="zhang-jb")
    for step, who in [GZDT[0], ("科室负责人", "mallory"), *GZDT[2:]]:
        sub.approve("gzdt/b.md", step, who)
    commit_all(top.root, "子站点新增条目")
    result = sub.check(trust_ref="main")
    assert any(f.rule == "GK302" and "mallory 不在可信版本 main 的名册中" in f.message for f in result.findings)


def test_trust_ref_from_a_sub_site_accepts_that_sites_own_committed_sign_offs(tmp_path):
    top = Site(tmp_path / "repo")
    top.enrol()
    sub = Site(tmp_path / "repo" / "examples" / "qijiang-audit")
    sub.item("gzdt/b.md", drafter="zhang-jb")
    sub.sign_all()
    git(top.root, "init", "-q", "-b", "main")
    commit_all(top.root, "两个站点")
    assert {f.rule for f in sub.check(trust_ref="main").findings if f.rule.startswith("GK3")} == set()


# -- what a signed build records --------------------------------------------------------------

def test_a_sub_sites_build_records_the_work_trees_commit_and_only_its_own_changes(tmp_path):
    from gkpublish.commands.verify_deployed import resolve_commit
    from gkpublish.site.sitesign import release_of

    top = Site(tmp_path / "repo")
    sub = Site(tmp_path / "repo" / "examples" / "qijiang-audit")
    git(top.root, "init", "-q", "-b", "main")
    commit_all(top.root, "两个站点")
    head = git(top.root, "rev-parse", "HEAD")
    assert release_of(str(sub.root)) == {"commit": head, "dirty": False}
    assert resolve_commit(str(sub.root), "HEAD") == head
    top.item("gzdt/a.md")  # another organ's uncommitted item is not in this organ's build
    assert release_of(str(sub.root)) == {"commit": head, "dirty": False}
    assert release_of(str(top.root))["dirty"] is True
    (sub.root / ".gkpublish-build-x1").mkdir()  # the build's own temporary folder beside site/
    (sub.root / ".gkpublish-build-x1" / "page.html").write_text("x", encoding="utf-8")
    assert release_of(str(sub.root))["dirty"] is False
    sub.item("gzdt/b.md")
    assert release_of(str(sub.root)) == {"commit": head, "dirty": True}
    commit_all(top.root, "两个新条目")
    (sub.root / "site_config" / "site.yml").write_text("title: 改动\n", encoding="utf-8")  # a tracked file changed
    assert release_of(str(sub.root))["dirty"] is True



# -- gkpublish -C SITE: relative paths are the site's ------------------------------------------

def test_report_outputs_after_dash_c_are_written_into_that_site(tmp_path, monkeypatch):
    """``-C DIR`` runs in DIR, as for build and new: ``report annual --out`` and ``report
    ledger --out`` relative paths land in the sub-site, never in the folder make runs in."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from gkpublish.cli import main as cli_main
    from tests.test_annual_report import annual_files

    sub = Site(tmp_path / "repo" / "examples" / "qijiang-audit")
    sub.item("gzdt/b.md")
    annual_files(sub)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for args in (["report", "annual", "--year", "2025", "--organ", "SAMPLE001", "--out", "content/xxgknb/nb.md"],
                 ["report", "ledger", "--out", "台账.csv"]):
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            assert cli_main(["-C", str(sub.root), *args]) == 0, args
    assert (sub.root / "content/xxgknb/nb.md").is_file() and (sub.root / "台账.csv").is_file()
    assert list(elsewhere.iterdir()) == []
