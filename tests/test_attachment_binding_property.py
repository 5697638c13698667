"""Property (issue #8, class 3, sign-off part): a signed item's attachments cannot change unseen.

Generated batch: items that reference their own attachment in every way a body or front
matter can (Markdown link, ``./``, ``<…>``, percent-encoded, with ``?query`` or ``#frag``,
HTML ``href``/``src``, a reference definition, front matter ``attachments:``, a link inside
a hidden block), signed once; then each attachment is changed in a generated way (a row
appended, truncated, one byte flipped) or left alone. Property: an item is GK303 naming
its attachment exactly when its attachment's bytes changed; the others stay signed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish import approvals
from tests.conftest import Site, item_source

FORMS = ("[附件]({n})", "[附件](./{n})", "[附件](<{n}>)", "[附件]({q})", "[附件]({n}?v=2)", "[附件]({n}#page=2)",
         '<a href="{n}">附件</a>', '<img src="{n}" alt="图">', "[附件]\n\n[附件]: {n}", "front matter",
         '::: 不公开 理由="内部管理信息"\n[内部]({n})\n:::')
NAMES = ("名单.csv", "a b.pdf", "报告（终稿）.docx", "data-2026.xlsx")
CHANGES = ("none", "append", "truncate", "flip")

variant = st.tuples(st.sampled_from(FORMS), st.sampled_from(NAMES), st.sampled_from(CHANGES))


def changed(data: bytes, how: str) -> bytes:
    if how == "append":
        return data + "李四,综合科\n".encode()
    if how == "truncate":
        return data[:-1]
    if how == "flip":
        return bytes([data[0] ^ 1]) + data[1:]
    return data


@settings(max_examples=8, deadline=None)
@given(st.lists(variant, min_size=1, max_size=6))
def test_an_attachment_changed_after_signing_is_gk303_for_its_item(batch):
    root = Path(tempfile.mkdtemp(prefix="gk-att-")) / "site"
    try:
        site = Site(root)
        for k, (form, name, _) in enumerate(batch):
            folder = f"gzdt/{k}"
            site.write(f"content/{folder}/{name}", "姓名,单位\n张三,政务公开科\n")
            meta = {"drafter": "zhang-jb", "index_no": f"SAMPLE001/2026-{k + 1:05d}", "attribute": "部分公开"}
            if form == "front matter":
                body, meta["attachments"] = "正文。\n", [{"file": name, "title": "附件"}]
            else:
                bare = " " in name and "<{n}>" not in form and not form.startswith("<")
                n = quote(name) if bare else name  # a bare Markdown destination cannot hold a space
                body = "正文。\n\n" + form.format(n=n, q=quote(name)) + "\n"
            site.write(f"content/{folder}/a.md", item_source(body, **meta))
        site.sign_all()
        for k, (_, name, how) in enumerate(batch):
            path = site.root / f"content/gzdt/{k}/{name}"
            path.write_bytes(changed(path.read_bytes(), how))
        findings = [i for i in approvals.evaluate(site.load()).issues if i.rule == "GK303"]
        for k, (form, name, how) in enumerate(batch):
            mine = [f.message for f in findings if f.path == f"content/gzdt/{k}/a.md"]
            if how == "none":
                assert not mine, (form, name)
            else:
                assert mine and f"附件 content/gzdt/{k}/{name}" in mine[0], (form, name, how)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
