"""The search index on realistic text: the demo's own 公文 (content/), cut and recombined.

    .venv/bin/python bench/realistic_search.py [--items 2000] [--seed 1] [--queries 200]

Every item's body is made of paragraphs, list items and table rows of this repository's
seed texts (content/*.md: regulations, notices, an annual report with its tables),
several documents' worth, shuffled; rendered to HTML by Python-Markdown (tables, lists)
and read with ``search.page_text`` as the build reads an item page. Indexed with
``gkindex.Writer`` newest first, queried with the Python reference client (the browser's
client returns the same ids: tests/test_search_quality.py). Queries: the 19 terms of
bench/search_quality.py and ``--queries`` substrings of 2–8 characters drawn from the
texts (so every one is on at least one page; some single and multi-word). Prints recall,
precision, the largest and median bytes of one search (gzip), the index's size, its
build time and peak memory.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import markdown  # noqa: E402
from search_quality import TERMS  # noqa: E402

from gkpublish.site import gkindex  # noqa: E402
from gkpublish.site.search import page_text  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seed_blocks() -> list[str]:
    blocks = []
    for dirpath, _dirs, files in os.walk(os.path.join(ROOT, "content")):
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                text = fh.read()
            body = text.split("\n---\n", 1)[1] if text.startswith("---") else text
            body = re.sub(r"(?ms)^:::.*?^:::\s*$", "", body)  # non-public blocks stay out
            blocks += [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]
    return blocks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    blocks = seed_blocks()
    md = markdown.Markdown(extensions=["tables"])
    texts, titles = [], []
    for _ in range(args.items):
        body = "\n\n".join(rnd.choice(blocks) for _ in range(rnd.randint(10, 80)))
        texts.append(page_text(md.reset().convert(body)))
        titles.append(rnd.choice(blocks)[:30])
    out = tempfile.mkdtemp(prefix="hA-real-", dir="/tmp")
    t0, c0 = time.perf_counter(), time.process_time()
    w = gkindex.Writer()
    for i, text in enumerate(texts):
        w.add(gkindex.Entry(url=f"item/{i}/", title=titles[i], date="2026-01-01"), text)
    files = w.write(out)
    t1, c1 = time.perf_counter(), time.process_time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chars = sum(len(t) for t in texts)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in files)
    print(f"{args.items} items, {chars / args.items:,.0f} characters each on average; index {t1 - t0:.1f} s "
          f"(CPU {c1 - c0:.1f} s), peak RSS {peak:.0f} MB, {len(files)} files, {size / 1e6:.1f} MB")
    queries = list(TERMS)
    for _ in range(args.queries):
        t = normal = gkindex.normalise(rnd.choice(texts))
        runs = [r for r in t.split() if len(r) >= 2] or ["公开"]
        run = rnd.choice(runs)
        n = rnd.randint(2, min(8, len(run)))
        at = rnd.randint(0, len(run) - n)
        q = run[at:at + n]
        if rnd.random() < 0.2:  # a second word
            run2 = rnd.choice(runs)
            q += " " + run2[:rnd.randint(1, min(4, len(run2)))]
        del normal
        queries.append(q)
    norm = [gkindex.normalise(t).split() for t in texts]
    tr = fo = re_ = 0
    sizes = []
    worst = ("", 0.0)
    for q in queries:
        words = gkindex.parse_query(q)
        truth = {i for i, runs in enumerate(norm) if all(any(w in r for r in runs) for w in words)}
        reader = gkindex.Reader(out)
        got = gkindex.query(reader, q)
        reader.pages(got[:10])
        for i in got[:10]:
            reader._get(f"x/{i}-0.txt")
        kb = sum(reader.fetched.values()) / 1024
        sizes.append(kb)
        if kb > worst[1]:
            worst = (q, kb)
        tr += len(truth)
        fo += len(truth & set(got))
        re_ += len(got)
    print(f"{len(queries)} queries: recall {fo / max(tr, 1):.2%}, precision {fo / max(re_, 1):.2%}; "
          f"bytes per search (gzip): median {statistics.median(sizes):.0f} KB, max {worst[1]:.0f} KB (“{worst[0]}”)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
