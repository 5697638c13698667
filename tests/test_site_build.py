"""The public site: gkpublish build, the plugin, item pages, columns, 目录, 指南, chrome, feed.

One small signed fixture repository (a handful of items) is built once per module; each
test reads the built files. Helpers here (``demo_like_site``, ``build_into``) are used by
the other site tests too.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import DOCX, PDF, PROJECT, Site

SEED_TITLE = "重庆市江北区人民政府办公室关于印发政府信息公开有关制度的通知"
SEED_DOC_NO = "江北府办发〔2022〕37号"


def add_site_files(site: Site) -> None:
    """mkdocs.yml and the empty docs_dir, as in a real site repository."""
    shutil.copy(PROJECT / "mkdocs.yml", site.root / "mkdocs.yml")
    (site.root / "site_pages").mkdir(exist_ok=True)


def demo_like_site(root: Path) -> Site:
    """The seed 公文 with an attachment, a reprint, an abolished 规范性文件, a corrected notice
    and a 部分公开 item; signed."""
    site = Site(root)
    add_site_files(site)
    site.write("content/zcwj/37-fujian.pdf", PDF)
    site.item("zcwj/2022-37.md",
              "各镇人民政府、街道办事处，区政府各部门，有关单位：\n\n"
              "根据《中华人民共和国政府信息公开条例》要求，为建立健全我区政府信息公开制度，现将三项制度印发给你们，请遵照执行。\n\n"
              "附件：[三项制度](37-fujian.pdf)\n\n（此件公开发布）\n",
              title=SEED_TITLE, column="zcwj", doc_no=SEED_DOC_NO, index_no="SAMPLE001/2022-00001",
              written="2022-06-15", published="2022-06-22", validity="有效", topic="综合政务/政务公开",
              summary="区政府办公室印发政府信息公开属性源头认定、公开审核、网站和政务新媒体信息发布三项制度。",
              attachments=[{"file": "37-fujian.pdf", "title": "附件：三项制度（PDF）"}], drafter="zhang-jb")
    site.item("zcwj/2021-9.md", "本文件已废止。\n\n（此件公开发布）\n",
              title="重庆市江北区人民政府办公室关于印发示例管理办法的通知", column="zcwj",
              doc_no="江北府办发〔2021〕9号", index_no="SAMPLE001/2021-00009", written="2021-03-01",
              published="2021-03-05", validity="废止",
              abolished={"date": "2026-06-30", "basis": "《关于废止部分规范性文件的决定》（江北府发〔2026〕9号）"},
              summary="印发示例管理办法（已废止）。", drafter="zhang-jb")
    site.item("gzdt/reprint.md", "国务院办公厅印发政府网站发布工作要点。\n",
              title="【转载】政府网站信息发布工作要点", index_no="SAMPLE001/2026-00002", published="2026-11-16",
              source={"type": "转载", "转载来源": {"organ": "中国政府网", "url": "https://www.gov.cn/zhengce/example.htm",
                                                 "date": "2026-11-15"}},
              summary="转载中国政府网政府网站信息发布工作要点。", drafter="zhang-jb")
    site.item("tzgg/training.md", "定于11月下旬举办政务公开业务培训。\n",
              title="关于举办政务公开业务培训的通知", column="tzgg", index_no="SAMPLE001/2026-00003",
              published="2026-11-10", corrections=[{"date": "2026-11-12", "note": "更正培训地点为区政府三楼会议室"}],
              summary="举办2026年度政务公开业务培训。", drafter="zhang-jb")
    site.item("tzgg/letters.md",
              "2026年10月共收到来信12件，均已办结。\n\n"
              "::: 不公开 理由=\"个人隐私（条例第十五条）\"\n来信人名单：部分公开隐藏标记甲乙丙丁戊己庚辛\n:::\n",
              title="2026年10月公开信箱来信办理情况公示", column="tzgg", attribute="部分公开",
              index_no="SAMPLE001/2026-00004", published="2026-11-05",
              summary="公示10月公开信箱来信数量和办理结果。", drafter="zhang-jb")
    site.sign_all()
    return site


def build_into(site: Site, out: Path, *args: str) -> tuple[int, str, str]:
    return site.cli("build", "--out", str(out), "--as-of", "2026-11-23", *args)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Site, Path]:
    root = tmp_path_factory.mktemp("demo") / "repo"
    site = demo_like_site(root)
    out = root.parent / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    return site, out


def page(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


def nav_of(html: str) -> str:
    """The primary navigation sidebar of a page."""
    return html[html.index("md-sidebar--primary"):html.index('class="md-content"')]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- build and plugin ----------------------------------------------------------------------

def test_repository_mkdocs_yml_is_the_default_config():
    from gkpublish.site.build import DEFAULT_CONFIG

    assert (PROJECT / "mkdocs.yml").read_text(encoding="utf-8") == DEFAULT_CONFIG
    assert "material/search" not in DEFAULT_CONFIG and "- search" not in DEFAULT_CONFIG


def test_build_reports_where_the_site_is(built):
    site, out = built
    assert (out / "index.html").is_file() and (out / "gkpublish-manifest.json").is_file()
    assert not list(out.parent.glob(".gkpublish-build-*"))  # no temp dir left behind


def test_only_generated_pages_and_theme_assets(built):
    _, out = built
    manifest = json.loads((out / "gkpublish-manifest.json").read_text(encoding="utf-8"))["files"]
    kinds = {v["kind"] for v in manifest.values()}
    assert kinds <= {"page", "theme", "attachment", "form", "feed", "search", "mkdocs"}
    assert not any(p.endswith(".md") for p in manifest)  # nothing copied from content/
    assert not any("lunr" in p or "workers/search" in p for p in manifest)  # Material search is off
    assert "zcwj/37-fujian.pdf" in manifest and manifest["zcwj/37-fujian.pdf"]["kind"] == "attachment"


def test_item_page_metadata_table(built):
    _, out = built
    html = page(out, "zcwj/2022-37")
    table = re.search(r'<dl class="gk-meta" data-pagefind-ignore[^>]*>.*?</dl>', html, re.S).group(0)
    cells = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", table))
    assert cells == {"索引号": "SAMPLE001/2022-00001", "主题分类": "综合政务/政务公开",
                     "发布机构": "重庆市江北区人民政府办公室", "主办科室": cells["主办科室"], "成文日期": "2022-06-15",
                     "文号": SEED_DOC_NO, "发布日期": "2022-06-22", "有效性": "有效", "公开方式": "主动公开",
                     "公开范围": "面向社会"}
    assert f'<h1 class="gk-title">{SEED_TITLE}</h1>' in html
    assert "data-pagefind-body" in html and "（此件公开发布）" in html


def test_reprint_shows_its_source(built):
    _, out = built
    html = page(out, "gzdt/reprint")
    row = re.search(r"<dt>来源</dt><dd>(.*?)</dd>", html).group(1)
    assert "中国政府网" in row and 'href="https://www.gov.cn/zhengce/example.htm"' in row and "2026-11-15" in row


def test_attachment_is_a_download_of_the_same_bytes(built):
    site, out = built
    html = page(out, "zcwj/2022-37")
    assert '<a href="../37-fujian.pdf" download>附件：三项制度（PDF）</a>' in html
    assert (out / "zcwj" / "37-fujian.pdf").read_bytes() == PDF


def test_correction_and_abolition_notices(built):
    _, out = built
    assert "更正/修订说明" in page(out, "tzgg/training") and "更正培训地点为区政府三楼会议室" in page(out, "tzgg/training")
    abolished = page(out, "zcwj/2021-9")
    assert "本文件已于 2026-06-30 废止" in abolished and "江北府发〔2026〕9号" in abolished


def test_non_public_block_is_removed(built):
    _, out = built
    html = page(out, "tzgg/letters")
    assert "2026年10月共收到来信12件" in html and "部分公开隐藏标记" not in html and ":::" not in html


def test_items_are_not_in_the_navigation(built):
    _, out = built
    nav = nav_of(page(out, "zcwj/2022-37"))
    assert "政府信息公开目录" in nav and "政策文件" in nav
    assert SEED_TITLE not in nav and "政务公开业务培训" not in nav


def test_column_pages_newest_first(built):
    _, out = built
    html = page(out, "columns/tzgg")
    assert html.index("关于举办政务公开业务培训的通知") < html.index("2026年10月公开信箱来信办理情况公示")
    assert "共 2 条信息" in html


def test_abolished_page_lists_date_and_basis(built):
    _, out = built
    html = page(out, "abolished")
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert "示例管理办法" in row and "江北府办发〔2021〕9号" in row and "2026-06-30" in row and "江北府发〔2026〕9号" in row
    assert SEED_TITLE not in row
    # under 履职依据: next to the document column in the navigation
    nav = nav_of(html)
    assert nav.index("政策文件") < nav.index("已废止的规范性文件") < nav.index("通知公告")


def test_catalog_has_index_name_summary_and_date(built):
    _, out = built
    html = page(out, "catalog")
    assert re.search(r"<th[^>]*>索引号</th><th[^>]*>名称</th><th[^>]*>内容概述</th><th[^>]*>生成日期</th>", html)
    row = re.search(r"<tr><td[^>]*>SAMPLE001/2022-00001</td>(.*?)</tr>", html).group(1)
    assert SEED_TITLE in row and "三项制度" in row and "2022-06-15" in row  # 生成日期 = 成文日期
    assert "共 5 条" in html


def test_guide_page_from_guide_yml(built):
    site, out = built
    html = page(out, "guide")
    text = text_of(html)
    assert "政府信息公开指南（2026年）" in text
    for part in ("信息分类与编排", "获取方式", "政府信息公开工作机构", "重庆市江北区示例路1号", "工作日 9:00—12:00",
                 "023-67000000", "023-67000001", "https://example.gov.cn/"):
        assert part in text, part
    for column in ("政策文件", "通知公告", "工作动态"):  # 分类与编排 = the columns
        assert column in text
    link = re.search(r'href="([^"]+\.docx)" download', html).group(1)
    form = out / "guide" / unquote(link)
    with zipfile.ZipFile(form) as z:
        document = z.read("word/document.xml").decode("utf-8")
    assert "政府信息公开申请表" in document and "所需政府信息的名称" in document and "申请人签名或者盖章" in document


def test_guide_form_from_the_repository_is_shipped(tmp_path):
    site = demo_like_site(tmp_path / "repo")
    site.write("content/zcwj/申请表.docx", DOCX)
    guide = site.config_data("guide.yml")
    guide["application_form"] = "content/zcwj/申请表.docx"
    site.config("guide.yml", guide)
    site.sign_all()
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc == 0, stdout + stderr
    assert 'href="../zcwj/%E7%94%B3%E8%AF%B7%E8%A1%A8.docx" download' in page(tmp_path / "out", "guide")
    assert (tmp_path / "out" / "zcwj" / "申请表.docx").read_bytes() == DOCX


def test_footer_from_public_site_keys_only(tmp_path):
    site = demo_like_site(tmp_path / "repo")
    data = site.config_data("site.yml")
    data["internal_note"] = "站点配置内部备注不得公开的标记文字"
    site.config("site.yml", data)
    site.sign_all()
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc == 0, stdout + stderr
    html = page(tmp_path / "out", "")
    footer = re.search(r'<div class="md-copyright gk-footer">.*?</div>', html, re.S).group(0)
    for text in ("主办单位：重庆市江北区人民政府办公室（示例）", "网站标识码：5001050000",
                 '<a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener">渝ICP备00000000号-1（示例）</a>',
                 '<a href="https://www.beian.gov.cn/" target="_blank" rel="noopener">渝公网安备 50010502000000号（示例）</a>',
                 "联系方式：区政府办公室政务公开科（示例）"):
        assert text in footer, text
    assert not any("站点配置内部备注" in p.read_text("utf-8", "ignore") for p in (tmp_path / "out").rglob("*") if p.is_file())


def test_home_lists_latest_items_per_column(built):
    _, out = built
    html = page(out, "")
    cards = re.findall(r'<section class="gk-card">(.*?)</section>', html, re.S)
    assert len(cards) == 3  # 政策文件, 通知公告, 工作动态
    assert any("政策文件" in c and SEED_TITLE in c for c in cards)
    assert 'action="search/"' in html  # the home search box


def test_atom_feed_lists_public_items(built):
    _, out = built
    root = ET.fromstring((out / "feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert len(titles) == 5 and titles[0] == "【转载】政府网站信息发布工作要点"
    links = [e.find("a:link", ns).get("href") for e in root.findall("a:entry", ns)]
    assert "https://example.gov.cn/zcwj/2022-37/" in links


def test_sitemap_lists_only_generated_pages(built):
    _, out = built
    locs = re.findall(r"<loc>([^<]+)</loc>", (out / "sitemap.xml").read_text(encoding="utf-8"))
    assert "https://example.gov.cn/zcwj/2022-37/" in locs
    for loc in locs:
        rel = loc.removeprefix("https://example.gov.cn/")
        assert (out / rel / "index.html").is_file(), loc


def test_page_size_does_not_grow_with_the_site(tmp_path):
    """Issue 4: with items in the nav every page carried the whole nav; here the page of one
    item is the same size whether the site has 1 or 40 other items."""
    sizes = []
    for n in (1, 40):
        site = Site(tmp_path / f"r{n}")
        add_site_files(site)
        site.item("gzdt/fixed.md", "固定的正文。\n", title="固定条目", published="2026-11-16", drafter="zhang-jb")
        for i in range(n):
            site.item(f"gzdt/other-{i}.md", f"其他条目正文 {i}。\n", title=f"其他条目标题第{i}号",
                      index_no=f"SAMPLE001/2026-{i + 100:05d}", published="2026-10-01", drafter="zhang-jb")
        site.sign_all()
        rc, stdout, stderr = build_into(site, tmp_path / f"o{n}")
        assert rc == 0, stdout + stderr
        sizes.append(len((tmp_path / f"o{n}" / "gzdt" / "fixed" / "index.html").read_bytes()))
        if n == 40:
            assert (tmp_path / f"o{n}" / "columns" / "gzdt" / "2" / "index.html").is_file()  # 41 items: 3 pages
            assert (tmp_path / f"o{n}" / "columns" / "gzdt" / "3" / "index.html").is_file()
            first = page(tmp_path / f"o{n}", "columns/gzdt")
            assert first.count('class="gk-list__item"') == 20 and 'href="2/"' in first
            assert (tmp_path / f"o{n}" / "catalog" / "3" / "index.html").is_file()
    assert abs(sizes[1] - sizes[0]) < 300, sizes
    assert sizes[0] < 60_000


# -- the gate comes first ----------------------------------------------------------------

def test_build_refuses_when_the_gate_fails(tmp_path):
    site = Site(tmp_path / "repo")
    add_site_files(site)
    site.item("gzdt/a.md")  # not signed: GK301
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc == 1 and "GK301" in stdout and "未生成站点" in stderr
    assert not (tmp_path / "out").exists()


def test_mkdocs_build_refuses_like_gkpublish_build(tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    site = Site(tmp_path / "repo")
    add_site_files(site)
    site.item("gzdt/a.md")
    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    cfg.plugins.on_startup(command="build", dirty=False)
    with pytest.raises(Abort):
        build(cfg)
    assert not (tmp_path / "out" / "index.html").exists()


def test_mkdocs_build_works_through_the_plugin(tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = demo_like_site(tmp_path / "repo")
    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    cfg.plugins["gkpublish"].config.as_of = "2026-11-23"
    cfg.plugins.on_startup(command="build", dirty=False)
    build(cfg)
    assert (tmp_path / "out" / "zcwj" / "2022-37" / "index.html").is_file()
    assert (tmp_path / "out" / "search" / "index" / "manifest.json").is_file()  # the search index
    rc, stdout, stderr = site.cli("verify-site", str(tmp_path / "out"), "--as-of", "2026-11-23")
    assert rc == 0, stdout + stderr  # manifest written, the streamed checks agree with a full one


def test_build_refuses_an_output_folder_that_is_not_a_site(tmp_path):
    site = demo_like_site(tmp_path / "repo")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me", encoding="utf-8")
    rc, _, stderr = build_into(site, precious)
    assert rc == 2 and "不会覆盖" in stderr and (precious / "notes.txt").is_file()
    rc, _, stderr = build_into(site, site.root)
    assert rc == 2 and "不能是站点仓库本身" in stderr


def test_rebuild_replaces_the_previous_site(built, tmp_path):
    site, _ = built
    out = tmp_path / "out"
    assert build_into(site, out)[0] == 0
    (out / "stale.html").write_text("old", encoding="utf-8")
    assert build_into(site, out)[0] == 0
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
