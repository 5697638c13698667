"""GK5xx on a withdrawn item: the gate scans exactly what its notice page publishes (title,
索引号, withdrawal date and reason — :meth:`PublicTombstone.fields`), never its body."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.privacy_patterns import scan_text
from gkpublish.public import public_view
from gkpublish.site.pages import build_site
from tests.conftest import AS_OF, Site, line_of
from tests.test_attachments_properties import BEFORE, FILLER, id_numbers, mobiles

ID = "11010519491231002X"  # a valid GB 11643 number (the GK501 docstring's example)
WITHDRAWN = {"date": "2026-11-20", "reason": "活动取消"}


def _withdrawn(site: Site, reason: str, **meta) -> None:
    site.item("gzdt/a.md", withdrawn={"date": "2026-11-20", "reason": reason}, **meta)


def test_an_id_number_in_a_withdrawal_reason_is_gk501_on_its_line(site):
    _withdrawn(site, f"申请人张三（身份证号 {ID}）要求删除")
    [f] = site.check().of("GK501")
    path = site.root / "content/gzdt/a.md"
    assert f.severity == "error" and f.path == "content/gzdt/a.md" and f.line == line_of(path, "申请人张三")
    assert "撤回说明（withdrawn）" in f.message and ID not in f.message  # masked in CI logs


def test_a_masked_id_number_in_a_withdrawal_reason_passes(site):
    _withdrawn(site, "申请人张三（身份证号 1101**********002X）要求删除")
    assert site.check().of("GK501") == []


def test_a_secrecy_mark_in_a_withdrawal_reason_is_gk504(site):
    _withdrawn(site, "误将秘密★1年文件公开，现撤回")
    [f] = site.check().of("GK504")
    assert f.severity == "error" and "秘密★1年" in f.message and "撤回说明" in f.message


def test_ordinary_secrecy_words_in_a_withdrawal_reason_pass(site):
    _withdrawn(site, "经保密审查，内容涉及国家秘密，依法撤回")
    assert site.check().of("GK504") == []


def test_a_secrecy_mark_in_a_withdrawn_title_is_gk504(site):
    site.item("gzdt/a.md", title="内部资料：关于某事项的通知（示例）", withdrawn=WITHDRAWN)
    [f] = site.check().of("GK504")
    assert "标题（title）" in f.message


def test_the_withdrawn_body_and_fields_the_notice_does_not_show_are_not_scanned(site):
    # the notice publishes neither: a secret kept there is GK5xx's business no longer
    site.item("gzdt/a.md", f"申请人身份证号 {ID}，秘密★1年。\n", summary=f"身份证号 {ID}", withdrawn=WITHDRAWN)
    r = site.check()
    assert r.of("GK501") == [] and r.of("GK504") == []


def test_a_withdrawn_item_that_was_never_public_has_no_notice_and_is_not_scanned(site):
    site.item("gzdt/a.md", attribute="依申请公开", review_date="2027-06-30",
              withdrawn={"date": "2026-11-20", "reason": f"身份证号 {ID}"})
    assert site.check().of("GK501") == []


def test_a_waiver_covers_a_withdrawal_reason_too(site):
    _withdrawn(site, "咨询电话 13800138000", waivers=[{"rule": "GK502", "value": "13800138000", "reason": "值班手机须公开"}])
    assert site.check().of("GK502") == []


REASONS = st.tuples(BEFORE, st.one_of(id_numbers(), mobiles(), st.sampled_from(["秘密★1年", "机密★", "内部资料", "注意保密"]),
                                      st.just("")), FILLER).map("".join)


@settings(max_examples=8, deadline=None)
@given(st.lists(REASONS, min_size=1, max_size=6))
def test_whatever_a_notice_page_would_show_the_gate_has_scanned(tmp_path_factory, reasons):
    """For every generated batch of withdrawal reasons (ID numbers, mobiles, 密级标志, or
    nothing, among other text): every GK5xx pattern found in a built notice page is an error
    of the gate on that item, and a gate finding on a withdrawn item names text its page shows.
    One site build per batch."""
    site = Site(tmp_path_factory.mktemp("tomb") / "site")
    site.item("gzdt/live.md", title="仍然公开的条目（示例）")
    for n, reason in enumerate(reasons):
        site.item(f"gzdt/w{n}.md", title=f"撤回的条目第{n}号", index_no=f"SAMPLE001/2026-{n + 10:05d}",
                  withdrawn={"date": "2026-11-20", "reason": f"撤回理由：{reason}"})
    repo = site.load()
    gate = {}
    from gkpublish.rules import run_rules

    for f in run_rules(repo):
        if f.rule in ("GK501", "GK502", "GK503", "GK504", "GK505") and f.severity == "error":
            gate.setdefault(f.path, set()).add(f.rule)
    # build the notices from the public view without the gate's findings: what would be published
    pages = {p.src_uri: p.as_markdown() for p in build_site(public_view(repo), repo.attachments, AS_OF).pages}
    for n in range(len(reasons)):
        path = f"content/gzdt/w{n}.md"
        shown = {h.rule for h in scan_text(pages[f"gzdt/w{n}.md"])}
        assert shown == gate.get(path, set()), (reasons[n], shown, gate.get(path))
