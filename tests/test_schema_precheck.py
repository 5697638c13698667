"""The compiled schema pre-check (gkpublish.schema) must agree with jsonschema exactly.

It exists only for speed (see docs/benchmarks.md): every item it calls valid skips
jsonschema's error walk, so one wrong "valid" would hide a GK103/GK2xx finding. These
tests mutate a front matter that uses every field of the schema, at every depth, and
compare the pre-check with ``jsonschema``'s own answer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from gkpublish.schema import Schemas
from tests.conftest import SCHEMA, default_meta

JUNK = (None, True, 0, 1.5, "", "x", "2024-13-45", "2024-03-01", "主动公开", "转载", "废止", "GK501",
        "https://www.gov.cn/", "y" * 600, [], ["a"], [{}], {}, {"type": "原创"})


def rich_meta() -> dict[str, Any]:
    """A valid 公文 front matter that uses (nearly) every field the schema knows."""
    return default_meta(
        column="zcwj", doc_no="江北府办发〔2022〕37号", written="2022-06-01", validity="废止",
        abolished={"date": "2025-01-01", "basis": "江北府办发〔2024〕5号"},
        attribute="部分公开", important=True, sensitive=False, drafter="p1",
        reviewers={"科室负责人": "p2", "分管领导": ["p3", "p4"]},
        source={"type": "转载", "转载来源": {"organ": "中国政府网", "url": "https://www.gov.cn/a.htm",
                                              "date": "2022-05-30"}},
        lead="重庆市江北区人民政府办公室",
        co_producers=[{"unit": "综合科", "opinion": "同意", "opinion_date": "2022-05-31"}],
        privacy={"touches": ["个人隐私"], "rights_holder_opinion": {"date": "2022-05-01", "opinion": "同意"},
                 "public_interest_override": {"date": "2022-05-02", "basis": "公共利益"}},
        review_date="2027-01-01", attachments=[{"file": "a.pdf", "title": "附件"}],
        waivers=[{"rule": "GK502", "value": "023-67000000", "reason": "办公电话，可以公开"}],
        corrections=[{"date": "2022-06-02", "what": "更正错字", "why": "原文有错别字"}],
        withdrawn={"date": "2023-01-01", "reason": "已失效"},
        emergency={"reason": "暴雨红色预警须立即发布", "event": "暴雨"},
        imported={"from": "原江北区政府网站", "date": "2022-06-01"}, keywords=["政务公开"],
    )


def mutations(value: Any) -> Iterator[Any]:
    """``value`` with one thing changed: a key removed or added, or one value replaced."""
    if isinstance(value, dict):
        for k in value:
            cut = dict(value)
            del cut[k]
            yield cut
            for sub in (*JUNK, *mutations(value[k])):
                yield {**value, k: sub}
        yield {**value, "unknown_key": "x"}
    elif isinstance(value, list):
        for i, v in enumerate(value):
            for sub in (*JUNK, *mutations(v)):
                yield [*value[:i], sub, *value[i + 1:]]
        yield [*value, *value]


def variants() -> Iterator[dict[str, Any]]:
    base = rich_meta()
    yield base
    yield default_meta()
    for attribute in ("主动公开", "依申请公开", "不予公开"):
        yield {**base, "attribute": attribute}
        yield {**base, "attribute": attribute, "reason": {"ground": "个人隐私", "basis": "涉及个人信息"}}
    for source in ({"type": "转发", "forwarded": {"organ": "国务院办公厅", "doc_no": "国办发〔2022〕1号"}},
                   {"type": "转发"}, {"type": "转载"}, {"type": "原创"}):
        yield {**base, "source": source}
    yield from mutations(base)


@pytest.fixture(scope="module")
def schemas() -> Schemas:
    files = {f"schema/{p.name}": p.read_bytes() for p in SCHEMA.glob("*.schema.json")}
    return Schemas(files)


@pytest.mark.parametrize("kind", ["item", "document"])
def test_precheck_agrees_with_jsonschema(schemas: Schemas, kind: str) -> None:
    validator = schemas.validator(kind)
    checked = 0
    for meta in variants():
        fast = schemas.is_valid(copy.deepcopy(meta), kind)
        assert schemas._fast[kind] is not None, "the project's own schema should compile"
        assert fast == validator.is_valid(meta), json.dumps(meta, ensure_ascii=False)
        checked += 1
    assert checked > 1000


def test_unknown_keyword_falls_back_to_jsonschema() -> None:
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
           "properties": {"keywords": {"type": "array", "uniqueItems": True}}}
    schemas = Schemas({"schema/item.schema.json": json.dumps(doc).encode()})
    assert schemas.is_valid({"keywords": ["a", "b"]}, "item")
    assert schemas._fast["item"] is None
    problems = list(schemas.check({"keywords": ["a", "a"]}, "item"))
    assert [p.rule for p in problems] == ["GK103"]
