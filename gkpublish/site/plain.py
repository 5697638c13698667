"""Export the generated site as a plain MkDocs project, without the gkpublish plugin.

    python -m gkpublish.site.plain REPO OUT [--as-of DATE]

Writes ``OUT/mkdocs.yml`` and ``OUT/docs/``: every generated page as a Markdown file (the
generated HTML around the item body; the page's metadata as front matter), the
attachments, the 申请表 and the feed, with the same theme overrides and navigation.
``mkdocs build`` in OUT then renders the same pages as ``gkpublish build`` (without the
search index and verify-site). Used by the benchmark ("gkpublish build vs a plain mkdocs
build of the same rendered pages", docs/benchmarks.md) and to take the site elsewhere.
The gate runs first, as for any build: the export refuses when it fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import shutil
import sys

import yaml


def export(root: str, out: str, as_of: dt.date | None = None) -> int:
    from gkpublish.loader import load_repository
    from gkpublish.model import ERROR
    from gkpublish.public import public_view
    from gkpublish.rules import run_rules
    from gkpublish.site.build import DEFAULT_CONFIG
    from gkpublish.site.pages import build_site
    from gkpublish.site.plugin import THEME_DIR

    repo = load_repository(root, as_of=as_of)
    findings = run_rules(repo)
    if any(f.severity == ERROR for f in findings):
        print("门禁未通过，不导出站点（先运行 gkpublish check）", file=sys.stderr)
        return 1
    view = public_view(repo, findings)
    bundle = build_site(view, repo.attachments, repo.as_of)
    docs = os.path.join(out, "docs")
    if os.path.isdir(docs):
        shutil.rmtree(docs)
    os.makedirs(docs)
    for page in bundle.pages:
        path = os.path.join(docs, page.src_uri)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        front = f"---\ntitle: {json.dumps(html.escape(page.title), ensure_ascii=False)}\ngk_kind: {page.kind}\n"
        if page.hide:
            front += f"hide: {json.dumps(list(page.hide))}\n"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(front + "---\n\n" + page.as_markdown())
    for f in bundle.files:
        path = os.path.join(docs, f.src_uri)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if f.source is not None:
            shutil.copyfile(f.source, path)
        else:
            with open(path, "wb") as fh:
                fh.write(f.content or b"")
    config = yaml.safe_load(DEFAULT_CONFIG)
    config.update(site_name=str(view.site.get("title") or "政务公开"), docs_dir="docs", plugins=[],
                  nav=bundle.nav, extra={"gk_site": dict(view.site)})
    if view.site.get("url"):
        config["site_url"] = str(view.site["url"]).rstrip("/") + "/"
    config["theme"]["custom_dir"] = THEME_DIR
    with open(os.path.join(out, "mkdocs.yml"), "w", encoding="utf-8") as fh:
        yaml.safe_dump(config, fh, allow_unicode=True, sort_keys=False)
    print(f"已导出 {len(bundle.pages)} 个页面、{len(bundle.files)} 个文件到 {out}（cd {out} && mkdocs build）")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m gkpublish.site.plain", description="把生成的页面导出为普通 MkDocs 项目")
    p.add_argument("repo")
    p.add_argument("out")
    p.add_argument("--as-of", type=dt.date.fromisoformat)
    args = p.parse_args(argv)
    return export(os.path.abspath(args.repo), os.path.abspath(args.out), args.as_of)


if __name__ == "__main__":
    raise SystemExit(main())
