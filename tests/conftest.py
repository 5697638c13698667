"""Test helpers: a fixture site repository per scenario, checked in process.

Tests are examples of the domain: build the repository that shows the case
(``reprint_without_source``, ``edited_after_approval`` …) and assert the exact rule ID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import settings as hypothesis_settings

from gkpublish import approvals, sshsig
from gkpublish import rules as gk_rules
from gkpublish.cli import main as cli_main
from gkpublish.loader import load_repository
from gkpublish.model import Finding, Repository
from gkpublish.rules import run_rules

# CI (.ci/run sets CI=true) draws the same generated variants every run, so a submission's
# result does not depend on the draw; a developer's run draws new ones each time and finds
# what the fixed draw does not (every failure found so becomes an @example).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

HERE = Path(__file__).parent
PROJECT = HERE.parent
BASE_CONFIG = HERE / "fixtures" / "base_site_config"
SCHEMA = PROJECT / "gkpublish" / "data" / "schema"
AS_OF = dt.date(2026, 11, 23)


def default_meta(**overrides: Any) -> dict[str, Any]:
    """A valid 主动公开 工作动态 item; override or drop (value None) fields per scenario."""
    meta: dict[str, Any] = {
        "title": "区政府办公室召开政务公开工作推进会（示例）",
        "index_no": "SAMPLE001/2026-00001",
        "publisher": "重庆市江北区人民政府办公室",
        "department": "政务公开科",
        "column": "gzdt",
        "topic": "综合政务/政务公开",
        "published": "2026-11-16",
        "attribute": "主动公开",
        "summary": "区政府办公室召开政务公开工作推进会，部署年度重点工作。",
        "source": {"type": "原创"},
    }
    for k, v in overrides.items():
        if v is None:
            meta.pop(k, None)
        else:
            meta[k] = v
    return meta


def item_source(body: str = "正文。\n", **meta: Any) -> str:
    """The text of an item file: default_meta(**meta) as front matter, then ``body``."""
    fm = yaml.safe_dump(default_meta(**meta), allow_unicode=True, sort_keys=False)
    return f"---\n{fm}---\n\n{body}"


def line_of(path: Path, text: str) -> int:
    """1-based line of the first occurrence of ``text`` in the file (any line ending)."""
    content = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    for n, line in enumerate(content.split("\n"), 1):
        if text in line:
            return n
    raise AssertionError(f"{text!r} not in {path}")


@dataclass
class CheckResult:
    findings: list[Finding]

    @property
    def ids(self) -> set[str]:
        return {f.rule for f in self.findings}

    def of(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule]


class Site:
    """A throw-away site repository under tmp_path."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(BASE_CONFIG, root / "site_config")
        shutil.copytree(SCHEMA, root / "schema")
        (root / "content").mkdir()

    def write(self, rel: str, data: str | bytes) -> Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")
        return p

    def item(self, rel: str, body: str = "正文。\n", **meta: Any) -> Path:
        """Write content/<rel> with default_meta(**meta) as front matter."""
        return self.write(f"content/{rel}", item_source(body, **meta))

    def config(self, name: str, data: dict[str, Any]) -> None:
        self.write(f"site_config/{name}", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    def config_data(self, name: str) -> dict[str, Any]:
        return yaml.safe_load((self.root / "site_config" / name).read_text(encoding="utf-8")) or {}

    def load(self, as_of: dt.date = AS_OF, **kw: Any):
        return load_repository(str(self.root), as_of=as_of, **kw)

    def check(self, as_of: dt.date = AS_OF, **kw: Any) -> CheckResult:
        return CheckResult(run_rules(self.load(as_of, **kw)))

    # -- sign-offs (gkpublish.approvals): people with keys, signed records ------------------
    @property
    def keys_dir(self) -> Path:
        """Private keys live outside the repository, as gkpublish init keeps them."""
        return self.root.parent / "keys"

    def enrol(self, *people: str) -> None:
        """Put the deterministic test key of each person (default: everyone) into roster.yml."""
        data = self.config_data("roster.yml")
        for row in data["people"]:
            if not people or row["id"] in people:
                row["keys"] = [{"key": public_line(row["id"]), "added": "2026-01-01", "revoked": None}]
        self.config("roster.yml", data)

    def key_file(self, person: str) -> Path:
        """The person's private key as an OpenSSH file (for ``gkpublish approve --key``)."""
        return write_key_file(person, self.keys_dir)

    def approve(self, rel: str, step: str, person: str, decision: str = "同意", comment: str = "",
                key: str | None = None, prev: str | None | object = ..., name: str | None = None,
                **payload: Any) -> Path:
        """Write one signed record for content/<rel>, chained after the item's last record.

        No checks: tests build forgeries with ``key`` (another person's key), ``prev``,
        ``name`` and payload overrides (``sha256``, ``item``, ``round``, ``files`` …). By
        default it binds the item's attachments and, like ``gkpublish approve``, starts a new
        round when the last record reviewed other bytes.
        """
        item = f"content/{rel}"
        folder = self.root / approvals.record_dir(item)
        existing = sorted(folder.glob("*.json"), key=_record_order) if folder.is_dir() else []
        last = json.loads(existing[-1].read_text("utf-8")) if existing else None
        if prev is ...:
            prev = approvals.record_id(last) if last else None
        sha = hashlib.sha256((self.root / item).read_bytes()).hexdigest()
        if "files" not in payload:
            has_files = any(p.suffix != ".md" for p in (self.root / "content").rglob("*") if p.is_file())
            loaded = self.load().item(item) if has_files else None
            payload["files"] = loaded.attachments if loaded is not None else {}
        if "round" not in payload and last is not None:
            lp = last["payload"]
            payload["round"] = lp.get("round", 1) + (lp["sha256"] != sha or lp.get("files", {}) != payload["files"])
        fields = {"kind": "item", "item": item, "step": step, "signer": person, "decision": decision,
                  "comment": comment, "prev": prev, "date": "2026-11-02", "sha256": sha}
        fields.update(payload)
        doc = approvals.make_record(person_key(key or person), **fields)
        rel_file = f"{approvals.record_dir(item)}/{name or approvals.file_name(approvals.next_seq(str(self.root), approvals.record_dir(item)), step, decision)}"
        approvals.write_record(str(self.root), rel_file, doc)
        return self.root / rel_file

    def sign_all(self) -> None:
        """Enrol everyone and sign every public item's chain and the configuration."""
        self.enrol()
        keys = {row["id"]: person_key(row["id"]) for row in self.config_data("roster.yml")["people"]}
        approvals.sign_repository(str(self.root), keys, date="2026-11-02")

    def sign_config(self, person: str = "sun-zy") -> None:
        """Sign the current site_config/ and schema/ as a 主要领导 (GK308)."""
        approvals.approve(self.load(), None, "主要领导", person, person_key(person))

    def cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        try:
            os.chdir(self.root)
            with redirect_stdout(out), redirect_stderr(err):
                rc = cli_main(list(args))
        finally:
            os.chdir(cwd)
        return rc, out.getvalue(), err.getvalue()


def cli_at(*args: str, cwd: Path) -> tuple[int, str, str]:
    """``gkpublish -C CWD ARGS`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli_main(["-C", str(cwd), *args])
    return rc, out.getvalue(), err.getvalue()


def _record_order(path: Path) -> tuple[int, str]:
    head = path.name.split("-", 1)[0]
    return (int(head) if head.isdigit() else 0, path.name)


def person_key(person: str) -> Ed25519PrivateKey:
    """A deterministic Ed25519 key per person id (tests only: derived from the id)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"gkpublish-test:{person}".encode()).digest())


def public_line(person: str) -> str:
    return sshsig.public_key_line(sshsig.public_blob_of(person_key(person)), f"{person}@test")


def write_key_file(person: str, folder: Path) -> Path:
    path = folder / person
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(person_key(person).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                                        serialization.NoEncryption()))
        path.chmod(0o600)
        (folder / f"{person}.pub").write_text(public_line(person) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site")


# -- small real attachments (the gate opens them: GK109 types, GK5xx text, GK506) -------------

def _pdf_string(text: str) -> bytes:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf_bytes(*pages: str, author: str | None = None, creator: str | None = None,
              invisible: str | None = None) -> bytes:
    """A minimal real PDF: one page per text (ASCII, Helvetica), optional /Author, /Creator,
    and text in render mode 3 (invisible) on the first page."""
    pages = pages or ("",)
    objs: list[bytes] = []
    n_pages = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n_pages))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    font = 3 + 2 * n_pages
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td {_pdf_string(text)} Tj ET".encode("latin-1")
        if invisible and i == 0:
            stream += f"\nBT 3 Tr /F1 12 Tf 72 700 Td {_pdf_string(invisible)} Tj ET".encode("latin-1")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                    f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    info = {"Author": author, "Creator": creator}
    entries = " ".join(f"/{k} <FEFF{v.encode('utf-16-be').hex().upper()}>" for k, v in info.items() if v)
    objs.append(f"<< {entries} /Producer (gkpublish tests) >>".encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info {len(objs)} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF = pdf_bytes("gkpublish test attachment")

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="xml" ContentType="application/xml"/></Types>')
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _zip(parts: dict[str, str]) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        for name, text in parts.items():
            zf.writestr(name, text)
    return buf.getvalue()


def _core(creator: str = "", modified_by: str = "") -> str:
    return ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{creator}</dc:creator>'
            f"<cp:lastModifiedBy>{modified_by}</cp:lastModifiedBy></cp:coreProperties>")


def docx_bytes(*paragraphs: str, body_xml: str = "", creator: str = "", modified_by: str = "",
               company: str = "", comments: str | None = None) -> bytes:
    """A minimal real .docx: each paragraph as one run (``body_xml`` is added raw, for
    tracked changes or hidden text); optional core/app properties and a comment."""
    from xml.sax.saxutils import escape

    paras = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    parts = {"word/document.xml": f"<w:document {_W}><w:body>{paras}{body_xml}</w:body></w:document>",
             "docProps/core.xml": _core(creator, modified_by),
             "docProps/app.xml": ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                                  f"<Company>{company}</Company></Properties>")}
    if comments is not None:
        parts["word/comments.xml"] = (f'<w:comments {_W}><w:comment w:id="0" w:author="审核人"><w:p><w:r><w:t>{escape(comments)}'
                                      "</w:t></w:r></w:p></w:comment></w:comments>")
    return _zip(parts)


def xlsx_bytes(rows: list[list[str | int]], hidden_sheet: bool = False) -> bytes:
    """A minimal real .xlsx: strings in sharedStrings, numbers as numeric cells."""
    from xml.sax.saxutils import escape

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    shared: list[str] = []
    xml_rows = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                shared.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
        xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheets = '<sheet name="名单" sheetId="1"/>' + ('<sheet name="内部" sheetId="2" state="hidden"/>' if hidden_sheet else "")
    parts = {"xl/workbook.xml": f"<workbook {ns}><sheets>{sheets}</sheets></workbook>",
             "xl/sharedStrings.xml": f"<sst {ns}>" + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared) + "</sst>",
             "xl/worksheets/sheet1.xml": f"<worksheet {ns}><sheetData>{''.join(xml_rows)}</sheetData></worksheet>",
             "docProps/core.xml": _core()}
    return _zip(parts)


DOCX = docx_bytes("申请表")



@pytest.fixture(autouse=True)
def every_finding_names_its_next_step(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Finding]]:
    """The whole test suite is the broad fixture of issue #11 item 3: every finding any test
    produces (the gate's every family, in process) must tell the reader what to do next
    (``gkpublish.rules.has_next_step``); a test whose findings include one that does not fails
    in teardown, naming the message. No rule or message is exempt."""
    missing: list[Finding] = []
    real = gk_rules._family_findings

    def checked(repo: Repository, rules: dict[str, Any], family: str) -> list[Finding]:
        found = real(repo, rules, family)
        missing.extend(f for f in found if not gk_rules.has_next_step(f.message))
        return found

    monkeypatch.setattr(gk_rules, "_family_findings", checked)
    yield missing
    assert not missing, "这些检查结果没有写明下一步（请/应/须/可……，见 gkpublish.rules.NEXT_STEP）：\n" + \
        "\n".join(f"{f.rule} {f.path}:{f.line}: {f.message}" for f in missing)
