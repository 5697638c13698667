"""Adversarial: nothing that is not public reaches the built site, and verify-site proves it.

A signed repository full of traps: 依申请公开, 不予公开 and withdrawn items, a 部分公开 block,
internal front-matter fields, attachments and file names, records/ — each carrying a
unique marker. After ``gkpublish build`` no marker may appear in any file of the site:
HTML, feed, sitemap, the Pagefind index (gzip-compressed: decompressed here, and queried
through Pagefind's own search when Node.js is available). Then the site is tampered with
the ways a leak could happen, and ``verify-site`` must fail each time.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import Site
from tests.test_site_build import add_site_files, build_into

MARKERS = {
    "ysq_title": "依申请标题泄露标记甲乙丙丁",
    "ysq_body": "依申请正文泄露标记戊己庚辛",
    "ysq_file": "LEAKFILENAMEMARKERYSQ2026",
    "byg_title": "不予公开标题泄露标记子丑寅卯",
    "byg_body": "不予公开正文泄露标记辰巳午未",
    "byg_reason": "不予公开理由泄露标记申酉戌亥",
    "byg_attachment_title": "不予公开附件名称泄露标记天地玄黄",
    "byg_attachment_file": "LEAKATTACHMENTFILEMARKER77",
    "withdrawn_body": "撤回条目正文泄露标记宇宙洪荒",
    "withdrawn_summary": "撤回条目概述泄露标记日月盈昃",
    "block": "部分公开不公开块泄露标记辰宿列张",
    "block_link_file": "LEAKBLOCKLINKEDFILEMARKER88",
    "privacy_opinion": "权利人意见泄露标记寒来暑往",
    "comment": "注释泄露标记秋收冬藏闰余成岁",
    "records": "依申请登记簿泄露标记律吕调阳",
    "register_name": "登记申请人姓名标记云腾致雨",
    "register_contact": "登记联系方式标记露结为霜",
}
# a withdrawn item's notice shows its title and the reason (附件3 第八条), nothing else of it
WITHDRAWN_TITLE = "关于撤回条目的示例通知"
WITHDRAWN_REASON = "所列办理时限有误，另行发布"
SECRET_PDF = b"%PDF-1.4\n% secret attachment of an unpublished item LEAKBYTES\n%%EOF\n"
BLOCK_PDF = b"%PDF-1.4\n% file linked only from a non-public block LEAKBYTES2\n%%EOF\n"


def trap_site(root: Path) -> Site:
    m = MARKERS
    site = Site(root)
    add_site_files(site)
    # a public item that must be published, with an HTML comment and an internal field
    site.item("gzdt/public.md", f"公开正文：区政府召开政务公开推进会。\n\n<!-- {m['comment']} -->\n\n会议要求各单位做好工作。\n",
              title="区政府召开政务公开推进会", published="2026-11-12", drafter="zhang-jb",
              privacy={"touches": ["个人隐私"], "rights_holder_opinion": {"date": "2026-10-30",
                                                                        "opinion": m["privacy_opinion"]}})
    # 部分公开 with a non-public block that links a file
    site.write(f"content/tzgg/{m['block_link_file']}.pdf", BLOCK_PDF)
    site.item("tzgg/partial.md",
              "本月共收到来信12件。\n\n"
              f"::: 不公开 理由=\"个人隐私（条例第十五条）\"\n{m['block']}\n\n[名单]({m['block_link_file']}.pdf)\n:::\n\n"
              "以上来信均已办结。\n",
              title="来信办理情况公示", column="tzgg", attribute="部分公开", index_no="SAMPLE001/2026-00002",
              published="2026-11-13", drafter="zhang-jb")
    # 依申请公开: title, body, file name
    site.item(f"tzgg/{m['ysq_file']}.md", f"{m['ysq_body']}\n", title=m["ysq_title"], column="tzgg",
              attribute="依申请公开", index_no="SAMPLE001/2026-00003", published="2026-11-06",
              review_date="2027-06-30", drafter="zhang-jb",
              reviewers={"科室负责人": "li-kz"})
    # 不予公开: reason, attachment (title and file name)
    site.write(f"content/tzgg/{m['byg_attachment_file']}.pdf", SECRET_PDF)
    site.item("tzgg/withheld.md", f"{m['byg_body']}\n", title=m["byg_title"], column="tzgg",
              attribute="不予公开", index_no="SAMPLE001/2026-00004", published="2026-11-07",
              reason={"ground": "内部事务信息", "basis": m["byg_reason"]}, review_date="2027-06-30",
              attachments=[{"file": f"{m['byg_attachment_file']}.pdf", "title": m["byg_attachment_title"]}],
              drafter="zhang-jb")
    # withdrawn (附件3 第八条): was public, now off the site but for the notice at its address
    site.item("gzdt/withdrawn.md", f"{m['withdrawn_body']}\n", title=WITHDRAWN_TITLE, index_no="SAMPLE001/2026-00005",
              summary=m["withdrawn_summary"], published="2026-10-01",
              withdrawn={"date": "2026-11-01", "reason": WITHDRAWN_REASON}, drafter="zhang-jb")
    # records/: the 依申请公开 register
    site.write("records/2026/applications.yml",
               f"applications:\n  - applicant: {m['records']}\n    received: 2026-11-03\n    request: 申请公开某项目合同文本全文\n")
    # records/requests/: one application of the register (issue #10), valid so the gate passes
    site.write("records/requests/2026-0001.yml",
               f"id: 2026-0001\nreceived: 2026-11-03\napplicant: {{type: 自然人, name: {m['register_name']}, "
               f"contact: {m['register_contact']}}}\nrequest: 申请公开某项目合同文本\nanswered: 2026-11-10\noutcome: 予以公开\n")
    site.sign_all()
    return site


@pytest.fixture(scope="module")
def trapped(tmp_path_factory) -> tuple[Site, Path]:
    site = trap_site(tmp_path_factory.mktemp("leak") / "repo")
    out = site.root.parent / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    return site, out


def all_texts(out: Path) -> dict[str, str]:
    """Every file of the site as text: gzip (Pagefind, sitemap.xml.gz) decompressed, and
    Pagefind's zero-width spaces between Chinese words removed."""
    texts = {}
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        texts[str(path.relative_to(out))] = data.decode("utf-8", "ignore").replace("\u200b", "")
    return texts


def search_texts(out: Path) -> dict[str, str]:
    """The search index's texts, rebuilt from its postings (gkindex.decode_texts), and its
    excerpt blocks."""
    from gkpublish.site.gkindex import decode_texts

    texts = decode_texts(str(out / "search" / "index"))
    for block in (out / "search" / "index" / "x").iterdir():
        texts[block.name] = block.read_text("utf-8")
    return texts


def test_public_content_is_published(trapped):
    _, out = trapped
    texts = all_texts(out)
    assert "公开正文：区政府召开政务公开推进会。" in texts["gzdt/public/index.html"]
    assert "以上来信均已办结。" in texts["tzgg/partial/index.html"]
    decoded = search_texts(out)  # the search index, decoded as verify-site decodes it
    pages = [t for label, t in decoded.items() if label.startswith("第 ")]
    assert len(pages) == 2 and any("以上来信均已办结" in t for t in pages)


@pytest.mark.parametrize("name", sorted(MARKERS))
def test_marker_appears_nowhere_in_the_site(trapped, name):
    _, out = trapped
    marker = MARKERS[name]
    hits = [p for p, text in all_texts(out).items() if marker in text]
    names = [str(p.relative_to(out)) for p in out.rglob("*") if marker in p.name]
    assert hits == [] and names == [], (name, hits, names)


def test_a_withdrawn_item_leaves_a_notice_at_its_address_and_nothing_else(trapped):
    _, out = trapped
    texts = all_texts(out)
    notice = texts["gzdt/withdrawn/index.html"]
    assert WITHDRAWN_TITLE in notice and "SAMPLE001/2026-00005" in notice and "2026-11-01" in notice
    assert WITHDRAWN_REASON in notice and "已撤回" in notice
    others = {p: t for p, t in texts.items() if WITHDRAWN_TITLE in t and p != "gzdt/withdrawn/index.html"}
    # not in the 目录, the column, the home page, the feed or the search index
    assert not [p for p in others if "catalog" in p or "columns" in p or p in ("index.html", "feed.xml")
                or p.startswith("search/")], sorted(others)
    assert not [label for label, t in search_texts(out).items() if WITHDRAWN_TITLE in t]


def test_secret_files_are_not_copied(trapped):
    _, out = trapped
    blobs = {p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert SECRET_PDF not in blobs and BLOCK_PDF not in blobs


def test_no_approval_signature_or_record_reaches_the_site(trapped):
    site, out = trapped
    texts = all_texts(out)
    sigs = []
    for rec in (site.root / "approvals").rglob("*.json"):
        sig = json.loads(rec.read_text("utf-8"))["signature"]
        sigs.extend(line for line in sig.splitlines() if len(line) > 40)
    assert sigs and not any(s in t for s in sigs for t in texts.values())


def test_search_index_does_not_find_markers(trapped):
    from gkpublish.site.gkindex import Reader, query

    _, out = trapped
    reader = Reader(str(out / "search" / "index"))
    assert query(reader, "推进会")  # the index works …
    for name in ("ysq_title", "byg_body", "block", "comment", "withdrawn_body"):
        assert query(reader, MARKERS[name]) == [], name  # … and knows no secret
        assert not [label for label, t in search_texts(out).items() if MARKERS[name] in t], name


def test_the_built_site_verifies(trapped):
    site, out = trapped
    rc, stdout, stderr = site.cli("verify-site", str(out))
    assert rc == 0, stdout + stderr
    assert "verify-site 通过" in stdout


# -- tampering: verify-site must fail -------------------------------------------------------

@pytest.fixture
def copy(trapped, tmp_path) -> tuple[Site, Path]:
    site, out = trapped
    dst = tmp_path / "copy"
    shutil.copytree(out, dst, symlinks=True)
    return site, dst


def rehash(out: Path, rel: str) -> None:
    """Make the manifest agree with a changed file, so only the content checks can catch it."""
    manifest = out / "gkpublish-manifest.json"
    doc = json.loads(manifest.read_text("utf-8"))
    doc["files"][rel]["sha256"] = hashlib.sha256((out / rel).read_bytes()).hexdigest()
    manifest.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def inject(out: Path, rel: str, html: str) -> None:
    page = out / rel
    page.write_text(page.read_text("utf-8").replace("</article>", html + "</article>", 1), encoding="utf-8")
    rehash(out, rel)


def verify(site: Site, out: Path) -> tuple[int, str]:
    rc, stdout, stderr = site.cli("verify-site", str(out))
    return rc, stdout + stderr


def test_html_comment_of_a_public_body_is_caught(copy):
    site, out = copy
    inject(out, "gzdt/public/index.html", f"<!-- {MARKERS['comment']} -->")
    rc, report = verify(site, out)
    assert rc == 1 and "gzdt/public/index.html" in report and "content/gzdt/public.md:注释" in report


@pytest.mark.parametrize("name, source", [
    ("ysq_body", "content/tzgg/LEAKFILENAMEMARKERYSQ2026.md"),
    ("block", "content/tzgg/partial.md:"),
    ("byg_reason", "content/tzgg/withheld.md:reason"),
    ("privacy_opinion", "content/gzdt/public.md:privacy"),
    ("records", "records/2026/applications.yml"),
    ("register_name", "records/requests/2026-0001.yml"),
    ("register_contact", "records/requests/2026-0001.yml"),
])
def test_secret_text_in_a_page_is_caught(copy, name, source):
    site, out = copy
    # even split by markup, as a renderer would split it
    marker = MARKERS[name]
    inject(out, "index.html", f"<p>{marker[:5]}<strong>{marker[5:]}</strong></p>")
    rc, report = verify(site, out)
    assert rc == 1 and source in report, report


def test_secret_text_in_the_search_index_is_caught(copy):
    """A secret planted in the index's base64 values (as occurrences of its grams on an
    indexed page, or on a page the index does not list; or as the page list of a word) is
    found: verify-site reads every token back against the public text the index ships in
    plain files (gkindex.check_index)."""
    from gkpublish.site.gkindex import K, encode_occurrences, encode_pages

    site, out = copy
    marker = MARKERS["byg_body"]
    shard = sorted((out / "search" / "index" / "s").iterdir())[0]
    original = shard.read_text("utf-8")
    for page in (0, 900, -1):
        table = json.loads(original)
        if page < 0:  # a page list naming page 0 for a word of the secret
            table["b4" + marker[:K]] = base64.urlsafe_b64encode(encode_pages([0])).decode("ascii")
        else:
            for i in range(len(marker)):
                table["bp" + marker[i:i + K]] = base64.urlsafe_b64encode(encode_occurrences([page], [i])).decode("ascii")
        shard.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        rehash(out, str(shard.relative_to(out)))
        rc, report = verify(site, out)
        assert rc == 1 and "search/index/manifest.json" in report and "搜索索引与它所索引的公开文字不一致" in report, report


def test_an_index_that_cannot_be_decoded_fails_verify_site(copy):
    site, out = copy
    shard = sorted((out / "search" / "index" / "s").iterdir())[0]
    shard.write_text('{"b政府": "!!not base64!!"}', encoding="utf-8")
    rehash(out, str(shard.relative_to(out)))
    rc, report = verify(site, out)
    assert rc == 1 and "搜索索引与它所索引的公开文字不一致" in report and "无法读取" in report, report


def test_file_dropped_into_the_site_is_caught(copy):
    site, out = copy
    (out / "notes.txt").write_text("harmless looking", encoding="utf-8")
    rc, report = verify(site, out)
    assert rc == 1 and "notes.txt" in report and "不在构建清单中" in report


def test_changed_file_is_caught(copy):
    site, out = copy
    (out / "feed.xml").write_text("<feed/>", encoding="utf-8")
    rc, report = verify(site, out)
    assert rc == 1 and "feed.xml" in report and "被改动" in report


def test_symlink_in_the_site_is_caught(copy):
    site, out = copy
    os.symlink(site.root / "records", out / "records")
    rc, report = verify(site, out)
    assert rc == 1 and "records" in report and "符号链接" in report


def test_copy_of_a_secret_attachment_is_caught(copy):
    site, out = copy
    target = out / "zcwj-extra.pdf"
    target.write_bytes(SECRET_PDF)
    rc, report = verify(site, out)
    assert rc == 1 and "与不公开的文件内容相同" in report and MARKERS["byg_attachment_file"] in report


def test_gk5xx_pattern_in_a_page_is_caught(copy):
    site, out = copy
    inject(out, "gzdt/public/index.html", "<p>联系人身份证号 11010519491231002X</p>")
    rc, report = verify(site, out)
    assert rc == 1 and "GK501" in report and "11010519491231002X" not in report  # masked in the report


def test_site_without_manifest_is_not_trusted(copy):
    site, out = copy
    (out / "gkpublish-manifest.json").unlink()
    rc, report = verify(site, out)
    assert rc == 1 and "缺少构建清单" in report


# -- the build itself refuses ---------------------------------------------------------------

def test_public_link_to_a_non_public_attachment_fails_the_gate_before_the_build(tmp_path):
    # one pipeline (issue #8): the check reports what the build would refuse, before sign-off
    site = trap_site(tmp_path / "repo")
    name = MARKERS["byg_attachment_file"]
    site.item("gzdt/linker.md", f"详见[附件]({'../tzgg/' + name}.pdf)。\n", title="链接不公开附件的条目",
              index_no="SAMPLE001/2026-00009", published="2026-11-03", drafter="zhang-jb")
    (f,) = [f for f in site.check().of("GK109") if "不公开的文件" in f.message]
    assert f.path == f"content/tzgg/{name}.pdf" and "content/gzdt/linker.md" in f.message
    site.sign_all()
    # one pipeline: the gate itself reports it (GK107), before the reviewers sign
    assert any(f.path == "content/gzdt/linker.md" and name in f.message for f in site.check().of("GK107"))
    out = tmp_path / "out"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 1 and "GK109" in stdout and "门禁未通过" in stderr
    assert not out.exists() and not list(tmp_path.glob(".gkpublish-build-*"))


def test_symlink_out_of_content_fails_the_gate(tmp_path):
    site = trap_site(tmp_path / "repo")
    os.symlink(site.root / "records" / "2026" / "applications.yml", site.root / "content" / "gzdt" / "register.txt")
    site.item("gzdt/linker.md", "详见[登记簿](register.txt)。\n", title="链接符号链接的条目",
              index_no="SAMPLE001/2026-00009", published="2026-11-03", drafter="zhang-jb")
    site.sign_all()
    rc, stdout, _ = build_into(site, tmp_path / "out")
    assert rc == 1 and "GK107" in stdout and not (tmp_path / "out").exists()


def test_failed_verification_keeps_the_previous_site(trapped, tmp_path):
    site, _ = trapped
    out = tmp_path / "out"
    assert build_into(site, out)[0] == 0
    before = sorted(p.name for p in out.iterdir())
    name = MARKERS["byg_attachment_file"]
    site.item("gzdt/linker.md", f"详见[附件]({'../tzgg/' + name}.pdf)。\n", title="链接不公开附件的条目",
              index_no="SAMPLE001/2026-00009", published="2026-11-03", drafter="zhang-jb")
    site.sign_all()
    try:
        assert build_into(site, out)[0] == 1
        assert sorted(p.name for p in out.iterdir()) == before
    finally:
        (site.root / "content" / "gzdt" / "linker.md").unlink()
        shutil.rmtree(site.root / "approvals" / "gzdt" / "linker", ignore_errors=True)


def test_sign_off_record_in_a_page_is_caught(copy):
    site, out = copy
    record = next((site.root / "approvals").rglob("*.json"))
    line = json.loads(record.read_text("utf-8"))["signature"].splitlines()[1]
    inject(out, "index.html", f"<pre>{line}</pre>")
    rc, report = verify(site, out)
    assert rc == 1 and "签名" in report


def test_link_naming_an_unpublished_item_is_caught(copy):
    """A link's address (ASCII, in href) can name an unpublished item: the gate reports it
    (GK107) and the public view unlinks it; verify-site must still catch it in a page."""
    site, out = copy
    inject(out, "gzdt/public/index.html", '<a href="../../tzgg/LEAKFILENAMEMARKERYSQ2026/">见此</a>')
    rc, report = verify(site, out)
    assert rc == 1 and "content/tzgg/LEAKFILENAMEMARKERYSQ2026.md" in report, report


# -- the chunk cache: chrome read once must not hide anything -------------------------------

@pytest.fixture(scope="module")
def warm(trapped):
    """A Verifier of the trap site that has already read every built page (its chunk cache
    holds the site's whole chrome), and a clean page to tamper with."""
    from gkpublish.site.verify import Verifier
    from tests.test_site_pipeline import loaded

    site, out = trapped
    verifier = Verifier(*loaded(site))
    for page in sorted(out.rglob("*.html")):
        assert verifier.content_leaks(str(page.relative_to(out)), page.read_bytes()) == []
    assert len(verifier._clean_chunks) > 20
    return verifier, (out / "gzdt" / "public" / "index.html").read_text("utf-8")


SECRET = MARKERS["block"]


@pytest.mark.parametrize("where, tamper", [
    ("text right after a known chrome chunk", lambda p: p.replace("</nav>", "</nav>" + SECRET, 1)),
    ("text joined to a known chunk by inline markup",
     lambda p: p.replace("</header>", f"</header><span>{SECRET[:6]}</span><em>{SECRET[6:]}</em>", 1)),
    ("a comment that contains a block closing tag",
     lambda p: p.replace("</footer>", f"</footer><!-- </div> {SECRET} </div> -->", 1)),
    ("a script that contains a block closing tag",
     lambda p: p.replace("</body>", f"<script>var x = '</div>{SECRET}</div>';</script></body>", 1)),
    ("an attribute added to a known chrome element", lambda p: p.replace("<nav ", f'<nav title="{SECRET}" ', 1)),
    ("inside a known chunk, one character changed", lambda p: p.replace("</nav>", f"<p>{SECRET}</p></nav>", 1)),
])
def test_chunk_cache_does_not_hide_a_secret(warm, where, tamper):
    verifier, clean = warm
    page = tamper(clean)
    assert page != clean, where
    leaks = verifier.content_leaks("gzdt/public/index.html", page.encode("utf-8"))
    assert any("content/tzgg/partial.md" in leak.reason for leak in leaks), (where, leaks)


def test_a_page_with_findings_is_not_cached_so_each_copy_is_reported(warm):
    verifier, clean = warm
    page = clean.replace("</nav>", f"</nav><p>{SECRET}</p>", 1).encode("utf-8")
    assert verifier.content_leaks("a/index.html", page) and verifier.content_leaks("b/index.html", page)


# -- the public view unlinks an unpublished item however the link is written -------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402 - this section only
from hypothesis import strategies as st  # noqa: E402

SECRET_SLUG = "neibu-tongbao-2026"


def _link_forms() -> st.SearchStrategy[str]:
    """Markdown or HTML links to content/gzdt/<SECRET_SLUG>.md, written as an editor might."""
    site = st.sampled_from(["https://example.gov.cn", "HTTPS://EXAMPLE.GOV.CN", "//example.gov.cn",
                            "&#104;ttps://example.gov.cn", "https:\\\\example.gov.cn"])
    page = st.sampled_from([f"/gzdt/{SECRET_SLUG}/", f"/gzdt/{SECRET_SLUG}/index.html", f"/gzdt/{SECRET_SLUG}"])
    absolute = st.builds(lambda s, p: s + p, site, page)
    relative = st.sampled_from([f"{SECRET_SLUG}.md", f"./{SECRET_SLUG}.md", f"../gzdt/{SECRET_SLUG}.md",
                                f"{SECRET_SLUG}&#46;md", f"{SECRET_SLUG}%2Emd"])
    target = st.one_of(absolute, relative)
    return st.builds(lambda t, html: f'<a href="{t}">通报</a>' if html else f"[通报]({t})", target, st.booleans())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(link=_link_forms())
def test_the_public_view_unlinks_an_unpublished_item_however_the_link_is_written(site, link):
    """Even with the gate bypassed (``gkpublish serve``), no link in a public body keeps the
    address of an item that is not published: relative, entity- or percent-encoded, or an
    absolute URL of the site itself."""
    from gkpublish.public import public_view

    site.item(f"gzdt/{SECRET_SLUG}.md", "内部通报正文。\n", title="内部通报", attribute="依申请公开",
              index_no="SAMPLE001/2026-00008")
    site.item("gzdt/linker.md", f"详见{link}。\n", title="链接条目", index_no="SAMPLE001/2026-00009")
    view = public_view(site.load(), [])  # no findings: the gate is not consulted
    (body,) = [p.body for p in view.items if p.source_path == "content/gzdt/linker.md"]
    assert SECRET_SLUG not in body, (link, body)


# -- the search index: generated secrets, one build ---------------------------------------

SECRET_TEXT = st.text(alphabet="政府信息公开密件甲乙丙丁〔〕2026号ab", min_size=8, max_size=24)


def test_generated_secrets_of_unpublished_items_and_blocks_never_reach_the_decoded_index(tmp_path):
    """For a batch of generated secret texts (few characters: they share grams with the
    public text), each put as the body of a 依申请公开 item, the title of a 不予公开 one and a
    non-public block of a 部分公开 one of one site: after the build, no secret is in the
    search index read back completely (gkindex.decode_texts), nor found by a query, while
    every public part is."""
    from gkpublish.site.gkindex import Reader, decode_texts, query

    secrets: list[str] = []

    @settings(max_examples=12, deadline=None, database=None)
    @given(SECRET_TEXT)
    def collect(text):
        secrets.append("泄露" + text + "标记")

    collect()
    site = Site(tmp_path / "repo")
    add_site_files(site)
    for n, secret in enumerate(secrets):
        site.item(f"tzgg/p{n}.md", f"公开的开头{n}号。\n\n::: 不公开 理由=\"个人隐私（条例第十五条）\"\n{secret}\n:::\n\n公开的结尾。\n",
                  title=f"公开条目第{n}号", column="tzgg", attribute="部分公开", index_no=f"SAMPLE001/2026-{n + 100:05d}",
                  published="2026-11-13", drafter="zhang-jb")
        site.item(f"tzgg/y{n}.md", f"{secret}\n", title=f"依申请条目第{n}号", column="tzgg", attribute="依申请公开",
                  index_no=f"SAMPLE001/2026-{n + 200:05d}", published="2026-11-06", review_date="2027-06-30",
                  drafter="zhang-jb", reviewers={"科室负责人": "li-kz"})
        site.item(f"tzgg/b{n}.md", "不予公开的正文。\n", title=secret, column="tzgg", attribute="不予公开",
                  index_no=f"SAMPLE001/2026-{n + 300:05d}", published="2026-11-07",
                  reason={"ground": "内部事务信息", "basis": "条例第十六条"}, review_date="2027-06-30", drafter="zhang-jb")
    site.sign_all()
    out = tmp_path / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    decoded = "\n".join(decode_texts(str(out / "search" / "index")).values())
    reader = Reader(str(out / "search" / "index"))
    for n, secret in enumerate(secrets):
        assert f"公开的开头{n}号" in decoded  # the public parts are indexed …
        assert secret.lower() not in decoded and query(reader, secret) == [], secret  # … the secrets are not
