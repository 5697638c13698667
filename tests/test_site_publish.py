"""The build never destroys the live site (issue 8, class 9).

Every path builds beside the target (``.gkpublish-build-<pid>-*``) and swaps only a site
that verify-site passed; a killed build leaves the old site and no process behind, and the
next build removes its folder; an output folder in the repository's own folders is
refused; a site that would lose most of its items at once needs ``--allow-shrink``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish.site import publish
from gkpublish.site.build import DEFAULT_CONFIG
from tests.conftest import Site
from tests.test_site_build import build_into, demo_like_site

BIN = Path(sys.executable).parent
needs_two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2 or not Path("/proc/self/stat").exists(),
                                     reason="the checking worker is forked only with a second core (Linux /proc)")


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _ppid_and_state(pid: int) -> tuple[int, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]), fields[0]


def descendants(pid: int) -> set[int]:
    """Processes whose parent chain leads to ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _ppid_and_state(int(entry))
            if info:
                parents[int(entry)] = info[0]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier and p not in found}
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        info = _ppid_and_state(pid)
        if info and info[1] not in ("Z", "X"):
            out.add(pid)
    return out


def wait_for(cond, what: str, timeout: float = 60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def kill_mid_build(cmd: list[str], cwd: Path, out: Path, sig: int) -> tuple[int, set[int]]:
    """Start a build, kill it with ``sig`` once it builds into its temporary folder and has
    forked its checking worker; (its pid, the processes it had started)."""
    env = {**os.environ, "GKPUBLISH_JOBS": "2"}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        kids = wait_for(lambda: (list(out.parent.glob(f".gkpublish-build-{proc.pid}-*"))
                                 and descendants(proc.pid)), "the build's temporary folder and worker")
        kids |= descendants(proc.pid)
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.pid, kids


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> tuple[Site, Path]:
    root = tmp_path_factory.mktemp("live") / "repo"
    site = demo_like_site(root)
    text = DEFAULT_CONFIG.replace("  - gkpublish ", '  - gkpublish:\n      as_of: "2026-11-23"\n  #')
    (site.root / "mkdocs.yml").write_text(text, encoding="utf-8")
    site.sign_config()
    out = root.parent / "public"
    rc, stdout, stderr = build_into(site, out)
    assert rc == 0, stdout + stderr
    return site, out


@needs_two_cores
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM])
def test_a_killed_gkpublish_build_leaves_the_old_site_and_no_process(live, sig):
    site, out = live
    before = snapshot(out)
    cmd = [str(BIN / "gkpublish"), "build", "--out", str(out), "--as-of", "2026-11-23"]
    pid, kids = kill_mid_build(cmd, site.root, out, sig)
    assert kids and wait_for(lambda: not alive(kids), "the workers to die") is True
    assert snapshot(out) == before  # the live site, byte for byte
    left = list(out.parent.glob(f".gkpublish-build-{pid}-*"))
    if sig == signal.SIGKILL:  # nothing can run on SIGKILL: the next build cleans up
        assert left
        assert build_into(site, out)[0] == 0
        assert not list(out.parent.glob(f".gkpublish-build-{pid}-*"))
        assert not list(Path(tempfile.gettempdir()).glob(f"gkpublish-search-{pid}-*"))  # the indexer's work folder
    else:
        assert not left


@needs_two_cores
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP])
def test_a_killed_plain_mkdocs_build_leaves_the_old_site_and_no_process(live, sig):
    site, out = live
    before = snapshot(out)
    cmd = [str(BIN / "mkdocs"), "build", "-q", "-f", str(site.root / "mkdocs.yml"), "-d", str(out)]
    pid, kids = kill_mid_build(cmd, site.root, out, sig)
    assert kids and wait_for(lambda: not alive(kids), "the workers to die") is True
    assert snapshot(out) == before
    left = list(out.parent.glob(f".gkpublish-build-{pid}-*"))
    assert bool(left) == (sig == signal.SIGKILL)
    assert build_into(site, out)[0] == 0 and not list(out.parent.glob(f".gkpublish-build-{pid}-*"))


def test_plain_mkdocs_build_swaps_in_a_verified_site_and_keeps_it_on_failure(live, tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    site, _ = live
    out = tmp_path / "site"
    for _ in range(2):  # the second build replaces the first one in place
        cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(out))
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
        assert cfg.site_dir == str(out) and (out / "gkpublish-manifest.json").is_file()
    before = snapshot(out)
    unsigned = site.item("gzdt/unsigned.md", index_no="SAMPLE001/2026-00099")  # the gate fails now
    try:
        cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(out))
        cfg.plugins.on_startup(command="build", dirty=False)
        with pytest.raises(Abort):
            build(cfg)
        cfg.plugins.on_shutdown()
    finally:
        unsigned.unlink()
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".gkpublish-build-*"))


def test_mkdocs_build_into_content_is_refused(live):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    site, _ = live
    before = snapshot(site.root / "content")
    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(site.root / "content"))
    cfg.plugins.on_startup(command="build", dirty=False)
    with pytest.raises(Abort):
        build(cfg)
    cfg.plugins.on_shutdown()
    assert snapshot(site.root / "content") == before


@pytest.mark.parametrize("top", ["content", "approvals", "site_config", "records", "schema", ".git"])
def test_gkpublish_build_refuses_an_output_folder_in_the_repository_own_folders(live, top):
    site, _ = live
    rc, _, stderr = build_into(site, site.root / top / "site")
    assert rc == 2 and f"{top}/" in stderr
    assert not (site.root / top / "site").exists()


def test_an_emptied_content_folder_does_not_replace_the_site(tmp_path):
    site = demo_like_site(tmp_path / "repo")
    out = tmp_path / "public"
    assert build_into(site, out)[0] == 0
    before = snapshot(out)
    shutil.rmtree(site.root / "content")
    rc, _, stderr = build_into(site, out)
    assert rc == 2 and "找不到 content/" in stderr
    (site.root / "content").mkdir()
    rc, _, stderr = build_into(site, out)
    assert rc == 2 and "--allow-shrink" in stderr and "现有站点有 5 个" in stderr
    assert snapshot(out) == before and not list(tmp_path.glob(".gkpublish-build-*"))
    rc, stdout, stderr = build_into(site, out, "--allow-shrink")
    assert rc == 0, stdout + stderr
    assert publish.published_items(str(out)) == 0


def test_shrink_threshold():
    assert publish.SHRINK_FROM == 4 and publish.SHRINK_RATIO == 0.5


def test_shrink_is_judged_from_the_old_manifest(tmp_path):
    (tmp_path / "gkpublish-manifest.json").write_text(json.dumps({"items": 10, "files": {}}), "utf-8")
    assert publish.shrink_problem(str(tmp_path), 5) is None  # half is still allowed
    assert "10 个" in publish.shrink_problem(str(tmp_path), 4)
    assert publish.shrink_problem(str(tmp_path), 0, allow=True) is None
    assert publish.shrink_problem(str(tmp_path / "none"), 0) is None  # first build
    (tmp_path / "gkpublish-manifest.json").write_text(json.dumps({"items": 2, "files": {}}), "utf-8")
    assert publish.shrink_problem(str(tmp_path), 1) is None and publish.shrink_problem(str(tmp_path), 0)


def test_stale_folders_are_removed_only_when_ours_and_their_process_is_gone(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    names = {
        f".gkpublish-build-{dead.pid}-abc123": False,  # its process is gone: removed
        f".gkpublish-old-{dead.pid}-x_y": False,
        f".gkpublish-build-{os.getpid()}-mine": True,  # this process: in use
        f".gkpublish-build-{os.getppid()}-live": True,  # a live process
        ".gkpublish-build-notapid": True,  # not a name we make
        "site": True,
    }
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text("x", "utf-8")
    removed = publish.clean_stale(str(tmp_path))
    assert sorted(removed) == sorted(n for n, keep in names.items() if not keep)
    assert {p.name for p in tmp_path.iterdir()} == {n for n, keep in names.items() if keep}


def test_swap_in_exchanges_the_folders(tmp_path):
    old, new = tmp_path / "site", tmp_path / ".gkpublish-build-1-x"
    old.mkdir()
    (old / "old.html").write_text("old", "utf-8")
    new.mkdir()
    (new / "new.html").write_text("new", "utf-8")
    publish.swap_in(str(new), str(old))
    assert [p.name for p in tmp_path.iterdir()] == ["site"] and [p.name for p in old.iterdir()] == ["new.html"]
    fresh = tmp_path / ".gkpublish-build-2-y"
    fresh.mkdir()
    publish.swap_in(str(fresh), str(tmp_path / "other"))
    assert (tmp_path / "other").is_dir()


def test_a_forked_worker_dies_with_its_parent(tmp_path):
    """parallel.die_with_parent: the worker of a SIGKILLed process does not run on."""
    marker = tmp_path / "worker.pid"
    code = f"""
import os, time
from gkpublish.parallel import die_with_parent
parent = os.getpid()
pid = os.fork()
if pid == 0:
    die_with_parent(parent)
    open({str(marker)!r}, "w").write(str(os.getpid()))
    time.sleep(600)
    os._exit(0)
time.sleep(600)
"""
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        wait_for(lambda: marker.exists() and marker.read_text(), "the worker")
        worker = int(marker.read_text())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_for(lambda: not alive({worker}), "the worker to die") is True
    finally:
        if proc.poll() is None:
            proc.kill()


def test_site_without_mkdocs_yml_still_builds(tmp_path):
    site = Site(tmp_path / "repo")
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.sign_all()
    rc, stdout, stderr = build_into(site, tmp_path / "out")
    assert rc == 0, stdout + stderr



# -- the property: generated output folders ---------------------------------------------------

SEGMENTS = ["content", "approvals", "site_config", "records", "schema", ".git", ".", "..", "site", "public",
            "x", "link-to-content", "link-to-root", "content.bak"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5), absolute=st.booleans())
def test_every_generated_output_folder_is_refused_or_outside_what_it_could_destroy(tmp_path, parts, absolute):
    """For every output path (relative or absolute, through .., symlinks): refused, or its
    real location is neither the repository, an ancestor of it, nor inside a protected folder;
    and mkdocs.yml's site_dir check agrees with the build's."""
    from gkpublish.site.mkdocs_config import PROTECTED_TOPS, mkdocs_problems, output_problem

    root = tmp_path / "repo"
    if not root.exists():
        for top in PROTECTED_TOPS:
            (root / top).mkdir(parents=True)
        os.symlink(root / "content", root / "link-to-content")
        os.symlink(root, root / "link-to-root")
    rel = "/".join(parts)
    path = os.path.join(str(root), rel) if absolute else rel
    why = output_problem(str(root), os.path.join(str(root), path))
    real, real_root = os.path.realpath(os.path.join(str(root), path)), os.path.realpath(root)
    if why is None:
        assert os.path.commonpath([real, real_root]) != real  # not the repository nor an ancestor
        for top in PROTECTED_TOPS:
            base = os.path.join(real_root, top)
            assert os.path.commonpath([real, base]) != base, (rel, real)
    text = DEFAULT_CONFIG.replace("site_dir: site", f"site_dir: {json.dumps(path)}")
    flagged = [p for p in mkdocs_problems(text, {}, str(root)) if p.key == "site_dir"]
    assert bool(flagged) == (why is not None), (path, why, flagged)


def test_the_search_indexer_dies_with_the_build(tmp_path):
    """search.Indexer's worker (python -m gkpublish.site.gkindex) does not run on when the
    build that started it is SIGKILLed (PR_SET_PDEATHSIG, and its stdin ends)."""
    marker = tmp_path / "child.pid"
    code = f"""
import time
from gkpublish.site.gkindex import Entry
from gkpublish.site.search import Indexer
ix = Indexer({str(tmp_path / 'site')!r}, [("a.md", Entry(url="a/", title="标题"))])
open({str(marker)!r}, "w").write(str(ix._proc.pid))
time.sleep(600)
"""
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        wait_for(lambda: marker.exists() and marker.read_text().strip(), "the indexer's worker")
        child = int(marker.read_text())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_for(lambda: not alive({child}), "the worker to die") is True
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_output_folder_through_a_symlink_and_dotdot_is_refused_when_mkdocs_would_land_in_content(tmp_path):
    """``link-to-root/../content``: the file system resolves it outside the repository, but
    MkDocs folds it lexically (os.path.abspath) into content/ — refused, by both checks."""
    from gkpublish.site.mkdocs_config import mkdocs_problems, output_problem

    root = tmp_path / "repo"
    (root / "content").mkdir(parents=True)
    os.symlink(root, root / "link-to-root")
    path = "link-to-root/../content"
    assert "content/" in (output_problem(str(root), os.path.join(str(root), path)) or "")
    text = DEFAULT_CONFIG.replace("site_dir: site", f"site_dir: {json.dumps(path)}")
    assert [p for p in mkdocs_problems(text, {}, str(root)) if p.key == "site_dir"]
