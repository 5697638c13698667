"""Validate front matter against the JSON Schema in schema/ and name what is wrong in Chinese.

The schema says the *shape* of a document (GOV.UK publishing-api style); named rules say
which article is broken. Where a schema constraint enforces a named rule it carries an
``x-rule`` annotation (e.g. ``"x-rule": "GK401"`` on 转载来源), and a violation is reported
under that rule's ID instead of GK103, as the contract requires.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from gkpublish.errors import GkError

SCHEMA_DIR = "schema"
TYPE_ZH = {"string": "文本", "object": "映射（键: 值）", "array": "列表", "boolean": "true 或 false",
           "integer": "整数", "number": "数字", "null": "空值"}


@dataclass(frozen=True)
class SchemaProblem:
    rule: str  # GK103 or the rule named by x-rule
    key: str | None  # top-level front-matter key it concerns
    message: str


def _zh_type(value: Any) -> str:
    for name, t in (("boolean", bool), ("integer", int), ("number", float), ("string", str),
                    ("object", dict), ("array", list)):
        if isinstance(value, t):
            return TYPE_ZH[name]
    return TYPE_ZH["null"] if value is None else type(value).__name__


class Schemas:
    """All schema/*.schema.json of a repository, ready to validate items by kind."""

    def __init__(self, files: dict[str, bytes]):
        self.docs: dict[str, dict[str, Any]] = {}
        resources = []
        for rel, data in sorted(files.items()):
            if not (rel.startswith(f"{SCHEMA_DIR}/") and rel.endswith(".schema.json")):
                continue
            try:
                doc = json.loads(data.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                line = getattr(exc, "lineno", "")
                raise GkError(f"{rel}:{line}: JSON Schema 无法解析（{exc}）；请恢复为 gkpublish init 生成的版本后再修改") from None
            name = rel[len(SCHEMA_DIR) + 1:]
            self.docs[name] = doc
            resources.append((doc.get("$id", name), Resource.from_contents(doc, default_specification=DRAFT202012)))
        if "item.schema.json" not in self.docs:
            raise GkError(f"{SCHEMA_DIR}/item.schema.json: 缺少条目的 JSON Schema；请从 gkpublish init 生成的仓库中复制")
        self.registry = Registry().with_resources(resources)
        self.titles: dict[str, str] = {}
        for doc in self.docs.values():
            self._collect_titles(doc)
        self._validators: dict[str, Draft202012Validator] = {}
        self._by_id = {doc.get("$id", name): doc for name, doc in self.docs.items()}

    def _collect_titles(self, node: Any) -> None:
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "title" in sub:
                    self.titles.setdefault(key, sub["title"])
            for v in node.values():
                self._collect_titles(v)
        elif isinstance(node, list):
            for v in node:
                self._collect_titles(v)

    def validator(self, kind: str) -> Draft202012Validator:
        v = self._validators.get(kind)
        if v is None:
            name = f"{kind}.schema.json"
            if name not in self.docs:
                raise GkError(f"{SCHEMA_DIR}/{name}: 栏目使用的条目类型 {kind} 没有对应的 JSON Schema")
            v = Draft202012Validator(self.docs[name], registry=self.registry, format_checker=FormatChecker())
            self._validators[kind] = v
        return v

    def field(self, key: str) -> str:
        title = self.titles.get(key)
        return f"{title}（{key}）" if title and title != key else key

    # -- mapping errors to rules and words ------------------------------------------------
    def _rule_for(self, err: ValidationError, kind: str) -> str:
        """The nearest x-rule on the schema path of ``err`` (GK103 when there is none)."""
        node: Any = self.docs[f"{kind}.schema.json"]
        found = None
        for step in err.absolute_schema_path:
            if isinstance(node, dict) and isinstance(node.get("x-rule"), str):
                found = node["x-rule"]
            if isinstance(node, dict) and step == "$ref":
                ref = node["$ref"]
                node = self._by_id.get(ref) or self.docs.get(ref.rsplit("/", 1)[-1])
                if node is None:
                    break
                continue
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                node = None
                break
        if isinstance(node, dict) and isinstance(node.get("x-rule"), str):
            found = node["x-rule"]
        if found is None and err.validator == "required" and isinstance(err.instance, dict):
            # a missing field reports under the rule that field belongs to (no 公开属性 → GK201)
            props = err.schema.get("properties") or {}
            for name in err.validator_value:
                if name not in err.instance and isinstance(props.get(name), dict):
                    found = props[name].get("x-rule") or found
        return found or "GK103"

    def _words(self, err: ValidationError) -> str:
        path = list(err.absolute_path)
        where = self.field(str(path[-1])) if path and isinstance(path[-1], str) else (
            self.field(str(path[0])) if path else "前置元数据")
        if len(path) > 1:
            where = "·".join(self.field(str(p)) if isinstance(p, str) else f"第{p + 1}项" for p in path)
        v = err.validator
        if v == "required":
            missing = [p for p in err.validator_value if isinstance(err.instance, dict) and p not in err.instance]
            names = "、".join(self.field(p) for p in missing) or str(err.validator_value)
            prefix = f"{where} 中" if path else ""
            return f"{prefix}缺少必填字段 {names}"
        if v == "additionalProperties":
            allowed = list((err.schema.get("properties") or {}).keys())
            extras = [k for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []
            parts = []
            for k in extras:
                close = difflib.get_close_matches(str(k), allowed, n=1)
                parts.append(f"{k}（是否应为 {close[0]}？）" if close else str(k))
            scope = f"{where} 中" if path else ""
            return f"{scope}有未知字段 {'、'.join(parts)}；允许的字段见 schema/ 中的定义，拼写错误的字段会被忽略，所以这里报错"
        if v == "propertyNames":
            return f"{where} 中的键“{err.instance}”不是允许的值"
        if v in ("enum", "const"):
            options = err.validator_value if v == "enum" else [err.validator_value]
            return f"{where} 的值“{err.instance}”不在允许范围内，应为：{' / '.join(map(str, options))}"
        if v == "type":
            want = err.validator_value
            want_zh = "或".join(TYPE_ZH.get(t, t) for t in (want if isinstance(want, list) else [want]))
            return f"{where} 应为{want_zh}，现在是{_zh_type(err.instance)}"
        if v == "format" and err.validator_value == "date":
            return f"{where} 应为日期 YYYY-MM-DD，现在是“{err.instance}”"
        if v == "minLength":
            return f"{where} 不能为空或过短（至少 {err.validator_value} 个字）"
        if v == "maxLength":
            return f"{where} 过长（最多 {err.validator_value} 个字）"
        if v == "minItems":
            return f"{where} 至少需要 {err.validator_value} 项"
        if v == "pattern":
            return f"{where} 的值“{err.instance}”格式不对（应匹配 {err.validator_value}）"
        if v == "anyOf" and isinstance(err.instance, dict):
            alts = [alt.get("required", []) for alt in err.validator_value if isinstance(alt, dict)]
            if all(alts):
                names = " 或 ".join("、".join(self.field(k) for k in a) for a in alts)
                return f"{where} 须填写 {names}"
        if v == "oneOf":
            return f"{where} 的值形式不对（应为人员 ID 或人员 ID 列表）"
        return f"{where}：{err.message}"

    def check(self, meta: dict[str, Any], kind: str) -> Iterator[SchemaProblem]:
        validator = self.validator(kind)
        for err in validator.iter_errors(meta):
            if err.validator in ("if", "allOf") and err.context:
                continue
            path = list(err.absolute_path)
            key = str(path[0]) if path else None
            if key is None and err.validator == "required" and isinstance(meta, dict):
                missing = [p for p in err.validator_value if p not in meta]
                key = missing[0] if missing else None
            if key is None and err.validator == "additionalProperties" and isinstance(meta, dict):
                extras = [k for k in meta if k not in (err.schema.get("properties") or {})]
                key = str(extras[0]) if extras else None
            yield SchemaProblem(self._rule_for(err, kind), key, self._words(err))
