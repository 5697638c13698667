"""Decisions are binding (issue #8, class 5) and sign-offs bind attachments (class 3).

Records are append-only history: a change may add records, never remove or replace one that
the trusted revision (``--trust-ref``; without it ``HEAD``) has; all records of an item are one
chain in numbered rounds and only the newest round decides, so reverting content cannot
replay old approvals. A record also binds the item's attachments.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout

import pytest

from gkpublish import approvals
from gkpublish.cli import main as cli_main
from tests.conftest import AS_OF, person_key
from tests.test_signoff import GZDT, TZGG, gk3, messages, signed_site
from tests.test_trust import commit_all, git

RETURNED = "approvals/gzdt/a/02-科室负责人-退回.json"


@pytest.fixture
def returned_on_main(site):
    """main: 经办人 agreed, 科室负责人 退回 — the item must not be published."""
    signed_site(site, chain=GZDT[:1])
    site.approve("gzdt/a.md", "科室负责人", "li-kz", decision="退回", comment="数字有误")
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "退回")
    git(site.root, "checkout", "-q", "-b", "pr")
    return site


def sign_rest(site, chain=GZDT[1:]) -> None:
    for step, who in chain:
        site.approve("gzdt/a.md", step, who)


# -- a change may add records, never remove or replace a trusted one ---------------------------

def test_deleting_a_trailing_return_on_main_is_gk302_with_trust_ref(returned_on_main):
    site = returned_on_main
    (site.root / RETURNED).unlink()  # the 退回 disappears …
    sign_rest(site)  # … and the later levels are signed as if it never happened
    commit_all(site.root, "删掉退回")
    r = site.check(trust_ref="main")
    assert "GK302" in gk3(r)
    msg = messages(r, "GK302")
    assert RETURNED in msg and "被删除" in msg and f"git checkout main -- {RETURNED}" in msg
    assert all(f.path == "content/gzdt/a.md" for f in r.of("GK302"))


def test_deleting_a_committed_return_in_the_working_tree_is_gk302_without_trust_ref(returned_on_main):
    site = returned_on_main
    (site.root / RETURNED).unlink()
    sign_rest(site)
    r = site.check()
    assert "GK302" in gk3(r) and f"git checkout HEAD -- {RETURNED}" in messages(r, "GK302")
    assert not approvals.evaluate(site.load()).items["content/gzdt/a.md"].complete


def test_replacing_a_trusted_record_with_other_bytes_is_gk302(returned_on_main):
    site = returned_on_main
    path = site.root / RETURNED
    path.write_text(json.dumps(json.loads(path.read_text("utf-8")), indent=4), encoding="utf-8")  # still verifies
    r = site.check(trust_ref="main")
    assert "GK302" in gk3(r) and "被改动" in messages(r, "GK302")


def test_a_crlf_checkout_of_a_trusted_record_is_the_same_record(returned_on_main):
    site = returned_on_main  # git on Windows with core.autocrlf checks the LF records out with CRLF
    path = site.root / RETURNED
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert "GK302" not in gk3(site.check(trust_ref="main"))


def test_the_return_stays_in_force_until_the_level_agrees_again(returned_on_main):
    site = returned_on_main
    sign_rest(site, GZDT[2:])  # skipping past the 退回 does not count
    assert "GK301" in gk3(site.check(trust_ref="main"))
    site.approve("gzdt/a.md", "科室负责人", "li-kz", prev=approvals.record_id(
        json.loads((site.root / RETURNED).read_text("utf-8"))), name="03-科室负责人.json")
    assert "GK304" in gk3(site.check(trust_ref="main"))  # branching off the 退回 again: a fork


def test_an_honest_new_round_after_a_return_passes_with_trust_ref(returned_on_main):
    site = returned_on_main
    site.item("gzdt/a.md", body="修改后的正文。\n", drafter="zhang-jb")
    assert "GK303" in gk3(site.check(trust_ref="main"))
    for step, who in GZDT:
        rc, out, err = site.cli("approve", "content/gzdt/a.md", "--step", step, "--as", who,
                                "--key", str(site.key_file(who)))
        assert rc == 0, err
    assert (site.root / RETURNED).exists()
    assert gk3(site.check(trust_ref="main")) == set()


def test_records_of_a_removed_item_are_kept(site):
    signed_site(site)
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "发布")
    (site.root / "content/gzdt/a.md").unlink()
    assert gk3(site.check()) == set()  # withdrawing the item keeps its history …
    (site.root / "approvals/gzdt/a/01-经办人.json").unlink()
    r = site.check()
    assert "GK302" in gk3(r) and r.of("GK302")[0].path == "approvals/gzdt/a/01-经办人.json"  # … and its records


# -- an old approval cannot be replayed over a newer decision -----------------------------------

def test_item_reverted_to_bytes_an_older_round_approved_is_gk303(site):
    signed_site(site)
    first = (site.root / "content/gzdt/a.md").read_bytes()
    site.item("gzdt/a.md", body="第二稿。\n", drafter="zhang-jb")
    site.approve("gzdt/a.md", "经办人", "zhang-jb")
    site.approve("gzdt/a.md", "科室负责人", "li-kz", decision="退回", comment="不宜公开")
    (site.root / "content/gzdt/a.md").write_bytes(first)  # exactly what round 1 approved
    r = site.check()
    assert "GK303" in gk3(r) and "最新一轮审核" in messages(r, "GK303")


def test_item_and_records_reverted_to_an_older_commit_is_gk302(site):
    signed_site(site)
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "第一轮")
    old = git(site.root, "rev-parse", "HEAD").strip()
    site.item("gzdt/a.md", body="第二稿。\n", drafter="zhang-jb")
    site.approve("gzdt/a.md", "经办人", "zhang-jb")
    site.approve("gzdt/a.md", "科室负责人", "li-kz", decision="退回", comment="不宜公开")
    commit_all(site.root, "第二轮：退回")
    git(site.root, "checkout", "-q", "-b", "pr")
    git(site.root, "rm", "-q", "approvals/gzdt/a/05-经办人.json", "approvals/gzdt/a/06-科室负责人-退回.json")
    git(site.root, "checkout", old, "--", "content/gzdt/a.md")
    commit_all(site.root, "改回第一轮")
    r = site.check(trust_ref="main")
    assert "GK302" in gk3(r) and "06-科室负责人-退回.json" in messages(r, "GK302")


def test_configuration_reverted_to_an_older_signed_state_needs_a_new_sign_off(site):
    signed_site(site)
    before = (site.root / "site_config/review.yml").read_text("utf-8")
    site.write("site_config/review.yml", before + "\n# 第二版\n")
    site.sign_config()
    assert gk3(site.check()) == set()
    site.write("site_config/review.yml", before)  # the first signed state, signed once before
    r = site.check()
    assert gk3(r) == {"GK308"} and "改回旧配置" in messages(r, "GK308")


def test_configuration_reverted_under_trust_ref_needs_a_new_sign_off(site):
    signed_site(site)
    before = (site.root / "site_config/review.yml").read_text("utf-8")
    site.write("site_config/review.yml", before + "\n# 第二版\n")
    site.sign_config()
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "第二版配置")
    site.write("site_config/review.yml", before)
    assert gk3(site.check(trust_ref="main")) == {"GK308"}
    site.write("site_config/review.yml", before + "\n# 第二版\n")  # back to the trusted state: no change
    assert gk3(site.check(trust_ref="main")) == set()


def test_gk308_points_at_the_file_that_changed(site):
    signed_site(site)
    site.write("site_config/review.yml", (site.root / "site_config/review.yml").read_text("utf-8") + "\n# 改\n")
    (finding,) = site.check().of("GK308")
    assert finding.path == "site_config/review.yml" and "roster.yml" not in finding.message.split("运行")[0]


# -- drafter: a roster person id, exactly ----------------------------------------------------

@pytest.mark.parametrize("drafter", ["ghost", "He-KZ", " he-kz ", "何科长"])
def test_drafter_that_is_not_a_roster_id_is_gk304(site, drafter):
    # he-kz drafted it and may sign 科室负责人: only an exact id stops him approving his own item
    signed_site(site, "tzgg/b.md", [("科室负责人", "he-kz"), *TZGG[1:]], column="tzgg", drafter=drafter)
    r = site.check()
    assert "GK304" in gk3(r)
    msg = messages(r, "GK304")
    assert "不是名册中的人员编号" in msg and "zhang-jb" in msg


def test_drafter_id_exactly_stops_the_drafter_reviewing(site):
    signed_site(site, "tzgg/b.md", [("科室负责人", "he-kz"), *TZGG[1:]], column="tzgg", drafter="he-kz")
    assert "是本条目的经办人" in messages(site.check(), "GK304")


def test_approve_refuses_an_item_whose_drafter_is_not_a_roster_id(site):
    site.item("gzdt/a.md", drafter="Zhang-JB")
    site.enrol()
    rc, _, err = site.cli("approve", "content/gzdt/a.md", "--step", "经办人", "--as", "zhang-jb",
                          "--key", str(site.key_file("zhang-jb")))
    assert rc == 2 and "不是名册中的人员编号" in err and "Traceback" not in err


# -- strict record JSON ------------------------------------------------------------------------

def record_text(site) -> tuple[object, str]:
    path = site.root / "approvals/gzdt/a/02-科室负责人.json"
    return path, path.read_text("utf-8")


def test_duplicate_payload_key_is_gk302(site):
    signed_site(site)
    path, text = record_text(site)
    doc = json.loads(text)
    forged = dict(doc["payload"], decision="退回")
    first, second = (json.dumps(p, ensure_ascii=False) for p in (forged, doc["payload"]))
    path.write_text(f'{{"payload": {first}, "payload": {second}, "signature": {json.dumps(doc["signature"])}}}',
                    encoding="utf-8")
    r = site.check()
    assert "GK302" in gk3(r) and "重复" in messages(r, "GK302")


def test_duplicate_key_inside_the_payload_is_gk302(site):
    signed_site(site)
    path, text = record_text(site)
    path.write_text(text.replace('"decision": "同意"', '"decision": "退回", "decision": "同意"'), encoding="utf-8")
    r = site.check()
    assert "GK302" in gk3(r) and "decision" in messages(r, "GK302")


@pytest.mark.parametrize("old, new", [('"version": 2', '"version": 2.0'), ('"round": 1', '"round": ' + "9" * 5001),
                                      ('"round": 1', '"round": NaN'), ('"round": 1', '"round": true')])
def test_numbers_that_are_not_plain_integers_make_a_malformed_record(site, old, new):
    signed_site(site)
    path, text = record_text(site)
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    rc, out, err = site.cli("check", "--as-of", AS_OF.isoformat())
    assert rc == 1 and "Traceback" not in err and "02-科室负责人.json" in out and " GK302 " in out


@pytest.mark.parametrize("depth", [500, 100_000])
def test_deeply_nested_record_is_gk302_not_a_recursion_error(site, depth):
    signed_site(site)
    site.write("approvals/gzdt/a/05-x.json", "[" * depth + "]" * depth)
    rc, out, err = site.cli("check", "--as-of", AS_OF.isoformat())
    assert rc == 1 and "Traceback" not in err and "05-x.json" in out and " GK302 " in out


# -- sign-offs bind attachments (class 3) --------------------------------------------------------

def test_appending_a_row_to_an_approved_attachment_is_gk303(site):
    site.write("content/gzdt/名单.csv", "姓名,单位\n张三,政务公开科\n")
    signed_site(site, body="附件：[名单](名单.csv)\n")
    assert gk3(site.check()) == set()
    with open(site.root / "content/gzdt/名单.csv", "a", encoding="utf-8") as fh:
        fh.write("李四,综合科\n")
    r = site.check()
    assert "GK303" in gk3(r) and "附件 content/gzdt/名单.csv（审核后被修改" in messages(r, "GK303")
    assert "条目文件" not in messages(r, "GK303")  # the item itself is unchanged


def test_attachment_linked_from_a_hidden_block_is_bound_too(site):
    site.write("content/gzdt/内部.pdf", b"%PDF-1.4 internal")
    body = '正文。\n\n::: 不公开 理由="内部管理信息"\n见 [内部材料](内部.pdf)\n:::\n'
    signed_site(site, attribute="部分公开", body=body)
    item = site.load().item("content/gzdt/a.md")
    assert list(item.attachments) == ["content/gzdt/内部.pdf"]
    site.write("content/gzdt/内部.pdf", b"%PDF-1.4 replaced")
    assert "GK303" in gk3(site.check())


def test_front_matter_attachment_is_bound_and_named_in_the_record(site):
    site.write("content/gzdt/通知.pdf", b"%PDF-1.4 notice")
    signed_site(site, attachments=[{"file": "通知.pdf", "title": "通知"}])
    rec = json.loads((site.root / "approvals/gzdt/a/01-经办人.json").read_text("utf-8"))["payload"]
    assert rec["version"] == 2 and list(rec["files"]) == ["content/gzdt/通知.pdf"]
    site.write("content/gzdt/通知.pdf", b"%PDF-1.4 other")
    assert "附件 content/gzdt/通知.pdf" in messages(site.check(), "GK303")


def test_version_1_records_still_verify_but_bind_no_attachment(site):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.enrol()
    for step, who in GZDT:
        site.approve("gzdt/a.md", step, who, version=1, files=None)
    site.sign_config()
    assert gk3(site.check()) == set()
    site.write("content/gzdt/名单.csv", "姓名\n张三\n")
    site.item("gzdt/a.md", body="[名单](名单.csv)\n", drafter="zhang-jb")
    r = site.check()  # the old records cannot cover the new attachment (nor the edit)
    assert "GK303" in gk3(r)


def test_status_shows_the_bound_attachments(site):
    site.write("content/gzdt/名单.csv", "姓名\n张三\n")
    signed_site(site, body="[名单](名单.csv)\n")
    rc, out, _ = site.cli("status", "--format", "json")
    doc = json.loads(out)
    assert rc == 0 and list(doc["items"][0]["attachments"]) == ["content/gzdt/名单.csv"]
    rc, out, _ = site.cli("status")
    assert "附件 content/gzdt/名单.csv" in out


# -- classes 8 and 10: input that must not crash ------------------------------------------------

def test_shallow_clone_with_trust_ref_head_1_says_fetch_more_history(site, tmp_path):
    signed_site(site)
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "一")
    site.write("content/gzdt/b.md", "x")
    commit_all(site.root, "二")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{site.root}", str(clone)], check=True)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli_main(["-C", str(clone), "check", "--trust-ref", "HEAD~1"])
    err = err.getvalue()
    assert rc == 2 and "内部错误" not in err and "Traceback" not in err
    assert "fetch-depth: 0" in err and "--unshallow" in err and len(err.strip().splitlines()) == 1


def test_approve_on_a_file_name_that_is_not_utf8_is_exit_2(site):
    site.enrol()
    site.item("gzdt/a.md", drafter="zhang-jb")
    gbk = b"content/gzdt/" + "名单".encode("gbk") + b".md"  # unpacked from a GBK zip
    os.rename(os.fsencode(site.root / "content/gzdt/a.md"), os.fsencode(site.root) + b"/" + gbk)
    rc, out, err = site.cli("approve", os.fsdecode(gbk), "--step", "经办人", "--as", "zhang-jb",
                            "--key", str(site.key_file("zhang-jb")))
    assert rc == 2 and "UTF-8" in err and "Traceback" not in err and "UnicodeEncodeError" not in err


def test_forged_record_on_a_fork_is_still_gk302(site):
    signed_site(site, chain=GZDT[:1])
    doc = approvals.make_record(person_key("mallory"), kind="item", item="content/gzdt/a.md",
                                sha256="0" * 64, step="科室负责人", signer="li-kz")  # prev null: a second root
    approvals.write_record(str(site.root), "approvals/gzdt/a/02-科室负责人.json", doc)
    r = site.check()
    assert {"GK302", "GK304"} <= gk3(r) and "分叉" in messages(r, "GK304")


def test_a_key_revoked_after_merge_needs_a_new_round_not_a_deletion(site):
    signed_site(site)
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "发布")
    roster = site.config_data("roster.yml")
    next(p for p in roster["people"] if p["id"] == "li-kz")["keys"][0]["revoked"] = "2026-11-20"
    site.config("roster.yml", roster)
    site.sign_config()
    commit_all(site.root, "吊销 li-kz 的密钥")
    r = site.check(trust_ref="main")
    assert "GK302" in gk3(r) and "吊销" in messages(r, "GK302") and "新一轮" in messages(r, "GK302")
    for step, who in [GZDT[0], ("科室负责人", "he-kz"), *GZDT[2:]]:  # another 科室负责人 re-reviews
        rc, _, err = site.cli("approve", "content/gzdt/a.md", "--step", step, "--as", who,
                              "--key", str(site.key_file(who)))
        assert rc == 0, err
    assert gk3(site.check(trust_ref="main")) == set()
    assert (site.root / "approvals/gzdt/a/02-科室负责人.json").exists()  # the old round stays as history
