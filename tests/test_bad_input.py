"""Bad input (issue item 7): every malformed file gives a finding, or exit 2 with one clear
Chinese line naming the file, the line and the fix; never a traceback."""

from __future__ import annotations

import os

import pytest

import gkpublish.loader
from tests.conftest import AS_OF, item_source, line_of


def check_json(site):
    import json

    rc, out, err = site.cli("check", "--format", "json", "--as-of", AS_OF.isoformat())
    assert "Traceback" not in err
    return rc, json.loads(out) if out else None, err


@pytest.fixture
def opened(monkeypatch):
    """Paths the loader opens (to prove what it does not read)."""
    seen: list[str] = []
    real_open = open

    def recording_open(path, *args, **kwargs):
        seen.append(os.path.realpath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(gkpublish.loader, "open", recording_open, raising=False)
    return seen


# -- encodings and line endings -----------------------------------------------------------------

def test_gbk_item_says_gbk_and_how_to_convert(site):
    site.write("content/tzgg/notice.md", item_source(body="关于开展政务公开工作的通知。\n").encode("gb18030"))
    rc, doc, _ = check_json(site)
    (f,) = [f for f in doc["findings"] if f["rule"] == "GK101"]
    assert rc == 1 and f["path"] == "content/tzgg/notice.md" and f["line"] == 2
    assert "GBK" in f["message"] and "iconv -f GB18030 -t UTF-8" in f["message"] and "另存为 UTF-8" in f["message"]


def test_utf8_bom_is_accepted(site):
    path = site.write("content/gzdt/bom.md", b"\xef\xbb\xbf" + item_source(atribute="x").encode())
    r = site.check()
    assert not r.ids & {"GK101", "GK102"}
    (f,) = r.of("GK103")  # the unknown key is still found, on the right line
    assert f.line == line_of(path, "atribute:")


def test_crlf_is_accepted_with_correct_line_numbers(site):
    body = "第一段。\r\n\r\n<script>alert(1)</script>\r\n"
    path = site.write("content/gzdt/crlf.md", item_source(body=body, atribute="x").replace("\n", "\r\n").encode())
    r = site.check()
    assert not r.ids & {"GK101", "GK102"}
    assert r.of("GK103")[0].line == line_of(path, "atribute:")
    assert r.of("GK108")[0].line == line_of(path, "<script>")


def test_binary_file_with_nul_bytes_is_gk101(site):
    site.write("content/gzdt/word.md", b"PK\x03\x04\x14\x00\x06\x00word/document.xml")
    (f,) = site.check().of("GK101")
    assert "NUL" in f.message and "附件" in f.message


def test_50_mb_file_is_refused_without_reading_it(site, opened):
    big = site.root / "content" / "gzdt" / "export.md"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: cheap to create, huge to read
    site.item("gzdt/ok.md")
    r = site.check()
    (f,) = r.of("GK101")
    assert f.path == "content/gzdt/export.md" and "50.0 MB" in f.message and "附件" in f.message
    assert os.path.realpath(big) not in opened and os.path.realpath(site.root / "content/gzdt/ok.md") in opened


# -- front matter -------------------------------------------------------------------------------

def test_broken_yaml_is_gk102_on_the_right_line(site):
    text = item_source().replace("column: gzdt\n", 'column: "gzdt\n')  # the quote is never closed
    path = site.write("content/gzdt/quote.md", text)
    (f,) = site.check().of("GK102")
    assert f.line == line_of(path, 'column: "gzdt') and "引号没有闭合" in f.message


def test_missing_space_after_colon_is_gk102_on_its_line(site):
    path = site.write("content/gzdt/colon.md", "---\ntitle: 会议\nsummary:会议\n  部署工作\nattribute: 主动公开\n---\n")
    (f,) = site.check().of("GK102")
    assert f.line == line_of(path, "summary:会议") and "冒号后" in f.message


def test_tab_indentation_is_gk102(site):
    site.write("content/gzdt/tab.md", "---\ntitle: 会议\nsource:\n\ttype: 原创\n---\n")
    (f,) = site.check().of("GK102")
    assert f.line == 4 and "Tab" in f.message


@pytest.mark.parametrize("front_matter, kind", [("- title: 会议\n- attribute: 主动公开\n", "列表"),
                                                ("会议纪要\n", "单个值")])
def test_front_matter_that_is_a_list_or_a_scalar_is_gk102(site, front_matter, kind):
    site.write("content/gzdt/shape.md", f"---\n{front_matter}---\n正文。\n")
    (f,) = site.check().of("GK102")
    assert kind in f.message and "键: 值" in f.message


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_is_gk102(site, data):
    site.write("content/gzdt/empty.md", data)
    (f,) = site.check().of("GK102")
    assert "文件为空" in f.message and "gkpublish new" in f.message


def test_unknown_key_is_gk103_naming_it_and_suggesting_the_right_one(site):
    path = site.item("gzdt/typo.md", pubished="2026-11-02")
    (f,) = site.check().of("GK103")
    assert "pubished" in f.message and "published" in f.message and f.line == line_of(path, "pubished:")


def test_duplicate_top_level_key_is_gk102(site):
    text = item_source().replace("attribute: 主动公开\n", "attribute: 主动公开\nattribute: 不予公开\n")
    path = site.write("content/gzdt/dup.md", text)
    (f,) = site.check().of("GK102")
    assert "attribute" in f.message and f.line == line_of(path, "attribute: 不予公开")


def test_duplicate_nested_key_is_gk102(site):
    text = item_source().replace("  type: 原创\n", "  type: 原创\n  type: 转载\n")
    path = site.write("content/gzdt/dup.md", text)
    (f,) = site.check().of("GK102")
    assert "type" in f.message and f.line == line_of(path, "type: 转载")


def test_yaml_aliases_are_refused_not_expanded(site):
    # "billion laughs": nine levels of ten aliases would expand to 10^9 values
    fm = "title: x\na0: &a0 [q, q, q, q, q, q, q, q, q, q]\n"
    fm += "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
    site.write("content/gzdt/lol.md", f"---\n{fm}---\n")
    (f,) = site.check().of("GK102")
    assert "别名" in f.message


# -- files that are not what they seem -----------------------------------------------------------

def test_symlink_out_of_content_is_gk107_and_its_target_is_never_read(site, tmp_path, opened):
    secret = tmp_path / "home" / "draft.md"
    secret.parent.mkdir()
    secret.write_text(item_source(body="内部讨论稿：绝不可公开的句子。\n"), encoding="utf-8")
    (site.root / "content" / "gzdt").mkdir(parents=True)
    os.symlink(secret, site.root / "content" / "gzdt" / "draft.md")
    repo = site.load()
    (f,) = [f for f in repo.load_findings if f.rule == "GK107"]
    assert f.path == "content/gzdt/draft.md" and "content/ 之外" in f.message
    assert not repo.items and os.path.realpath(secret) not in opened
    rc, doc, _ = check_json(site)
    assert rc == 1 and "绝不可公开" not in str(doc)
    assert any(x["rule"] == "GK107" and x["path"] == "content/gzdt/draft.md" for x in doc["findings"])


def test_fifo_named_like_an_item_is_gk101_not_a_hang(site):
    (site.root / "content" / "gzdt").mkdir(parents=True)
    os.mkfifo(site.root / "content" / "gzdt" / "pipe.md")
    (f,) = site.check().of("GK101")
    assert "普通文件" in f.message


# -- site_config/ ----------------------------------------------------------------------------

def test_missing_site_config_file_is_exit_2_naming_it(site):
    (site.root / "site_config" / "columns.yml").unlink()
    site.item("gzdt/a.md")
    rc, out, err = site.cli("check")
    assert rc == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "site_config/columns.yml" in err and "缺少" in err


def test_broken_yaml_in_site_config_is_exit_2_naming_file_and_line(site):
    site.write("site_config/columns.yml", "columns:\n  - id: gzdt\n    name: 工作动态\n   review: 网站发布\n")
    site.item("gzdt/a.md")
    rc, _, err = site.cli("check")
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "site_config/columns.yml:4:" in err and "YAML" in err
