"""The build pipeline: verify-site checks files while MkDocs writes them, the search
indexer (gkpublish.site.gkindex in a worker process) indexes pages while MkDocs renders them; neither may miss a file, check a file before its final
bytes are on disk, or fail silently."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest

from gkpublish.site import manifest as mf
from gkpublish.site import search
from gkpublish.site.gkindex import Entry, Reader, query
from gkpublish.site.verify import StreamScan
from tests.test_site_build import build_into, built, demo_like_site  # noqa: F401  (module fixture)


def loaded(site) -> tuple:
    """The repository of ``site`` as the build loads it, and its public view."""
    from gkpublish.loader import load_repository
    from gkpublish.public import public_view
    from gkpublish.rules import run_rules

    repo = load_repository(str(site.root), as_of=dt.date(2026, 11, 23))
    return repo, public_view(repo, run_rules(repo))


def _files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("stream", [True, False], ids=["worker-process", "in-process"])
def test_stream_scan_finds_a_secret_in_a_page_either_way(built, tmp_path, stream):  # noqa: F811
    import shutil

    site, done = built
    out = tmp_path / "site"
    shutil.copytree(done, out)
    page = out / "gzdt" / "reprint" / "index.html"
    page.write_text(page.read_text("utf-8").replace("</article>", "<p>来信人名单：部分公开隐藏标记甲乙丙丁戊己庚辛</p></article>"),
                    "utf-8")
    repo, view = loaded(site)
    scan = StreamScan(repo, view, str(out), stream=stream)
    for path in _files(out):
        scan.add(path)
    leaks, digests, checked = scan.finish()
    assert checked == set(_files(out))
    assert [leak.path for leak in leaks] == ["gzdt/reprint/index.html"]
    assert "部分公开隐藏标记" in leaks[0].reason
    if stream:  # the digests are of the bytes checked
        assert digests["gzdt/reprint/index.html"] == hashlib.sha256(page.read_bytes()).hexdigest()


def test_every_file_is_checked_once_it_is_written_and_the_manifest_holds_the_checked_bytes(tmp_path, monkeypatch):
    seen: dict[str, str] = {}
    add = StreamScan.add

    def recording_add(self, path, kind=None):
        full = os.path.join(self.site_dir, path)
        seen[path] = hashlib.sha256(open(full, "rb").read()).hexdigest() if os.path.isfile(full) else "missing"
        add(self, path, kind)

    monkeypatch.setattr(StreamScan, "add", recording_add)
    site = demo_like_site(tmp_path / "repo")
    out = tmp_path / "out"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    manifest = json.loads((out / mf.MANIFEST).read_text("utf-8"))["files"]
    assert sorted(seen) == sorted(manifest) == [f for f in _files(out) if f != mf.MANIFEST]
    assert {p: e["sha256"] for p, e in manifest.items()} == seen  # nothing changed after its check
    assert "search/index/manifest.json" in seen  # the index too, once written


def test_a_file_changed_after_its_check_fails_the_build(tmp_path, monkeypatch):
    finish = StreamScan.finish

    def finish_then_tamper(self):
        result = finish(self)
        page = Path(self.site_dir) / "gzdt" / "reprint" / "index.html"
        page.write_bytes(page.read_bytes() + b"<!-- written after the check -->")
        return result

    monkeypatch.setattr(StreamScan, "finish", finish_then_tamper)
    site = demo_like_site(tmp_path / "repo")
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc == 1 and "gzdt/reprint/index.html" in stderr and "被改动" in stderr
    assert not (tmp_path / "out").exists()


def test_a_failing_check_process_fails_the_build(tmp_path, monkeypatch):
    from gkpublish.site import verify

    def broken(*args):
        raise MemoryError("simulated")

    monkeypatch.setattr(verify, "Verifier", broken)
    site = demo_like_site(tmp_path / "repo")
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc != 0 and "verify-site 检查失败" in stderr and "MemoryError" in stderr
    assert "Traceback" not in stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["occurrences", "page list"])
def test_a_token_in_the_index_that_no_page_holds_fails_the_build(tmp_path, monkeypatch, kind):
    """The build reads the index back itself (StreamScan.finish) while its worker checks the
    index's files: a token planted between the indexer's writing and the check — as an index
    that lies about its pages would carry it — stops the build, and nothing is published."""
    import base64

    from gkpublish.site.gkindex import encode_occurrences, encode_pages

    planted = "机要台账"  # no page holds it, and it is no secret: only the read-back can see it
    finish = search.Indexer.finish

    def plant_then_finish(self):
        told = self.on_written

        def tamper(files):
            shard = sorted(Path(self.site_dir, search.INDEX_DIR, "s").iterdir())[0]
            table = json.loads(shard.read_text("utf-8"))
            value = encode_occurrences([0], [0]) if kind == "occurrences" else encode_pages([0])
            table[("bp" if kind == "occurrences" else "b4") + planted] = base64.urlsafe_b64encode(value).decode("ascii")
            shard.write_text(json.dumps(table, ensure_ascii=False), "utf-8")
            told(files)

        self.on_written = tamper
        return finish(self)

    monkeypatch.setattr(search.Indexer, "finish", plant_then_finish)
    site = demo_like_site(tmp_path / "repo")
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc == 1 and "search/index/manifest.json" in stderr and "搜索索引与它所索引的公开文字不一致" in stderr, stdout + stderr
    assert not (tmp_path / "out").exists()


# -- the search indexer ---------------------------------------------------------------------

def test_indexer_indexes_pages_in_id_order_whatever_order_they_come_in_and_tells_its_files(tmp_path):
    told: list[list[str]] = []
    entries = [("b.md", Entry(url="b/", title="通知", date="2026-02-01")),
               ("a.md", Entry(url="a/", title="政务公开", date="2026-01-01"))]
    indexer = search.Indexer(str(tmp_path), entries, on_written=told.append)
    indexer.add("a.md", "<h1>政务公开</h1><p>政府信息公开工作要点</p>")
    indexer.add("b.md", "<h1>通知</h1><p>关于举办政府信息公开培训的通知</p>")
    indexer.add("other.md", "<p>不是条目页</p>")  # not indexed
    written = indexer.finish()
    assert "search/index/manifest.json" in written and [sorted(t) for t in told] == [written]
    reader = Reader(str(tmp_path / "search" / "index"))
    assert reader.manifest["pages"] == 2
    assert query(reader, "政府信息公开") == [0, 1]  # newest first: b is page 0
    assert query(reader, "政务公开") == [1]  # the title too
    assert query(reader, "不是条目页") == []
    assert not os.path.exists(indexer._work)  # the work files are gone


def test_a_page_the_index_never_got_is_a_build_error(tmp_path):
    entries = [("a.md", Entry(url="a/", title="甲")), ("b.md", Entry(url="b/", title="乙"))]
    indexer = search.Indexer(str(tmp_path), entries)
    indexer.add("b.md", "<p>乙</p>")
    with pytest.raises(search.SearchIndexError, match="搜索索引缺少 2 个条目页（如 a/、b/）"):
        indexer.finish()


def test_a_site_without_items_has_no_index_and_its_search_page_says_so(tmp_path):
    from tests.conftest import Site
    from tests.test_site_build import add_site_files

    site = Site(tmp_path / "repo")
    add_site_files(site)
    site.sign_all()
    out = tmp_path / "out"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    assert not (out / "search" / "index").exists()
    assert "本站尚未发布可供检索的信息" in (out / "search" / "index.html").read_text("utf-8")


def test_an_indexer_that_dies_is_a_clear_build_error(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "WORKER", ["-c", "import sys; sys.stderr.write('simulated crash'); sys.exit(3)"])
    site = demo_like_site(tmp_path / "repo")
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc != 0 and "生成搜索索引失败（退出码 3）：simulated crash" in stderr
    assert "Traceback" not in stderr and not (tmp_path / "out").exists()


def test_every_top_level_name_of_a_built_site_is_reserved_or_content(built):  # noqa: F811
    # The gate's reserved set (GK109, pages.reserved_problem) is derived from what a build
    # really writes: a new generated folder or file must be added there, or this fails.
    from gkpublish.site.pages import RESERVED, reserved_files

    site, out = built
    content = {p.name.removesuffix(".md") for p in (site.root / "content").iterdir()}
    unexplained = sorted(p.name for p in out.iterdir()
                         if p.name not in RESERVED and p.name not in reserved_files() and p.name not in content)
    assert unexplained == []


def test_a_failing_read_back_of_the_index_fails_the_build_in_chinese(tmp_path, monkeypatch):
    from gkpublish.site import gkindex

    def broken(index_dir):
        raise MemoryError("simulated")

    monkeypatch.setattr(gkindex, "check_index", broken)
    site = demo_like_site(tmp_path / "repo")
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc != 0 and "读回搜索索引时出错" in stderr and "MemoryError" in stderr, stdout + stderr
    assert "Traceback" not in stderr and not (tmp_path / "out").exists()
