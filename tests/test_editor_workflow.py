"""Workflow details for editors (issue #12, item 4): approve after an edit, status --pending,
one trust notice, init's next steps, every item file counted, make demo's last words."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest

from gkpublish.cli import main as cli_main
from tests.conftest import PROJECT
from tests.test_status_approve import GZDT, approve


@pytest.fixture
def draft(site):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.item("gzdt/b.md", drafter="zhang-jb", index_no="SAMPLE001/2026-00002", title="第二条工作动态")
    site.enrol()
    site.sign_config()
    return site


def test_approve_after_an_edit_says_it_started_a_new_round_replacing_the_stale_review(draft):
    site = draft
    for step, who in GZDT:
        approve(site, "content/gzdt/a.md", "--step", step, person=who)
    site.item("gzdt/a.md", body="修改后的正文。\n", drafter="zhang-jb")
    rc, out, _ = approve(site, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb")
    assert rc == 0
    assert "开始了第 2 轮审核" in out and "取代第 1 轮" in out and f"{len(GZDT)} 条签审" in out
    assert "只追加" in out and "保留在 approvals/" in out and "删除" not in out


def test_the_first_approval_announces_no_new_round(draft):
    rc, out, _ = approve(draft, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb")
    assert rc == 0 and "轮审核" not in out


def test_status_pending_as_a_person_shows_what_waits_for_them(draft):
    site = draft
    for step, who in GZDT:
        approve(site, "content/gzdt/a.md", "--step", step, person=who)  # a: complete
    rc, out, _ = site.cli("status", "--pending")
    assert rc == 0 and "content/gzdt/b.md" in out and "content/gzdt/a.md" not in out
    assert "1 个条目正等待" in out
    rc, out, _ = site.cli("status", "--as", "zhang-jb")  # b waits for its 经办人
    assert "content/gzdt/b.md" in out and "张经办" in out
    rc, out, _ = site.cli("status", "--as", "li-kz")  # nothing waits for 科室负责人 yet
    assert "content/gzdt/b.md" not in out and "没有等待" in out


def test_status_step_filters_by_the_next_level(draft):
    site = draft
    approve(site, "content/gzdt/b.md", "--step", "经办人", person="zhang-jb")
    rc, out, _ = site.cli("status", "--step", "科室负责人")
    assert "content/gzdt/b.md" in out and "content/gzdt/a.md" not in out
    rc, out, _ = site.cli("status", "--step", "保密审查")
    assert "content/gzdt/b.md" not in out


def test_status_filters_refuse_unknown_steps_and_people(draft):
    rc, _, err = draft.cli("status", "--step", "组长")
    assert rc == 2 and "不是审核层级" in err
    rc, _, err = draft.cli("status", "--as", "nobody")
    assert rc == 2 and "名册中没有" in err


@pytest.mark.parametrize("command", [("check",), ("status",), ("build", "--out", "OUT")])
def test_the_trust_notice_prints_once_per_command(draft, tmp_path, command):
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    _, out, err = draft.cli(*args)
    assert (out + err).count("未指定 --trust-ref") == 1, out + err


def test_the_item_count_counts_unparsable_items(site):
    site.item("gzdt/a.md")
    site.write("content/gzdt/broken.md", "---\ntitle: [未闭合\n---\n正文\n")
    site.write("content/gzdt/gbk.md", "---\ntitle: 标题\n---\n".encode("gbk"))
    rc, out, _ = site.cli("check")
    assert "检查了 3 个条目" in out


def test_init_prints_its_next_steps_on_stdout(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli_main(["-C", str(tmp_path), "init", "site"])
    assert rc == 0
    assert "下一步" in out.getvalue() and "gkpublish serve" in out.getvalue() and "下一步" not in err.getvalue()


def test_make_demo_ends_by_telling_to_run_serve():
    make = (PROJECT / "Makefile").read_text(encoding="utf-8")
    demo = make.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    last = [line for line in demo.splitlines() if line.strip()][-2:]
    assert any("gkpublish serve" in line for line in last) and "index.html" in demo
    assert "无法使用" in demo  # why the file itself is not the way to look at it

