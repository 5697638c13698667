"""Generate a benchmark site repository of N disclosure items.

    python bench/generate.py --items 10000 --out bench/out/10000 [--seed 1] [--as-of 2026-11-01]

The repository gets the project's own ``site_config/`` and ``schema/`` (and ``mkdocs.yml``
when present), copied from the project root next to this script, and N items spread over
every column in ``site_config/columns.yml``. Everything that must agree with the
configuration (columns, organs and their 索引号 codes, units, approved sources, the people
of the roster, the fields a kind's schema requires) is read from those files, so the
generator follows the demo configuration as it grows.

The items are meant to pass every content gate (all but the sign-off rules GK3xx, which
need signed records): valid front matter, unique 索引号 and 文号, a 附注 that agrees with
the 公开属性, non-public blocks only in 部分公开 items, reprints from approved sources,
bodies with landline numbers, dates, amounts and 文号 references but no ID card, mobile
or bank card numbers. The output is deterministic for a given seed and --as-of date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from typing import Any

import yaml

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_AS_OF = dt.date(2026, 11, 1)

# ≈80% 主动公开, 10% 部分公开, 5% 依申请公开, 5% 不予公开
ATTRIBUTE_WEIGHTS = (("主动公开", 80), ("部分公开", 10), ("依申请公开", 5), ("不予公开", 5))
NOTE = {"主动公开": "此件公开发布", "部分公开": "此件部分公开", "依申请公开": "此件依申请公开", "不予公开": "此件不予公开"}
NONPUBLIC_GROUNDS = (
    ("内部事务信息", "属于行政机关内部人事管理、后勤管理、内部工作流程等事项，依据条例第十六条第一款不予公开。"),
    ("过程性信息", "属于行政机关在履行职责过程中形成的讨论记录、过程稿，依据条例第十六条第二款可不予公开。"),
    ("个人隐私", "涉及第三方个人信息，公开会对其合法权益造成损害，依据条例第十五条不予公开。"),
    ("商业秘密", "涉及企业经营信息，权利人不同意公开，依据条例第十五条不予公开。"),
)
BLOCK_REASONS = ("个人隐私（条例第十五条）", "商业秘密（条例第十五条）", "内部事务信息（条例第十六条）")

TOPICS = (
    "综合政务/政务公开", "综合政务/应急管理", "国民经济管理、国有资产监管/统计", "财政、金融、审计/审计",
    "财政、金融、审计/财政", "城乡建设、环境保护/城乡建设（含住房）", "城乡建设、环境保护/环境监测、保护与治理",
    "农业、林业、水利/农业、畜牧业、渔业", "劳动、人事、监察/就业", "卫生、体育/卫生", "教育/其他",
    "民政、扶贫、救灾/社会福利", "交通/公路", "商贸、海关、旅游/旅游", "市场监管、安全生产监管/安全生产监管",
)
SUBJECTS = (
    "政务公开", "优化营商环境", "安全生产", "城市管理", "乡村振兴", "生态环境保护", "防汛抗旱", "消防安全",
    "食品安全", "养老服务", "义务教育", "就业创业", "老旧小区改造", "交通秩序整治", "河长制", "森林防火",
    "财政预算执行", "政府采购", "国有资产管理", "社会救助", "医疗保障", "双拥共建", "文明城市创建", "信访工作",
    "统计调查", "审计整改", "政府投资项目", "耕地保护", "燃气安全", "校园周边环境治理",
)
ACTIONS = ("开展", "加强", "做好", "进一步规范", "深入推进", "组织实施", "全面落实")
DOC_KINDS = ("实施方案", "管理办法", "工作制度", "实施细则", "工作方案", "考核办法", "若干措施")
PLACES = ("观音桥街道", "寸滩街道", "五里店街道", "石马河街道", "大石坝街道", "华新街街道", "郭家沱街道",
          "古南街道", "文龙街道", "三江街道", "通惠街道", "石角镇", "东溪镇")
ACTIVITIES = ("专题会议", "工作推进会", "工作部署会", "业务培训会", "座谈会", "联席会议")
SENTENCES = (
    "会议传达学习了上级有关文件精神，通报了前一阶段工作进展情况。",
    "各单位要提高思想认识，加强组织领导，明确责任分工，确保各项任务落到实处。",
    "要坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。",
    "对工作中发现的问题，要建立问题清单、责任清单和整改清单，限期整改到位。",
    "各街道、各部门要结合实际，细化工作措施，于每月底前报送工作进展情况。",
    "要加强政策解读，通过新闻发布会、政务新媒体等多种方式回应社会关切。",
    "有关单位要严格落实“三审三校”制度，确保发布信息准确、规范、及时。",
    "会议要求，要统筹发展和安全，守牢底线，切实维护人民群众生命财产安全。",
    "本次检查采取听取汇报、查阅资料、实地察看相结合的方式进行。",
    "下一步，将持续完善长效机制，推动工作常态化、制度化、规范化。",
    "要畅通群众诉求表达渠道，及时回应群众关切，做到件件有回音、事事有着落。",
    "各牵头单位要加强统筹协调，配合单位要主动履职，形成工作合力。",
    "对履职不力、推诿扯皮、造成不良影响的，将按照有关规定严肃追责问责。",
    "各单位主要负责人是第一责任人，分管负责人是直接责任人。",
    "要充分运用信息化手段，提升工作效率和服务水平。",
)
LIST_ITEMS = (
    "加强组织领导，成立工作专班", "完善工作制度，规范办理流程", "强化督促检查，定期通报进展",
    "做好宣传引导，营造良好氛围", "严格考核评估，落实奖惩措施", "加强经费保障，专款专用",
    "建立工作台账，实行销号管理", "强化信息报送，按时报送工作情况", "加强队伍建设，开展业务培训",
)
# issuers of forwarded documents (上级机关): outside the site, so not in site_config/
ISSUERS = (("重庆市人民政府办公厅", "渝府办发"), ("重庆市人民政府", "渝府发"), ("国务院办公厅", "国办发"),
           ("重庆市审计局", "渝审发"))
SUMMARY_TAILS = ("明确了工作目标、主要任务和保障措施。", "对有关工作作出部署。", "通报了工作进展情况和下一步安排。",
                 "说明了办理流程、时限和联系方式。")
SOURCE_FIRST = {1: "转载", 2: "转发"}  # item number -> source type it must have
TABLE_ROWS = ("政策文件", "通知公告", "工作动态", "人事信息", "财政信息", "应急管理", "重点领域信息", "政策解读")


@dataclass
class Site:
    """What the generator needs from site_config/ and schema/."""

    columns: list[dict[str, Any]]
    required_by_kind: dict[str, set[str]]
    organs: list[dict[str, Any]]
    units_by_organ: dict[str, list[dict[str, Any]]]
    index_pattern: str
    sources: list[dict[str, Any]]
    review: dict[str, dict[str, Any]]
    people: list[dict[str, Any]]
    domains: list[str]
    avoid: tuple[str, ...]  # prohibited terms, wrong forms of official names


def _yaml(path: str) -> dict[str, Any]:
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8-sig") as fh:
        return yaml.safe_load(fh) or {}


def read_site(root: str) -> Site:
    cfg = os.path.join(root, "site_config")
    columns = [c for c in (_yaml(os.path.join(cfg, "columns.yml")).get("columns") or []) if c.get("id")]
    org = _yaml(os.path.join(cfg, "organisation.yml"))
    organs = list(org.get("organs") or [])
    units_by_organ: dict[str, list[dict[str, Any]]] = {o["name"]: [] for o in organs}
    for u in org.get("units") or []:
        units_by_organ.setdefault(u.get("organ"), []).append(u)
    # a 主办科室 is a unit where someone drafts (经办人); without a roster, any unit
    drafting = {str(p.get("unit")) for p in _yaml(os.path.join(cfg, "roster.yml")).get("people") or []
                if "经办人" in (p.get("steps") or ())}
    if drafting:
        units_by_organ = {o: [u for u in us if str(u.get("id")) in drafting] or us for o, us in units_by_organ.items()}
    organs = [o for o in organs if units_by_organ.get(o["name"])]  # an item needs a 主办科室
    required_by_kind: dict[str, set[str]] = {}
    for c in columns:
        kind = c.get("kind") or "item"
        if kind not in required_by_kind:
            required_by_kind[kind] = _schema_required(root, kind)
    terms = _yaml(os.path.join(cfg, "terms.yml"))
    avoid: list[str] = [str(t.get("term") if isinstance(t, dict) else t) for t in terms.get("prohibited") or []]
    for n in terms.get("official_names") or []:
        if isinstance(n, dict):
            avoid += [str(w) for w in n.get("wrong") or n.get("wrong_forms") or []]
    site = _yaml(os.path.join(cfg, "site.yml"))
    return Site(
        columns=columns,
        required_by_kind=required_by_kind,
        organs=organs,
        units_by_organ=units_by_organ,
        index_pattern=str((site.get("index_no") or {}).get("pattern") or "{code}/{year}-{serial:05d}"),
        sources=list(_yaml(os.path.join(cfg, "sources.yml")).get("approved") or []),
        review=dict(_yaml(os.path.join(cfg, "review.yml")).get("policies") or {}),
        people=list(_yaml(os.path.join(cfg, "roster.yml")).get("people") or []),
        domains=[str(d) for d in _yaml(os.path.join(cfg, "domains.yml")).get("allowed") or []],
        avoid=tuple(a for a in avoid if a and a != "None"),
    )


def _schema_required(root: str, kind: str) -> set[str]:
    """Required top-level fields of schema/<kind>.schema.json, following local $refs."""
    required: set[str] = set()
    seen: set[str] = set()
    name = f"{kind}.schema.json"
    while name and name not in seen:
        seen.add(name)
        path = os.path.join(root, "schema", name)
        if not os.path.exists(path):
            break
        with open(path, encoding="utf-8-sig") as fh:
            doc = json.load(fh)
        required |= set(doc.get("required") or [])
        ref = doc.get("$ref")
        name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else ""
    return required


# -- a small YAML emitter: fast, and plain scalars where a clerk would write them ------------
_PLAIN_RE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`0-9][^\n]*$")
_UNSAFE_IN_PLAIN = (": ", " #", "\t")


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v)
    if _PLAIN_RE.match(s) and not any(u in s for u in _UNSAFE_IN_PLAIN) and not s.endswith(":") \
            and s.lower() not in ("true", "false", "yes", "no", "null", "on", "off", "~"):
        return s
    return json.dumps(s, ensure_ascii=False)


def dump_yaml(data: dict[str, Any], indent: str = "") -> str:
    out: list[str] = []
    for k, v in data.items():
        if isinstance(v, dict):
            out.append(f"{indent}{k}:\n{dump_yaml(v, indent + '  ')}")
        elif isinstance(v, list):
            out.append(f"{indent}{k}:\n")
            for e in v:
                if isinstance(e, dict):
                    sub = dump_yaml(e, indent + "    ")
                    out.append(f"{indent}  - {sub[len(indent) + 4:]}")
                else:
                    out.append(f"{indent}  - {_scalar(e)}\n")
        else:
            out.append(f"{indent}{k}: {_scalar(v)}\n")
    return "".join(out)


# -- the generator ----------------------------------------------------------------------------
def _doc_prefix(organ: dict[str, Any]) -> str:
    """文号 prefix of an organ: its own ``doc_prefix`` when configured, else a 简称 + 发."""
    if organ.get("doc_prefix"):
        return str(organ["doc_prefix"])
    name = re.sub(r"[（(].*?[）)]", "", str(organ["name"]))
    name = re.sub(r"^.*?[省市](?=.+[区县])", "", name)
    m = re.match(r"^(.{2})[区县市]?(.*)$", name)
    place, rest = (m.group(1), m.group(2)) if m else (name[:2], name[2:])
    if "人民政府办公" in rest:
        return f"{place}府办发"
    if rest.startswith("人民政府"):
        return f"{place}府发"
    return f"{place}{(rest[:1] or '文')}发"


def _short_organ(organ: dict[str, Any]) -> str:
    return str(organ.get("short") or re.sub(r"^.*?[省市](?=.+[区县])", "", str(organ["name"])))


class Generator:
    def __init__(self, site: Site, seed: int, as_of: dt.date):
        self.site = site
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.serials: dict[tuple[str, int], int] = {}
        self.doc_serials: dict[tuple[str, int], int] = {}
        self.people_by_step: dict[str, list[dict[str, Any]]] = {}
        for p in site.people:
            for s in p.get("steps") or ():
                self.people_by_step.setdefault(str(s), []).append(p)
        self.unit_organ = {str(u["id"]): o for o, us in site.units_by_organ.items() for u in us}
        self.attrs = [a for a, _ in ATTRIBUTE_WEIGHTS]
        self.weights = [w for _, w in ATTRIBUTE_WEIGHTS]

    def _owner(self, column: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """发布机构 and 主办科室: mostly the column's defaults (gkpublish new fills them), else any."""
        rng = self.rng
        defaults = column.get("defaults") or {}
        organs = {o["name"]: o for o in self.site.organs}
        organ = organs.get(defaults.get("publisher"))
        units = self.site.units_by_organ
        if organ is None and defaults.get("department"):
            organ = next((organs[o] for o, us in units.items() if o in organs
                          and any(u["name"] == defaults["department"] for u in us)), None)
        if organ is None or rng.random() < 0.1:
            organ = rng.choice(self.site.organs)
        own = units[organ["name"]]
        unit = next((u for u in own if u["name"] == defaults.get("department")), None)
        if unit is None or rng.random() < 0.2:
            unit = rng.choice(own)
        return organ, unit

    # people: prefer the item's own unit, then its organ, then anyone with the step
    def _person(self, step: str, unit: dict[str, Any], exclude: set[str]) -> str | None:
        cands = [p for p in self.people_by_step.get(step, ()) if str(p.get("id")) not in exclude]
        if not cands:
            return None
        for pool in ([p for p in cands if str(p.get("unit")) == str(unit["id"])],
                     [p for p in cands if self.unit_organ.get(str(p.get("unit"))) == unit["organ"]], cands):
            if pool:
                return str(self.rng.choice(pool)["id"])
        return None

    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def item(self, n: int, column: dict[str, Any], organ_name: str | None = None) -> tuple[str, str]:
        rng = self.rng
        kind = column.get("kind") or "item"
        required = self.site.required_by_kind.get(kind, set())
        is_doc = "doc_no" in required or (column.get("category") == "政策文件" and rng.random() < 0.5)
        organ, unit = self._owner(column)
        if organ_name is not None and organ["name"] != organ_name:
            organ = next(o for o in self.site.organs if o["name"] == organ_name)
            unit = rng.choice(self.site.units_by_organ[organ_name])
        # the first items show every attribute and source type, however small N is
        attribute = self.attrs[n - 1] if n <= len(self.attrs) else rng.choices(self.attrs, self.weights)[0]
        # recent items are more frequent, so frequently updated columns stay fresh
        age = int(rng.expovariate(1 / 120))
        published = self.as_of - dt.timedelta(days=min(age, 1400))
        if is_annual_report_column(column) and n > len(self.attrs):
            # every organ publishes last year's 年度报告 in January (GK705)
            attribute = "主动公开"
            published = min(self.as_of, dt.date(self.as_of.year, 1, rng.randint(10, 28)))
        written = published - dt.timedelta(days=rng.randint(0, 12))
        year = published.year
        serial = self.serials[(organ["name"], year)] = self.serials.get((organ["name"], year), 0) + 1
        index_no = self.site.index_pattern.format(code=organ["code"], year=year, serial=serial)
        subject = rng.choice(SUBJECTS)
        title, doc_no = self._title(column, organ, subject, year, is_doc)
        meta: dict[str, Any] = {"title": title, "index_no": index_no}
        if doc_no:
            meta["doc_no"] = doc_no
        topic = (column.get("defaults") or {}).get("topic")
        meta.update(publisher=organ["name"], department=unit["name"], column=column["id"],
                    topic=topic if topic and rng.random() < 0.7 else rng.choice(TOPICS))
        if doc_no or "written" in required:
            meta["written"] = written
        meta["published"] = published
        if doc_no or "validity" in required:
            meta["validity"] = "有效" if rng.random() < 0.95 else "失效"
        meta["attribute"] = attribute
        if attribute == "不予公开":
            ground, basis = rng.choice(NONPUBLIC_GROUNDS)
            meta["reason"] = {"ground": ground, "basis": basis}
        if attribute in ("不予公开", "依申请公开"):
            meta["review_date"] = self._date_between(self.as_of + dt.timedelta(days=180),
                                                     self.as_of + dt.timedelta(days=730))
        policy = self.site.review.get(str(column.get("review") or "政务公开")) or {}
        important = bool(policy.get("important_steps")) and rng.random() < 0.1
        if important:
            meta["important"] = True
        meta["summary"] = f"{title}：{rng.choice(SUMMARY_TAILS)}"[:500]
        meta["source"] = self._source(attribute, year, published, forced=("转载", "转发").index(
            SOURCE_FIRST[n]) if n in SOURCE_FIRST else None)
        people = self._people(policy, unit, important)
        meta.update(people)
        if len(self.site.organs) > 1 and rng.random() < 0.02 and attribute in ("主动公开", "部分公开"):
            other = rng.choice([o for o in self.site.organs if o is not organ])
            co_unit = rng.choice(self.site.units_by_organ[other["name"]])
            meta["lead"] = organ["name"]
            meta["co_producers"] = [{"unit": co_unit["name"], "opinion": "同意公开",
                                     "opinion_date": written + dt.timedelta(days=1)}]
        body = self._body(organ, unit, subject, published, attribute, doc_no)
        path = f"content/{column['id']}/{year}/{n:06d}.md"
        return path, f"---\n{dump_yaml(meta)}---\n\n{body}"

    def _title(self, column: dict[str, Any], organ: dict[str, Any], subject: str, year: int,
               is_doc: bool) -> tuple[str, str | None]:
        rng = self.rng
        name, category = str(column.get("name", "")), str(column.get("category", ""))
        short = _short_organ(organ)
        doc_no = None
        if is_doc:
            key = (_doc_prefix(organ), year)
            self.doc_serials[key] = self.doc_serials.get(key, 0) + 1
            doc_no = f"{key[0]}〔{year}〕{self.doc_serials[key]}号"
        if "年报" in name or "年度报告" in name:
            return f"{short}{year - 1}年政府信息公开工作年度报告", doc_no
        if "指南" in name:
            return f"{short}政府信息公开指南（{year}年版）", doc_no
        if "审计" in name:
            return f"关于{rng.choice(PLACES)}{year - 1}年度{subject}专项资金的审计结果公告", doc_no
        if category == "动态" or "动态" in name:
            return f"{short}召开{subject}{rng.choice(ACTIVITIES)}", doc_no
        if is_doc or category == "政策文件":
            return f"{short}关于印发{subject}{rng.choice(DOC_KINDS)}的通知", doc_no
        return f"关于{rng.choice(ACTIONS)}{year}年{subject}工作的通知", doc_no

    def _source(self, attribute: str, year: int, published: dt.date, forced: int | None) -> dict[str, Any]:
        rng = self.rng
        r = rng.random() if forced is None else (0.0, 0.1)[forced]
        if r < 0.08 and self.site.sources:
            src = rng.choice(self.site.sources)
            domain = (src.get("domains") or ["www.gov.cn"])[0]
            return {"type": "转载", "转载来源": {
                "organ": src["name"], "url": f"https://{domain}/zhengce/{year}/{rng.randint(10000, 99999)}.html",
                "date": published - dt.timedelta(days=rng.randint(0, 5))}}
        if r < 0.13:
            issuer, prefix = rng.choice(ISSUERS)
            return {"type": "转发", "forwarded": {
                "organ": issuer, "doc_no": f"{prefix}〔{year}〕{rng.randint(1, 180)}号", "attribute": attribute}}
        return {"type": "原创"}

    def _people(self, policy: dict[str, Any], unit: dict[str, Any], important: bool) -> dict[str, Any]:
        if not self.site.people:
            return {}
        out: dict[str, Any] = {}
        used: set[str] = set()
        drafter = self._person("经办人", unit, used)
        if drafter:
            out["drafter"] = drafter
            used.add(drafter)
        reviewers: dict[str, str] = {}
        steps = [str(s) for s in policy.get("steps") or ()]
        if important:
            steps += [str(s) for s in policy.get("important_steps") or ()]
        for step in (*steps, "保密审查"):
            if step == "经办人" and drafter:
                reviewers[step] = drafter
                continue
            pid = self._person(step, unit, used)
            if pid:
                reviewers[step] = pid
                used.add(pid)
        if reviewers:
            out["reviewers"] = reviewers
        return out

    # -- bodies: 200–3000 characters of ordinary government prose ----------------------------
    def _paragraph(self, lo: int = 2, hi: int = 5) -> str:
        return "".join(self.rng.sample(SENTENCES, self.rng.randint(lo, hi)))

    def _facts(self, organ: dict[str, Any], unit: dict[str, Any], subject: str, day: dt.date) -> str:
        rng = self.rng
        return rng.choice((
            f"{day.year}年{day.month}月{day.day}日，{_short_organ(organ)}组织召开{subject}{rng.choice(ACTIVITIES)}，"
            f"{rng.randint(2, 40)}个单位的负责同志参加会议。",
            f"截至{day.month}月底，全区累计投入{subject}资金{rng.randint(100, 9999)}.{rng.randint(10, 99)}万元，"
            f"完成年度目标任务的{rng.randint(40, 99)}%。",
            self._inspection(),
            f"联系人：{unit['name']}，联系电话：023-{rng.randint(6000, 6899)}{rng.randint(1000, 9999)}。",
            f"根据《重庆市人民政府办公厅关于{subject}工作的通知》（渝府办发〔{day.year - 1}〕{rng.randint(1, 150)}号）精神，"
            "结合我区实际，制定本方案。",
        ))

    def _inspection(self) -> str:
        rng = self.rng
        found = rng.randint(1, 60)
        return (f"本次共排查{rng.choice(PLACES)}等{rng.randint(3, 30)}个点位，发现问题{found}个，"
                f"已整改{rng.randint(0, found)}个，其余问题已明确责任单位和整改时限。")

    def _body(self, organ: dict[str, Any], unit: dict[str, Any], subject: str, day: dt.date,
              attribute: str, doc_no: str | None) -> str:
        rng = self.rng
        target = int(min(3000, max(200, rng.lognormvariate(6.8, 0.6))))
        parts: list[str] = []
        size = 0
        heading = 0
        while size < target:
            r = rng.random()
            if r < 0.15 and size > 0:
                heading += 1
                block = (f"## {'一二三四五六七八九十'[min(heading, 10) - 1]}、{rng.choice(LIST_ITEMS)}\n\n"
                         f"{self._paragraph(1, 3)}")
            elif r < 0.3:
                items = rng.sample(LIST_ITEMS, rng.randint(2, 5))
                block = "\n".join(f"{i}. {t}。" for i, t in enumerate(items, 1))
            elif r < 0.34:
                rows = rng.sample(TABLE_ROWS, rng.randint(3, 6))
                block = "| 类别 | 条数 | 占比 |\n| --- | ---: | ---: |\n" + "\n".join(
                    f"| {row} | {rng.randint(1, 400)} | {rng.randint(1, 60)}.{rng.randint(0, 9)}% |" for row in rows)
            elif r < 0.55:
                block = self._facts(organ, unit, subject, day - dt.timedelta(days=rng.randint(0, 30)))
            elif r < 0.58 and self.site.domains:
                domain = rng.choice(self.site.domains)
                block = f"详见[相关政策解读](https://www.{domain}/zhengce/{rng.randint(1000, 9999)}.htm)。"
            else:
                block = self._paragraph()
            if any(a in block for a in self.site.avoid):
                continue
            parts.append(block)
            size += len(block)
        if attribute == "部分公开":
            at = rng.randint(1, len(parts))
            parts.insert(at, f'::: 不公开 理由="{rng.choice(BLOCK_REASONS)}"\n'
                             f"{rng.choice(PLACES)}有关当事人的姓名、住址等个人信息（共{rng.randint(2, 30)}人）。\n:::")
        parts.append(f"{organ['name']}\n\n{day.year}年{day.month}月{day.day}日")
        if doc_no:
            parts.append(f"（{NOTE[attribute]}）")
        return "\n\n".join(parts) + "\n"


def is_annual_report_column(column: dict[str, Any]) -> bool:
    name = str(column.get("name", ""))
    return "年报" in name or "年度报告" in name


def copy_config(out: str) -> None:
    for name in ("site_config", "schema"):
        dst = os.path.join(out, name)
        if os.path.exists(dst):
            shutil.rmtree(dst)
        shutil.copytree(os.path.join(PROJECT, name), dst)
    if os.path.exists(os.path.join(PROJECT, "mkdocs.yml")):
        shutil.copy2(os.path.join(PROJECT, "mkdocs.yml"), os.path.join(out, "mkdocs.yml"))


def generate(n: int, out: str, seed: int = 1, as_of: dt.date = DEFAULT_AS_OF) -> int:
    """Write a site repository of ``n`` items to ``out`` (its content/ is replaced)."""
    os.makedirs(out, exist_ok=True)
    copy_config(out)
    content = os.path.join(out, "content")
    if os.path.exists(content):
        shutil.rmtree(content)
    site = read_site(out)
    if not site.columns or not site.organs:
        raise SystemExit("site_config/ 中没有栏目或发布机构（及其科室），无法生成条目")
    gen = Generator(site, seed, as_of)
    made: set[str] = set()
    # every column gets items, each organ its 年度报告 of last year; then the rest spread at random
    forced: list[tuple[dict[str, Any], str | None]] = [(c, None) for c in site.columns]
    forced += [(c, o["name"]) for c in site.columns if is_annual_report_column(c) for o in site.organs]
    for i in range(1, n + 1):
        column, organ = forced[i - 1] if i <= len(forced) else (gen.rng.choice(site.columns), None)
        path, text = gen.item(i, column, organ)
        d = os.path.dirname(path)
        if d not in made:
            os.makedirs(os.path.join(out, d), exist_ok=True)
            made.add(d)
        with open(os.path.join(out, path), "w", encoding="utf-8") as fh:
            fh.write(text)
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="生成基准测试用的站点仓库")
    ap.add_argument("--items", type=int, required=True, help="条目数")
    ap.add_argument("--out", required=True, help="输出目录（其中的 content/ 会被替换）")
    ap.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF,
                    help=f"日期基准：发布日期在此之前，复核日期在此之后（默认 {DEFAULT_AS_OF}）")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    generate(args.items, args.out, args.seed, args.as_of)
    print(f"{args.items} items -> {args.out} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
