"""Files under content/ and attachments as content (issue #8, classes 2 and 3).

Class 2: anything under content/ that is not exactly an item or an allowed attachment is
GK109 and never reaches the site. Class 3: the files a public item publishes are read:
their text is scanned for GK501–GK505, and office files that leak revisions, comments,
authors or hidden text are GK506.
"""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from gkpublish.attachments import inspect
from tests.conftest import DOCX, PDF, Site, docx_bytes, item_source, pdf_bytes, xlsx_bytes

ID_NO = "11010519491231002X"  # valid GB 11643 check character
MOBILE = "13800138000"


def linked(site, *files: str, body: str = "", **meta) -> None:
    """A 主动公开 item at content/gzdt/a.md linking each file (relative to content/gzdt/)."""
    links = "".join(f"[附件{n}]({f})\n\n" for n, f in enumerate(files, 1))
    site.item("gzdt/a.md", body + links, **meta)


def gk109_paths(result) -> set[str]:
    return {f.path for f in result.of("GK109")}


# -- class 2: by name ---------------------------------------------------------------------------

def test_upper_case_md_copied_raw_is_gk109(site):
    site.write("content/gzdt/内部通报.MD", "---\ntitle: 内部通报\nattribute: 不予公开\n---\n内部\n")
    linked(site, "内部通报.MD")
    result = site.check()
    (f,) = result.of("GK109")
    assert f.path == "content/gzdt/内部通报.MD" and ".md" in f.message
    assert site.load().attachments == {}  # never an attachment, so never copied


@pytest.mark.parametrize("name", ["说明.markdown", "说明.mdown", "说明.Md", "页面.html", "页面.htm", "图.svg",
                                  "x.js", "x.css", "feed2.xml", "无扩展名", "数据.json", "包.rar", "包.7z"])
def test_file_that_is_neither_item_nor_allowed_type_is_gk109(site, name):
    site.write(f"content/gzdt/{name}", "内容")
    site.item("gzdt/a.md")
    assert gk109_paths(site.check()) == {f"content/gzdt/{name}"}


def test_real_pdf_attachment_passes(site):
    site.write("content/gzdt/附件.pdf", PDF)
    linked(site, "附件.pdf")
    result = site.check()
    assert not result.of("GK109") and not result.of("GK506") and not result.of("GK107")


@pytest.mark.parametrize("path", ["assets/javascripts/bundle.abc.min.js", "assets/images/favicon.png",
                                  "search/docno/0.pdf", "pagefind/pagefind.pdf", "guide/申请表.docx",
                                  "columns/gzdt/x.pdf", "catalog.md", "guide.md", "gzdt/index.md", "index.md",
                                  "404.html", "sitemap.xml", "_site_config.md", "_x/a.md", "gzdt/_草稿.pdf",
                                  ".hidden.pdf", "gzdt/.DS_Store"])
def test_path_the_site_uses_itself_is_gk109(site, path):
    site.write(f"content/{path}", PDF if path.endswith(".pdf") else "内容")
    site.item("gzdt/a.md")
    assert f"content/{path}" in gk109_paths(site.check())


def test_gitkeep_is_ignored(site):
    site.write("content/gzdt/.gitkeep", "")
    site.item("gzdt/a.md")
    assert not site.check().of("GK109")


def test_paths_that_differ_only_in_case_are_gk109(site):
    site.write("content/gzdt/附件a.pdf", PDF)
    site.write("content/gzdt/附件A.pdf", PDF)
    site.write("content/gzdt/附件.PDF", PDF)  # an upper-case extension is refused by itself
    site.item("gzdt/a.md")
    assert gk109_paths(site.check()) == {"content/gzdt/附件a.pdf", "content/gzdt/附件A.pdf", "content/gzdt/附件.PDF"}


def test_item_and_attachment_of_one_address_differ_in_case(site):
    site.item("gzdt/Notice.md")
    site.item("gzdt/notice.md", index_no="SAMPLE001/2026-00002")
    assert gk109_paths(site.check()) == {"content/gzdt/Notice.md", "content/gzdt/notice.md"}


# -- class 2: by content --------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "words"), [
    ("附件.pdf", b"<html><script>alert(1)</script></html>", "网页"),
    ("图.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "网页"),
    ("表.docx", b"not a zip at all", "不符"),
    ("表.xlsx", PDF, "PDF"),
    ("说明.txt", "---\ntitle: 内部\nreviewers: {科室负责人: li-kz}\n---\n正文\n".encode(), "前置元数据"),
    ("说明.txt", b"<script>alert(1)</script>", "<script>"),
    ("数据.csv", b"a,b\n<SCRIPT src=x></SCRIPT>\n", "<script>"),
])
def test_content_not_matching_its_extension_is_gk109(site, name, data, words):
    site.write(f"content/gzdt/{name}", data)
    linked(site, name)
    (f,) = site.check().of("GK109")
    assert f.path == f"content/gzdt/{name}" and words in f.message and "content/gzdt/a.md" in f.message


def test_mismatched_content_of_an_unpublished_item_is_not_read(site, monkeypatch):
    site.write("content/gzdt/附件.pdf", b"<html>")
    linked(site, "附件.pdf", attribute="依申请公开", reason={"ground": "过程信息", "basis": "条例第十六条"})
    read = []
    real = inspect
    monkeypatch.setattr("gkpublish.attachments.inspect", lambda name, data: read.append(name) or real(name, data))
    assert "content/gzdt/附件.pdf" not in gk109_paths(site.check()) and read == []


def test_unreadable_attachment_is_a_finding_not_a_traceback(site):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt("secret-password", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    site.write("content/gzdt/加密.pdf", buf.getvalue())
    site.write("content/gzdt/坏.docx", b"PK\x03\x04" + os.urandom(200))
    site.write("content/gzdt/坏.pdf", b"%PDF-1.7\n" + os.urandom(300))
    linked(site, "加密.pdf", "坏.docx", "坏.pdf")
    found = {f.path: f.message for f in site.check().of("GK109")}
    assert set(found) == {"content/gzdt/加密.pdf", "content/gzdt/坏.docx", "content/gzdt/坏.pdf"}
    assert "加密" in found["content/gzdt/加密.pdf"] and all("无法读取" in m for m in found.values())


def test_symlink_to_an_unpublished_items_attachment_is_reported_by_the_check(site):
    # one pipeline: the check reports it, not only the build's verify-site
    site.write("content/tzgg/名单.pdf", pdf_bytes("internal list"))
    site.item("tzgg/withheld.md", "不予公开。\n", column="tzgg", attribute="不予公开", index_no="SAMPLE001/2026-00002",
              reason={"ground": "内部事务信息", "basis": "条例第十六条"}, attachments=[{"file": "名单.pdf", "title": "名单"}])
    linked(site, "附件.pdf")
    os.symlink("../tzgg/名单.pdf", site.root / "content" / "gzdt" / "附件.pdf")
    (f,) = site.check().of("GK109")
    assert f.path == "content/gzdt/附件.pdf" and "content/tzgg/名单.pdf" in f.message


def test_attachment_with_the_bytes_of_an_item_file_is_gk109(site):
    site.item("gzdt/b.md", index_no="SAMPLE001/2026-00002", attribute="依申请公开",
              reason={"ground": "过程信息", "basis": "条例第十六条"})
    os.symlink("b.md", site.root / "content" / "gzdt" / "c.txt")
    linked(site, "c.txt")
    messages = [f.message for f in site.check().of("GK109") if f.path == "content/gzdt/c.txt"]
    assert any("条目文件 content/gzdt/b.md" in m for m in messages)


# -- configuration ----------------------------------------------------------------------------------

def test_allowed_types_narrowed_in_site_yml(site):
    data = site.config_data("site.yml")
    data["attachments"] = {"allowed": ["pdf"]}
    site.config("site.yml", data)
    site.write("content/gzdt/表.docx", DOCX)
    site.write("content/gzdt/附件.pdf", PDF)
    site.item("gzdt/a.md")
    assert gk109_paths(site.check()) == {"content/gzdt/表.docx"}


@pytest.mark.parametrize(("setting", "words"), [
    ({"allowed": ["pdf", "html"]}, "html"), ({"allow": ["pdf"]}, "allow"), ({"allowed": "pdf"}, "列表"),
    (["pdf"], "映射"), ({"allowed": [".PDF"]}, ".PDF")])
def test_bad_attachment_setting_is_exit_2(site, setting, words):
    data = site.config_data("site.yml")
    data["attachments"] = setting
    site.config("site.yml", data)
    site.item("gzdt/a.md")
    rc, out, err = site.cli("check")
    assert rc == 2 and "site_config/site.yml" in err and words in err and "Traceback" not in err


# -- class 3: text of attachments under GK501–GK505 ------------------------------------------------

def test_csv_with_id_number_and_mobile_is_gk501_and_gk502_with_its_line(site):
    site.write("content/gzdt/名单.csv", f"姓名,身份证号,手机\n张三,{ID_NO},{MOBILE}\n".encode("gbk"))
    linked(site, "名单.csv")
    result = site.check()
    (id_hit,) = result.of("GK501")
    (mobile_hit,) = result.of("GK502")
    for f in (id_hit, mobile_hit):
        assert f.path == "content/gzdt/名单.csv" and f.line == 2 and "附件（第 2 行）" in f.message
    assert ID_NO not in id_hit.message  # masked in CI logs


def test_docx_xlsx_and_pdf_text_are_scanned(site):
    site.write("content/gzdt/通知.docx", docx_bytes("联系人：张三", f"身份证号：{ID_NO[:9]}", body_xml=(
        f'<w:p><w:r><w:t>继续</w:t></w:r></w:p><w:p><w:r><w:t>手机 {MOBILE[:3]}</w:t></w:r><w:r><w:t>{MOBILE[3:]}</w:t></w:r></w:p>')))
    site.write("content/gzdt/名单.xlsx", xlsx_bytes([["姓名", "手机"], ["李四", 13900139000]]))
    site.write("content/gzdt/名单.pdf", pdf_bytes("page one", f"ID {ID_NO}"))
    linked(site, "通知.docx", "名单.xlsx", "名单.pdf")
    result = site.check()
    mobiles = {f.path: f.message for f in result.of("GK502")}
    assert set(mobiles) == {"content/gzdt/通知.docx", "content/gzdt/名单.xlsx"}
    assert "工作表“名单”B2 单元格" in mobiles["content/gzdt/名单.xlsx"]
    (pdf_id,) = result.of("GK501")
    assert pdf_id.path == "content/gzdt/名单.pdf" and "第 2 页" in pdf_id.message


def test_item_waiver_covers_its_attachment(site):
    site.write("content/gzdt/值班表.csv", f"值班手机,{MOBILE}\n".encode())
    linked(site, "值班表.csv", waivers=[{"rule": "GK502", "value": MOBILE, "reason": "值班手机依指南须公开"}])
    result = site.check()
    assert not result.of("GK502")  # waived, and the waiver is used: no stale-waiver warning


def test_attachment_of_an_unpublished_item_is_not_scanned(site):
    site.write("content/gzdt/名单.csv", f"张三,{ID_NO}\n".encode())
    linked(site, "名单.csv", attribute="依申请公开", reason={"ground": "过程信息", "basis": "条例第十六条"})
    assert not site.check().of("GK501")


def test_attachment_linked_only_from_a_hidden_block_is_not_scanned(site):
    site.write("content/gzdt/名单.csv", f"张三,{ID_NO}\n".encode())
    site.item("gzdt/a.md", "公开部分。\n\n::: 不公开 理由=\"个人隐私（条例第十五条）\"\n[名单](名单.csv)\n:::\n",
              attribute="部分公开")
    assert not site.check().of("GK501")


def test_zip_members_are_attachments_of_their_own(site):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("名单.csv", f"张三,{MOBILE}\n")
    site.write("content/gzdt/材料.zip", buf.getvalue())
    buf2 = io.BytesIO()
    with zipfile.ZipFile(buf2, "w") as zf:
        zf.writestr("index.html", "<script>alert(1)</script>")
    site.write("content/gzdt/网页.zip", buf2.getvalue())
    linked(site, "材料.zip", "网页.zip")
    result = site.check()
    (m,) = result.of("GK502")
    assert m.path == "content/gzdt/材料.zip" and "压缩包中的 名单.csv" in m.message
    assert gk109_paths(result) == {"content/gzdt/网页.zip"}


# -- GK506 ------------------------------------------------------------------------------------------

TRACKED = '<w:p><w:ins w:id="1" w:author="王五"><w:r><w:t>新增</w:t></w:r></w:ins><w:del w:id="2"><w:r><w:delText>原文</w:delText></w:r></w:del></w:p>'
HIDDEN = '<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏的话</w:t></w:r></w:p>'


@pytest.mark.parametrize(("data", "words"), [
    (docx_bytes("正文", body_xml=TRACKED), "修订痕迹"),
    (docx_bytes("正文", comments="这段不宜公开"), "批注"),
    (docx_bytes("正文", creator="张三"), "作者“张三”"),
    (docx_bytes("正文", modified_by="李四"), "最后修改者“李四”"),
    (docx_bytes("正文", company="某某局办公室"), "单位“某某局办公室”"),
    (docx_bytes("正文", body_xml=HIDDEN), "隐藏文字"),
])
def test_docx_that_leaks_is_gk506(site, data, words):
    site.write("content/gzdt/通知.docx", data)
    linked(site, "通知.docx")
    (f,) = site.check().of("GK506")
    assert f.path == "content/gzdt/通知.docx" and words in f.message


@pytest.mark.parametrize(("data", "words"), [
    (pdf_bytes("text", author="Zhang San"), "Author"),
    (pdf_bytes("text", creator="张三"), "Creator"),
    (pdf_bytes("visible", invisible="hidden words"), "不可见文字"),
])
def test_pdf_that_leaks_is_gk506(site, data, words):
    site.write("content/gzdt/通知.pdf", data)
    linked(site, "通知.pdf")
    (f,) = site.check().of("GK506")
    assert f.path == "content/gzdt/通知.pdf" and words in f.message


def test_xlsx_hidden_sheet_is_gk506(site):
    site.write("content/gzdt/表.xlsx", xlsx_bytes([["a"]], hidden_sheet=True))
    linked(site, "表.xlsx")
    (f,) = site.check().of("GK506")
    assert "隐藏工作表“内部”" in f.message


def test_clean_office_files_pass_gk506(site):
    site.write("content/gzdt/通知.docx", docx_bytes("正文", "第二段"))
    site.write("content/gzdt/通知.pdf", pdf_bytes("text", creator="Microsoft Word"))
    site.write("content/gzdt/表.xlsx", xlsx_bytes([["a", 1]]))
    linked(site, "通知.docx", "通知.pdf", "表.xlsx")
    result = site.check()
    assert not result.of("GK506") and not result.of("GK109")


def test_gk506_of_an_unpublished_item_is_not_reported(site):
    site.write("content/gzdt/通知.docx", docx_bytes("正文", creator="张三"))
    linked(site, "通知.docx", attribute="依申请公开", reason={"ground": "过程信息", "basis": "条例第十六条"})
    assert not site.check().of("GK506")


# -- one pipeline: what passes the check builds, what the build would refuse the check reports -----

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_site_with_clean_attachments_passes_the_check_and_builds_with_them(tmp_path):
    from tests.test_site_build import add_site_files, build_into

    site = Site(tmp_path / "repo")
    add_site_files(site)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("说明.txt", "办理流程说明\n")
    files = {"通知.pdf": pdf_bytes("notice"), "通知.docx": docx_bytes("通知正文"), "表.xlsx": xlsx_bytes([["项目", 12]]),
             "数据.csv": "项目,数量\n来信,12\n".encode("gbk"), "照片.png": PNG, "材料.zip": buf.getvalue()}
    for name, data in files.items():
        site.write(f"content/gzdt/{name}", data)
    linked(site, *files, drafter="zhang-jb")
    site.sign_all()
    # no error (the fixture is no git repository: GK602's warning; its other columns are empty: GK604)
    assert [f for f in site.check().findings if f.severity == "error"] == []
    out = tmp_path / "out"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    for name, data in files.items():
        assert (out / "gzdt" / name).read_bytes() == data


@pytest.mark.parametrize(("name", "data"), [("内部通报.MD", "---\ntitle: 内部\n---\n内部\n"),
                                            ("说明.html", "<script>alert(1)</script>"),
                                            ("名单.csv", f"张三,{ID_NO},{MOBILE}\n")])
def test_check_refuses_what_used_to_be_published(site, name, data):
    site.write(f"content/gzdt/{name}", data)
    linked(site, name, drafter="zhang-jb")
    site.sign_all()
    rc, out, err = site.cli("check", "--as-of", "2026-11-23")
    assert rc == 1 and f"content/gzdt/{name}" in out


def test_text_attachment_holding_an_unpublished_items_title_is_reported_by_the_check(site):
    secret_title = "关于某某同志违纪问题的内部通报"
    site.item("tzgg/withheld.md", "内部。\n", title=secret_title, column="tzgg", attribute="不予公开",
              index_no="SAMPLE001/2026-00002", reason={"ground": "内部事务信息", "basis": "条例第十六条"})
    site.write("content/gzdt/说明.txt", f"附：{secret_title}\n".encode())
    linked(site, "说明.txt")
    (f,) = site.check().of("GK109")
    assert f.path == "content/gzdt/说明.txt" and "不公开的内容" in f.message and "verify-site" in f.message


@pytest.mark.parametrize("how", ["symlink", "hardlink", "copy"])
def test_link_or_copy_of_a_file_linked_only_from_a_hidden_block_is_gk109(site, how):
    site.write("content/gzdt/名单.pdf", pdf_bytes("list of applicants"))
    site.item("gzdt/b.md", "公开部分。\n\n::: 不公开 理由=\"个人隐私（条例第十五条）\"\n[名单](名单.pdf)\n:::\n",
              attribute="部分公开", index_no="SAMPLE001/2026-00002")
    source, target = site.root / "content/gzdt/名单.pdf", site.root / "content/gzdt/附件.pdf"
    {"symlink": lambda: os.symlink("名单.pdf", target), "hardlink": lambda: os.link(source, target),
     "copy": lambda: target.write_bytes(source.read_bytes())}[how]()
    linked(site, "附件.pdf")
    (f,) = site.check().of("GK109")
    assert f.path == "content/gzdt/附件.pdf" and "content/gzdt/名单.pdf" in f.message and "不公开部分" in f.message


def test_with_the_gate_bypassed_the_build_still_copies_no_refused_file(tmp_path):
    # defence in depth: build with no findings at all (as if the gate had been walked around)
    from gkpublish.site.build import build_site_dir
    from tests.test_site_build import add_site_files

    site = Site(tmp_path / "repo")
    add_site_files(site)
    refused = {"gzdt/内部通报.MD": "---\ntitle: 内部通报\n---\n内部通报正文泄露标记\n",
               "gzdt/说明.markdown": "# 说明\n未经检查的页面泄露标记\n",
               "gzdt/说明.html": "<script>alert('泄露标记')</script>",
               "gzdt/图.svg": "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
               "assets/javascripts/bundle.js": "alert('替换主题脚本')",
               "assets/stylesheets/extra.pdf": "%PDF-1.4 保留路径",
               "search/docno/0.pdf": "%PDF-1.4 保留路径",
               "gzdt/_draft.pdf": "%PDF-1.4 保留名称",
               "gzdt/index.md": "---\ntitle: 索引\n---\n",
               "gzdt/伪装.pdf": "<html><body>伪装成 PDF 的网页泄露标记</body></html>"}
    for rel, text in refused.items():
        site.write(f"content/{rel}", text)
    links = "".join(f"[f{n}](../{rel})\n\n" for n, rel in enumerate(refused))
    site.write("content/gzdt/linker.md", item_source(links, index_no="SAMPLE001/2026-00099"))
    repo = site.load()
    from gkpublish.rules import run_rules

    findings = run_rules(repo)
    flagged = {f.path for f in findings if f.rule in ("GK109", "GK107")}
    assert {f"content/{rel}" for rel in refused} <= flagged
    out = tmp_path / "out"
    build_site_dir(repo, [], str(out))  # verify-site's own findings are not the point here
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for rel, text in refused.items():
        assert rel not in built, rel
        assert not any(text.encode() in data for data in built.values()), rel


def test_file_name_with_a_newline_is_gk109(site):
    site.write("content/gzdt/a\n::error::x.pdf", PDF)
    site.item("gzdt/a.md")
    (f,) = site.check().of("GK109")
    assert "控制字符" in f.message


def test_office_97_binary_text_is_scanned_best_effort(site):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    site.write("content/gzdt/通知.doc", ole2 + f"联系人手机{MOBILE}。".encode("utf-16-le") + b"\x00" * 64)
    site.write("content/gzdt/名单.xls", ole2 + f"ID {ID_NO};".encode("ascii") + b"\x00" * 64)
    linked(site, "通知.doc", "名单.xls")
    result = site.check()
    assert [f.path for f in result.of("GK502")] == ["content/gzdt/通知.doc"]
    assert [f.path for f in result.of("GK501")] == ["content/gzdt/名单.xls"]


# -- more of what an office file carries ------------------------------------------------------------

def _pdf_with(edit) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("page text"))))
    edit(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _annotate(writer) -> None:
    from pypdf.annotations import Text as Note

    writer.add_annotation(0, Note(rect=(50, 550, 200, 650), text=f"审核意见：联系人手机 {MOBILE}"))


def test_pdf_comment_is_gk506_and_its_text_is_scanned(site):
    site.write("content/gzdt/通知.pdf", _pdf_with(_annotate))
    linked(site, "通知.pdf")
    result = site.check()
    assert "批注" in result.of("GK506")[0].message
    assert "第 1 页批注" in result.of("GK502")[0].message


def _javascript(writer) -> None:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def test_pdf_with_an_embedded_file_is_gk506_and_with_javascript_gk109(site):
    site.write("content/gzdt/内嵌.pdf", _pdf_with(lambda w: w.add_attachment("名单.xlsx", b"PK\x03\x04")))
    site.write("content/gzdt/脚本.pdf", _pdf_with(_javascript))
    linked(site, "内嵌.pdf", "脚本.pdf")
    result = site.check()
    assert [f.path for f in result.of("GK506")] == ["content/gzdt/内嵌.pdf"]
    (js,) = result.of("GK109")
    assert js.path == "content/gzdt/脚本.pdf" and "JavaScript" in js.message


def test_docx_embedded_object_is_gk506_and_other_parts_are_scanned(site):
    import zipfile as zf_mod

    buf = io.BytesIO(docx_bytes("正文"))
    with zf_mod.ZipFile(buf, "a") as zf:
        zf.writestr("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0")
    site.write("content/gzdt/内嵌.docx", buf.getvalue())
    buf2 = io.BytesIO(docx_bytes("正文"))
    with zf_mod.ZipFile(buf2, "a") as zf:
        zf.writestr("word/charts/chart1.xml", f"<c:chartSpace xmlns:c='urn:c'><c:v>联系人 {MOBILE}</c:v></c:chartSpace>")
    site.write("content/gzdt/图表.docx", buf2.getvalue())
    linked(site, "内嵌.docx", "图表.docx")
    result = site.check()
    assert [f.path for f in result.of("GK506")] == ["content/gzdt/内嵌.docx"]
    (m,) = result.of("GK502")
    assert m.path == "content/gzdt/图表.docx" and "word/charts/chart1.xml" in m.message


def test_docx_title_property_with_an_id_number_is_gk501(site):
    import zipfile as zf_mod

    parts = {}
    with zf_mod.ZipFile(io.BytesIO(docx_bytes("正文"))) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["docProps/core.xml"] = parts["docProps/core.xml"].replace(
        b"</cp:coreProperties>", f"<dc:title>张三 {ID_NO}</dc:title></cp:coreProperties>".encode())
    buf = io.BytesIO()
    with zf_mod.ZipFile(buf, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    site.write("content/gzdt/通知.docx", buf.getvalue())
    linked(site, "通知.docx")
    (f,) = site.check().of("GK501")
    assert "文档属性" in f.message


@pytest.mark.parametrize("path", ["Assets/x.png", "SEARCH/x.pdf", "Search.md", "gzdt/INDEX.md", "Feed.xml"])
def test_reserved_paths_in_another_case_are_gk109(site, path):
    site.write(f"content/{path}", PDF)
    site.item("gzdt/a.md")
    assert f"content/{path}" in gk109_paths(site.check())


def test_names_that_differ_only_in_unicode_composition_are_gk109(site):
    site.write("content/gzdt/caf\u00e9.pdf", PDF)
    site.write("content/gzdt/cafe\u0301.pdf", PDF)
    site.item("gzdt/a.md")
    assert len(gk109_paths(site.check())) == 2


def _jpeg_with_exif(*tags: int) -> bytes:
    import struct

    entries = b"".join(struct.pack("<HHII", tag, 2, 1, 0) for tag in tags)
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(tags)) + entries + b"\x00\x00\x00\x00"
    app1 = b"Exif\x00\x00" + tiff
    return b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xda\x00\x02" + b"\x00" * 16 + b"\xff\xd9"


def test_photo_with_gps_or_author_in_exif_is_gk506(site):
    site.write("content/gzdt/现场.jpg", _jpeg_with_exif(0x8825, 0x013B))
    site.write("content/gzdt/会场.jpg", _jpeg_with_exif(0x010F))  # camera make only: passes
    linked(site, "现场.jpg", "会场.jpg")
    (f,) = site.check().of("GK506")
    assert f.path == "content/gzdt/现场.jpg" and "GPS" in f.message and "Artist" in f.message


def test_office_file_with_macros_is_gk109(site):
    buf = io.BytesIO(docx_bytes("正文"))
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    site.write("content/gzdt/宏.docx", buf.getvalue())
    site.write("content/gzdt/宏.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "_VBA_PROJECT".encode("utf-16-le"))
    linked(site, "宏.docx", "宏.doc")
    found = {f.path: f.message for f in site.check().of("GK109")}
    assert set(found) == {"content/gzdt/宏.docx", "content/gzdt/宏.doc"} and all("宏" in m for m in found.values())


def test_top_level_robots_txt_is_gk109(site):
    site.write("content/robots.txt", "User-agent: *\nDisallow: /\n")
    site.item("gzdt/a.md")
    assert gk109_paths(site.check()) == {"content/robots.txt"}
