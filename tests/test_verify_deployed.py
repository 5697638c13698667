"""A signed deployed site (网页防篡改): the build signs its manifest with the roster's 发布 key;
``verify-deployed`` finds every changed, added or missing file and refuses a manifest whose
signature does not verify against the trusted roster."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish import sshsig
from gkpublish.loader import load_repository
from gkpublish.site import manifest as mf
from gkpublish.site.sitesign import SITE_NAMESPACE, dir_fetcher, trusted_roster, verify_deployed
from tests.conftest import cli_at as _cli

pytestmark = pytest.mark.xdist_group("verify_deployed")



@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(site repository, its keys folder, a site built and signed with the 发布 key)."""
    base = tmp_path_factory.mktemp("deployed")
    assert _cli("init", "gov", "--install-spec", "gkpublish==0.1.0", cwd=base)[0] == 0
    root, keys = base / "gov", base / "gov-keys"
    rc, out, err = _cli("build", "--out", str(base / "site"), "--sign-key", str(keys / "fabu"), cwd=root)
    assert rc == 0, out + err
    assert "由 fabu 的发布密钥签名" in out
    return root, keys, base / "site"


@pytest.fixture
def copy(signed: tuple[Path, Path, Path], tmp_path: Path) -> Path:
    dest = tmp_path / "www"
    shutil.copytree(signed[2], dest)
    return dest


def _verify(root: Path, target: str) -> tuple[int, str, str]:
    return _cli("verify-deployed", target, cwd=root)


def test_the_signed_build_as_deployed_passes(signed: tuple[Path, Path, Path], copy: Path) -> None:
    rc, out, err = _verify(signed[0], str(copy))
    assert rc == 0, out + err
    assert "与 fabu 签名的构建清单一致" in out
    assert (copy / mf.SIGNATURE).read_text(encoding="ascii").startswith("-----BEGIN SSH SIGNATURE-----")


def test_the_signed_site_still_passes_verify_site(signed: tuple[Path, Path, Path]) -> None:
    rc, out, err = _cli("verify-site", str(signed[2]), cwd=signed[0])
    assert rc == 0, out + err


def test_the_manifest_lists_size_and_sha256_of_every_file(signed: tuple[Path, Path, Path]) -> None:
    files = json.loads((signed[2] / mf.MANIFEST).read_text(encoding="utf-8"))["files"]
    page = signed[2] / "index.html"
    assert files["index.html"]["size"] == page.stat().st_size
    assert files["index.html"]["sha256"] == hashlib.sha256(page.read_bytes()).hexdigest()


def test_a_changed_page_fails(signed: tuple[Path, Path, Path], copy: Path) -> None:
    (copy / "index.html").write_text("<html>已被篡改</html>", encoding="utf-8")
    rc, out, _ = _verify(signed[0], str(copy))
    assert rc == 1 and "index.html: 已被改动" in out


def test_an_added_and_a_missing_file_fail(signed: tuple[Path, Path, Path], copy: Path) -> None:
    (copy / "notice.html").write_text("<p>假通知</p>", encoding="utf-8")
    (copy / "feed.xml").unlink()
    rc, out, _ = _verify(signed[0], str(copy))
    assert rc == 1 and "notice.html: 增加的文件" in out and "feed.xml: 缺失" in out


def test_a_page_and_its_hash_rewritten_break_the_signature(signed: tuple[Path, Path, Path], copy: Path) -> None:
    """The attack verify-site alone let through: the manifest rewritten to match the forged page."""
    forged = b"<html>\xe5\x81\x87</html>"
    (copy / "index.html").write_bytes(forged)
    doc = json.loads((copy / mf.MANIFEST).read_text(encoding="utf-8"))
    doc["files"]["index.html"].update(sha256=hashlib.sha256(forged).hexdigest(), size=len(forged))
    (copy / mf.MANIFEST).write_text(json.dumps(doc), encoding="utf-8")
    rc, out, _ = _verify(signed[0], str(copy))
    assert rc == 1 and "签名无效" in out


def test_a_manifest_re_signed_with_a_reviewers_key_is_refused(signed: tuple[Path, Path, Path], copy: Path) -> None:
    """Only a 发布 key of the roster may sign a site; a reviewer's own key (主要领导) may not."""
    key = sshsig.load_private_key(str(signed[1] / "zhuyao"))
    (copy / mf.SIGNATURE).write_text(sshsig.sign((copy / mf.MANIFEST).read_bytes(), key, SITE_NAMESPACE),
                                     encoding="ascii")
    rc, out, _ = _verify(signed[0], str(copy))
    assert rc == 1 and "签名无效" in out


def test_a_sign_off_signature_cannot_pass_for_a_site_signature(signed: tuple[Path, Path, Path], copy: Path) -> None:
    key = sshsig.load_private_key(str(signed[1] / "fabu"))
    (copy / mf.SIGNATURE).write_text(sshsig.sign((copy / mf.MANIFEST).read_bytes(), key), encoding="ascii")
    rc, out, _ = _verify(signed[0], str(copy))
    assert rc == 1 and "命名空间" in out


def test_an_unsigned_manifest_fails(signed: tuple[Path, Path, Path], copy: Path) -> None:
    (copy / mf.SIGNATURE).unlink()
    rc, out, _ = _verify(signed[0], str(copy))
    assert rc == 1 and "没有签名" in out


def test_building_with_a_key_that_may_not_sign_the_site_stops_before_building(
        signed: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKPUBLISH_SITE_KEY", (signed[1] / "kezhang").read_text(encoding="utf-8"))
    rc, _, err = _cli("build", "--out", str(tmp_path / "out"), cwd=signed[0])
    assert rc == 2 and "不是可信名册中“发布”人员的有效密钥" in err and "fabu" in err
    assert not (tmp_path / "out").exists()


def test_the_key_from_the_environment_signs_the_build(signed: tuple[Path, Path, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKPUBLISH_SITE_KEY", (signed[1] / "fabu").read_text(encoding="utf-8"))
    rc, out, err = _cli("build", "--out", str(tmp_path / "out"), cwd=signed[0])
    assert rc == 0, out + err
    assert _verify(signed[0], str(tmp_path / "out"))[0] == 0


def test_a_stray_file_named_like_the_signature_fails_verify_site(signed: tuple[Path, Path, Path], copy: Path) -> None:
    (copy / mf.SIGNATURE).write_text("身份证号 110101199003071234", encoding="utf-8")
    rc, out, _ = _cli("verify-site", str(copy), cwd=signed[0])
    assert rc == 1 and mf.SIGNATURE in out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served(copy: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(copy)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", copy
    finally:
        server.shutdown()
        server.server_close()


def test_verify_deployed_over_http(signed: tuple[Path, Path, Path], served: tuple[str, Path]) -> None:
    url, www = served
    rc, out, err = _verify(signed[0], url)
    assert rc == 0, out + err
    assert "额外增加的文件" in err  # what a URL cannot show is said
    (www / "index.html").write_text("篡改", encoding="utf-8")
    (www / "feed.xml").unlink()
    rc, out, _ = _verify(signed[0], url)
    assert rc == 1 and "index.html: 已被改动" in out and "feed.xml: 缺失" in out


def test_an_unreachable_site_cannot_be_declared_intact(signed: tuple[Path, Path, Path]) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc, _, err = _verify(signed[0], f"http://127.0.0.1:{port}/")
    assert rc == 2 and "无法访问" in err


# -- the property: every tampering is found ---------------------------------------------------

@functools.cache
def _roster(root: str):  # noqa: ANN202 - a Roster, loaded once for all examples
    return trusted_roster(load_repository(root))


_TAMPER = st.sampled_from(("flip", "append", "truncate", "delete", "add", "rehash"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_tampering_of_a_deployed_copy_is_found(signed: tuple[Path, Path, Path], tmp_path: Path,
                                                     data: st.DataObject) -> None:
    """For every generated tampering — a byte changed, text added, a file cut short, deleted or
    added, and optionally the manifest's digest rewritten to match — verify-deployed reports it."""
    site = signed[2]
    files = sorted(json.loads((site / mf.MANIFEST).read_text(encoding="utf-8"))["files"])
    roster = _roster(str(signed[0]))
    www = Path(tempfile.mkdtemp(dir=tmp_path)) / "www"
    shutil.copytree(site, www)
    changes = data.draw(st.lists(st.tuples(_TAMPER, st.sampled_from(files), st.binary(min_size=1, max_size=20)),
                                 min_size=1, max_size=3, unique_by=lambda c: c[1]))  # two flips of one byte undo each other
    for kind, path, blob in changes:
        target = www / path
        if kind == "add":
            extra = www / (path + ".bak")
            extra.write_bytes(blob)
        elif not target.exists():
            continue
        elif kind == "delete":
            target.unlink()
        elif kind == "truncate":
            target.write_bytes(target.read_bytes()[: max(0, target.stat().st_size - len(blob))] or b"")
            if target.stat().st_size == (site / path).stat().st_size:
                target.write_bytes(b"")
        elif kind == "append":
            target.write_bytes(target.read_bytes() + blob)
        else:  # flip one byte; "rehash": and rewrite the manifest to match
            raw = bytearray(target.read_bytes() or b"\0")
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] ^= blob[0] | 1
            target.write_bytes(bytes(raw))
            if kind == "rehash":
                doc = json.loads((www / mf.MANIFEST).read_text(encoding="utf-8"))
                doc["files"][path].update(sha256=hashlib.sha256(raw).hexdigest(), size=len(raw))
                (www / mf.MANIFEST).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    listing, _odd = mf.walk_site(str(www))
    report = verify_deployed(dir_fetcher(str(www)), roster, listing)
    assert report.problems, changes
    shutil.rmtree(www.parent)


def test_a_publishing_key_that_is_not_a_key_is_a_clear_error(signed: tuple[Path, Path, Path], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GKPUBLISH_SITE_KEY", "不是私钥")
    rc, _, err = _cli("build", "--out", str(tmp_path / "out"), cwd=signed[0])
    assert rc == 2 and "发布密钥（环境变量 GKPUBLISH_SITE_KEY）无法使用" in err and "Traceback" not in err
    monkeypatch.delenv("GKPUBLISH_SITE_KEY")
    rc, _, err = _cli("build", "--out", str(tmp_path / "out"), "--sign-key", str(tmp_path / "missing"), cwd=signed[0])
    assert rc == 2 and "无法读取私钥文件" in err


def test_verify_deployed_of_something_that_is_neither_a_folder_nor_a_url(signed: tuple[Path, Path, Path]) -> None:
    rc, _, err = _verify(signed[0], "ftp://gk.example.gov.cn/")
    assert rc == 2 and "http(s)" in err
    rc, _, err = _verify(signed[0], "no-such-folder")
    assert rc == 2 and "不是目录" in err


def test_the_signed_manifest_says_which_commit_it_was_built_from(signed: tuple[Path, Path, Path], copy: Path,
                                                                  tmp_path: Path) -> None:
    """An older signed build put back is a valid signed site; --expect-commit tells it apart."""
    import git

    root = signed[0]
    head = git.Repo(root).head.commit.hexsha
    release = json.loads((copy / mf.MANIFEST).read_text(encoding="utf-8"))["release"]
    assert release == {"commit": head, "dirty": False}
    rc, out, err = _cli("verify-deployed", str(copy), "--expect-commit", "HEAD", cwd=root)
    assert rc == 0 and f"构建自提交 {head[:12]}" in out, out + err
    clone = tmp_path / "later"
    git.Repo.clone_from(str(root), str(clone))
    later = git.Repo(clone)
    (clone / "README.md").write_text("新的说明\n", encoding="utf-8")
    later.index.add(["README.md"])
    later.index.commit("a later commit that was never deployed")
    rc, out, _ = _cli("verify-deployed", str(copy), "--expect-commit", "HEAD", cwd=clone)
    assert rc == 1 and f"由提交 {head[:12]} 构建，不是期望的提交" in out
    rc, _, err = _cli("verify-deployed", str(copy), "--expect-commit", "no-such-ref", cwd=root)
    assert rc == 2 and "找不到这个提交" in err


def test_a_build_from_uncommitted_files_is_recorded_as_dirty(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    from gkpublish.site.sitesign import release_of

    clone = tmp_path / "work"
    shutil.copytree(signed[0], clone)
    assert release_of(str(clone))["dirty"] is False
    (clone / ".gkpublish-build-x1").mkdir()  # the build's own temporary folder beside site/
    (clone / ".gkpublish-build-x1/page.html").write_text("x", encoding="utf-8")
    assert release_of(str(clone))["dirty"] is False
    (clone / "notes.md").write_text("未提交的文件\n", encoding="utf-8")
    assert release_of(str(clone))["dirty"] is True
    assert release_of(str(tmp_path))["commit"] is None  # not a git repository: no commit, dirty
