"""The 依申请公开 register: ``records/requests/*.yml``, one application per file, never published.

Read once by the loader (``repo.extra["register"]``, see :func:`load_register`) so the GK7xx
rules and the reports never open files. Applicant ``name`` and ``contact`` are personal data:
they stay in this model and the register files. Nothing here puts them into a message, and
:func:`personal_values` lists them so tests and ``verify-site`` can prove they never reach an
output (``records/`` is already secret text for ``verify-site``).

Deadlines (条例 第三十、三十二、三十三条): :func:`deadline` — the 20th working day after the
start (``received``, or the last 补正 ``received``; the start day not counted), +20 with a
valid extension, + the working days of each third-party period (``sent`` exclusive to
``answered`` inclusive; an unanswered one runs to the check date).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from gkpublish.schema import missing_fields, unknown_fields
from gkpublish.textio import decode_item
from gkpublish.workdays import add_workdays, workdays_between
from gkpublish.yamltext import problem_zh

REGISTER_DIR = "records/requests"
APPLICANT_TYPES = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
ANSWER_DAYS = 20  # 条例 第三十三条
EXTENSION_DAYS = 20  # 条例 第三十三条
CORRECTION_NOTICE_DAYS = 7  # 条例 第三十条
PERSONAL_KEYS = ("name", "contact")  # of ``applicant``

# Table 三 of 国办公开办函〔2021〕30号: the results rows, in the national order, as `outcome`
# values (the group, then the label without its number).
OUTCOME_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("予以公开", ()),
    ("部分公开", ()),
    ("不予公开", ("属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
              "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项")),
    ("无法提供", ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确")),
    ("不予处理", ("信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
              "要求行政机关确认或重新出具已获取信息")),
    ("其他处理", ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "其他")),
)
OUTCOMES: tuple[str, ...] = tuple(
    o for group, labels in OUTCOME_GROUPS for o in ((group,) if not labels else tuple(f"{group}/{lb}" for lb in labels)))
# the same 危及 label written with plain quotes is the same row
_OUTCOME_ALIASES = {"不予公开/危及\"三安全一稳定\"": "不予公开/危及“三安全一稳定”", "不予公开/危及三安全一稳定": "不予公开/危及“三安全一稳定”"}


def _schema() -> Draft202012Validator:
    text = resources.files("gkpublish").joinpath("data/request.schema.json").read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(text), format_checker=FormatChecker())


_VALIDATOR: Draft202012Validator | None = None


@dataclass(frozen=True)
class RegisterProblem:
    path: str
    line: int | None
    message: str  # never carries an applicant's name or contact


@dataclass
class Application:
    path: str  # records/requests/<file>.yml
    data: dict[str, Any]  # as written; dates as ISO strings
    lines: dict[tuple, int]  # key path (e.g. ("corrections", 0, "received")) -> 1-based line
    valid: bool = True  # False: the schema or a date order is broken (GK701 says why)

    def line(self, *path: Any) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    @property
    def id(self) -> str:
        return str(self.data.get("id") or os.path.basename(self.path))

    def date(self, *path: Any) -> dt.date | None:
        node: Any = self.data
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return None
        try:
            return dt.date.fromisoformat(node) if isinstance(node, str) else None
        except ValueError:
            return None

    @property
    def received(self) -> dt.date | None:
        return self.date("received")

    @property
    def answered(self) -> dt.date | None:
        return self.date("answered")

    @property
    def applicant_type(self) -> str:
        t = (self.data.get("applicant") or {}).get("type")
        return t if t in APPLICANT_TYPES else "其他"

    @property
    def outcome(self) -> str | None:
        o = self.data.get("outcome")
        return _OUTCOME_ALIASES.get(o, o) if isinstance(o, str) else None

    def seq(self, key: str) -> list[dict[str, Any]]:
        v = self.data.get(key)
        return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


@dataclass
class Register:
    applications: list[Application] = field(default_factory=list)
    problems: list[RegisterProblem] = field(default_factory=list)  # GK701
    # the lines of files that could not be parsed: they may hold a name, so they are secret too
    unreadable_personal: list[str] = field(default_factory=list)

    def personal_values(self) -> list[str]:
        """Every applicant name and contact: text that must appear in no output."""
        out = []
        for app in self.applications:
            applicant = app.data.get("applicant")
            if isinstance(applicant, dict):  # everything written there but a valid type
                for key, value in applicant.items():
                    if key == "type" and value in APPLICANT_TYPES:
                        continue
                    out.extend(_strings(value))
                    if key not in ("type", *PERSONAL_KEYS):
                        out.append(str(key))
            else:
                out.extend(_strings(applicant))
        for value in self.unreadable_personal:
            out.append(value)
        return [v for v in out if v.strip()]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if value is None or isinstance(value, bool):
        return []
    return [str(value)]


# -- reading ----------------------------------------------------------------------------

class _Duplicate(Exception):
    def __init__(self, key: str, first: int, again: int):
        super().__init__(key)
        self.key, self.first, self.again = key, first, again


class _Alias(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


_SCALARS = yaml.SafeLoader.yaml_constructors


def _build(node: yaml.Node, path: tuple, lines: dict[tuple, int], seen: set[int]) -> Any:
    """Plain data from a YAML node, recording each key's line. Dates stay the text written
    (a bad date such as 2026-02-30 is a finding, not a crash); aliases are refused."""
    if id(node) in seen:
        raise _Alias(node.start_mark.line + 1)
    seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        first: dict[str, int] = {}
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
            line = k.start_mark.line + 1
            if key in first:  # under applicant the key itself may be a name: not repeated
                raise _Duplicate("applicant 中的某个键" if path[:1] == ("applicant",) else key, first[key], line)
            first[key] = line
            lines[path + (key,)] = line
            out[key] = _build(v, path + (key,), lines, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, path + (i,), lines, seen) for i, v in enumerate(node.value)]
    tag = node.tag
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"):
        return _SCALARS[tag](yaml.SafeLoader(""), node)
    return node.value  # str, timestamp (kept as written), anything else as text


def _schema_message(err: ValidationError) -> str:
    """A Chinese message naming the field; the value is echoed only outside ``applicant``
    (where a name or a phone number would be)."""
    path = list(err.absolute_path)
    where = "·".join(str(p) if isinstance(p, str) else f"第{p + 1}项" for p in path) or "登记"
    # nothing written under applicant is echoed: a name or a phone number typed into the
    # wrong key (or as a key) must not reach a finding
    personal = bool(path) and path[0] == "applicant"
    shown = "" if personal else f"“{err.instance}”" if isinstance(err.instance, (str, int, float)) else ""
    v = err.validator
    if personal and v == "additionalProperties":
        return ("applicant 中只能有 type、name、contact 三个键（申请人类型、姓名或名称、联系方式）；"
                "请把其他内容移到 note 或删除")
    if personal and v == "type" and path == ["applicant"]:
        return "applicant 应为映射：{type: 自然人, name: …, contact: …}"
    if v == "required":
        return f"{where} 缺少必填字段 {'、'.join(missing_fields(err))}；请补填"
    if v == "additionalProperties":
        parts, allowed = unknown_fields(err)
        return f"{where} 中有未知字段 {'、'.join(parts)}；请删除或改为允许的字段：{'、'.join(allowed)}"
    if v == "enum":
        return f"{where} 的值{shown}不在允许范围内，应为：{' / '.join(map(str, err.validator_value))}"
    if v == "type":
        return f"{where} 应为{ {'string': '文本', 'object': '映射（键: 值）', 'array': '列表'}.get(str(err.validator_value), err.validator_value)}"
    if v in ("format", "pattern") and path and path[-1] in ("received", "answered", "notified", "sent", "date",
                                                              "filed", "decided"):
        return f"{where} 应为有效日期 YYYY-MM-DD，现在是{shown or '其他值'}（日期不存在或格式不对）"
    if v == "pattern" and path == ["id"]:
        return f"id 的值{shown}格式不对：应为“年份-序号”，如 2026-0001"
    if v == "minLength":
        return f"{where} 不能为空"
    return f"{where} 不符合登记格式（{v}）"


def parse_application(rel: str, data: bytes) -> tuple[Application | None, list[RegisterProblem]]:
    """One register file → an Application (possibly invalid), or the problem that stops it."""
    global _VALIDATOR
    decoded = decode_item(data)
    if decoded.text is None:
        return None, [RegisterProblem(rel, decoded.line, decoded.problem or "无法读取")]
    lines: dict[tuple, int] = {}
    try:
        node = yaml.compose(decoded.text, Loader=yaml.SafeLoader)
        doc = _build(node, (), lines, set()) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [RegisterProblem(rel, mark.line + 1 if mark else 1,
                                      f"YAML 无法解析（{problem_zh(getattr(exc, 'problem', None))}）：请检查缩进、冒号后的空格、引号是否成对")]
    except _Duplicate as dup:
        return None, [RegisterProblem(rel, dup.again, f"{dup.key} 重复出现（第 {dup.first} 行和第 {dup.again} 行）；请删除其中一个")]
    except _Alias as alias:
        return None, [RegisterProblem(rel, alias.line, "使用了 YAML 锚点/别名（&名称 / *名称）：不支持，请把值直接写出来")]
    if not isinstance(doc, dict):
        return None, [RegisterProblem(rel, 1, "登记文件应为“键: 值”映射（id、received、applicant、request ……），见 docs/records.md")]
    app = Application(rel, doc, lines)
    problems: list[RegisterProblem] = []
    if _VALIDATOR is None:
        _VALIDATOR = _schema()
    for err in sorted(_VALIDATOR.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        problems.append(RegisterProblem(rel, app.line(*err.absolute_path), _schema_message(err)))
    problems.extend(_order_problems(app))
    if problems:
        app.valid = False
    return app, problems


def _order_problems(app: Application) -> list[RegisterProblem]:
    """Outcome values and dates that cannot be in that order."""
    out: list[RegisterProblem] = []
    rel = app.path

    def bad(path: tuple, message: str) -> None:
        out.append(RegisterProblem(rel, app.line(*path), message))

    raw = app.data.get("outcome")
    if raw is not None and app.outcome not in OUTCOMES:
        close = difflib.get_close_matches(str(raw), OUTCOMES, n=1, cutoff=0.4)
        hint = f"（是否应为 {close[0]}？）" if close else ""
        bad(("outcome",), f"outcome 的值“{raw}”不是年报表三的办理结果{hint}：应为 予以公开、部分公开，"
                          "或“组/项”如 不予公开/属于国家秘密、无法提供/本机关不掌握相关政府信息（见 docs/records.md）")
    if raw is not None and "answered" not in app.data:
        bad(("outcome",), "填写了 outcome 却没有 answered（答复之日）；请补上答复日期")
    if "answered" in app.data and raw is None:
        bad(("answered",), "已答复（answered）却没有 outcome（办理结果）；请按年报表三填写")
    received = app.received
    if received is None:
        return out
    answered = app.answered
    if answered is not None and answered < received:
        bad(("answered",), f"answered（{answered}）早于 received（{received}）；请核对这两个日期")
    previous = received
    for i, _ in enumerate(app.seq("corrections")):
        notified, got = app.date("corrections", i, "notified"), app.date("corrections", i, "received")
        if notified is not None and notified < previous:
            bad(("corrections", i, "notified"), f"第 {i + 1} 次补正告知（{notified}）早于收到申请或上次补正（{previous}）；请核对这两个日期")
        if notified is not None and got is not None and got < notified:
            bad(("corrections", i, "received"), f"第 {i + 1} 次补正的 received（{got}）早于告知日 notified（{notified}）；请核对这两个日期")
        if got is None and i + 1 < len(app.seq("corrections")):
            bad(("corrections", i), f"第 {i + 1} 次补正没有 received，却还有后续补正；请补上收到补正之日")
        previous = got or notified or previous
    for i, _ in enumerate(app.seq("third_party")):
        sent, ans = app.date("third_party", i, "sent"), app.date("third_party", i, "answered")
        if sent is not None and sent < received:
            bad(("third_party", i, "sent"), f"征求第三方意见（{sent}）早于收到申请（{received}）；请核对这两个日期")
        if sent is not None and ans is not None and ans < sent:
            bad(("third_party", i, "answered"), f"第三方答复（{ans}）早于发出征求意见（{sent}）；请核对这两个日期")
    for i, _ in enumerate(app.seq("reviews")):
        filed, decided = app.date("reviews", i, "filed"), app.date("reviews", i, "decided")
        if filed is not None and decided is not None and decided < filed:
            bad(("reviews", i, "decided"), f"审结（{decided}）早于提起（{filed}）；请核对这两个日期")
        if ("result" in app.seq("reviews")[i]) != (decided is not None):
            bad(("reviews", i), "行政复议/诉讼的 result 与 decided 须同时填写（尚未审结则都不填）")
    return out


def load_register(root: str) -> Register:
    """Every ``records/requests/*.yml`` (also ``.yaml``) of the repository, in file order;
    duplicate ids are GK701 on the later file. A symlink is refused: the register is read
    from the repository only."""
    reg = Register()
    base = os.path.join(root, REGISTER_DIR)
    if not os.path.isdir(base):
        return reg
    seen: dict[str, str] = {}
    for name in sorted(os.listdir(base)):
        full = os.path.join(base, name)
        rel = f"{REGISTER_DIR}/{name}"
        if name.startswith(".") or not name.endswith((".yml", ".yaml")):
            if os.path.isfile(full) and not name.startswith(".") and name != "README.md":
                reg.problems.append(RegisterProblem(rel, None, "records/requests/ 中只能放 .yml 登记文件（一件申请一个文件）；"
                                                          "请改为 .yml 或移出此目录"))
            continue
        if os.path.islink(full) or not os.path.isfile(full):
            reg.problems.append(RegisterProblem(rel, None, "登记文件须是普通文件（不能是符号链接或目录）"))
            continue
        try:
            with open(full, "rb") as fh:
                data = fh.read(2_000_001)
        except OSError as exc:
            reg.problems.append(RegisterProblem(rel, None, f"无法读取登记文件（{exc.strerror}）；请检查文件权限"))
            continue
        if len(data) > 2_000_000:
            reg.problems.append(RegisterProblem(rel, None, "登记文件超过 2 MB，不像一件申请的登记；请检查"))
            continue
        app, problems = parse_application(rel, data)
        reg.problems.extend(problems)
        if app is None:
            # unreadable: its text may still hold a name; keep the raw lines as secrets
            reg.unreadable_personal.extend(
                line.strip() for line in data.decode("utf-8", "ignore").splitlines() if line.strip())
            continue
        aid = app.data.get("id")
        if isinstance(aid, str):
            if aid in seen:
                reg.problems.append(RegisterProblem(rel, app.line("id"), f"登记编号 {aid} 与 {seen[aid]} 重复；每件申请的编号须唯一"))
                app.valid = False
            else:
                seen[aid] = rel
        reg.applications.append(app)
    return reg


def register_of(repo: Any) -> Register:
    """The register the loader read (an empty one for a model built without it)."""
    reg = repo.extra.get("register")
    if reg is None:
        reg = repo.extra["register"] = Register()
    return reg


# -- deadlines ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    start: dt.date | None  # received, or the last 补正 received; None while a 补正 is awaited
    first: dt.date | None  # 20 working days (+ third-party periods), before any extension
    due: dt.date | None  # with a valid extension; None: cannot be computed (see ``why``)
    extended: bool
    paused: bool  # a 补正 or a third party's opinion is awaited as of the check date
    why: str | None = None  # why ``due`` is None


def _tp_days(app: Application, as_of: dt.date) -> int | None:
    total = 0
    for i, _ in enumerate(app.seq("third_party")):
        sent = app.date("third_party", i, "sent")
        if sent is None:
            continue
        ans = app.date("third_party", i, "answered") or max(as_of, sent)
        n = workdays_between(sent, ans)
        if n is None:
            return None
        total += n
    return total


def extension_valid(app: Application, people: Any) -> bool:
    ext = app.data.get("extension")
    return isinstance(ext, dict) and ext.get("approved_by") in people and app.date("extension", "date") is not None


def deadline(app: Application, as_of: dt.date, people: Any = ()) -> Deadline:
    """The answer deadline as of ``as_of``; ``people``: roster ids that may approve an
    extension (an extension by anyone else does not extend: fail closed)."""
    received = app.received
    if received is None:
        return Deadline(None, None, None, False, False, "收到申请之日（received）无效")
    start = received
    for i, _ in enumerate(app.seq("corrections")):
        notified, got = app.date("corrections", i, "notified"), app.date("corrections", i, "received")
        limit = add_workdays(start, CORRECTION_NOTICE_DAYS)
        if notified is None or limit is None or notified > limit:
            break  # a late notice (GK704) does not restart the clock: 视为申请已收到 (第三十条)
        if got is None:
            return Deadline(None, None, None, False, True, "等待申请人补正")
        start = max(start, got)
    tp = _tp_days(app, app.answered or as_of)
    paused = any(app.date("third_party", i, "answered") is None for i, _ in enumerate(app.seq("third_party")))
    if tp is None:
        return Deadline(start, None, None, False, paused, _no_calendar(start))
    first = add_workdays(start, ANSWER_DAYS + tp)
    if first is None:
        return Deadline(start, None, None, False, paused, _no_calendar(start))
    extended = extension_valid(app, people) and (app.date("extension", "date") or first) <= first
    due = add_workdays(first, EXTENSION_DAYS) if extended else first
    return Deadline(start, first, due, extended, paused, None if due else _no_calendar(first))


def _no_calendar(day: dt.date) -> str:
    from gkpublish.workdays import calendar_years

    first, last = calendar_years()
    return (f"无法计算期限：已安装的 chinesecalendar 只有 {first}–{last} 年的节假日安排，"
            f"期限跨到了 {day.year} 年之后；请升级 chinesecalendar（pip install -U chinesecalendar）")


def open_applications(reg: Register) -> list[Application]:
    return [a for a in reg.applications if a.answered is None]
