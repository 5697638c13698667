"""The two demo sites, one organ each (an organ is a site, spec scale.md): the project root is
重庆市江北区人民政府办公室's, ``examples/qijiang-audit/`` is 重庆市綦江区审计局's. The two seed
documents, faithfully, one in each; samples covering every attribute, source type and column,
consistent with each site's roster and review policies; no catalogue mixing two organs."""

from __future__ import annotations

import datetime as dt
import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml

from gkpublish.loader import load_repository
from gkpublish.model import ATTRIBUTES, Item, Repository
from gkpublish.rules import run_rules
from tests.conftest import HERE, PROJECT

AS_OF = dt.date(2026, 11, 23)  # the demo's dates are set against this day
SEEDS = HERE / "fixtures" / "seeds"
JB37 = "content/xxgkzd/jbfbf-2022-37.md"
QJ = "content/xxgkzd/qjsj-2023-zwxxgkzd.md"
SEED_ITEMS = {JB37, QJ}
QIJIANG = PROJECT / "examples" / "qijiang-audit"
SITES = {"jiangbei": (PROJECT, "重庆市江北区人民政府办公室"), "qijiang-audit": (QIJIANG, "重庆市綦江区审计局")}


@pytest.fixture(scope="module")
def demo() -> Repository:
    return load_repository(str(PROJECT), as_of=AS_OF)


@pytest.fixture(scope="module")
def qijiang() -> Repository:
    return load_repository(str(QIJIANG), as_of=AS_OF)


@pytest.fixture(scope="module", params=sorted(SITES))
def each(request: pytest.FixtureRequest) -> tuple[Repository, str]:
    """Each demo site in turn, with the one organ it belongs to."""
    root, organ = SITES[request.param]
    return load_repository(str(root), as_of=AS_OF), organ


def _item(demo: Repository, path: str) -> Item:
    item = demo.item(path)
    assert item is not None, path
    return item


def _norm(text: str) -> str:
    """The words only: no spaces, no Markdown (headings, emphasis, link targets, {#id})."""
    text = re.sub(r"\]\([^)]*\)|\{#[\w-]+\}", "", text)
    return re.sub(r"[\s　#*\[]+", "", text)


def test_no_errors_in_files_attributes_reprints_or_privacy(each: tuple[Repository, str]) -> None:
    findings = [f for f in run_rules(each[0]) if f.rule[:3] in ("GK1", "GK2", "GK4", "GK5")]
    assert findings == []


def test_each_site_is_one_organs(each: tuple[Repository, str]) -> None:
    """One organ in organisation.yml; every item, unit, person, 依申请公开 record and 年报 file
    is that organ's (issue #12 item 6: not one catalogue mixing two organs)."""
    repo, organ = each
    assert list(repo.config.organs) == [organ]
    assert {it.meta["publisher"] for it in repo.items} == {organ}
    assert {u.organ for u in repo.config.units.values()} == {organ}
    assert {repo.config.units[p.unit].organ for p in repo.config.people.values()} == {organ}
    records = sorted((Path(repo.root) / "records" / "requests").glob("*.yml"))
    assert records and {yaml.safe_load(r.read_text("utf-8"))["organ"] for r in records} == {organ}
    annual = sorted((Path(repo.root) / "annual").glob("*.yml"))
    assert annual and {yaml.safe_load(a.read_text("utf-8"))["organ"] for a in annual} == {organ}
    for col in repo.config.columns.values():
        assert col.defaults.get("publisher", organ) == organ, col.id


def test_the_two_sites_share_no_person_or_index_number(demo: Repository, qijiang: Repository) -> None:
    assert not set(demo.config.people) & set(qijiang.config.people)
    assert not {it.meta["index_no"] for it in demo.items} & {it.meta["index_no"] for it in qijiang.items}


def test_every_attribute_and_source_type_appears(demo: Repository) -> None:
    assert {it.attribute for it in demo.items} == set(ATTRIBUTES)
    assert {it.source_type for it in demo.items} == {"原创", "转载", "转发"}


def test_every_column_is_defined_and_none_is_empty(each: tuple[Repository, str]) -> None:
    demo = each[0]
    used = {it.column for it in demo.items}
    assert used <= set(demo.config.columns)
    assert set(demo.config.columns) <= used  # no 空白栏目 (国办秘函〔2019〕19号)
    for col in demo.config.columns.values():
        assert col.update_interval_days is None or col.update_interval_days > 0
        assert col.category in ("动态", "通知公告", "政策文件", "其他")
        assert col.review in demo.config.review


def test_jiangbei_37_is_present_with_its_metadata(demo: Repository) -> None:
    item = _item(demo, JB37)
    assert item.title == "重庆市江北区人民政府办公室关于印发政府信息公开有关制度的通知"
    assert item.meta["doc_no"] == "江北府办发〔2022〕37号"
    assert item.meta["publisher"] == "重庆市江北区人民政府办公室"
    assert item.meta["written"] == "2022-06-15"
    assert item.meta["published"] > item.meta["written"]
    assert item.meta["validity"] == "有效"
    assert item.attribute == "主动公开"
    assert [note for note, _ in item.notes()] == ["此件公开发布"]
    for n, name in enumerate(("重庆市江北区政府信息公开属性源头认定制度", "重庆市江北区政府信息公开审核制度",
                              "重庆市江北区政府网站和政务新媒体信息发布制度"), 1):
        assert re.search(rf"^## 附件{n}\s+{name} \{{#fj{n}\}}$", item.body, re.M), name
        assert f"{n}. [{name}](#fj{n})" in item.body  # the notice's 附件 list links to each


def test_qijiang_notice_is_present_with_its_metadata(qijiang: Repository) -> None:
    item = _item(qijiang, QJ)
    assert item.title == "关于印发政务信息公开工作制度的通知"
    assert item.meta["publisher"] == "重庆市綦江区审计局"
    assert item.meta["written"] == "2023-06-29"
    assert item.attribute == "主动公开"
    assert "doc_no" not in item.meta  # the original shows none; none is invented
    assert "## 重庆市綦江区审计局政务信息公开工作制度" in item.body


@pytest.mark.parametrize(("seed", "site", "path"), [("000_08a7291e28cab1f7.txt", "jiangbei", JB37),
                                                    ("002_c64c270720554d64.txt", "qijiang-audit", QJ)])
def test_seed_converted_sentence_by_sentence(demo: Repository, qijiang: Repository, seed: str, site: str,
                                             path: str) -> None:
    item = _item(demo if site == "jiangbei" else qijiang, path)
    converted = _norm(" ".join([item.title, item.meta.get("doc_no", ""), item.body]))
    missing = []
    for line in (SEEDS / seed).read_text(encoding="utf-8").splitlines():
        for sentence in re.split(r"(?<=[。；：])", line):
            if _norm(sentence) and _norm(sentence) not in converted:
                missing.append(sentence.strip())
    assert missing == []


def test_the_samples_are_obviously_samples(each: tuple[Repository, str]) -> None:
    demo = each[0]
    assert "示例" in demo.config.site["title"]
    for item in demo.items:
        if item.path not in SEED_ITEMS:
            assert "（示例）" in item.title, item.path
    assert all(str(o["code"]).startswith("SAMPLE") for o in demo.config.organs.values())
    assert all(p.name.endswith("示例") for p in demo.config.people.values())


def test_an_abolished_normative_document_and_its_abolition_decision_are_in_each_site(
        each: tuple[Repository, str]) -> None:
    """綦江 第十三条: the 废止 is announced under 履职依据, and its basis is a decision of the
    same organ published in the same site (江北: 江北府办发〔2026〕906号; 綦江: 綦审发〔2026〕902号)."""
    demo = each[0]
    abolished = [it for it in demo.items if it.meta.get("validity") == "废止"]
    assert abolished
    doc_nos = {it.meta.get("doc_no"): it for it in demo.items if it.meta.get("validity") == "有效"}
    for it in abolished:
        assert it.mapping("abolished").keys() >= {"date", "basis"}
        assert "履职依据" in (demo.config.columns[it.column].parent or ""), it.path
        decision = [d for no, d in doc_nos.items() if no and no in it.mapping("abolished")["basis"]]
        assert decision and decision[0].meta["published"] == it.mapping("abolished")["date"], it.path
        assert it.meta["doc_no"] in decision[0].body, it.path


def test_each_site_publishes_its_organs_2025_annual_report_and_2026_guide(each: tuple[Repository, str]) -> None:
    demo, organ = each
    by_column = {c: [it for it in demo.items if it.column == c] for c in demo.config.columns}
    assert [it.title for it in by_column["xxgknb"]] == [f"{organ}2025年政府信息公开工作年度报告（示例）"]
    assert any("指南（2026年）" in it.title for it in by_column["xxgkzn"])
    assert demo.config.guide["organ"] == organ and demo.config.guide["year"] == 2026


def test_the_audit_office_site_has_its_audit_results_announcement(qijiang: Repository) -> None:
    assert any("审计结果公告" in it.title for it in qijiang.items if it.column == "sjjggg")


def test_the_required_kinds_of_item_are_there(demo: Repository) -> None:
    by_column = {c: [it for it in demo.items if it.column == c] for c in demo.config.columns}
    assert any(it.flag("important") for it in demo.items)
    assert any("年度报告" in it.title for it in by_column["xxgknb"])
    assert any("指南" in it.title for it in by_column["xxgkzn"])
    withheld = [it for it in demo.items if it.attribute == "不予公开"]
    assert all(it.mapping("reason").keys() >= {"ground", "basis"} for it in withheld)
    for it in demo.items:
        if it.attribute in ("不予公开", "依申请公开"):
            assert it.date("review_date") > AS_OF, it.path
    partial = [it for it in demo.items if it.attribute == "部分公开"]
    assert partial and all(b.reason for it in partial for b in it.blocks)
    reprints = [it for it in demo.items if it.source_type == "转载"]
    assert all(it.mapping("source")["转载来源"]["url"].startswith("https://www.gov.cn/") for it in reprints)
    forwards = [it for it in demo.items if it.source_type == "转发"]
    assert all(it.mapping("source")["forwarded"].keys() >= {"organ", "doc_no", "attribute"} for it in forwards)


def test_dates_and_index_numbers_are_plausible(each: tuple[Repository, str]) -> None:
    demo = each[0]
    for item in demo.items:
        written, published = item.date("written"), item.date("published")
        assert written and published and written <= published <= AS_OF, item.path
        code = demo.config.organs[item.meta["publisher"]]["code"]
        assert item.meta["index_no"] == f"{code}/{published.year}-{item.meta['index_no'][-5:]}", item.path


def test_drafters_and_reviewers_follow_the_roster_and_the_review_policy(each: tuple[Repository, str]) -> None:
    demo = each[0]
    people, units = demo.config.people, demo.config.units
    for item in demo.items:
        unit = demo.config.unit_by_name(item.meta["department"])
        assert unit is not None and unit.organ == item.meta["publisher"], item.path
        drafter = people[item.drafter]
        assert "经办人" in drafter.steps and drafter.unit == unit.id, item.path
        column = demo.config.columns[item.column]
        policy = demo.config.review[column.review]
        wanted = set(policy.steps) | {"保密审查"} | (set(policy.important_steps) if item.flag("important") else set())
        reviewers = item.mapping("reviewers")
        assert set(reviewers) == wanted, item.path
        for step, pid in reviewers.items():
            person = people[pid]
            assert step in person.steps, (item.path, step)
            assert units[person.unit].organ == item.meta["publisher"], (item.path, step)
            if step == "科室负责人":
                assert person.unit == unit.id, item.path  # 谁主管、谁审批
            if step == "经办人":
                assert pid == item.drafter, item.path  # 三审三校: the 经办人员 reviews their own draft first
            else:
                assert pid != item.drafter, item.path
        others = [pid for step, pid in reviewers.items() if step != "经办人"]
        assert len(others) == len(set(others)), item.path  # nobody signs twice in one chain


def test_every_organ_has_a_person_for_every_step(each: tuple[Repository, str]) -> None:
    demo = each[0]
    assert any("发布" in p.steps for p in demo.config.people.values())  # who signs the built site's manifest
    for organ in demo.config.organs:
        steps = {s for p in demo.config.people.values() if demo.config.units[p.unit].organ == organ for s in p.steps}
        assert steps >= {"经办人", "科室负责人", "分管领导", "主要领导", "保密审查", "保密", "宣传", "网信"}, organ


# -- the second site, as make demo runs it ----------------------------------------------------

def _cli(*args: str) -> tuple[int, str, str]:
    from gkpublish.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_the_second_site_checks_clean_and_builds_from_its_own_folder(tmp_path: Path) -> None:
    """``gkpublish -C examples/qijiang-audit check`` and ``build``, as ``make demo`` runs them
    (in the repository's git work tree when there is one: its history rules read the
    sub-site's content/, its committed records are the sub-site's approvals/)."""
    rc, out, err = _cli("-C", str(QIJIANG), "check", "--as-of", str(AS_OF))
    assert rc == 0 and "0 个错误，0 个警告" in out, out + err
    rc, out, err = _cli("-C", str(QIJIANG), "check", "--as-of", str(AS_OF), "--format", "json")
    assert rc == 0 and __import__("json").loads(out)["findings"] == [], out
    site = tmp_path / "site"
    rc, out, err = _cli("-C", str(QIJIANG), "build", "--as-of", str(AS_OF), "--out", str(site))
    assert rc == 0, out + err
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "綦江区审计局政务公开（示例站点）" in home and "江北" not in home
    seed = (site / "xxgkzd" / "qjsj-2023-zwxxgkzd" / "index.html").read_text(encoding="utf-8")
    assert "重庆市綦江区审计局政务信息公开工作制度" in seed and "SAMPLE002/2023-00001" in seed
    assert (site / "abolished" / "index.html").read_text(encoding="utf-8").count("綦审发〔2021〕901号") >= 1


def test_sign_demo_signs_a_given_site_folder_in_place_with_that_sites_own_keys(tmp_path: Path) -> None:
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("sign_demo", PROJECT / "tools" / "sign_demo.py")
    sign_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sign_demo)
    assert sign_demo.demo_sites() == [str(PROJECT), str(QIJIANG)]
    copy = tmp_path / "qijiang-audit"
    shutil.copytree(QIJIANG, copy, ignore=shutil.ignore_patterns("site"))
    before = (copy / "site_config" / "roster.yml").read_text("utf-8")
    with redirect_stdout(io.StringIO()):
        assert sign_demo.main([str(copy), "--keys-dir", str(tmp_path / "keys")]) == 0
    assert (copy / "site_config" / "roster.yml").read_text("utf-8") != before  # new throw-away keys
    assert sorted(p.name for p in (tmp_path / "keys" / "qijiang-audit").glob("*.pub")) == sorted(
        f"{pid}.pub" for pid in load_repository(str(copy)).config.people)
    found = run_rules(load_repository(str(copy), as_of=AS_OF))
    assert [f.rule for f in found] == ["GK602"] and "不是 git 仓库" in found[0].message  # a copied folder, by design
    with redirect_stderr(io.StringIO()) as err:  # the keys never go into the repository, not even beside a site
        assert sign_demo.main([str(copy), "--keys-dir", str(PROJECT / "build" / "keys")]) == 2
    assert "不能放在仓库之内" in err.getvalue()
