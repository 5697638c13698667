"""gkpublish status → gkpublish approve → a passing gkpublish check, by the tool's own messages."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from gkpublish import approvals
from tests.conftest import AS_OF, public_line
from tests.test_signoff import GZDT, gk3


@pytest.fixture
def draft(site):
    """One unsigned 工作动态 item drafted by zhang-jb; everyone enrolled; configuration signed."""
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.enrol()
    site.sign_config()
    return site


def approve(site, *args: str, person: str, key: str | None = None) -> tuple[int, str, str]:
    return site.cli("approve", *args, "--as", person, "--key", str(site.key_file(key or person)))


def status(site, *paths: str) -> dict:
    rc, out, err = site.cli("status", "--format", "json", *paths)
    assert rc == 0, err
    return json.loads(out)


# -- the walk a reviewer does ------------------------------------------------------------------

def test_following_the_tools_own_messages_reaches_a_passing_check(draft):
    site = draft
    for _ in range(10):
        doc = status(site)
        item = doc["items"][0]
        if item["complete"]:
            break
        nxt = next(n for n in item["needed"] if n["next"])
        person = nxt["candidates"][-1]  # any of the people the tool names
        args = nxt["command"].split()[2:]  # gkpublish approve ITEM --step S --as X --key <私钥文件>
        args[args.index("--as") + 1] = person
        args[args.index("--key") + 1] = str(site.key_file(person))
        rc, out, err = site.cli("approve", *args)
        assert rc == 0, err
        assert "已写入 approvals/gzdt/a/" in out
    assert item["complete"] and [s["step"] for s in item["signed"]] == ["经办人", "科室负责人", "保密审查", "分管领导"]
    rc, out, _ = site.cli("check", "--as-of", AS_OF.isoformat())
    assert " GK3" not in out, out


def test_check_message_gives_the_exact_next_command(draft):
    site = draft
    approve(site, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb")
    (msg,) = [f.message for f in site.check().of("GK301")]
    cmd = msg.split("运行 ")[1].split("；")[0]
    assert cmd == "gkpublish approve content/gzdt/a.md --step 科室负责人 --as <人员编号> --key <私钥文件>"
    assert "li-kz 李科长" in msg and "he-kz 何科长" in msg


def test_status_json_lists_signed_and_needed_with_candidates(draft):
    site = draft
    approve(site, "content/gzdt/a.md", "--step", "经办人", "--comment", "已校对", person="zhang-jb")
    doc = status(site, "content/gzdt/a.md")
    assert doc["version"] == 1 and doc["config"] is None
    (item,) = doc["items"]
    assert item["path"] == "content/gzdt/a.md" and item["required"] and not item["complete"]
    (signed,) = item["signed"]
    assert signed["signer"] == "zhang-jb" and signed["name"] == "张经办" and signed["comment"] == "已校对"
    assert signed["decision"] == "同意" and signed["date"]
    levels = [(n["level"], n["rule"], n["next"]) for n in item["needed"]]
    assert levels == [("科室负责人", "GK301", True), ("保密审查", "GK305", False), ("分管领导", "GK301", False)]
    assert item["needed"][0]["candidates"] == ["li-kz", "he-kz"]
    assert item["needed"][2]["candidates"] == ["liu-fg"]


def test_status_text_shows_who_when_and_the_next_command(draft):
    site = draft
    approve(site, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb")
    rc, out, _ = site.cli("status")
    assert rc == 0
    assert out.count("未指定 --trust-ref") == 1
    assert "✓ 经办人  zhang-jb 张经办" in out
    assert "→ 待签 科室负责人（可签：li-kz 李科长、he-kz 何科长）" in out
    assert "gkpublish approve content/gzdt/a.md --step 科室负责人 --as <人员编号> --key <私钥文件>" in out
    assert "站点配置：已由 sun-zy 孙主任" in out


def test_status_of_a_non_public_item(site):
    site.item("gzdt/a.md", attribute="依申请公开")
    doc = status(site)
    assert doc["items"][0]["required"] is False and doc["items"][0]["complete"] is True


def test_returned_then_re_approved_through_the_cli(draft):
    site = draft
    approve(site, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb")
    rc, out, _ = approve(site, "content/gzdt/a.md", "--step", "科室负责人", "--decision", "退回",
                         "--comment", "数字有误", person="li-kz")
    assert rc == 0 and (site.root / "approvals/gzdt/a/02-科室负责人-退回.json").exists()
    assert "GK301" in gk3(site.check())
    rc, out, _ = site.cli("status")
    assert "↩ 科室负责人  li-kz 李科长" in out and "数字有误" in out
    assert approve(site, "content/gzdt/a.md", "--step", "科室负责人", person="li-kz")[0] == 0
    for step, who in GZDT[2:]:
        assert approve(site, "content/gzdt/a.md", "--step", step, person=who)[0] == 0
    assert gk3(site.check()) == set()


def test_approving_after_an_edit_starts_a_new_round_and_keeps_the_old_records(draft):
    site = draft
    for step, who in GZDT:
        approve(site, "content/gzdt/a.md", "--step", step, person=who)
    old = sorted(p.name for p in (site.root / "approvals/gzdt/a").iterdir())
    site.item("gzdt/a.md", body="修改后的正文。\n", drafter="zhang-jb")
    assert "GK303" in gk3(site.check())
    rc, out, _ = approve(site, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb")
    assert rc == 0 and "已写入 approvals/gzdt/a/05-经办人.json" in out and "删除" not in out
    for step, who in GZDT[1:]:
        assert approve(site, "content/gzdt/a.md", "--step", step, person=who)[0] == 0
    assert gk3(site.check()) == set()
    names = sorted(p.name for p in (site.root / "approvals/gzdt/a").iterdir())
    assert set(old) < set(names) and len(names) == 8  # append-only: the first round is history
    first = json.loads((site.root / "approvals/gzdt/a/05-经办人.json").read_text("utf-8"))["payload"]
    fourth = json.loads((site.root / "approvals/gzdt/a/04-分管领导.json").read_text("utf-8"))
    assert first["round"] == 2 and first["prev"] == approvals.record_id(fourth)  # one chain across rounds


# -- refusals: exit 2, one Chinese line that says what to do ------------------------------------

def refused(result: tuple[int, str, str], *words: str) -> None:
    rc, _, err = result
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, (w, err)


def test_refuses_a_step_the_person_may_not_sign(draft):
    refused(approve(draft, "content/gzdt/a.md", "--step", "科室负责人", person="zhao-jb"),
            "zhao-jb", "不能签署 科室负责人", "可签：经办人")


def test_refuses_when_the_previous_level_is_missing(draft):
    refused(approve(draft, "content/gzdt/a.md", "--step", "科室负责人", person="li-kz"),
            "上一级 经办人 尚未签署", "gkpublish approve content/gzdt/a.md --step 经办人 --as zhang-jb")


def test_refuses_a_key_that_is_not_theirs(draft):
    refused(approve(draft, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb", key="li-kz"),
            "属于 li-kz", "不是 zhang-jb")


def test_refuses_a_key_not_in_the_roster(draft):
    refused(approve(draft, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb", key="stranger"),
            "未登记在名册中")


def test_refuses_a_revoked_key(draft):
    roster = draft.config_data("roster.yml")
    row = next(p for p in roster["people"] if p["id"] == "zhang-jb")
    row["keys"][0]["revoked"] = "2026-11-01"
    row["keys"].append({"key": public_line("zhang-jb-new"), "added": "2026-11-01", "revoked": None})
    draft.config("roster.yml", roster)
    refused(approve(draft, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb"), "已于 2026-11-01 吊销")


def test_refuses_the_drafter_approving_their_own_item(site):
    site.item("tzgg/b.md", column="tzgg", drafter="he-kz")
    site.enrol()
    refused(approve(site, "content/tzgg/b.md", "--step", "科室负责人", person="he-kz"), "不能审核本人起草的条目")


def test_refuses_a_section_head_of_another_unit(draft):
    approve(draft, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb")
    refused(approve(draft, "content/gzdt/a.md", "--step", "科室负责人", person="wang-kz"), "谁主管、谁审批")


def test_refuses_one_person_signing_two_levels(draft):
    approve(draft, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb")
    approve(draft, "content/gzdt/a.md", "--step", "科室负责人", person="he-kz")
    refused(approve(draft, "content/gzdt/a.md", "--step", "保密审查", person="he-kz"), "同一人不能在一条审核链中签两级")


def test_refuses_a_non_public_item(site):
    site.item("gzdt/a.md", attribute="依申请公开", drafter="zhang-jb")
    site.enrol()
    refused(approve(site, "content/gzdt/a.md", "--step", "经办人", person="zhang-jb"), "不需要网站签审")


def test_refuses_config_by_anyone_but_a_principal_leader(draft):
    refused(approve(draft, "--config", "--step", "分管领导", person="liu-fg"), "只能由主要领导签署")


def test_refuses_unknown_item_and_missing_target(draft):
    refused(approve(draft, "content/gzdt/none.md", "--step", "经办人", person="zhang-jb"), "不是站点中的条目文件")
    refused(approve(draft, "--step", "经办人", person="zhang-jb"), "二者选一")
    refused(draft.cli("approve", "content/gzdt/a.md", "--step", "经办人", "--as", "zhang-jb", "--key", "/nonexistent"),
            "无法读取私钥文件")


def test_refuses_to_continue_a_broken_chain_and_says_which_files_to_remove(draft):
    site = draft
    site.approve("gzdt/a.md", "经办人", "zhang-jb")
    site.approve("gzdt/a.md", "保密审查", "chen-bm")  # out of order
    refused(approve(site, "content/gzdt/a.md", "--step", "科室负责人", person="li-kz"),
            "请删除 approvals/gzdt/a/02-保密审查.json")


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="ssh-keygen is not installed")
def test_passphrase_protected_key(draft, tmp_path, monkeypatch):
    """An ordinary ssh-keygen key with a passphrase: enrolled by its .pub, used with --key."""
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "口令123", "-C", "zhang", "-f", str(key)], check=True)
    roster = draft.config_data("roster.yml")
    row = next(p for p in roster["people"] if p["id"] == "zhang-jb")
    row["keys"] = [{"key": (tmp_path / "id_ed25519.pub").read_text().strip(), "added": "2026-11-01"}]
    draft.config("roster.yml", roster)
    askpass = tmp_path / "askpass.sh"
    askpass.write_text("#!/bin/sh\necho 口令123\n")
    askpass.chmod(0o700)
    for name, value in {"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0",
                        "GKPUBLISH_KEY_PASSPHRASE": "口令123"}.items():
        monkeypatch.setenv(name, value)  # ssh-keygen (no bcrypt) or cryptography (bcrypt) gets the passphrase
    rc, out, err = draft.cli("approve", "content/gzdt/a.md", "--step", "经办人", "--as", "zhang-jb", "--key", str(key))
    assert rc == 0, err
    repo = draft.load()
    assert not [i for i in approvals.evaluate(repo).issues if i.rule == "GK302"]
