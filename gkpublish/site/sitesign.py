"""The signed manifest of a deployed site (网页防篡改) and its verification.

``gkpublish build`` writes ``gkpublish-manifest.json`` (every published file: path, kind,
size, SHA-256; :mod:`gkpublish.site.manifest`). With a publishing key (``--sign-key FILE``
or the environment variable ``GKPUBLISH_SITE_KEY`` holding the private key's text) it also
writes ``gkpublish-manifest.json.sig``: an SSHSIG over the manifest's exact bytes, in the
namespace :data:`SITE_NAMESPACE`, so a signature made for a sign-off, a git commit or an
e-mail can never pass for a site signature, nor the other way round.

Who may sign a site is in the roster: a person whose ``steps`` include :data:`SITE_STEP`
(``发布``), with an unrevoked key. ``verify-deployed`` accepts the signature only from such
a key of the *trusted* roster (the working tree of main, or ``--trust-ref``): rewriting a
page and its digest in the manifest breaks the signature, and a manifest signed with any
other key is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from gkpublish import sshsig
from gkpublish.errors import GkError
from gkpublish.model import Repository
from gkpublish.roster import Roster
from gkpublish.site import manifest as mf

SITE_NAMESPACE = "gkpublish-site@gkpublish"
SITE_STEP = "发布"
SIGNATURE = mf.SIGNATURE
KEY_ENV = "GKPUBLISH_SITE_KEY"
MAX_SIGNATURE_BYTES = 8192  # an armored SSHSIG of an RSA-4096 key is < 2 KB
FETCH_TIMEOUT = 30
FETCH_WORKERS = 8


def trusted_roster(repo: Repository) -> Roster:
    """The roster that decides who may sign: the trusted revision's, else the working tree's."""
    trust = repo.extra.get("trust")
    roster = getattr(trust, "roster", None)
    return roster if isinstance(roster, Roster) else Roster(repo.config.people, repo.config.units)


def site_keys(roster: Roster) -> dict[bytes, str]:
    """Unrevoked key blob → person id, of every person who may sign the site (step 发布)."""
    return {k.blob: k.person for k in roster.by_blob.values()
            if k.revoked is None and SITE_STEP in roster.people[k.person].steps}


@contextmanager
def publishing_key(path: str | None) -> Iterator[Any | None]:
    """The private key of ``--sign-key FILE``, else of ``$GKPUBLISH_SITE_KEY`` (the key's text,
    as a CI secret holds it; written to a private temporary file only while it is used), else
    None (an unsigned manifest)."""
    text = os.environ.get(KEY_ENV, "")
    if path is None and not text.strip():
        yield None
        return
    tmp = None
    try:
        if path is None:
            fd, tmp = tempfile.mkstemp(prefix="gkpublish-site-key-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text.replace("\r\n", "\n").strip() + "\n")
        where = path or f"环境变量 {KEY_ENV}"
        try:
            yield sshsig.load_private_key(path or tmp)
        except sshsig.SshSigError as exc:
            raise GkError(f"发布密钥（{where}）无法使用：{exc}") from None
    finally:
        if tmp:
            os.remove(tmp)


def check_publishing_key(repo: Repository, key: Any) -> str:
    """The roster person the key belongs to, or GkError (exit 2) when it may not sign the site."""
    blob = sshsig.public_blob_of(key)
    allowed = site_keys(trusted_roster(repo))
    if blob not in allowed:
        names = "、".join(sorted(set(allowed.values()))) or "（名册中没有层级为“发布”的人员）"
        raise GkError(f"发布密钥 {sshsig.fingerprint(blob)} 不是可信名册中“{SITE_STEP}”人员的有效密钥；"
                      f"可签名站点的人员：{names}。请在 site_config/roster.yml 中为发布人员登记此公钥（经主要领导签审）")
    return allowed[blob]


def release_of(root: str) -> dict[str, Any]:
    """What the site was built from: the git commit of the repository (and whether the working
    tree differed from it). Recorded in the signed manifest, so that ``verify-deployed
    --expect-commit`` can tell an old signed build put back from the current one."""
    import git

    try:
        # the site may be a sub-folder of the git work tree (one organ's site among several):
        # the commit is the work tree's HEAD, and what makes the build dirty is a change in
        # this site's folder, not in another organ's
        repo = git.Repo(root, search_parent_directories=True)
        top = os.path.realpath(repo.working_tree_dir or root)
        prefix = os.path.relpath(os.path.realpath(root), top).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        # an untracked file can be built (a new item not yet committed): it makes the build
        # dirty; the build's own temporary folders beside the target do not
        untracked = [p[len(prefix):] for p in repo.untracked_files if p.startswith(prefix)]
        untracked = [p for p in untracked if not p.startswith(".gkpublish-")]
        changed = repo.is_dirty(untracked_files=False, path=prefix or None)
        return {"commit": repo.head.commit.hexsha, "dirty": changed or bool(untracked)}
    except (git.GitError, ValueError, OSError):
        return {"commit": None, "dirty": True}


def sign_site(site_dir: str, key: Any, release: dict[str, Any] | None = None) -> None:
    """Write ``gkpublish-manifest.json.sig``: the SSHSIG of the manifest's exact bytes, after
    adding ``release`` (:func:`release_of`) to the manifest. The manifest is not listed in
    itself, so rewriting it here changes nothing that verify-site checked."""
    path = os.path.join(site_dir, mf.MANIFEST)
    if release is not None:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        doc["release"] = release
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=0, sort_keys=True)
    with open(path, "rb") as fh:
        data = fh.read()
    armored = sshsig.sign(data, key, SITE_NAMESPACE)
    with open(os.path.join(site_dir, SIGNATURE), "w", encoding="ascii", newline="\n") as fh:
        fh.write(armored)


def well_formed_signature(data: bytes) -> bool:
    """A small armored SSHSIG in the site namespace (what verify-site lets stand unlisted)."""
    if len(data) > MAX_SIGNATURE_BYTES:
        return False
    try:
        return sshsig.parse(data).namespace == SITE_NAMESPACE
    except (sshsig.SshSigError, ValueError):
        return False


# -- verify-deployed -------------------------------------------------------------------------

@dataclass
class Report:
    """What verify-deployed found; ``problems`` empty means the deployed copy is the signed build."""

    signer: str | None = None
    release: dict[str, Any] | None = None  # what the signed build was made from (commit)
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Fetch = Callable[[str], bytes | None]  # site path → bytes, None when the file is missing


def dir_fetcher(site_dir: str) -> Fetch:
    def fetch(path: str) -> bytes | None:
        full = os.path.join(site_dir, *path.split("/"))
        if os.path.islink(full) or not os.path.isfile(full):
            return None
        with open(full, "rb") as fh:
            return fh.read()
    return fetch


def url_fetcher(base: str) -> Fetch:
    """Files under an http(s) base URL. 404 is a missing file; any other failure stops (exit 2):
    an unreachable site cannot be declared intact."""
    base = base if base.endswith("/") else base + "/"

    def fetch(path: str) -> bytes | None:
        url = base + urllib.parse.quote(path)
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as resp:  # noqa: S310 - http(s) only
                return resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                return None
            raise GkError(f"{url}: 服务器返回 {exc.code}，无法核验；请检查网站服务器") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise GkError(f"{url}: 无法访问（{reason}）；请检查地址和网络") from None
    return fetch


def _entries(data: bytes) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        doc = None
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
        raise ValueError("构建清单不是 gkpublish 生成的格式")
    release = doc.get("release")
    return files, release if isinstance(release, dict) else None


def verify_deployed(fetch: Fetch, roster: Roster, listing: list[str] | None,
                    expect_commit: str | None = None) -> Report:
    """Check a deployed copy against its signed manifest.

    ``listing``: every regular file of the copy (a folder), to find files that were added;
    None for a URL, where only the listed files can be fetched (added files go unseen).
    ``expect_commit``: the commit the deployed build must have been made from (an older
    signed build put back is otherwise a valid signed site).
    Order matters: the signature first — an unsigned or forged manifest proves nothing,
    so its file list is not even compared.
    """
    report = Report()
    manifest = fetch(mf.MANIFEST)
    if manifest is None:
        report.problems.append(f"{mf.MANIFEST}: 缺少构建清单，无法核验；请用 gkpublish build 重新构建并部署")
        return report
    sig = fetch(SIGNATURE)
    allowed = site_keys(roster)
    if sig is None:
        report.problems.append(f"{SIGNATURE}: 构建清单没有签名，无法证明站点未被改动；请用发布密钥构建（gkpublish build --sign-key）")
        return report
    if not allowed:
        raise GkError(f"可信名册中没有层级为“{SITE_STEP}”的人员的有效公钥，无法核验站点签名；"
                      "请在 site_config/roster.yml 中登记发布人员及其公钥")
    try:
        parsed = sshsig.verify(manifest, sig.decode("ascii", "replace"), SITE_NAMESPACE, list(allowed))
    except sshsig.SshSigError as exc:
        report.problems.append(f"{SIGNATURE}: 签名无效：{exc}；构建清单可能被改动，站点不可信")
        return report
    report.signer = allowed[parsed.public_key]
    try:
        entries, report.release = _entries(manifest)
    except ValueError as exc:
        report.problems.append(f"{mf.MANIFEST}: {exc}")
        return report
    if expect_commit is not None:
        built = (report.release or {}).get("commit")
        if built != expect_commit or (report.release or {}).get("dirty"):
            state = "未记录构建来源" if not built else f"由提交 {str(built)[:12]}{'（含未提交的改动）' if report.release.get('dirty') else ''} 构建"
            report.problems.append(f"{mf.MANIFEST}: 部署的站点{state}，不是期望的提交 {expect_commit[:12]}："
                                   "可能被换回了旧的已签名版本，或最新的发布没有完成；请查看发布记录并重新发布")
    paths = sorted(entries)
    # a site of 10,000 pages over http: fetched 8 at a time (a GkError of any fetch stops all)
    def digest(path: str) -> tuple[str, int] | None:  # only the digest is kept, not the bytes
        data = fetch(path)
        return None if data is None else (hashlib.sha256(data).hexdigest(), len(data))

    with ThreadPoolExecutor(max_workers=FETCH_WORKERS) as pool:
        fetched = list(pool.map(digest, paths))
    for path, got in zip(paths, fetched, strict=True):
        entry = entries[path]
        report.checked += 1
        if got is None:
            report.problems.append(f"{path}: 缺失（构建清单中有，部署的站点中没有）")
        elif got[0] != entry.get("sha256") or ("size" in entry and entry["size"] != got[1]):
            report.problems.append(f"{path}: 已被改动（与签名的构建清单中的摘要不一致）")
    if listing is None:
        report.notes.append("通过网址核验时只能检查清单中的文件；服务器上额外增加的文件须在服务器目录上运行 verify-deployed 才能发现")
    else:
        for path in listing:
            if path not in entries and path not in (mf.MANIFEST, SIGNATURE):
                report.problems.append(f"{path}: 增加的文件（不在签名的构建清单中）")
    return report
