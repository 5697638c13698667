"""Hypothesis: generated variants of the attachment attacks of issue #8 (classes 2 and 3).

* Personal numbers inside attachments (CSV, TXT, DOCX, XLSX) in any position, with any
  of the separators the detectors read, in UTF-8 or GBK: the gate reports GK501/GK502 on
  the attachment.
* Files under content/ with generated names, extensions (any case), folders and contents:
  each is either a gate error, or it is not among the files the site copies; and what the
  site copies is always an allowed type whose bytes match it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish.attachments import DEFAULT_ALLOWED, inspect
from gkpublish.loader import load_repository
from gkpublish.model import ERROR
from gkpublish.public import public_view
from gkpublish.rules import run_rules
from gkpublish.site.pages import build_site
from tests.conftest import AS_OF, DOCX, PDF, Site, docx_bytes, item_source, xlsx_bytes

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.sampled_from(["110105", "500105", "440301", "320102"]))
    born = draw(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 12, 31)))
    seq = f"{draw(st.integers(0, 999)):03d}"
    first = region + born.strftime("%Y%m%d") + seq
    value = first + _check_char(first)
    if draw(st.booleans()):  # 6-8-4, as printed on forms
        value = f"{value[:6]} {value[6:14]} {value[14:]}"
    return value


@st.composite
def mobiles(draw) -> str:
    digits = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(st.sampled_from("0123456789"),
                                                                            min_size=9, max_size=9)))
    sep = draw(st.sampled_from(["", "", " ", "-"]))
    value = f"{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}"
    return draw(st.sampled_from(["", "", "+86 ", "+86"])) + value


BEFORE = st.sampled_from(["", "手机：", "联系电话 ", "（", "身份证号:", "申请人张三，", "No. "])
AFTER = st.sampled_from(["", "。", "）", " 张三", "；", "\t"])
FILLER = st.text(alphabet="申请人张三李四办理结果已办结同意", min_size=0, max_size=12)


@pytest.fixture(scope="module")
def privacy_site(tmp_path_factory) -> Site:
    site = Site(tmp_path_factory.mktemp("attachments") / "site")
    site.item("gzdt/a.md", "名单见附件：[名单](名单.csv)、[说明](说明.txt)、[通知](通知.docx)、[表](表.xlsx)\n")
    return site


def _csv(rows: list[list[str]], cell_sep: str, quote: bool) -> str:
    q = '"' if quote else ""
    return "\n".join(cell_sep.join(f"{q}{c}{q}" for c in row) for row in rows) + "\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["GK501", "GK502"]), data=st.data(), container=st.sampled_from(["csv", "txt", "docx", "xlsx"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_personal_number_anywhere_in_an_attachment_is_reported(privacy_site, kind, data, container, encoding):
    number = data.draw(id_numbers() if kind == "GK501" else mobiles())
    cell = data.draw(BEFORE) + number + data.draw(AFTER)
    rows = [[data.draw(FILLER) or "—" for _ in range(3)] for _ in range(data.draw(st.integers(1, 4)))]
    r, c = data.draw(st.integers(0, len(rows) - 1)), data.draw(st.integers(0, 2))
    rows[r][c] = cell
    names = {"csv": "名单.csv", "txt": "说明.txt", "docx": "通知.docx", "xlsx": "表.xlsx"}
    folder = privacy_site.root / "content" / "gzdt"
    for name in names.values():
        (folder / name).unlink(missing_ok=True)
    if container == "csv":
        payload = _csv(rows, data.draw(st.sampled_from([",", ";", "\t"])), data.draw(st.booleans())).encode(encoding)
    elif container == "txt":
        payload = "\n".join(" ".join(row) for row in rows).encode(encoding)
    elif container == "docx":
        # the number may be split over several runs of one paragraph (Word does this on edits)
        cut = data.draw(st.integers(0, len(cell)))
        body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{" ".join(row)}</w:t></w:r></w:p>' for row in rows if row[c] != cell)
        body += f'<w:p><w:r><w:t xml:space="preserve">{cell[:cut]}</w:t></w:r><w:r><w:t xml:space="preserve">{cell[cut:]}</w:t></w:r></w:p>'
        payload = docx_bytes(body_xml=body)
    else:
        payload = xlsx_bytes(rows)
    (folder / names[container]).write_bytes(payload)
    found = {f.rule for f in run_rules(privacy_site.load()) if f.path == f"content/gzdt/{names[container]}"}
    assert kind in found, (container, cell)


# -- class 2: generated names under content/ ------------------------------------------------------

EXTENSIONS = ["md", "MD", "Md", "mD", "markdown", "Markdown", "mdown", "html", "HTML", "htm", "svg", "SVG", "js", "css",
              "xml", "json", "pdf", "PDF", "Pdf", "txt", "TXT", "csv", "png", "docx", "DOCX", "rar", "gz", ""]
FOLDERS = ["gzdt", "gzdt/sub", "assets", "assets/javascripts", "search", "pagefind", "guide", "columns", "_x", ".hidden",
           "gzdt/_drafts", ""]
STEMS = st.text(alphabet="abc通报说明index_-. ", min_size=1, max_size=8).filter(lambda s: s.strip() and "/" not in s)
FRONT_MATTER = "---\ntitle: 内部通报\nattribute: 不予公开\nreviewers: {科室负责人: li-kz}\n---\n内部通报正文\n"
CONTENTS = {"front matter": FRONT_MATTER.encode(), "html": b"<html><script>alert(1)</script></html>",
            "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "pdf": PDF, "docx": DOCX,
            "text": "普通说明文字\n".encode(), "js": b"document.body.innerHTML='x'"}


def _copied(root: Path) -> tuple[dict[str, bytes], set[str]]:
    """(site path -> bytes the site would copy from content/ *even with the gate bypassed*,
    paths with a gate error of their own)."""
    repo = load_repository(str(root), as_of=AS_OF)
    findings = run_rules(repo)
    bundle = build_site(public_view(repo, []), repo.attachments, AS_OF)
    files = {f.src_uri: Path(f.source).read_bytes() for f in bundle.files if f.source is not None}
    pages = {p.src_uri for p in bundle.pages if p.kind == "item"}
    flagged = {f.path for f in findings if f.severity == ERROR}
    return files | dict.fromkeys(pages, b""), flagged


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(st.sampled_from(FOLDERS), STEMS, st.sampled_from(EXTENSIONS), st.sampled_from(sorted(CONTENTS))),
                      min_size=1, max_size=12))
def test_a_file_under_content_is_an_error_or_not_copied(tmp_path_factory, files):
    site = Site(tmp_path_factory.mktemp("names") / "site")
    written: dict[str, str] = {}
    for folder, stem, ext, content in files:
        name = f"{stem}.{ext}" if ext else stem
        rel = f"{folder}/{name}" if folder else name
        if rel in written or any(rel.startswith(p + "/") or p.startswith(rel + "/") for p in written):
            continue
        site.write(f"content/{rel}", CONTENTS[content])
        written[rel] = content
    # one public item links every generated file, as an attacker would
    links = "".join(f"[f{n}](../{rel.replace(' ', '%20')})\n\n" for n, rel in enumerate(written))
    site.write("content/gzdt/linker.md", item_source(links, index_no="SAMPLE001/2026-00099"))
    copied, flagged = _copied(site.root)
    for rel in written:
        if f"content/{rel}" in flagged or rel.endswith(".md"):
            continue  # the gate refuses it (or it is an item: a page, checked as one)
        data = copied.get(rel)
        if data is None:
            continue  # never copied, even with the gate bypassed
        # copied and not refused: an allowed type, at a path of its own, whose bytes are what it says
        ext = rel.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
        assert ext in DEFAULT_ALLOWED, rel
        assert rel.split("/")[0] not in ("assets", "search", "pagefind", "guide", "columns"), rel
        report = inspect(rel, data)
        assert report.kind_problem is None and report.unreadable is None, rel
    for uri, data in copied.items():  # even with the gate bypassed: only allowed types that are what they say
        if uri.endswith(".md"):
            continue
        assert uri.rsplit(".", 1)[-1] in DEFAULT_ALLOWED, uri
        assert uri.split("/")[0] not in ("assets", "search", "pagefind", "guide", "columns"), uri
        assert inspect(uri, data).kind_problem is None, uri
    shutil.rmtree(site.root.parent, ignore_errors=True)


# -- GK506: generated office documents with any mix of what they leak ------------------------------

LEAKS = {
    "tracked": {"body_xml": '<w:p><w:ins w:id="1" w:author="x"><w:r><w:t>新增</w:t></w:r></w:ins></w:p>'},
    "deleted": {"body_xml": '<w:p><w:del w:id="2"><w:r><w:delText>删去的原文</w:delText></w:r></w:del></w:p>'},
    "hidden": {"body_xml": '<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r></w:p>'},
    "comment": {"comments": "此处不宜公开"},
    "author": {"creator": "张三"},
    "modified": {"modified_by": "李四"},
    "company": {"company": "某某局"},
}


@pytest.fixture(scope="module")
def office_site(tmp_path_factory) -> Site:
    site = Site(tmp_path_factory.mktemp("office") / "site")
    site.item("gzdt/a.md", "[通知](通知.docx)\n")
    return site


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leaks=st.sets(st.sampled_from(sorted(LEAKS))), paragraphs=st.lists(FILLER, max_size=3))
def test_a_generated_docx_is_gk506_exactly_when_it_leaks(office_site, leaks, paragraphs):
    kwargs: dict = {"body_xml": ""}
    for leak in sorted(leaks):
        for key, value in LEAKS[leak].items():
            kwargs[key] = kwargs.get(key, "") + value if key == "body_xml" else value
    (office_site.root / "content/gzdt/通知.docx").write_bytes(docx_bytes(*[p for p in paragraphs if p], **kwargs))
    found = [f for f in run_rules(office_site.load()) if f.rule == "GK506"]
    assert bool(found) == bool(leaks), leaks
    assert all(f.path == "content/gzdt/通知.docx" for f in found)


# -- never a traceback: any bytes under any allowed name ---------------------------------------------

MAGICS = {"pdf": b"%PDF-1.7\n", "docx": b"PK\x03\x04", "xlsx": b"PK\x03\x04", "zip": b"PK\x03\x04", "ofd": b"PK\x03\x04",
          "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "jpg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "txt": b"", "csv": b""}


@st.composite
def damaged(draw) -> tuple[str, bytes]:
    ext = draw(st.sampled_from(sorted(MAGICS)))
    base = {"pdf": PDF, "docx": DOCX, "xlsx": xlsx_bytes([["a", 1]]), "zip": DOCX, "ofd": DOCX}.get(ext)
    if base is not None and draw(st.booleans()):  # a real file, cut or with bytes flipped
        data = bytearray(base[:draw(st.integers(len(MAGICS[ext]), len(base)))])
        for at in draw(st.lists(st.integers(0, max(0, len(data) - 1)), max_size=8)):
            data[at] ^= 0xFF
        return ext, bytes(data)
    return ext, MAGICS[ext] + draw(st.binary(max_size=400))


@settings(max_examples=150, deadline=None)
@given(damaged())
def test_any_bytes_under_an_allowed_name_give_a_verdict_never_an_exception(case):
    ext, data = case
    report = inspect(f"附件.{ext}", data)
    assert report.kind_problem is None or isinstance(report.kind_problem, str)
    assert all(isinstance(t.text, str) for t in report.texts)
