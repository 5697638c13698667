"""The roster (``site_config/roster.yml``): who may sign which level, with which SSH keys.

附件2 第三条 “谁主管、谁审批、谁负责”: each person belongs to one unit (科室) of
``organisation.yml`` and may sign the steps listed for them. The unit decides which items
they may sign (see :func:`unit_allows`):

- 经办人, 科室负责人: only items whose 主办科室 (``department``) is their own unit;
- 保密审查, 分管领导, 主要领导: items of their own organ (发布机构); a leadership unit such
  as ``ld`` 领导班子 belongs to the organ like any 科室;
- 分管领导 of a co-producing organ: that organ's items' co-producer level (附件2 第八条);
- 保密, 宣传, 网信 (escalation, 附件2 第七条): any organ — they are the 区保密主管部门,
  宣传 or 网信 departments the item is referred to.

A key may be revoked (``revoked: date``); every signature made with a revoked key is
invalid from then on, whatever date the record states, because that date is written by
the signer. The file is validated against ``gkpublish/data/roster.schema.json`` when the
configuration is loaded; a broken roster stops every command (exit 2).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from gkpublish.errors import GkError
from gkpublish.model import Person, Unit
from gkpublish.sshsig import SshSigError, fingerprint, parse_public_key

ROSTER_FILE = "site_config/roster.yml"
STEPS = ("经办人", "科室负责人", "分管领导", "主要领导", "保密审查", "保密", "宣传", "网信")
UNIT_STEPS = frozenset({"经办人", "科室负责人"})  # from the item's own 主办科室
ORGAN_STEPS = frozenset({"保密审查", "分管领导", "主要领导"})  # from the item's own organ
LEADER_STEPS = ("分管领导", "主要领导")  # 签发: they come last in a chain
ESCALATION_STEPS = ("保密", "宣传", "网信")  # any organ (附件2 第七条)

FIELD_ZH = {"id": "人员编号", "name": "姓名", "unit": "所在科室", "steps": "可签署层级", "keys": "公钥",
            "key": "公钥", "added": "启用日期", "revoked": "吊销日期", "title": "职务", "note": "说明",
            "people": "人员列表"}


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(resources.files("gkpublish").joinpath("data/roster.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


def _where(data: dict[str, Any], path: list[Any]) -> str:
    out = []
    node: Any = data
    for part in path:
        if isinstance(part, int):
            label = f"第 {part + 1} 项"
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict) and node[part].get("id"):
                label += f"（{node[part]['id']}）"
            out.append(label)
        else:
            out.append(f"{FIELD_ZH.get(str(part), part)}（{part}）")
        node = node[part] if isinstance(node, dict | list) and (not isinstance(node, list) or part < len(node)) else None
    return " ".join(out) or "文件"


def _message(err: Any) -> str:
    v = err.validator
    if err.absolute_path and err.absolute_path[-1] in ("added", "revoked") and v in ("format", "type", "oneOf"):
        return f"日期“{err.instance}”应为存在的日期 YYYY-MM-DD（吊销日期未吊销时写 null）"
    if v == "required":
        missing = [k for k in err.validator_value if k not in (err.instance or {})]
        return "缺少必填项 " + "、".join(f"{FIELD_ZH.get(k, k)}（{k}）" for k in missing)
    if v == "enum":
        return f"“{err.instance}”不是可签署的层级，可选：{'、'.join(map(str, err.validator_value))}"
    if v == "additionalProperties":
        return f"有未知的键（{err.message.split('(')[-1].rstrip(')')}），请检查拼写"
    if v == "pattern":
        return f"格式不对（“{str(err.instance)[:40]}”）"
    if v == "format":
        return f"日期“{err.instance}”应为存在的日期 YYYY-MM-DD"
    if v == "uniqueItems":
        return "有重复项"
    if v in ("type", "oneOf"):
        return f"类型不对（“{str(err.instance)[:40]}”）"
    if v == "minLength":
        return "不能为空"
    return err.message


def validate_roster(data: Any, units: dict[str, Unit], rel: str = ROSTER_FILE) -> None:
    """Raise GkError (exit 2) naming the file, the person and the fix when the roster is wrong."""
    if data in (None, {}):
        return
    data = _iso(data)
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        e = errors[0]
        raise GkError(f"{rel}: 人员名册不符合格式要求：{_where(data, list(e.absolute_path))} {_message(e)}；"
                      "请对照 gkpublish/data/roster.schema.json 或 docs/admin.md（管理员指南“名册”）改正")
    seen: dict[str, str] = {}
    owners: dict[bytes, str] = {}
    for n, row in enumerate(data["people"], 1):
        pid = row["id"]
        if pid in seen:
            raise GkError(f"{rel}: 人员编号 {pid} 重复（第 {n} 项）；每人只能有一条记录，请合并")
        seen[pid] = pid
        if row["unit"] not in units:
            raise GkError(f"{rel}: 人员 {pid} 的所在科室“{row['unit']}”未在 site_config/organisation.yml 的 units 中定义；"
                          f"可用的科室 id：{'、'.join(units) or '（无）'}")
        for k in row.get("keys") or ():
            try:
                blob = parse_public_key(k["key"])
            except SshSigError as exc:
                raise GkError(f"{rel}: 人员 {pid} 的公钥无法使用：{exc}；请粘贴 ssh-keygen 生成的 .pub 文件内容") from None
            if blob in owners and owners[blob] != pid:
                raise GkError(f"{rel}: 公钥 {fingerprint(blob)} 同时登记在 {owners[blob]} 和 {pid} 名下；"
                              "一把密钥只能属于一个人，请为其中一人重新生成密钥")
            owners[blob] = pid


@dataclass(frozen=True)
class KeyEntry:
    person: str
    blob: bytes
    line: str
    added: dt.date | None
    revoked: dt.date | None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


class Roster:
    """People, their units and keys, indexed for verification (built from one Config)."""

    def __init__(self, people: dict[str, Person], units: dict[str, Unit]):
        self.people = people
        self.units = units
        self.by_blob: dict[bytes, KeyEntry] = {}
        for p in people.values():
            for k in p.keys:
                try:
                    blob = parse_public_key(str(k.get("key", "")))
                except SshSigError:
                    continue  # validate_roster has refused such a roster already
                self.by_blob[blob] = KeyEntry(p.id, blob, str(k["key"]), _date(k.get("added")),
                                              _date(k.get("revoked")))
        self._valid: dict[str, list[KeyEntry]] = {}
        for entry in self.by_blob.values():
            if entry.revoked is None:
                self._valid.setdefault(entry.person, []).append(entry)

    def organ_of(self, person_id: str) -> str | None:
        p = self.people.get(person_id)
        u = self.units.get(p.unit) if p else None
        return u.organ if u else None

    def valid_keys(self, person_id: str) -> list[KeyEntry]:
        return self._valid.get(person_id, [])

    def allowed_signers(self, namespace: str) -> str:
        """An ``ssh-keygen -Y verify`` allowed-signers file equivalent to this roster."""
        return "".join(f'{k.person} namespaces="{namespace}" {k.line.split()[0]} {k.line.split()[1]}\n'
                       for k in self.by_blob.values() if k.revoked is None)


def unit_allows(step: str, signer_unit: Unit | None, item_unit: Unit | None, level_organ: str | None) -> bool:
    """谁主管谁审批: may a person of ``signer_unit`` sign ``step`` for this level?

    ``level_organ`` is the organ the level belongs to (the item's 发布机构, or a
    co-producing organ); None for escalation levels, which any organ may sign.
    """
    if signer_unit is None:
        return False
    if step in UNIT_STEPS:
        return item_unit is not None and signer_unit.id == item_unit.id
    if level_organ is None:
        return True
    return signer_unit.organ == level_organ
