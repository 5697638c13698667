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
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gkpublish import approvals, sshsig
from gkpublish.cli import main as cli_main
from gkpublish.loader import load_repository
from gkpublish.model import Finding
from gkpublish.rules import run_rules

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
        ``name`` and payload overrides (``sha256``, ``item`` …).
        """
        item = f"content/{rel}"
        folder = self.root / approvals.record_dir(item)
        existing = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if prev is ...:
            prev = approvals.record_id(json.loads(existing[-1].read_text("utf-8"))) if existing else None
        fields = {"kind": "item", "item": item, "step": step, "signer": person, "decision": decision,
                  "comment": comment, "prev": prev, "date": "2026-11-02",
                  "sha256": hashlib.sha256((self.root / item).read_bytes()).hexdigest()}
        fields.update(payload)
        doc = approvals.make_record(person_key(key or person), **fields)
        rel_file = f"{approvals.record_dir(item)}/{name or approvals.file_name(len(existing) + 1, step, decision)}"
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
