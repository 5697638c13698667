"""The site's own sharded index (gkpublish.site.gkindex) measured on a built site.

    .venv/bin/python bench/own_index.py SITE_DIR [--out DIR] [--json] [--replicate K] [TERM ...]

Reads every item page of SITE_DIR (the output of ``gkpublish build``), indexes its text
(``search.page_text``: the same text Pagefind is fed and the ground truth of
bench/search_quality.py) newest first, writes the index to DIR (default: a fresh folder in
/tmp), and prints:

* the index's build: wall and CPU time of tokenising + writing, peak memory (RSS) of this
  process, files and bytes;
* per query (bench/search_quality.py's TERMS): pages containing every word as a substring
  (ground truth), pages the reference client (``gkindex.query``) returns, recall,
  precision, and the bytes one search downloads from the index as the browser client
  fetches it, gzip as served: manifest, the shards (and own files) of the query's page
  lists or covering grams and title tokens, the pages-table chunks and excerpt blocks of the first 10
  results.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import json
import os
import re
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from search_quality import TERMS, item_documents  # noqa: E402

from gkpublish.site import gkindex  # noqa: E402
from gkpublish.site.search import page_text  # noqa: E402

_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_DATE = re.compile(r'data-pagefind-meta="发布日期">(\d{4}-\d{2}-\d{2})<')
_DOCNO = re.compile(r'data-pagefind-meta="文号">([^<]*)<')
_FILTER = re.compile(r'data-pagefind-filter="([^"\[]+)\[content\]" content="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")


def item_pages(site_dir: str) -> list[tuple[gkindex.Entry, str]]:
    out = []
    for url, doc in item_documents(site_dir):
        title = _H1.search(doc)
        date = _DATE.search(doc)
        docno = _DOCNO.search(doc)
        entry = gkindex.Entry(url=url, title=html.unescape(_TAG.sub("", title.group(1))) if title else "",
                              date=date.group(1) if date else "", doc_no=html.unescape(docno.group(1)) if docno else "",
                              facets={k: html.unescape(v) for k, v in _FILTER.findall(doc)})
        out.append((entry, page_text(doc)))
    out.sort(key=lambda p: (p[0].date, p[0].url), reverse=True)  # newest first
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("terms", nargs="*")
    ap.add_argument("--out")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--replicate", type=int, default=1,
                    help="index every page K times (K × the pages, the same density of every word: "
                         "a model of a K times larger site without building it)")
    args = ap.parse_args(argv)
    pages = item_pages(args.site)
    if args.replicate > 1:
        # Copy after copy (not page by page: neighbouring identical position lists would let
        # gzip compress them away), so each word's pages keep their spacing (page-id deltas)
        # and its postings grow K times: what a K times larger site of the same kind of text
        # indexes. gzip's 32 KB window still sees the copies of a rare word's short list, so
        # rare words are under-estimated; a common word's copies lie far beyond the window.
        pages = [(dataclasses.replace(e, url=f"{e.url}{k}/" if k else e.url), t)
                 for k in range(args.replicate) for e, t in pages]
    out = args.out or tempfile.mkdtemp(prefix="hA-own-", dir="/tmp")
    t0, c0 = time.perf_counter(), time.process_time()
    w = gkindex.Writer()
    for entry, text in pages:
        w.add(entry, text)
    t1 = time.perf_counter()
    files = w.write(out)
    t2, c2 = time.perf_counter(), time.process_time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(os.path.getsize(os.path.join(out, f)) for f in files)
    index_files = [f for f in files if not f.startswith("x/")]
    index_size = sum(os.path.getsize(os.path.join(out, f)) for f in index_files)
    print(f"{len(pages)} item pages; tokenise {t1 - t0:.1f} s, write {t2 - t1:.1f} s, CPU {c2 - c0:.1f} s, "
          f"peak RSS {peak:.0f} MB; {len(files)} files, {size / 1e6:.1f} MB "
          f"(postings + tables {len(index_files)} files {index_size / 1e6:.1f} MB); "
          f"shards {json.load(open(os.path.join(out, 'manifest.json')))['shards']}")
    texts = [t for _e, t in pages]
    rows = []
    print("\n| 检索词 | 含有的页面 | 找到 | 返回 | 查全率 | 查准率 | 检索下载（gzip） |\n|---|---:|---:|---:|---:|---:|---:|")
    for term in args.terms or TERMS:
        words = term.split()
        truth = {i for i, t in enumerate(texts) if all(x in t for x in words)}
        reader = gkindex.Reader(out)
        found = gkindex.query(reader, term)
        first = found[:10]
        reader.pages(first)
        rows_shown = [reader.pages([i])[0] for i in first]
        for i in first:  # the excerpt block of the first hit (the first block here: an upper bound of one)
            block = 0
            reader._get(f"x/{i}-{block}.txt")
        del rows_shown
        got = set(found)
        hit = len(got & truth)
        recall = hit / len(truth) if truth else 1.0
        precision = hit / len(got) if got else 1.0
        kb = sum(reader.fetched.values()) / 1024
        rows.append({"term": term, "truth": len(truth), "found": hit, "returned": len(got),
                     "recall": recall, "precision": precision, "kb": kb})
        print(f"| {term} | {len(truth):,} | {hit:,} | {len(got):,} | {recall:.1%} | {precision:.1%} | {kb:.0f} KB |")
    tr = sum(r["truth"] for r in rows)
    fo = sum(r["found"] for r in rows)
    re_ = sum(r["returned"] for r in rows)
    print(f"\noverall: recall {fo / tr if tr else 1:.1%}, precision {fo / re_ if re_ else 1:.1%}, "
          f"max bytes {max(r['kb'] for r in rows):.0f} KB")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
