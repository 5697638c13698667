"""Names are public content: a file or folder name under content/ becomes an address.

``content/zcwj/张三-<身份证号>.md`` is published at ``/zcwj/张三-<身份证号>/``, and that address
is in the sitemap, the feed, the search index, the 目录 and every column list; an
attachment's name is its download link. GK501–GK505 read every name that reaches the site
(:func:`gkpublish.public.site_names`) with the same detectors as the text
(:func:`gkpublish.privacy_patterns.scan_name`) and report on the file or folder; the local
link targets and heading anchors of a public body are read the same way. ``verify-site``
reads the built site's file and folder names and every address in it, independently.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gkpublish.model import ERROR
from gkpublish.privacy_patterns import scan_name
from gkpublish.public import public_view, site_names
from gkpublish.rules import run_rules
from gkpublish.site.pages import build_site
from gkpublish.site.verify import Verifier, addresses
from tests.conftest import AS_OF, PDF, Site, item_source
from tests.test_site_build import add_site_files, build_into

ID_NO = "11010519491231002X"  # GB 11643 example: valid check character
MOBILE = "13800138000"
CARD = "6222021234567894"  # UnionPay, Luhn-valid
GK5 = {"GK501", "GK502", "GK503", "GK504", "GK505"}


def name_findings(site: Site) -> dict[str, set[str]]:
    """GK5xx rule IDs by the path they are reported on."""
    out: dict[str, set[str]] = {}
    for f in site.check().findings:
        if f.rule in GK5:
            out.setdefault(f.path, set()).add(f.rule)
    return out


# -- item files ------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "rule"), [
    (f"张三-{ID_NO}", "GK501"),
    ("张三_110105_19491231_002x", "GK501"),  # underscores, lower-case check character
    ("张三-１１０１０５１９４９１２３１００２Ｘ", "GK501"),  # full-width digits
    (f"联系人{MOBILE}", "GK502"),
    ("李四-138\u200b0013\u200b8000", "GK502"),  # zero-width spaces
    ("退款-6222-0212-3456-7894", "GK503"),
    ("机密-名单", "GK504"),
    ("【秘密】会议纪要", "GK504"),
])
def test_a_secret_in_an_item_file_name_is_reported_on_the_file(site, name, rule):
    site.item(f"gzdt/{name}.md")
    found = name_findings(site)
    assert found == {f"content/gzdt/{name}.md": {rule}}


def test_the_finding_says_the_name_is_public_and_how_to_rename(site):
    site.item(f"gzdt/张三-{MOBILE}.md")
    (f,) = site.check().of("GK502")
    assert f.path == f"content/gzdt/张三-{MOBILE}.md" and f.severity == ERROR
    assert "条目文件名" in f.message and "公开网址" in f.message and "git mv" in f.message
    assert MOBILE not in f.message and "138****8000" in f.message  # CI logs get the masked number


@pytest.mark.parametrize("name", [
    "20261202-工作动态",  # a date
    "12345678901234567",  # a 17-digit serial: not an ID number
    "110105194912310021",  # 18 digits with a wrong check character
    "2022-37",  # year and document number
    "SAMPLE001-2026-00001",  # 索引号
    "国家秘密定密管理规定解读",  # the level word inside a longer word is ordinary language
    "商业秘密保护",
    "保密审查工作",
    "023-67000000-值班电话",  # a landline
    "91500105MA5U7XXX0X",  # letters and digits: not a personal number
])
def test_near_misses_in_an_item_file_name_do_not_fire(site, name):
    site.item(f"gzdt/{name}.md")
    assert not name_findings(site)


def test_the_name_of_a_withdrawn_item_stays_public(site):
    """A withdrawn item's notice stays at its address (附件3 第八条): the name is still public."""
    site.item(f"gzdt/撤回-{MOBILE}.md", withdrawn={"date": "2026-11-20", "reason": "内容有误，另行发布"})
    assert name_findings(site) == {f"content/gzdt/撤回-{MOBILE}.md": {"GK502"}}


def test_the_name_of_a_non_public_item_is_not_a_gk5xx_finding(site):
    """依申请公开 items never reach the site: their names are verify-site's secrets, not GK5xx."""
    site.item(f"gzdt/申请-{MOBILE}.md", attribute="依申请公开", review_date="2027-06-30")
    assert not name_findings(site)


# -- attachments -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "rule"), [
    (f"附件-身份证{ID_NO}.pdf", "GK501"),
    (f"名单{MOBILE}.pdf", "GK502"),
    (f"账户{CARD}.pdf", "GK503"),
    ("机密-名单.pdf", "GK504"),
    ("名单_绝密.pdf", "GK504"),
    ("内部资料-汇总.pdf", "GK504"),
])
def test_a_secret_in_an_attachment_name_is_reported_on_the_attachment(site, name, rule):
    site.write(f"content/gzdt/{name}", PDF)
    site.item("gzdt/a.md", f"附件：[名单]({quote(name)})\n")  # linked percent-encoded, as editors' tools write it
    # the file is renamed, and the link that carries its name in the item's body with it
    assert name_findings(site) == {f"content/gzdt/{name}": {rule}, "content/gzdt/a.md": {rule}}


def test_an_attachment_listed_in_front_matter_is_reported_on_the_file_too(site):
    name = f"附件-{MOBILE}.pdf"
    site.write(f"content/gzdt/{name}", PDF)
    site.item("gzdt/a.md", attachments=[{"file": name, "title": "名单"}])
    found = name_findings(site)
    assert found[f"content/gzdt/{name}"] == {"GK502"}


@pytest.mark.parametrize("name", ["20261202-名单.pdf", "37-fujian.pdf", "附件1-2026年度预算表.pdf",
                                  "12345678901234567.pdf", "国家秘密范围规定.pdf"])
def test_near_misses_in_an_attachment_name_do_not_fire(site, name):
    site.write(f"content/gzdt/{name}", PDF)
    site.item("gzdt/a.md", f"附件：[文件]({quote(name)})\n")
    assert not name_findings(site)


def test_an_unlinked_file_is_not_published_so_its_name_is_not_scanned(site):
    site.write(f"content/gzdt/名单{MOBILE}.pdf", PDF)
    site.item("gzdt/a.md")
    assert not name_findings(site)


def test_a_name_waived_by_the_publishing_item_passes_and_the_waiver_is_not_stale(site):
    name = f"值班手机{MOBILE}.pdf"
    site.write(f"content/gzdt/{name}", PDF)
    waivers = [{"rule": "GK502", "value": "138 0013 8000", "reason": "区长信箱值班手机，按指南须公开"}]
    site.item("gzdt/a.md", f"[值班表]({quote(name)})\n", waivers=waivers)
    result = site.check()
    assert not result.ids & GK5, [f.message for f in result.findings if f.rule in GK5]


def test_a_name_published_by_two_items_needs_both_waivers(site):
    name = f"值班手机{MOBILE}.pdf"
    site.write(f"content/gzdt/{name}", PDF)
    waivers = [{"rule": "GK502", "value": MOBILE, "reason": "区长信箱值班手机，按指南须公开"}]
    site.item("gzdt/a.md", f"[值班表]({quote(name)})\n", waivers=waivers)
    site.item("gzdt/b.md", f"[值班表]({quote(name)})\n", index_no="SAMPLE001/2026-00002")
    assert name_findings(site) == {f"content/gzdt/{name}": {"GK502"}, "content/gzdt/b.md": {"GK502"}}


# -- folders ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("folder", "rule"), [
    (f"张三{ID_NO}", "GK501"),
    ("138-0013-8000", "GK502"),
    ("机密 文件", "GK504"),
])
def test_a_secret_in_a_folder_name_is_reported_once_on_the_folder(site, folder, rule):
    site.item(f"gzdt/{folder}/a.md")
    site.item(f"gzdt/{folder}/b.md", index_no="SAMPLE001/2026-00002")
    site.write(f"content/gzdt/{folder}/说明.pdf", PDF)
    site.item("gzdt/c.md", f"[说明]({quote(folder)}/说明.pdf)\n", index_no="SAMPLE001/2026-00003")
    findings = [f for f in site.check().findings if f.rule in GK5]
    # once on the folder; and on the link in c.md that carries the folder's name
    assert {(f.path, f.rule) for f in findings} == {(f"content/gzdt/{folder}", rule), ("content/gzdt/c.md", rule)}
    assert len(findings) == 2
    assert "文件夹名" in next(f.message for f in findings if f.path.endswith(folder))


@pytest.mark.parametrize("folder", ["2026", "20261202", "zcwj-2022", "国家秘密"])
def test_near_misses_in_a_folder_name_do_not_fire(site, folder):
    site.item(f"gzdt/{folder}/a.md")
    assert not name_findings(site)


def test_a_folder_holding_only_non_public_items_is_not_published(site):
    site.item(f"gzdt/{MOBILE}/a.md", attribute="依申请公开", review_date="2027-06-30")
    assert not name_findings(site)


def test_site_names_lists_every_name_that_reaches_the_site_once(site):
    site.write("content/gzdt/2026/说明.pdf", PDF)
    site.item("gzdt/2026/a.md", "[说明](说明.pdf)\n")
    site.item("gzdt/2026/b.md", "[说明](说明.pdf)\n", index_no="SAMPLE001/2026-00002")
    names = {n.path: (n.kind, n.owners) for n in site_names(site.load())}
    assert names == {
        "content/gzdt/2026/a.md": ("item", ("content/gzdt/2026/a.md",)),
        "content/gzdt/2026/b.md": ("item", ("content/gzdt/2026/b.md",)),
        "content/gzdt/2026/说明.pdf": ("attachment", ("content/gzdt/2026/a.md", "content/gzdt/2026/b.md")),
        "content/gzdt": ("folder", ("content/gzdt/2026/a.md", "content/gzdt/2026/b.md")),
        "content/gzdt/2026": ("folder", ("content/gzdt/2026/a.md", "content/gzdt/2026/b.md")),
    }


# -- addresses inside a public body: local links and heading anchors ------------------------------

def test_a_heading_whose_anchor_spells_an_id_number_is_reported(site):
    """Python-Markdown's toc slug keeps ASCII letters and digits only: 1101【05】… becomes
    the anchor 110105…, an address the text check cannot see."""
    path = site.item("gzdt/a.md", "导语。\n\n## 1101【05】19491231【】002X 名单\n\n正文。\n")
    (f,) = site.check().of("GK501")
    assert f.path == "content/gzdt/a.md" and f.line == path.read_text("utf-8").split("\n").index(
        "## 1101【05】19491231【】002X 名单") + 1
    assert "锚点" in f.message


def test_an_explicit_heading_anchor_is_read_as_a_name(site):
    site.item("gzdt/a.md", "## 联系方式 {#lxr-138_0013_8000}\n\n正文。\n")
    assert "GK502" in site.check().ids


def test_an_ordinary_heading_anchor_does_not_fire(site):
    site.item("gzdt/a.md", "## 一、2026年12月2日会议情况\n\n## 第13号文件解读\n\n正文。\n")
    assert not site.check().ids & GK5


def test_a_percent_encoded_local_link_is_read_decoded(site):
    site.item("gzdt/a.md", "[名单](#%31%33%38%30%30%31%33%38%30%30%30)\n")
    (f,) = site.check().of("GK502")
    assert "链接" in f.message


def test_a_link_to_another_site_is_text_not_a_name(site):
    # an external address is scanned as text (GK403 decides the host); its %-encoding is the other site's
    site.item("gzdt/a.md", "[国务院](https://www.gov.cn/zhengce/2026-12/02/content_20261202.htm)\n")
    assert not site.check().ids & GK5


# -- the readings of a name ----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("附件%31%33%38%30%30%31%33%38%30%30%30.pdf", [("GK502", MOBILE)]),
    ("附件-%252531%2533800138000.pdf", [("GK502", MOBILE)]),  # %25 nesting: decoded to a fixed point
    ("1380-013-8000.pdf", [("GK502", MOBILE)]),  # an unusual grouping is still the number
    (f"{MOBILE}-2.pdf", [("GK502", MOBILE)]),
    ("130-00000000-2026.pdf", [("GK502", "13000000000")]),  # groups of a run, whatever follows
    ("张三_110105_1949_1231_002X_1.pdf", [("GK501", ID_NO)]),
    ("秘密★1年-通知.pdf", [("GK504", "秘密★1年")]),  # one mark, not also 秘密
    ("2026-11-16-附件1.pdf", []),
])
def test_scan_name_readings(name, expected):
    assert scan_name(name) == expected


# -- the build refuses, verify-site catches what the gate would have ---------------------------------

def test_the_build_refuses_a_site_with_a_secret_in_a_name(tmp_path):
    site = Site(tmp_path / "repo")
    add_site_files(site)
    site.item(f"gzdt/张三-{ID_NO}.md", drafter="zhang-jb")
    site.sign_all()
    out = tmp_path / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 1 and "GK501" in stdout + stderr
    assert not out.exists()


# the tests of one built site run in one worker (pytest -n 2 --dist loadgroup): one build
BUILT = pytest.mark.xdist_group("privacy_names_build")


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory) -> tuple[Site, Path]:
    site = Site(tmp_path_factory.mktemp("names") / "repo")
    add_site_files(site)
    site.write("content/gzdt/说明.pdf", PDF)
    site.item("gzdt/public.md", "会议要求各单位做好工作。\n\n[说明](说明.pdf)\n\n## 会议安排\n\n另行通知。\n",
              title="区政府召开政务公开推进会", drafter="zhang-jb")
    site.item("gzdt/LEAKNAMEMARKERYSQ20261202.md", "依申请公开的内容。\n", attribute="依申请公开",
              review_date="2027-06-30", index_no="SAMPLE001/2026-00002", drafter="zhang-jb",
              reviewers={"科室负责人": "li-kz"})
    site.sign_all()
    out = site.root.parent / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    return site, out


@pytest.fixture
def built_copy(clean_build, tmp_path) -> tuple[Site, Path]:
    site, out = clean_build
    dst = tmp_path / "copy"
    shutil.copytree(out, dst, symlinks=True)
    return site, dst


def _manifest(out: Path) -> dict:
    return json.loads((out / "gkpublish-manifest.json").read_text("utf-8"))


def _save_manifest(out: Path, doc: dict) -> None:
    (out / "gkpublish-manifest.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _rename_in_site(out: Path, old: str, new: str) -> None:
    """Move a built file and make the manifest agree: only the name checks can catch it."""
    (out / new).parent.mkdir(parents=True, exist_ok=True)
    os.rename(out / old, out / new)
    doc = _manifest(out)
    doc["files"][new] = doc["files"].pop(old)
    _save_manifest(out, doc)


def _rewrite(out: Path, rel: str, old: str, new: str) -> None:
    import hashlib

    page = out / rel
    text = page.read_text("utf-8")
    assert old in text, (rel, old)
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    doc = _manifest(out)
    doc["files"][rel]["sha256"] = hashlib.sha256(page.read_bytes()).hexdigest()
    _save_manifest(out, doc)


def verify(site: Site, out: Path) -> tuple[int, str]:
    rc, stdout, stderr = site.cli("verify-site", str(out))
    return rc, stdout + stderr


@BUILT
def test_the_clean_site_verifies(built_copy):
    site, out = built_copy
    rc, report = verify(site, out)
    assert rc == 0, report


@BUILT
@pytest.mark.parametrize(("new", "rule"), [
    (f"gzdt/张三-{ID_NO}/index.html", "GK501"),
    ("gzdt/138-0013-8000/public/index.html", "GK502"),
    ("gzdt/机密-说明.pdf", "GK504"),
])
def test_verify_site_reads_file_and_folder_names(built_copy, new, rule):
    site, out = built_copy
    old = "gzdt/说明.pdf" if new.endswith(".pdf") else "gzdt/public/index.html"
    _rename_in_site(out, old, new)
    rc, report = verify(site, out)
    assert rc == 1 and rule in report and new in report, report


@BUILT
def test_verify_site_reads_a_name_of_an_unpublished_item_in_a_file_name(built_copy):
    site, out = built_copy
    _rename_in_site(out, "gzdt/public/index.html", "gzdt/LEAKNAMEMARKERYSQ20261202/index.html")
    rc, report = verify(site, out)
    assert rc == 1 and "content/gzdt/LEAKNAMEMARKERYSQ20261202.md" in report, report


@BUILT
def test_verify_site_reads_percent_encoded_links_and_anchors(built_copy):
    site, out = built_copy
    encoded = "".join(f"%{ord(c):02X}" for c in MOBILE)
    _rewrite(out, "gzdt/public/index.html", 'href="../%E8%AF%B4%E6%98%8E.pdf"', f'href="../{encoded}.pdf"')
    rc, report = verify(site, out)
    assert rc == 1 and "GK502" in report and "网址或锚点" in report, report


@BUILT
def test_verify_site_reads_heading_anchors(built_copy):
    site, out = built_copy
    page = (out / "gzdt/public/index.html").read_text("utf-8")
    anchor = re.search(r'<h2 id="([^"]*)"', page).group(1)
    _rewrite(out, "gzdt/public/index.html", f'id="{anchor}"', 'id="lxr-138_0013_8000"')
    rc, report = verify(site, out)
    assert rc == 1 and "GK502" in report, report


@BUILT
def test_verify_site_reads_sitemap_addresses(built_copy):
    import gzip

    site, out = built_copy
    text = (out / "sitemap.xml").read_text("utf-8")
    loc = re.search(r"<loc>([^<]*gzdt/public/)</loc>", text).group(1)
    _rewrite(out, "sitemap.xml", loc, loc.replace("public/", quote(f"张三-{ID_NO}") + "/"))
    if (out / "sitemap.xml.gz").exists():  # the compressed copy says the same
        (out / "sitemap.xml.gz").write_bytes(gzip.compress((out / "sitemap.xml").read_bytes()))
        doc = _manifest(out)
        import hashlib
        doc["files"]["sitemap.xml.gz"]["sha256"] = hashlib.sha256((out / "sitemap.xml.gz").read_bytes()).hexdigest()
        _save_manifest(out, doc)
    rc, report = verify(site, out)
    assert rc == 1 and "GK501" in report and "sitemap.xml" in report, report


@BUILT
def test_verify_site_reads_the_addresses_of_the_search_index_pages_table(built_copy):
    # the index's pages table holds [address, title, ...] rows, not "url" keys
    site, out = built_copy
    chunk = next(p for p in sorted((out / "search/index/p").iterdir()) if "gzdt/public/" in p.read_text("utf-8"))
    rel = chunk.relative_to(out).as_posix()
    _rewrite(out, rel, '"gzdt/public/"', '"gzdt/' + quote(f"张三-{ID_NO}") + '/"')
    rc, report = verify(site, out)
    assert rc == 1 and "GK501" in report and rel in report, report


def test_the_pages_table_reader_takes_only_addresses():
    from gkpublish.site.verify import index_page_urls
    assert index_page_urls('[["a/%E5%BC%A0/", "关于保守秘密的通知", "2026-11-20"], 5, ["b/"]]') == ["a/张/", "b/"]
    assert index_page_urls("not json") == []


def test_addresses_of_search_and_feed_records_are_decoded():
    text = '{"url":"/gzdt/%E5%BC%A0%E4%B8%89-13800138000/","title":"x"} <link href="https://ex.gov.cn/a/"/><id>b</id>'
    assert addresses(text, "https://ex.gov.cn/") == ["/gzdt/张三-13800138000/", "https://ex.gov.cn/a/", "b"]
    assert addresses('<a href="https://other.example/13800138000">x</a>', "https://ex.gov.cn/") == []


# -- Hypothesis: generated names in many spellings ------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def _check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@st.composite
def id_numbers(draw) -> tuple[str, list[int]]:
    """(digits of a valid ID number, the group lengths it may be written in)."""
    region = draw(st.sampled_from(["110105", "500105", "440301", "320102", "500112"]))
    born = draw(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 12, 31)))
    want_x = draw(st.booleans())
    seq = draw(st.integers(0, 999))
    for n in range(1000):  # a check character X, upper or lower case, when asked for
        first = region + born.strftime("%Y%m%d") + f"{(seq + n) % 1000:03d}"
        if not want_x or _check_char(first) == "X":
            break
    value = first + _check_char(first)
    if value.endswith("X") and draw(st.booleans()):
        value = value[:-1] + "x"
    return value, draw(st.sampled_from([[18], [6, 8, 4], [6, 4, 4, 4]]))


@st.composite
def mobiles(draw) -> tuple[str, list[int]]:
    digits = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(st.sampled_from("0123456789"),
                                                                            min_size=9, max_size=9)))
    return digits, draw(st.sampled_from([[11], [3, 4, 4], [3, 8], [7, 4]]))


@st.composite
def bank_cards(draw) -> tuple[str, list[int]]:
    length = draw(st.integers(16, 19))
    body = "62" + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length - 3, max_size=length - 3)))
    total = 0
    for i, c in enumerate(reversed(body + "0")):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    value = body + str((10 - total % 10) % 10)
    groups = [4] * (length // 4) + ([length % 4] if length % 4 else [])
    return value, draw(st.sampled_from([[length], groups]))


@st.composite
def spelled_number(draw, numbers) -> str:
    """A number written as people and their tools write it in a name: grouped with - _ . or a
    space, digits full-width here and there, zero-width characters between them."""
    value, groups = draw(numbers)
    sep = draw(st.sampled_from(["-", "_", ".", " ", "－", "—"]))
    parts, at = [], 0
    for g in groups:
        parts.append(value[at:at + g])
        at += g
    text = sep.join(parts)
    out = []
    for c in text:
        if c.isalnum() and draw(st.integers(0, 4)) == 0:
            c = c.translate(FULL_WIDTH)
        out.append(c)
        if draw(st.integers(0, 6)) == 0:
            out.append(draw(st.sampled_from(ZERO_WIDTH)))
    return "".join(out)


SECRECY = st.builds(lambda before, mark, after: before + mark + after,
                    st.sampled_from(["", "【", "（", "-", "名单_", "会议纪要 ", "〔"]),
                    st.sampled_from(["机密", "秘密", "绝密", "秘密★1年", "机密★", "内部资料", "注意保密", "机\u200b密"]),
                    st.sampled_from(["", "】", "）", "-名单", "_2026", " 通知", "〕"]))
SECRETS = {
    "GK501": spelled_number(id_numbers()),
    "GK502": spelled_number(mobiles()),
    "GK503": spelled_number(bank_cards()),
    "GK504": SECRECY,
}
PREFIX = st.sampled_from(["", "张三-", "附件1_", "名单 ", "关于李四", "_", "2026年"])
SUFFIX = st.sampled_from(["", "-名单", "_1", "（公示）", "-2026", ".v2", "号"])


@st.composite
def variants(draw) -> tuple[str, str, str]:
    """(kind, name, rule): a secret of one rule in the name of an item file, an attachment or
    a sub-folder, mixed with Chinese text."""
    rule = draw(st.sampled_from(sorted(SECRETS)))
    secret = draw(SECRETS[rule])
    name = draw(PREFIX) + secret + draw(SUFFIX)
    if draw(st.booleans()):  # some tools save names percent-encoded: digits and letters here and there
        name = "".join(f"%{ord(c):02X}" if c.isascii() and c.isalnum() and draw(st.booleans()) else c for c in name)
    return draw(st.sampled_from(["item", "attachment", "folder"])), name.strip() or "x", rule


def _secret_core(name: str, rule: str) -> str:
    """What must not reach the site: the digits of the number, or the level word."""
    reading = unquote(unquote(name)).translate(str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx"))
    if rule == "GK504":
        return next(m for m in ("内部资料", "注意保密", "绝密", "机密", "秘密") if m in reading.replace("\u200b", ""))
    return re.sub(r"[^0-9Xx]", "", reading)[-11:]


def _site_paths(repo) -> list[str]:
    """Every path of the site built from the public view with the gate bypassed."""
    bundle = build_site(public_view(repo, []), repo.attachments, AS_OF)
    return [p.src_uri for p in bundle.pages] + [f.src_uri for f in bundle.files]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(batch=st.lists(variants(), min_size=1, max_size=8))
@example(batch=[("item", f"张三-{ID_NO}", "GK501"), ("attachment", quote(f"名单{MOBILE}"), "GK502"),
                ("folder", "机密-名单", "GK504"), ("attachment", "退款_6222_0212_3456_7894", "GK503")])
@example(batch=[("item", "１３０-００000000-2026", "GK502"), ("item", "_机密", "GK504")])  # found by Hypothesis
@example(batch=[("item", "６２００-\u200b００００-00\u200b００-0005-2026", "GK503")])  # found by Hypothesis: a card, then a year
def test_a_secret_in_any_name_is_reported_or_absent_from_the_site(tmp_path_factory, batch):
    """For every generated name: the gate reports its rule on that file or folder, or the
    secret is absent from every path of the site built with the gate bypassed. And
    verify-site's name reading (independent of the gate) finds every one in the site's paths."""
    site = Site(tmp_path_factory.mktemp("gen") / "site")
    links, placed = [], []
    for n, (kind, name, rule) in enumerate(batch):
        if kind == "item":
            rel = f"content/gzdt/g{n}/{name}.md"
            site.write(rel, item_source(index_no=f"SAMPLE001/2026-{n + 10:05d}"))
        elif kind == "attachment":
            rel = f"content/gzdt/g{n}/{name}.pdf"
            site.write(rel, PDF)
            links.append(f"[附件{n}]({quote(f'g{n}/{name}.pdf')})\n\n")
        else:
            rel = f"content/gzdt/g{n}/{name}"
            site.write(f"{rel}/a.md", item_source(index_no=f"SAMPLE001/2026-{n + 10:05d}"))
        placed.append((rel, f"gzdt/g{n}/", rule, _secret_core(name, rule)))
    site.write("content/gzdt/linker.md", item_source("".join(links) or "正文。\n", index_no="SAMPLE001/2026-00001"))
    repo = site.load()
    findings = run_rules(repo)
    reported = {(f.path, f.rule) for f in findings if f.severity == ERROR}
    paths = _site_paths(repo)
    verifier = Verifier(repo, public_view(repo, []))
    for rel, own_folder, rule, core in placed:
        if (rel, rule) in reported:
            site_path = rel.removeprefix("content/")
            leaks = verifier.name_leaks(site_path, [site_path], "文件或文件夹名")
            assert any(leak.reason.startswith(rule) for leak in leaks), (rel, rule, leaks)
            continue
        # each variant has a folder of its own: nothing under it may carry the secret
        flat = [re.sub(r"[^0-9Xx]", "", unquote(p)) if rule != "GK504" else unquote(p).replace("\u200b", "")
                for p in paths if p.startswith(own_folder)]
        assert not any(core in p for p in flat), (rel, rule, [f.message for f in findings if f.path == rel])
    shutil.rmtree(site.root.parent, ignore_errors=True)


# -- the names inside a published archive ----------------------------------------------------------

def _zip_of(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_a_member_name_of_a_published_zip_is_read_as_a_name(site):
    site.write("content/gzdt/材料.zip", _zip_of({"名单_138_0013_8000.txt": "名单。\n".encode()}))
    site.item("gzdt/a.md", "[材料](材料.zip)\n")
    (f,) = site.check().of("GK502")
    assert f.path == "content/gzdt/材料.zip" and "压缩包中第 1 个文件的文件名" in f.message
    assert MOBILE not in f.message


def test_ordinary_member_names_of_a_zip_pass(site):
    site.write("content/gzdt/材料.zip", _zip_of({"2026-11-16-附件1.txt": "说明。\n".encode(),
                                                 "国家秘密范围说明.txt": "说明。\n".encode()}))
    site.item("gzdt/a.md", "[材料](材料.zip)\n")
    assert not site.check().ids & GK5


# -- image alt/title text and link titles are public text ----------------------------------------

@pytest.mark.parametrize(("body", "rule"), [
    (f"![联系人 {MOBILE}](照片.png)\n", "GK502"),  # image alt text
    (f'![照片](照片.png "身份证 {ID_NO}")\n', "GK501"),  # image title
    (f'[办事指南](../zcwj/ "手机 {MOBILE}")\n', "GK502"),  # link title
    ('<img src="照片.png" alt="秘密★1年">\n', "GK504"),
])
def test_alt_and_title_texts_are_read_as_public_text(site, body, rule):
    site.item("gzdt/a.md", body)
    assert rule in site.check().ids
