"""verify-site: prove that a built site holds nothing that is not public.

The contract ("What never reaches the public site"): items that are 依申请公开 or 不予公开,
withdrawn items, non-public parts of 部分公开 items, ``records/``, ``approvals/``,
``site_config/`` secrets, a GK5xx pattern, and any file not produced from public content.

Checks, over every file of the site directory:

1. **Provenance.** The build lists every file it wrote in ``gkpublish-manifest.json``
   (:mod:`gkpublish.site.manifest`). A file missing from it (dropped in by hand), changed
   since the build, a symlink, or a missing manifest fails. An attachment must be
   byte-identical to an attachment of a published item; no file may be byte-identical to
   an attachment of an unpublished item or to a file of ``records/`` or ``approvals/``.
2. **Secret text.** Every text that must stay internal (:func:`gkpublish.public.secrets_of`:
   titles, bodies, file names and front matter of unpublished items, non-public blocks,
   HTML comments and internal fields of published ones; every line of ``records/`` and
   ``approvals/``; ``site_config/roster.yml`` and the non-public keys of ``site.yml``) is
   searched for in the text of every page, feed, sitemap and search-index file (the
   search index, gkpublish.site.gkindex, is read back completely: :func:`index_leaks`).
   Texts are compared *normalised* (only letters, digits and CJK characters: markup,
   punctuation and whitespace do not hide a leak), line by line,
   and only distinctive lines are looked for (:func:`worth_looking_for`: at least
   :data:`MIN_CHARS` characters with :data:`MIN_CJK` Chinese ones, or :data:`MIN_ASCII`
   letters and digits), so a short common phrase (``特此通知``), a date or a person id
   cannot raise a false alarm. Of JSON and YAML records only the values count. A secret
   line that is also public content (the same sentence in a published item) is not a leak.
3. **GK5xx patterns** (:func:`gkpublish.privacy_patterns.scan_text`: 身份证号, 手机号,
   银行卡号, 密级标志, the site's terms) in the visible text of pages, feed, sitemap and the
   search fragments, except values waived in a published item's front matter.

4. **Names.** Every file and folder name of the site, every local link target and anchor
   (``id``) of a page, and every address in ``sitemap.xml``, ``feed.xml``, the search index
   and the 文号 index (``<loc>``, ``<id>``, ``href``, ``"url"``), percent-decoded, is scanned
   with the gate's name reading (:func:`gkpublish.privacy_patterns.scan_name`) and searched
   for secret text: an address names what it links to (``/zcwj/张三-<身份证号>/``).

The search for secrets is fast enough for 10,000 pages: every ``K``-character piece of
every secret line is put in a dict, and each page's normalised text is probed only at
every ``K``-th position; any occurrence of a line of ≥ 2K-1 characters must cover one of
those probes, and is then confirmed with a plain substring test.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import multiprocessing as mp
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from queue import Queue
from urllib.parse import unquote

import yaml

from gkpublish.approvals import COMMENT_FIELD_RE, Approvals
from gkpublish.mdtext import own_site_path, resolve_url
from gkpublish.model import Repository
from gkpublish.parallel import die_with_parent
from gkpublish.public import PUBLIC_SITE_KEYS, PublicView, public_view, secret_files, secrets_of
from gkpublish.site import manifest as mf

MIN_CHARS = 8  # normalised characters a secret line needs to be looked for …
MIN_CJK = 4  # … of which Chinese characters; or, without them,
MIN_ASCII = 16  # this many letters and digits (keys, signatures; not dates, ids or phone numbers)
K = 4  # probe length; lines of >= 2K-1 characters are always found
assert MIN_CHARS >= 2 * K - 1
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Normalised text keeps letters, digits, CJK, and line breaks (block boundaries: a secret
# line must not be "found" across two paragraphs that merely end and start alike).
_NON_WORD = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\n]+")
# Inline markup joins text; every other tag is a block boundary.
_INLINE_TAG = re.compile(r"</?(?:a|strong|b|em|i|span|code|mark|sup|sub|small|abbr|u|s|del|ins|q|cite|kbd|wbr)\b[^>]*>", re.I)
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
# attribute values with non-ASCII text (a leak can hide in a title= or alt=)
# (the ASCII run is possessive: no backtracking through long ASCII values, 3× faster)
_ATTR = re.compile(r'=\s*"([^"<>\x80-\U0010ffff]*+[^\x00-\x7f][^"<>]*)"')
# link targets, ASCII too: a link's address can name an unpublished item or file. Written to
# start with one character class, which the regex engine scans for fast (7× faster than
# \b(?:href|src) with re.I); the look-behind is that \b.
_LINK_ATTR = re.compile(r'[hHsS](?<![0-9A-Za-z_][hHsS])(?:(?i:ref)|(?i:rc))\s*=\s*"([^"<>]*)"')
TEXT_SUFFIXES = (".html", ".htm", ".xml", ".json", ".txt", ".js", ".css", ".svg", ".map", ".md", ".csv", ".yml")
SEARCH_TEXT = "search/index/"  # the search index's texts are decoded text already (page_text)
# Files whose visible text is content (GK5xx is looked for there, not in theme code).
CONTENT_SUFFIXES = (".html", ".htm", ".xml", ".txt")


def normalise(text: str) -> str:
    return _NON_WORD.sub("", text)


def worth_looking_for(unit: str) -> bool:
    """A normalised secret line distinctive enough that finding it on the site is a leak."""
    if len(unit) >= MIN_ASCII:
        return True
    return len(unit) >= MIN_CHARS and len(_CJK.findall(unit)) >= MIN_CJK


@dataclass(frozen=True)
class Leak:
    path: str  # site-relative
    reason: str  # Chinese, names the source where known

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class SecretIndex:
    """Secret lines, normalised, found in a text by probing every K-th position.

    Each line is indexed under K of its K-character pieces: for each residue r < K, the
    rarest piece among those starting at r, r+K, r+2K … of the line. Wherever the line
    occurs in a text, the probes at every K-th position of the text fall on the line at
    offsets of one residue class, so one of them is that class's indexed piece. Rare
    pieces keep the candidate lists short (a common phrase shared by thousands of secret
    lines would otherwise make every page a candidate for all of them).
    """

    def __init__(self, secrets: list[tuple[str, str]], public: tuple[str, set[str]]):
        self.units: list[str] = []
        self.where: list[str] = []
        self._public, public_sentences = public
        self._public_memo: dict[int, bool] = {}
        seen: set[str] = set()
        for where, text in secrets:
            for line in str(text).splitlines():
                unit = normalise(line).replace("\n", "")
                if unit in seen or not worth_looking_for(unit):
                    continue
                if all(s in public_sentences for s in sentences(line)):
                    continue  # every sentence of it is published elsewhere: nothing new would leak
                seen.add(unit)
                self.units.append(unit)
                self.where.append(where)
        df: dict[str, int] = {}
        for unit in self.units:
            for g in {unit[i:i + K] for i in range(len(unit) - K + 1)}:
                df[g] = df.get(g, 0) + 1
        self._anchors: dict[str, list[int]] = {}
        for idx, unit in enumerate(self.units):
            chosen = {min((unit[o:o + K] for o in range(r, len(unit) - K + 1, K)), key=df.__getitem__)
                      for r in range(K)}
            for g in chosen:
                self._anchors.setdefault(g, []).append(idx)

    def __len__(self) -> int:
        return len(self.units)

    def _is_public(self, idx: int) -> bool:
        got = self._public_memo.get(idx)
        if got is None:
            got = self._public_memo[idx] = self.units[idx] in self._public
        return got

    def find(self, text: str) -> list[int]:
        """Indexes of the secret lines that occur in the normalised ``text``."""
        anchors = self._anchors
        candidates = {i for q in range(0, len(text) - K + 1, K) for i in anchors.get(text[q:q + K], ())}
        return sorted(i for i in candidates if self.units[i] in text and not self._is_public(i))


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")


def sentences(text: str) -> list[str]:
    """The normalised sentences of a text (split at 。！？； and line ends)."""
    return [n for n in (normalise(s) for s in _SENTENCE_END.split(text)) if n]


def _public_text(view: PublicView) -> tuple[str, set[str]]:
    """Everything the public view publishes, normalised, as one text and as the set of its
    sentences: a secret line made only of public sentences, or found in the public text,
    is public content, not a leak."""
    from gkpublish.site.guide import guide_page

    parts: list[str] = []
    public_sentences: set[str] = set()

    def add(value: object) -> None:
        if isinstance(value, str):
            parts.append(normalise(value).replace("\n", ""))
            public_sentences.update(sentences(value))
        elif isinstance(value, dict):
            for v in value.values():
                add(v)
        elif isinstance(value, list | tuple):
            for v in value:
                add(v)
        elif value is not None:
            add(str(value))

    for it in view.items:
        add(it.meta)
        add(it.body)
        add(it.source)
        add(it.corrections)
        add(it.abolished)
        add([(a.title, a.name) for a in it.attachments])
        add(it.url.split("/"))  # a published item's address is public: its folders and name
    add([t.texts() + t.url.split("/") for t in view.tombstones])
    add(view.site)
    add(view.guide)
    add([(c.name, c.parent, c.description) for c in view.columns])
    add(_TAG.sub("\n", guide_page(view, [], "").before))
    return "\n".join(parts), public_sentences


def _repo_secrets(repo: Repository) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(where, text) secrets beyond the items, and secret files by SHA-256 → where."""
    texts: list[tuple[str, str]] = []
    hashes: dict[str, str] = {}
    loaded = repo.extra.get("approvals")  # the loader has read approvals/ already: reuse it
    tops: tuple[str, ...] = ("records", "approvals")
    if isinstance(loaded, Approvals):
        texts.extend(loaded.comments())
        tops = ("records",)
    for top in tops:
        base = os.path.join(repo.root, top)
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                full = os.path.join(dirpath, name)
                if os.path.islink(full) or not os.path.isfile(full):
                    continue
                rel = os.path.relpath(full, repo.root).replace(os.sep, "/")
                with open(full, "rb") as fh:
                    data = fh.read()
                if top == "approvals":
                    # tens of thousands of small signed records: their signatures are found by
                    # SIGNATURE_MARKS (a copied record too); only the reviewers' comments are text
                    texts.extend((rel, json.loads(f'"{c}"')) for c in COMMENT_FIELD_RE.findall(data.decode("utf-8", "ignore")))
                    continue
                hashes.setdefault(hashlib.sha256(data).hexdigest(), rel)
                texts.append((rel, name))
                texts.extend((rel, t) for t in _values(name, data))
    roster = repo.config.files.get("site_config/roster.yml")
    if roster:
        texts.append(("site_config/roster.yml", roster.decode("utf-8", "ignore")))
    for key, value in repo.config.site.items():
        if key not in PUBLIC_SITE_KEYS:
            texts.append((f"site_config/site.yml:{key}", str(value)))
    for path, why in secret_files(repo).items():
        full = repo.attachments.get(path)
        if full and os.path.isfile(full):
            hashes.setdefault(mf.sha256_file(full), f"{path}（{why}）")
            texts.append((path, os.path.basename(path)))
    return texts, hashes


# Every SSH signature (ssh-keygen -Y sign) starts with the magic "SSHSIG": as text, in
# base64, or armoured. None of these belongs on a public page.
SIGNATURE_MARKS = ("BEGIN SSH SIGNATURE", "U1NIU0lH")


def _values(name: str, data: bytes) -> list[str]:
    """The texts of a record file: the values of a JSON/YAML document (its keys and numbers
    are structure, not secrets), or the lines of any other file."""
    text = data.decode("utf-8", "ignore")
    try:
        if name.endswith(".json"):
            doc = json.loads(text)
        elif name.endswith((".yml", ".yaml")):
            doc = yaml.safe_load(text)
        else:
            return [text]
    except (ValueError, yaml.YAMLError):
        return [text]
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(doc)
    return out


def _decompress(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError):
            return data
    return data


def _link_texts(source: str, own: str | None) -> list[str]:
    """The local link targets of a page, as text: a link's address can name an unpublished
    item or file. An absolute address of the site itself (site.yml ``url``, however written:
    ``https:\\\\<site>/…``) is a local link too (:func:`gkpublish.mdtext.own_site_path`)."""
    out: list[str] = []
    host = (resolve_url(own, own).host if own and resolve_url(own, own) else "") or None
    for v in _LINK_ATTR.findall(source):
        if v.startswith("#"):
            continue
        if v.lower().startswith(("http:", "https:")):
            local = own_site_path(html.unescape(v), own) if host and host in v.lower() else None
            if local is None:
                continue
            v = local
        out.append(unquote(v))
    return out


# Addresses a site file carries besides its text: site-relative or absolute link targets,
# anchors, sitemap <loc>, Atom <id>/<link href>, the "url" of search and 文号 index records.
_ADDRESS_RE = re.compile(r'<(loc|id)>([^<]*)</\1>|"url"\s*:\s*"((?:[^"\\]|\\.)*)"'
                         r'|(?<![0-9A-Za-z_-])(id|href|src)\s*=\s*"([^"<>]*)"')


SEARCH_PAGES = "search/index/p/"  # the index's pages table: [url, title, date, ...] rows


def index_page_urls(text: str) -> list[str]:
    """The addresses in a chunk of the search index's pages table (rows whose first value is
    the page's address, not a "url" key), percent-decoded. The other values (title, date,
    filters) are public text, read as text like every other file."""
    from urllib.parse import unquote as _unquote

    try:
        rows = json.loads(text)
    except ValueError:
        return []  # not JSON: the index check (index_leaks) refuses the index anyway
    out: list[str] = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, list) and row and isinstance(row[0], str):
            out.append(_unquote(row[0]))
    return out


def addresses(text: str, own: str | None = None) -> list[str]:
    """The addresses and anchors in the text of a site file, percent-decoded (entities and
    JSON escapes too): what a visitor's address bar, a crawler or the search page shows. A
    link to another site is text, not one of ours (its words are scanned as text)."""
    from urllib.parse import unquote as _unquote

    host = None
    if own:
        got = resolve_url(own, own)
        host = got.host if got else None
    out: list[str] = []
    for m in _ADDRESS_RE.finditer(text):
        if m.group(3) is not None:
            try:
                value = json.loads(f'"{m.group(3)}"')
            except ValueError:
                value = m.group(3)
        else:
            value = html.unescape(m.group(2) if m.group(1) else m.group(5))
        if m.group(4) in ("href", "src") and (value.lower().startswith(("http:", "https:", "//"))
                                               or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value)):
            got = resolve_url(value, own) if own and host else None
            if got is None or got.host != host:
                continue  # another site's address, or mailto:/tel:: text, scanned as text
        if value:
            out.append(_unquote(value))
    return out


def _texts_of(path: str, data: bytes, own: str | None = None) -> tuple[str, str] | None:
    """(visible text, everything else: tags, attributes, comments, scripts) of a file, or
    None for a binary file."""
    lower = path.lower()
    if lower.endswith(".gz"):
        data = _decompress(data)
        lower = lower[:-3]
    if not lower.endswith(TEXT_SUFFIXES):
        return None
    text = data.decode("utf-8", "replace")
    if lower.endswith((".html", ".htm", ".xml", ".svg")):
        scripts = [m.group(0) for m in _SCRIPT_STYLE.finditer(text)]
        source = _SCRIPT_STYLE.sub(" ", text) if scripts else text
        links = _link_texts(source, own)
        rest = _ATTR.findall(source) + links + _COMMENT.findall(source) + scripts
        visible = _TAG.sub("\n", _INLINE_TAG.sub("", source))
        return html.unescape(visible), html.unescape("\n".join(rest))
    return text, ""


# Closing tags of elements that are block boundaries in the normalised text (every tag but
# the inline ones of _INLINE_TAG). A page cut right after one of them reads exactly as the
# whole page does: no text or tag runs on across the cut.
_BLOCK_CLOSE = re.compile(r"(</(?:div|li|ul|ol|nav|p|label|header|footer|form|table|tbody|thead|tr|td|th"
                          r"|h[1-6]|svg|button|section|article|main|aside|dl|dt|dd|head|body|html)\s*>)", re.I)


def html_chunks(text: str) -> tuple[list[str], list[str], list[str]]:
    """(chunks, scripts and styles, comments) of an HTML page. Scripts, styles and comments
    are taken out first (a ``</div>`` inside one must not cut it; a comment's place stays a
    boundary, as in :func:`_texts_of`); the rest is cut after each block closing tag. Joined,
    any subset of the chunks in order reads like the page with the others left out."""
    scripts = [m.group(0) for m in _SCRIPT_STYLE.finditer(text)]
    source = _SCRIPT_STYLE.sub(" ", text) if scripts else text
    comments = _COMMENT.findall(source)
    if comments:
        source = _COMMENT.sub("<!---->", source)
    parts = _BLOCK_CLOSE.split(source)
    chunks = [parts[i] + (parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]
    return chunks, scripts, comments


def _html_texts(chunks: list[str], scripts: list[str], comments: list[str], own: str | None = None) -> tuple[str, str]:
    """(visible text, everything else) of the given chunks of a page, as :func:`_texts_of`."""
    source = "".join(chunks)
    links = _link_texts(source, own)
    rest = _ATTR.findall(source) + links + comments + scripts
    visible = _TAG.sub("\n", _INLINE_TAG.sub("", source))
    return html.unescape(visible), html.unescape("\n".join(rest))


def _waived(repo: Repository, view: PublicView) -> set[tuple[str, str]]:
    from gkpublish.rules.privacy import canonical  # the gate's own comparison of waived values

    published = {it.source_path for it in view.items}
    out: set[tuple[str, str]] = set()
    for item in repo.items:
        if item.path not in published:
            continue
        for w in item.seq("waivers"):
            if isinstance(w, dict) and w.get("rule") and w.get("value") is not None:
                out.add((str(w["rule"]), canonical(str(w["rule"]), str(w["value"]))))
    return out


class Verifier:
    """What must not be on the site, compiled once; :meth:`content_leaks` checks one file."""

    SEGMENT_CACHE = 200  # segments up to this length (navigation, footer, labels) are scanned once
    CHUNK_CACHE = 4096  # page chunks up to this length (html_chunks) are read once

    def __init__(self, repo: Repository, view: PublicView):
        texts, self.secret_hashes = _repo_secrets(repo)
        self.index = SecretIndex(secrets_of(repo) + texts, _public_text(view))
        self.public_hashes = {mf.sha256_file(repo.attachments[a.path])
                              for it in view.items for a in it.attachments if a.path in repo.attachments}
        form = view.guide.get("application_form")
        if isinstance(form, str) and form in repo.attachments:
            self.public_hashes.add(mf.sha256_file(repo.attachments[form]))
        # the organ's emblem: only the bytes the public view accepted (gkpublish.site.emblem, GK121)
        self.emblem_hash = hashlib.sha256(view.emblem.data).hexdigest() if view.emblem is not None else None
        self.waived = _waived(repo, view)
        self.site_url = str(repo.config.site.get("url") or "") or None
        try:
            from gkpublish.privacy_patterns import compile_terms
            self.terms = compile_terms(repo.config.terms)[0]
        except ImportError:  # pragma: no cover - the detectors ship with gkpublish
            self.terms = None
        self._clean: set[str] = set()
        self._clean_chunks: set[str] = set()
        self._clean_names: set[str] = set()  # path components and addresses already read clean

    def _new_segments(self, text: str) -> list[str]:
        """The normalised segments of ``text`` not already known to be clean."""
        clean = self._clean
        return [seg for seg in normalise(text).split("\n") if seg and seg not in clean]

    def name_leaks(self, path: str, names: list[str], where: str) -> list[Leak]:
        """GK5xx patterns and secret text in names (path components, addresses) of the
        site file ``path``; each name is read once per verification."""
        from gkpublish.privacy_patterns import mask, scan_name
        from gkpublish.rules.privacy import canonical

        leaks: list[Leak] = []
        fresh = [n for n in dict.fromkeys(names) if n and n not in self._clean_names]
        for name in fresh:
            found = False
            for rule_id, value in scan_name(name, self.terms):
                if (rule_id, canonical(rule_id, value)) not in self.waived:
                    found = True
                    leaks.append(Leak(path, f"{rule_id} {where}中出现不应公开的内容：{mask(rule_id, value)}"))
            for i in self.index.find(normalise(name).replace("\n", "")):
                found = True
                leaks.append(Leak(path, f"{where}含有不公开的内容（来自 {self.index.where[i]}）：“{_preview(self.index.units[i])}”"))
            if not found:
                self._clean_names.add(name)
        return leaks

    def content_leaks(self, path: str, data: bytes, kind: str | None = None, digest: str | None = None) -> list[Leak]:
        leaks: list[Leak] = []
        digest = digest or hashlib.sha256(data).hexdigest()
        # the file's own path: every folder and the file name are part of its address
        parts = path.split("/")
        leaks.extend(self.name_leaks(path, ["/".join(parts[:n]) for n in range(1, len(parts) + 1)], "文件或文件夹名"))
        if digest in self.secret_hashes:
            leaks.append(Leak(path, f"与不公开的文件内容相同：{self.secret_hashes[digest]}"))
        elif kind == mf.ATTACHMENT and digest not in self.public_hashes:
            leaks.append(Leak(path, "附件不是任何公开条目的附件"))
        elif kind == mf.EMBLEM and digest != self.emblem_hash:
            leaks.append(Leak(path, "机关标志与 site_config/ 中通过检查（GK121）的标志文件不同"))
        fresh_chunks: list[str] = []
        if path.lower().endswith((".html", ".htm")):
            # The chrome around a page's content (header, navigation, footer, scripts) is the
            # same on thousands of pages: a chunk of a page already read without finding
            # anything is not read again. Only chunks of pages without findings are kept.
            seen = self._clean_chunks
            parts = html_chunks(data.decode("utf-8", "replace"))
            chunks, scripts, comments = ([c for c in part if c not in seen] for part in parts)
            fresh_chunks = chunks + scripts + comments
            visible, rest = _html_texts(chunks, scripts, comments, self.site_url)
            # GK5xx read the page as a visitor does, with the gate's own normaliser: the
            # markup itself (entities, tags between characters, attribute values)
            pattern_text = "".join(chunks)
            address_text = pattern_text
        else:
            got = _texts_of(path, data, self.site_url)
            if got is None:
                return leaks
            visible, rest = got
            pattern_text = visible
            lower = path.lower().removesuffix(".gz")
            address_text = "" if not lower.endswith((".xml", ".json")) else \
                _decompress(data).decode("utf-8", "replace")
        found = len(leaks)
        if address_text:
            found_addresses = addresses(address_text, self.site_url)
            if path.startswith(SEARCH_PAGES):
                found_addresses += index_page_urls(address_text)
            leaks.extend(self.name_leaks(path, found_addresses, "网址或锚点"))
        for text in (visible, rest):
            if not text:
                continue
            if any(mark in text for mark in SIGNATURE_MARKS):
                leaks.append(Leak(path, "含有签审记录的签名（approvals/）"))
            fresh = self._new_segments(text)
            found_units = self.index.find("\n".join(fresh))
            for i in found_units:
                leaks.append(Leak(path, f"含有不公开的内容（来自 {self.index.where[i]}）：“{_preview(self.index.units[i])}”"))
            # segments read without a finding are not read again (a finding is reported on
            # every page that has it)
            units = [self.index.units[i] for i in found_units]
            self._clean.update(seg for seg in fresh if len(seg) <= self.SEGMENT_CACHE
                               and not any(u in seg for u in units))
        if path.lower().endswith(CONTENT_SUFFIXES):
            leaks.extend(self._patterns(path, pattern_text))
        if len(leaks) == found:
            self._clean_chunks.update(c for c in fresh_chunks if len(c) <= self.CHUNK_CACHE)
        return leaks

    def _patterns(self, path: str, text: str) -> list[Leak]:
        try:
            from gkpublish.privacy_patterns import mask, scan_text
            from gkpublish.rules.privacy import canonical
        except ImportError:  # pragma: no cover
            return []
        out = []
        # the search index holds the page's text, already decoded: decoding it again would
        # read the literal text "&#49;…" as a digit, which no visitor sees
        plain = path.startswith(SEARCH_TEXT)
        for hit in scan_text(text, self.terms, markup=not plain):
            if (hit.rule, canonical(hit.rule, hit.value)) not in self.waived:
                out.append(Leak(path, f"{hit.rule} 公开站点中出现不应公开的内容：{mask(hit.rule, hit.value)}"))
        return out

    def scan(self, site_dir: str, paths: list[str], kinds: dict[str, str] | None = None) -> list[Leak]:
        """Content checks of ``paths`` (site-relative), in worker processes when there are many."""
        kinds = kinds or {}
        if len(paths) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
            return _scan_chunk(self, site_dir, paths, kinds)
        global _WORKER
        _WORKER = (self, site_dir, kinds)
        workers = min(os.cpu_count() or 2, 4)
        chunks = [paths[i::workers] for i in range(workers)]
        try:
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
                return [leak for part in pool.map(_scan_worker, chunks) for leak in part]
        finally:
            _WORKER = None


class StreamScan:
    """verify-site's content checks of a build's files *while* the build writes them.

    A forked worker process compiles the :class:`Verifier` (from the repository and public
    view already in memory) and checks each file as soon as :meth:`add` says it is on disk,
    on the core that MkDocs' single-threaded rendering leaves free. :meth:`finish` returns
    the leaks and the SHA-256 of the very bytes each file was checked in; the manifest
    records those digests, so the provenance check (:func:`provenance_leaks`) proves that
    what is on disk is what was checked.

    Without ``stream`` (mkdocs serve), ``fork`` or a second core nothing runs early:
    :meth:`finish` checks everything then (in worker processes when there are many files)."""

    BATCH = 64

    def __init__(self, repo: Repository, view: PublicView, site_dir: str, stream: bool = True) -> None:
        self.site_dir = site_dir
        self._repo, self._view = repo, view
        self._paths: list[tuple[str, str | None]] = []  # checked in finish(): no worker
        self._batch: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()  # add() comes from MkDocs' thread and the search indexer's
        self._proc = None
        self._dead = False
        self._index = False  # the search index was added: finish() reads it back here
        if stream and (os.cpu_count() or 1) >= 2 and "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
            self._conn, child = ctx.Pipe()
            self._proc = ctx.Process(target=_stream_worker, args=(repo, view, site_dir, child, os.getpid(), self._conn),
                                     name="gkpublish-verify", daemon=True)
            self._proc.start()
            child.close()

    def add(self, path: str, kind: str | None = None) -> None:
        """``path`` (site-relative) is written and will not change."""
        with self._lock:
            if self._proc is None:
                self._paths.append((path, kind))
                return
            self._batch.append((path, kind))
            if path == INDEX_MANIFEST:
                self._index = True
            if len(self._batch) >= self.BATCH:
                self._send()

    def _send(self, message: object = ...) -> None:
        """Send the batch (or ``message``). A worker that has stopped sent its reason before
        it did: finish() reports it, so a broken pipe here is not an error of its own."""
        if not self._dead:
            try:
                self._conn.send(self._batch if message is ... else message)
            except OSError:  # BrokenPipeError included
                self._dead = True
        self._batch = []

    def finish(self) -> tuple[list[Leak], dict[str, str], set[str]]:
        """(leaks, SHA-256 by path where taken, paths checked) of every file added.

        While the worker checks what is still queued, this process — idle otherwise, now
        that MkDocs has finished — reads the search index back (:func:`index_leaks`; the
        worker checks the index's files like any other)."""
        if self._proc is None:
            kinds = {path: kind for path, kind in self._paths if kind}
            paths = [p for p, _ in self._paths]
            return Verifier(self._repo, self._view).scan(self.site_dir, paths, kinds), {}, set(paths)
        with self._lock:
            if self._batch:
                self._send()
            self._send(None)
        try:
            here = index_leaks(self.site_dir) if self._index else []
        except Exception as exc:  # as if the worker had failed: the build stops, in Chinese
            self.cancel()
            raise RuntimeError(f"读回搜索索引时出错：{type(exc).__name__}: {exc}") from None
        except BaseException:
            self.cancel()
            raise
        try:
            status, *result = self._conn.recv()
        except EOFError:
            status, result = "error", ["检查进程意外退出"]
        finally:
            self._proc.join()
            self._conn.close()
        if status != "ok":
            raise RuntimeError(f"verify-site 检查失败：{result[0]}")
        return result[0] + here, result[1], set(result[1])

    def cancel(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.terminate()
            self._proc.join()


def _stream_worker(repo: Repository, view: PublicView, site_dir: str, conn, parent: int, parent_end) -> None:
    die_with_parent(parent)  # a killed build leaves no checker behind
    # the fork inherited the build's end of the pipe: closed, so that the build's death is
    # also an end of file here (the worker blocked in recv() forever before)
    parent_end.close()
    try:
        # the pipe is drained as fast as the build writes to it, so the build never waits
        # for a full pipe (when MkDocs ends, thousands of paths come at once: the build has
        # its own work then, StreamScan.finish)
        queue: Queue = Queue()
        reader = threading.Thread(target=_drain, args=(conn, queue), daemon=True)
        reader.start()
        verifier = Verifier(repo, view)
        leaks: list[Leak] = []
        digests: dict[str, str] = {}
        while (batch := queue.get()) is not None:
            if isinstance(batch, BaseException):  # EOFError: the build has gone
                raise batch
            more, got = _check_files(verifier, site_dir, batch)  # the index's read-back: StreamScan.finish
            leaks.extend(more)
            digests.update(got)
        conn.send(("ok", leaks, digests))
    except EOFError:  # the parent closed its end or died: nobody to report to
        pass
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the build
        try:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        except OSError:
            pass
    finally:
        conn.close()


def _drain(conn, queue: Queue) -> None:
    """Every message of ``conn`` into ``queue``, up to the end (None), or the error that
    stopped the reading."""
    try:
        while True:
            message = conn.recv()
            queue.put(message)
            if message is None:
                return
    except BaseException as exc:  # noqa: BLE001 - handed to the checking thread
        queue.put(exc)


def _check_files(verifier: Verifier, site_dir: str, paths: list[tuple[str, str | None]]) -> tuple[list[Leak], dict[str, str]]:
    leaks: list[Leak] = []
    digests: dict[str, str] = {}
    for path, kind in paths:
        with open(os.path.join(site_dir, path), "rb") as fh:
            data = fh.read()
        digests[path] = digest = hashlib.sha256(data).hexdigest()
        leaks.extend(verifier.content_leaks(path, data, kind, digest))
    return leaks, digests


INDEX_MANIFEST = "search/index/manifest.json"  # gkpublish.site.search.INDEX_DIR


def index_leaks(site_dir: str) -> list[Leak]:
    """The search index read back completely (:func:`gkpublish.site.gkindex.check_index`):
    every token of its base64 postings is compared with the page texts, titles and filter
    values the index also holds as plain files, which this scan reads like pages — so the
    encoded postings can hold nothing the scan did not see. An index that does not match
    them, or cannot be read, fails: what cannot be read cannot be proven clean."""
    from gkpublish.site.gkindex import check_index

    index_dir = os.path.join(site_dir, *INDEX_MANIFEST.split("/")[:-1])
    return [Leak(INDEX_MANIFEST, f"搜索索引与它所索引的公开文字不一致：{p}；无法证明其中没有不公开的内容，"
                                 "请用 gkpublish build 重新构建站点") for p in check_index(index_dir)[:20]]


PARALLEL_FROM = 2000  # files; below this a single process is faster
_WORKER: tuple[Verifier, str, dict[str, str]] | None = None


def _scan_worker(paths: list[str]) -> list[Leak]:
    assert _WORKER is not None
    verifier, site_dir, kinds = _WORKER
    return _scan_chunk(verifier, site_dir, paths, kinds)


def _scan_chunk(verifier: Verifier, site_dir: str, paths: list[str], kinds: dict[str, str]) -> list[Leak]:
    leaks: list[Leak] = []
    for path in paths:
        with open(os.path.join(site_dir, path), "rb") as fh:
            leaks.extend(verifier.content_leaks(path, fh.read(), kinds.get(path)))
        if path == INDEX_MANIFEST:
            leaks.extend(index_leaks(site_dir))
    return leaks


def provenance_leaks(site_dir: str) -> tuple[list[Leak], list[str], dict[str, str]]:
    """Symlinks, files not in the manifest or changed since the build; and the files to
    scan with their kinds."""
    leaks: list[Leak] = []
    files, odd = mf.walk_site(site_dir)
    for path in odd:
        leaks.append(Leak(path, "符号链接或特殊文件：站点中只能有构建生成的普通文件，符号链接可能指向仓库中不公开的内容"))
    manifest = mf.read_manifest(site_dir)
    if manifest is None:
        leaks.append(Leak(mf.MANIFEST, "缺少构建清单：无法证明站点中的文件都由公开内容生成；请用 gkpublish build 重新构建"))
    files = [f for f in files if f != mf.MANIFEST]
    if mf.SIGNATURE in files:
        # the manifest's signature is written after the manifest, so it cannot be listed in it;
        # it may stand only as what it claims to be (a small SSHSIG in the site namespace)
        from gkpublish.site.sitesign import well_formed_signature

        with open(os.path.join(site_dir, mf.SIGNATURE), "rb") as fh:
            if well_formed_signature(fh.read()):
                files.remove(mf.SIGNATURE)
    for path in files:
        entry = (manifest or {}).get(path)
        if manifest is not None and entry is None:
            leaks.append(Leak(path, "不是构建生成的文件（不在构建清单中）：可能是手工放入或残留的文件"))
        elif entry is not None and entry.get("sha256") != mf.sha256_file(os.path.join(site_dir, path)):
            leaks.append(Leak(path, "文件在构建之后被改动（与构建清单中的摘要不一致）"))
    kinds = {p: str(e.get("kind")) for p, e in (manifest or {}).items() if isinstance(e, dict)}
    return leaks, files, kinds


def verify_site(site_dir: str, repo: Repository, view: PublicView | None = None) -> list[Leak]:
    """Everything in ``site_dir`` that must not be public. Empty when the site is clean."""
    if view is None:
        from gkpublish.rules import run_rules

        view = public_view(repo, run_rules(repo))
    leaks, files, kinds = provenance_leaks(site_dir)
    leaks += Verifier(repo, view).scan(site_dir, files, kinds)
    return _dedupe(leaks)


def _preview(unit: str) -> str:
    return unit if len(unit) <= 24 else unit[:24] + "……"


def _dedupe(leaks: list[Leak]) -> list[Leak]:
    seen: set[tuple[str, str]] = set()
    out = []
    for leak in leaks:
        key = (leak.path, leak.reason)
        if key not in seen:
            seen.add(key)
            out.append(leak)
    return out
