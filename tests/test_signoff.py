"""GK301–GK308: each attack on the sign-offs fails with its exact rule ID; the honest chain passes.

The fixture roster (tests/fixtures/base_site_config/roster.yml): 政务公开科 zhang-jb, zhao-jb
(经办人), li-kz (科室负责人), he-kz (科室负责人 + 保密审查); 综合科 wang-kz (科室负责人);
保密办公室 chen-bm (保密审查), zheng-bm (保密); 领导班子 liu-fg (分管领导), sun-zy (主要领导);
审计局 zhou-fg (分管领导), wu-zy (主要领导), qian-xc (宣传, another organ).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gkpublish import approvals, sshsig
from tests.conftest import AS_OF, person_key, public_line

GZDT = [("经办人", "zhang-jb"), ("科室负责人", "li-kz"), ("保密审查", "chen-bm"), ("分管领导", "liu-fg")]
TZGG = [("科室负责人", "li-kz"), ("保密审查", "chen-bm"), ("分管领导", "liu-fg"), ("主要领导", "sun-zy")]


def gk3(result) -> set[str]:
    return {i for i in result.ids if i.startswith("GK3")}


def signed_site(site, rel="gzdt/a.md", chain=GZDT, **meta):
    """An enrolled site whose configuration is signed, with one item signed along ``chain``."""
    meta.setdefault("drafter", "zhang-jb")
    site.item(rel, **meta)
    site.enrol()
    for step, who in chain:
        site.approve(rel, step, who)
    site.sign_config()
    return site


def messages(result, rule):
    return " ".join(f.message for f in result.of(rule))


# -- the honest path ----------------------------------------------------------------------

def test_complete_chain_passes(site):
    signed_site(site)
    assert gk3(site.check()) == set()


def test_disclosure_column_chain_passes(site):
    signed_site(site, "tzgg/b.md", TZGG, column="tzgg")
    assert gk3(site.check()) == set()


def test_nothing_signed_names_next_level_and_command(site):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.enrol()
    r = site.check()
    assert {"GK301", "GK305", "GK308"} <= gk3(r)
    msg = messages(r, "GK301")
    assert "经办人 → 科室负责人 → 保密审查 → 分管领导" in msg
    assert "gkpublish approve content/gzdt/a.md --step 经办人 --as zhang-jb --key" in msg


def test_non_public_items_need_no_sign_off(site):
    site.item("gzdt/a.md", attribute="不予公开", reason={"ground": "内部事务信息", "basis": "内部工作流程"})
    site.item("gzdt/b.md", attribute="依申请公开", index_no="SAMPLE001/2026-00002")
    site.sign_all()
    assert gk3(site.check()) == set()


# -- GK301 missing level, 主要领导 for 重要信息, 退回 -------------------------------------------

def test_missing_level_is_gk301(site):
    signed_site(site, chain=GZDT[:3])
    r = site.check()
    assert gk3(r) == {"GK301"}
    assert "--step 分管领导 --as liu-fg" in messages(r, "GK301")


def test_important_item_needs_principal_leader(site):
    signed_site(site, important=True)
    r = site.check()
    assert gk3(r) == {"GK301"} and "主要领导" in messages(r, "GK301")


def test_important_item_with_principal_leader_passes(site):
    signed_site(site, chain=[*GZDT, ("主要领导", "sun-zy")], important=True)
    assert gk3(site.check()) == set()


def test_returned_blocks_until_the_same_level_agrees_again(site):
    signed_site(site, chain=GZDT[:1])
    site.approve("gzdt/a.md", "科室负责人", "li-kz", decision="退回", comment="请核对会议时间")
    for step, who in GZDT[2:]:
        site.approve("gzdt/a.md", step, who)  # later levels signed after the 退回 do not count
    r = site.check()
    assert "GK301" in gk3(r) and "退回" in messages(r, "GK301") and "请核对会议时间" in messages(r, "GK301")


def test_returned_then_agreed_passes(site):
    signed_site(site, chain=GZDT[:1])
    site.approve("gzdt/a.md", "科室负责人", "li-kz", decision="退回", comment="请核对会议时间")
    for step, who in GZDT[1:]:
        site.approve("gzdt/a.md", step, who)
    assert gk3(site.check()) == set()


# -- GK302 forged records -------------------------------------------------------------------

def test_edited_payload_is_gk302(site):
    signed_site(site)
    rec = site.root / "approvals/gzdt/a/02-科室负责人.json"
    doc = json.loads(rec.read_text("utf-8"))
    doc["payload"]["comment"] = "同意发布（补签）"
    rec.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = site.check()
    assert "GK302" in gk3(r) and "签名与内容不符" in messages(r, "GK302")


def test_reformatted_record_still_verifies(site):
    signed_site(site)
    rec = site.root / "approvals/gzdt/a/02-科室负责人.json"
    rec.write_text(json.dumps(json.loads(rec.read_text("utf-8")), indent=4), encoding="utf-8")
    assert gk3(site.check()) == set()


def test_key_not_in_roster_is_gk302(site):
    signed_site(site, chain=GZDT[:1])
    site.approve("gzdt/a.md", "科室负责人", "li-kz", key="mallory")  # a key nobody enrolled
    for step, who in GZDT[2:]:
        site.approve("gzdt/a.md", step, who)
    r = site.check()
    assert "GK302" in gk3(r) and "未登记" in messages(r, "GK302")


def test_key_of_another_person_is_gk302(site):
    signed_site(site, chain=GZDT[:1])
    site.approve("gzdt/a.md", "科室负责人", "li-kz", key="he-kz")  # he-kz's key, claiming li-kz
    r = site.check()
    assert "GK302" in gk3(r) and "he-kz 的密钥" in messages(r, "GK302")


def test_revoked_key_is_gk302(site):
    signed_site(site)
    roster = site.config_data("roster.yml")
    li = next(p for p in roster["people"] if p["id"] == "li-kz")
    li["keys"][0]["revoked"] = "2026-11-20"
    site.config("roster.yml", roster)
    r = site.check()
    assert "GK302" in gk3(r) and "吊销" in messages(r, "GK302")


def test_rotated_key_signs_and_old_revoked_key_is_harmless(site):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.enrol()
    roster = site.config_data("roster.yml")
    li = next(p for p in roster["people"] if p["id"] == "li-kz")
    li["keys"] = [{"key": public_line("li-kz-old"), "added": "2025-01-01", "revoked": "2026-11-01"},
                  {"key": public_line("li-kz-new"), "added": "2026-11-01", "revoked": None}]
    site.config("roster.yml", roster)
    site.approve("gzdt/a.md", "经办人", "zhang-jb")
    site.approve("gzdt/a.md", "科室负责人", "li-kz", key="li-kz-new")
    for step, who in GZDT[2:]:
        site.approve("gzdt/a.md", step, who)
    site.sign_config()
    assert gk3(site.check()) == set()


def test_record_copied_from_another_item_is_gk302(site):
    signed_site(site)
    site.item("gzdt/b.md", drafter="zhang-jb", index_no="SAMPLE001/2026-00002")
    dst = site.root / "approvals/gzdt/b"
    shutil.copytree(site.root / "approvals/gzdt/a", dst)
    r = site.check()
    assert "GK302" in gk3(r) and "属于 content/gzdt/a.md" in messages(r, "GK302")
    assert all(f.path == "content/gzdt/b.md" for f in r.of("GK302"))


def test_malformed_record_is_gk302_not_a_traceback(site):
    signed_site(site)
    site.write("approvals/gzdt/a/05-主要领导.json", "{not json")
    site.write("approvals/gzdt/a/06-x.json", json.dumps({"payload": {}, "signature": ""}))
    rc, out, err = site.cli("check", "--as-of", AS_OF.isoformat())
    assert rc == 1 and "Traceback" not in err and err == ""
    assert out.count(" GK302 ") == 2


@pytest.mark.skipif(not os.path.exists(shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"),
                    reason="ssh-keygen is not installed")
def test_record_verdicts_match_ssh_keygen(site, tmp_path):
    """Every record: gkpublish's GK302 verdict equals ssh-keygen -Y verify with the roster's allowed signers."""
    signed_site(site, chain=GZDT[:1])
    site.approve("gzdt/a.md", "科室负责人", "li-kz", key="he-kz")
    tampered = site.approve("gzdt/a.md", "保密审查", "chen-bm")
    doc = json.loads(tampered.read_text("utf-8"))
    doc["payload"]["comment"] = "改过"
    tampered.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    repo = site.load()
    evaluation = approvals.evaluate(repo)
    roster = approvals.trusted_roster(repo)
    bad = {m.split(" ")[1] for m in (i.message for i in evaluation.issues if i.rule == "GK302")}
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(roster.allowed_signers(sshsig.NAMESPACE))
    for rec in repo.extra["approvals"].records:
        sig = tmp_path / "rec.sig"
        sig.write_text(json.loads((site.root / rec.file).read_text("utf-8"))["signature"])
        ssh_ok = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", rec.signer,
                                 "-n", sshsig.NAMESPACE, "-s", str(sig)], input=rec.message,
                                capture_output=True).returncode == 0
        assert ssh_ok == (rec.file not in bad), rec.file


# -- GK303 edited after approval -------------------------------------------------------------

def test_content_edited_after_approval_is_gk303(site):
    signed_site(site)
    path = site.root / "content/gzdt/a.md"
    path.write_bytes(path.read_bytes().replace("正文。".encode(), "正文（已改）。".encode()))
    r = site.check()
    assert "GK303" in gk3(r) and "先审后发" in messages(r, "GK303")


def test_line_endings_changed_after_approval_is_gk303(site):
    signed_site(site)
    path = site.root / "content/gzdt/a.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert "GK303" in gk3(site.check())


# -- GK304 separation of duties and order ---------------------------------------------------

def test_drafter_approving_own_item_is_gk304(site):
    signed_site(site, "tzgg/b.md", [("科室负责人", "he-kz"), ("保密审查", "chen-bm"), ("分管领导", "liu-fg"),
                                    ("主要领导", "sun-zy")], column="tzgg", drafter="he-kz")
    r = site.check()
    assert "GK304" in gk3(r) and "不能审核本人起草的条目" in messages(r, "GK304")


def test_someone_else_than_the_drafter_signing_jingbanren_is_gk304(site):
    signed_site(site, chain=[("经办人", "zhao-jb"), *GZDT[1:]])
    assert "GK304" in gk3(site.check())


def test_missing_drafter_is_gk304(site):
    signed_site(site, "tzgg/b.md", TZGG, column="tzgg", drafter=None)
    site.item("tzgg/b.md", column="tzgg")  # default_meta has no drafter
    assert "GK304" in gk3(site.check())


def test_one_person_two_levels_is_gk304(site):
    signed_site(site, chain=[GZDT[0], ("科室负责人", "he-kz"), ("保密审查", "he-kz"), GZDT[3]])
    r = site.check()
    assert "GK304" in gk3(r) and "同一人不能在一条审核链中签两级" in messages(r, "GK304")


def test_same_two_roles_different_people_passes(site):
    signed_site(site, chain=[GZDT[0], ("科室负责人", "he-kz"), ("保密审查", "chen-bm"), GZDT[3]])
    assert gk3(site.check()) == set()


def test_section_head_of_another_unit_is_gk304(site):
    signed_site(site, chain=[GZDT[0], ("科室负责人", "wang-kz"), *GZDT[2:]])
    r = site.check()
    assert "GK304" in gk3(r) and "谁主管、谁审批" in messages(r, "GK304")


def test_leader_of_another_organ_is_gk304(site):
    signed_site(site, chain=[*GZDT[:3], ("分管领导", "zhou-fg")])
    assert "GK304" in gk3(site.check())


def test_signer_without_the_role_is_gk304(site):
    signed_site(site, chain=[GZDT[0], ("科室负责人", "zhao-jb"), *GZDT[2:]])
    r = site.check()
    assert "GK304" in gk3(r) and "不能签署 科室负责人" in messages(r, "GK304")


def test_levels_out_of_order_is_gk304(site):
    signed_site(site, chain=[GZDT[0], GZDT[2], GZDT[1], GZDT[3]])
    r = site.check()
    assert "GK304" in gk3(r) and "审核顺序错误" in messages(r, "GK304")


def test_reordering_files_cannot_fix_the_order(site):
    """The order is in the signed prev links, not in the file names."""
    signed_site(site, chain=[GZDT[0], GZDT[2], GZDT[1], GZDT[3]])
    folder = site.root / "approvals/gzdt/a"
    (folder / "02-保密审查.json").rename(folder / "tmp.json")
    (folder / "03-科室负责人.json").rename(folder / "02-科室负责人.json")
    (folder / "tmp.json").rename(folder / "03-保密审查.json")
    assert "GK304" in gk3(site.check())


def test_parallel_signatures_fork_is_gk304(site):
    signed_site(site, chain=GZDT[:2])
    first = approvals.record_id(json.loads((site.root / "approvals/gzdt/a/01-经办人.json").read_text("utf-8")))
    site.approve("gzdt/a.md", "科室负责人", "he-kz", prev=first, name="02-科室负责人-b.json")
    r = site.check()
    assert "GK304" in gk3(r) and "分叉" in messages(r, "GK304")


# -- GK305 保密审查 ----------------------------------------------------------------------------

def test_public_item_without_secrecy_review_is_gk305(site):
    signed_site(site, chain=GZDT[:2])
    r = site.check()
    assert "GK305" in gk3(r) and "--step 保密审查 --as <人员编号>" in messages(r, "GK305")


def test_leader_signing_before_secrecy_review_is_out_of_order(site):
    signed_site(site, chain=[GZDT[0], GZDT[1], GZDT[3]])
    r = site.check()
    assert {"GK304", "GK305"} <= gk3(r)


def test_partly_public_item_needs_secrecy_review_too(site):
    body = '公开部分。\n\n::: 不公开 理由="个人隐私（条例第十五条）"\n申请人姓名\n:::\n'
    site.item("gzdt/a.md", body=body, attribute="部分公开", drafter="zhang-jb")
    site.enrol()
    assert "GK305" in gk3(site.check())


# -- GK306 co-producers ------------------------------------------------------------------------

def test_co_producer_without_its_leader_is_gk306(site):
    signed_site(site, co_producers=[{"unit": "重庆市綦江区审计局"}])
    r = site.check()
    assert "GK306" in gk3(r) and "zhou-fg" in messages(r, "GK306")


def test_co_producer_leader_signed_passes(site):
    signed_site(site, chain=[*GZDT[:3], ("分管领导", "zhou-fg"), ("分管领导", "liu-fg")],
                co_producers=[{"unit": "局办公室"}])
    assert gk3(site.check()) == set()


def test_co_producing_section_of_the_same_organ_adds_no_level(site):
    signed_site(site, co_producers=[{"unit": "综合科"}])
    assert gk3(site.check()) == set()


# -- GK307 sensitive ---------------------------------------------------------------------------

def test_sensitive_without_escalation_is_gk307(site):
    signed_site(site, sensitive=True)
    r = site.check()
    assert "GK307" in gk3(r) and "保密/宣传/网信" in messages(r, "GK307")


def test_sensitive_with_escalation_from_another_organ_passes(site):
    signed_site(site, chain=[*GZDT[:3], ("宣传", "qian-xc"), GZDT[3]], sensitive=True)
    assert gk3(site.check()) == set()


# -- GK308 configuration -----------------------------------------------------------------------

def test_config_change_unsigned_is_gk308(site):
    signed_site(site)
    roster = site.config_data("roster.yml")
    roster["people"][0]["steps"] = ["经办人", "科室负责人"]  # someone grants themselves a level
    site.config("roster.yml", roster)
    r = site.check()
    assert gk3(r) == {"GK308"} and "gkpublish approve --config --step 主要领导" in messages(r, "GK308")


def test_config_change_signed_by_principal_leader_passes(site):
    signed_site(site)
    site.write("site_config/terms.yml", "prohibited: []\n")
    repo = site.load()
    approvals.approve(repo, None, "主要领导", "sun-zy", person_key("sun-zy"))
    assert gk3(site.check()) == set()


def test_config_signed_by_someone_else_is_gk308(site):
    site.enrol()
    repo = site.load()
    doc = approvals.make_record(person_key("liu-fg"), kind="config", item=approvals.CONFIG_SUBJECT,
                                sha256=approvals.evaluate(repo).config.digest, step="主要领导", signer="liu-fg")
    approvals.write_record(str(site.root), "approvals/_site_config/01-主要领导.json", doc)
    assert "GK308" in gk3(site.check())


# -- bootstrap (gkpublish init), the demo script ------------------------------------------------

def test_bootstrap_keys_outside_the_repository_and_everything_signed(site, tmp_path):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.item("tzgg/b.md", column="tzgg", drafter="zhang-jb", index_no="SAMPLE001/2026-00002", important=True)
    site.item("gzdt/c.md", attribute="依申请公开", index_no="SAMPLE001/2026-00003")
    keys = tmp_path / "keys-out"
    approvals.bootstrap(str(site.root), str(keys))
    assert gk3(site.check()) == set()
    roster = site.config_data("roster.yml")
    for person in roster["people"]:
        private, public = keys / person["id"], keys / f"{person['id']}.pub"
        assert oct(private.stat().st_mode & 0o777) == "0o600"
        assert person["keys"][0]["key"] == public.read_text().strip()
    leaked = [p for p in site.root.rglob("*") if p.is_file() and b"PRIVATE KEY" in p.read_bytes()]
    assert leaked == []
    assert not (site.root / "approvals/gzdt/c").exists()  # 依申请公开: nothing to sign


def test_bootstrap_refuses_keys_inside_the_repository(site):
    from gkpublish.errors import GkError

    with pytest.raises(GkError, match="仓库之外"):
        approvals.bootstrap(str(site.root), str(site.root / "keys"))


def test_enrolling_keys_keeps_the_roster_comments(site, tmp_path):
    site.write("site_config/roster.yml", """# 人员名册（说明保留）
people:
  # —— 政务公开科 ——
  - id: zhang-jb
    name: 张经办
    unit: gkk
    steps: [经办人]
    keys: []   # 由 tools/sign_demo.py 填写
  - id: li-kz
    name: 李科长
    unit: gkk
    steps: [科室负责人]
    keys:
      - key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ8dmM3Uu0mJ3zAqWqkBZN1n6iFfnjkXGZMeyEH9nS5a old"
        revoked: 2026-01-01

  # —— 领导班子 ——
  - id: liu-fg
    name: 刘分管
    unit: ld
    steps: [分管领导]
""")
    approvals.write_roster_keys(str(site.root), str(tmp_path / "k"))
    text = (site.root / "site_config/roster.yml").read_text("utf-8")
    assert "# 人员名册（说明保留）" in text and "# —— 政务公开科 ——" in text and "# —— 领导班子 ——" in text
    people = site.config_data("roster.yml")["people"]
    assert [len(p["keys"]) for p in people] == [1, 1, 1]
    assert all(p["keys"][0]["key"] == (tmp_path / "k" / f"{p['id']}.pub").read_text().strip() for p in people)
    site.load()  # the rewritten roster validates


def test_sign_demo_script_signs_whatever_content_exists(site, tmp_path):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.item("tzgg/b.md", column="tzgg", drafter="zhang-jb", index_no="SAMPLE001/2026-00002",
              co_producers=[{"unit": "重庆市綦江区审计局"}], sensitive=True)
    script = Path(__file__).parent.parent / "tools" / "sign_demo.py"
    for run in (1, 2):  # a second run replaces the first run's keys and records
        r = subprocess.run([sys.executable, str(script), str(site.root), "--keys-dir", str(tmp_path / f"k{run}")],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "已签审 2/2 个公开条目" in r.stdout
        assert gk3(site.check()) == set()


# -- verification: in process, same verdicts with or without libsodium ------------------------

@pytest.mark.parametrize("sodium", [True, False])
def test_verification_spawns_no_process_and_needs_no_libsodium(site, monkeypatch, sodium):
    signed_site(site)
    site.item("gzdt/b.md", drafter="zhang-jb", index_no="SAMPLE001/2026-00002")
    site.approve("gzdt/b.md", "经办人", "zhang-jb")
    site.approve("gzdt/b.md", "科室负责人", "li-kz", key="he-kz")

    def spawn(*args, **kwargs):
        raise AssertionError("verification must not start a process")

    # the git history (GK602/GK607) is read by git, not part of verifying signatures
    from gkpublish import history
    monkeypatch.setattr(history, "load_history", lambda root, **kw: history.History(known=False, reason="测试"))
    monkeypatch.setattr(subprocess, "Popen", spawn)
    monkeypatch.setattr(os, "fork", spawn)
    if not sodium:
        monkeypatch.setattr(sshsig, "_SODIUM", None)
    r = site.check()
    assert [f.path for f in r.of("GK302")] == ["content/gzdt/b.md"]


# -- the roster is validated when the configuration loads -----------------------------------

@pytest.mark.parametrize("change, words", [
    (lambda p: p[0].update(steps=["科长"]), ["site_config/roster.yml", "zhang-jb", "可签署的层级"]),
    (lambda p: p[0].update(unit="nosuch"), ["site_config/roster.yml", "zhang-jb", "nosuch", "organisation.yml"]),
    (lambda p: p[1].update(id="zhang-jb"), ["人员编号 zhang-jb 重复"]),
    (lambda p: p[0].pop("name"), ["缺少必填项 姓名（name）"]),
    (lambda p: p[0].update(keys=[{"key": "ssh-ed25519 AAAAbroken"}]), ["zhang-jb", "公钥"]),
    (lambda p: p[1].update(keys=[{"key": public_line("zhang-jb")}]), ["同时登记在 zhang-jb 和 zhao-jb 名下"]),
    (lambda p: p[0].update(keys=[{"key": public_line("zhang-jb"), "revoked": "去年"}]), ["YYYY-MM-DD"]),
])
def test_broken_roster_is_exit_2_naming_file_and_fix(site, change, words):
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.enrol()
    roster = site.config_data("roster.yml")
    change(roster["people"])
    site.config("roster.yml", roster)
    rc, out, err = site.cli("check")
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, (w, err)
