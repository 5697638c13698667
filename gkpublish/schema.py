"""Validate front matter against the JSON Schema in schema/ and name what is wrong in Chinese.

The schema says the *shape* of a document (GOV.UK publishing-api style); named rules say
which article is broken. Where a schema constraint enforces a named rule it carries an
``x-rule`` annotation (e.g. ``"x-rule": "GK401"`` on 转载来源), and a violation is reported
under that rule's ID instead of GK103, as the contract requires.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema._utils import equal
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from gkpublish.errors import GkError

SCHEMA_DIR = "schema"
# GK401 (转载来源) problems show the shape to write (附件3 第四条: 来源机关, 原文链接或刊物, 日期)
REPRINT_SHAPE = ("；转载来源的写法：source: {type: 转载, 转载来源: {organ: 原发布机关, url: https://原文网址, "
                 "date: YYYY-MM-DD}}（纸质来源把 url 换成 publication: 刊物名称和期号）")
TYPE_ZH = {"string": "文本", "object": "映射（键: 值）", "array": "列表", "boolean": "true 或 false",
           "integer": "整数", "number": "数字", "null": "空值"}


@dataclass(frozen=True)
class SchemaProblem:
    rule: str  # GK103 or the rule named by x-rule
    key: str | None  # top-level front-matter key it concerns
    message: str


def missing_fields(err: ValidationError) -> list[str]:
    """The fields a ``required`` error names that the instance lacks."""
    return [p for p in err.validator_value if isinstance(err.instance, dict) and p not in err.instance]


def unknown_fields(err: ValidationError) -> tuple[list[str], list[str]]:
    """(each unknown key of an ``additionalProperties`` error, with the closest allowed key
    as a hint when one is close; the allowed keys)."""
    allowed = list((err.schema.get("properties") or {}).keys())
    extras = [k for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []
    hints = []
    for k in extras:
        close = difflib.get_close_matches(str(k), allowed, n=1)
        hints.append(f"{k}（是否应为 {close[0]}？）" if close else str(k))
    return hints, allowed


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
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
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
        self._fast: dict[str, Callable[[Any], bool] | None] = {}
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
    def _roots(self, kind: str) -> list[dict[str, Any]]:
        """The kind's schema and every schema its root ``$ref`` chain points to."""
        roots: list[dict[str, Any]] = []
        node: Any = self.docs[f"{kind}.schema.json"]
        while isinstance(node, dict) and node not in roots:
            roots.append(node)
            ref = node.get("$ref")
            node = (self._by_id.get(ref) or self.docs.get(ref.rsplit("/", 1)[-1])) if isinstance(ref, str) else None
        return roots

    def _rule_for(self, err: ValidationError, kind: str) -> str:
        """The nearest x-rule on the schema path of ``err`` (GK103 when there is none).

        jsonschema gives the path relative to the schema a ``$ref`` led into, so the path is
        walked from each schema of the kind's ``$ref`` chain until it resolves.
        """
        path = list(err.absolute_schema_path)
        for root in self._roots(kind):
            node: Any = root
            found = None
            for step in path:
                if isinstance(node, dict) and isinstance(node.get("x-rule"), str):
                    found = node["x-rule"]
                try:
                    node = node[step]
                except (KeyError, IndexError, TypeError):
                    node = None
                    break
            if node is None:
                continue
            if isinstance(node, dict) and isinstance(node.get("x-rule"), str):
                found = node["x-rule"]
            break
        else:
            found = None
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
            names = "、".join(self.field(p) for p in missing_fields(err)) or str(err.validator_value)
            prefix = f"{where} 中" if path else ""
            return f"{prefix}缺少必填字段 {names}；请补填"
        if v == "additionalProperties":
            parts, _ = unknown_fields(err)
            scope = f"{where} 中" if path else ""
            return (f"{scope}有未知字段 {'、'.join(parts)}：拼写错误的字段会被忽略，所以这里报错；"
                    "请删除它，或改为 schema/ 中定义的字段")
        if v == "propertyNames":
            return f"{where} 中的键“{err.instance}”不是允许的值；请改为 schema/ 中允许的键"
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
            return f"{where} 不能为空或过短（至少 {err.validator_value} 个字），请填写完整"
        if v == "maxLength":
            return f"{where} 过长（最多 {err.validator_value} 个字），请精简"
        if v == "minItems":
            return f"{where} 至少需要 {err.validator_value} 项，请补填"
        if v == "pattern":
            return f"{where} 的值“{err.instance}”格式不对（应匹配 {err.validator_value}）"
        if v == "anyOf" and isinstance(err.instance, dict):
            alts = [alt.get("required", []) for alt in err.validator_value if isinstance(alt, dict)]
            if all(alts):
                names = " 或 ".join("、".join(self.field(k) for k in a) for a in alts)
                return f"{where} 须填写 {names}"
        if v == "oneOf":
            return f"{where} 的值形式不对（应为人员 ID 或人员 ID 列表）"
        return f"{where}：{err.message}；请按 schema/ 中的定义改正"

    def is_valid(self, meta: Any, kind: str) -> bool:
        """Whether ``meta`` is valid: the compiled pre-check when the schema allows one."""
        if kind not in self._fast:
            validator = self.validator(kind)
            root = Resource.from_contents(validator.schema, default_specification=DRAFT202012)
            try:
                compiler = _Compiler(validator, roots={id(d) for d in self.docs.values()})
                self._fast[kind] = compiler.compile(validator.schema, self.registry.resolver_with_root(root))
            except _Unsupported:
                self._fast[kind] = None
        fast = self._fast[kind]
        return fast(meta) if fast is not None else self.validator(kind).is_valid(meta)

    def check(self, meta: dict[str, Any], kind: str) -> Iterator[SchemaProblem]:
        # Nearly every item is valid: answer that cheaply, and walk jsonschema's error
        # path (which builds an error object per failing branch of every if/allOf) only
        # for the few that are not.
        if self.is_valid(meta, kind):
            return
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
            rule = self._rule_for(err, kind)
            words = self._words(err)
            if rule == "GK401":
                words += REPRINT_SHAPE
            yield SchemaProblem(rule, key, words)


# -- a compiled yes/no pre-check ------------------------------------------------------------
# jsonschema interprets the schema for every item and, on every if/anyOf/oneOf branch,
# builds a child validator; for 10,000 items that is seconds. The pre-check compiles the
# schema once into closures that only answer "valid?" with jsonschema's own semantics
# (its type checker, format checker and equality). It must never call an invalid document
# valid; anything it does not know makes the whole kind fall back to jsonschema.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "definitions", "$anchor", "title",
                          "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
                          "contentMediaType", "contentEncoding"})

Check = Callable[[Any], bool]


class _Unsupported(Exception):
    pass


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    return lambda x: all(c(x) for c in checks)


class _Compiler:
    def __init__(self, validator: Draft202012Validator, roots: set[int]):
        self.is_type = validator.TYPE_CHECKER.is_type
        self.format_checker = validator.format_checker
        self.roots = roots  # the schema files themselves: only there may $id set the base URI
        self.memo: dict[int, list[Check]] = {}  # $ref targets, so recursive schemas terminate

    def compile(self, schema: Any, resolver: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict) or ("$id" in schema and id(schema) not in self.roots):
            raise _Unsupported(schema)
        checks: list[Check] = []
        for key, value in schema.items():
            if key in _ANNOTATIONS or key.startswith("x-") or key in ("then", "else", "patternProperties"):
                continue  # then/else are compiled with if; patternProperties with additionalProperties
            make = getattr(self, "k_" + key.lstrip("$"), None)
            if make is None:
                raise _Unsupported(key)
            checks.append(make(value, schema, resolver))
        return _all(checks)

    # -- keywords: each returns a check with jsonschema's meaning -------------------------
    def k_ref(self, ref: str, schema: dict, resolver: Any) -> Check:
        resolved = resolver.lookup(ref)
        key = id(resolved.contents)
        if key not in self.memo:
            cell: list[Check] = []
            self.memo[key] = cell
            cell.append(self.compile(resolved.contents, resolved.resolver))
        cell = self.memo[key]
        return lambda x: cell[0](x)

    def k_type(self, types: Any, schema: dict, resolver: Any) -> Check:
        types = [types] if isinstance(types, str) else list(types)
        is_type = self.is_type
        if len(types) == 1:
            t = types[0]
            return lambda x: is_type(x, t)
        return lambda x: any(is_type(x, t) for t in types)

    def k_enum(self, options: list, schema: dict, resolver: Any) -> Check:
        if all(isinstance(o, str) for o in options):
            allowed = frozenset(options)
            return lambda x: isinstance(x, str) and x in allowed
        return lambda x: any(equal(o, x) for o in options)

    def k_const(self, value: Any, schema: dict, resolver: Any) -> Check:
        return lambda x: equal(x, value)

    def k_format(self, fmt: str, schema: dict, resolver: Any) -> Check:
        fc = self.format_checker
        if fc is None:
            return lambda x: True
        return lambda x: fc.conforms(x, fmt)

    def k_pattern(self, pattern: str, schema: dict, resolver: Any) -> Check:
        search = re.compile(pattern).search
        return lambda x: not isinstance(x, str) or search(x) is not None

    def k_minLength(self, n: int, schema: dict, resolver: Any) -> Check:
        return lambda x: not isinstance(x, str) or len(x) >= n

    def k_maxLength(self, n: int, schema: dict, resolver: Any) -> Check:
        return lambda x: not isinstance(x, str) or len(x) <= n

    def k_minItems(self, n: int, schema: dict, resolver: Any) -> Check:
        return lambda x: not isinstance(x, list) or len(x) >= n

    def k_maxItems(self, n: int, schema: dict, resolver: Any) -> Check:
        return lambda x: not isinstance(x, list) or len(x) <= n

    def k_minProperties(self, n: int, schema: dict, resolver: Any) -> Check:
        return lambda x: not isinstance(x, dict) or len(x) >= n

    def k_maxProperties(self, n: int, schema: dict, resolver: Any) -> Check:
        return lambda x: not isinstance(x, dict) or len(x) <= n

    def k_required(self, names: list, schema: dict, resolver: Any) -> Check:
        names = tuple(names)
        return lambda x: not isinstance(x, dict) or all(n in x for n in names)

    def k_properties(self, props: dict, schema: dict, resolver: Any) -> Check:
        compiled = {k: self.compile(sub, resolver) for k, sub in props.items()}

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for k, v in x.items():
                c = compiled.get(k)
                if c is not None and not c(v):
                    return False
            return True

        return check

    def k_additionalProperties(self, sub: Any, schema: dict, resolver: Any) -> Check:
        known = frozenset(schema.get("properties") or ())
        patterns = [(re.compile(p).search, self.compile(s, resolver))
                    for p, s in (schema.get("patternProperties") or {}).items()]
        extra = self.compile(sub, resolver)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for k, v in x.items():
                if k in known:
                    continue
                matched = False
                for search, c in patterns:
                    if search(k):
                        matched = True
                        if not c(v):
                            return False
                if not matched and not extra(v):
                    return False
            return True

        return check

    def k_patternProperties(self, pats: dict, schema: dict, resolver: Any) -> Check:  # pragma: no cover
        raise _Unsupported("patternProperties")  # handled by additionalProperties; alone: fall back

    def k_propertyNames(self, sub: Any, schema: dict, resolver: Any) -> Check:
        c = self.compile(sub, resolver)
        return lambda x: not isinstance(x, dict) or all(c(k) for k in x)

    def k_items(self, sub: Any, schema: dict, resolver: Any) -> Check:
        if "prefixItems" in schema:
            raise _Unsupported("prefixItems")
        c = self.compile(sub, resolver)
        return lambda x: not isinstance(x, list) or all(c(v) for v in x)

    def k_allOf(self, subs: list, schema: dict, resolver: Any) -> Check:
        return _all([self.compile(s, resolver) for s in subs])

    def k_anyOf(self, subs: list, schema: dict, resolver: Any) -> Check:
        cs = [self.compile(s, resolver) for s in subs]
        return lambda x: any(c(x) for c in cs)

    def k_oneOf(self, subs: list, schema: dict, resolver: Any) -> Check:
        cs = [self.compile(s, resolver) for s in subs]
        return lambda x: sum(1 for c in cs if c(x)) == 1

    def k_not(self, sub: Any, schema: dict, resolver: Any) -> Check:
        c = self.compile(sub, resolver)
        return lambda x: not c(x)

    def k_if(self, sub: Any, schema: dict, resolver: Any) -> Check:
        cond = self.compile(sub, resolver)
        then = self.compile(schema.get("then", True), resolver)
        other = self.compile(schema.get("else", True), resolver)
        return lambda x: then(x) if cond(x) else other(x)
