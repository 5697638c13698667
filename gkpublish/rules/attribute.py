"""GK201–GK209: 公开属性 (the disclosure attribute).

附件1 公开属性源头认定制度 and 綦江 第六条: every item carries exactly one of 主动公开 /
部分公开 / 依申请公开 / 不予公开, decided when the item is made (第三条), by whoever made it
(第一条: 谁制作、谁认定). A 公文 states it again in its 附注 line; 不予公开 needs a reason
naming a ground of 条例 第十四—十六条; 主动公开 must not carry non-public content; 部分公开
marks its non-public parts separately (第四条). Forwarded documents follow the forwarded
one (第一条), rights holders are heard before a 商业秘密 / 个人隐私 is disclosed (第二条),
and what is withheld is re-evaluated periodically (第五条).

The JSON Schema already reports the structural cases under these IDs (no or an unknown
``attribute`` → GK201, 不予公开 without ``reason`` or with an unknown ``reason.ground`` →
GK202, ``co_producers`` without ``lead`` → GK207, no ``review_date`` → GK209). The rules
below add what crosses fields, the body, the configuration or the check date. They apply
to every item whatever its attribute, except GK208, which is about what gets published.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from gkpublish.model import ATTRIBUTES, GROUNDS, NOTE_ATTRIBUTE, WARNING, Item, Repository, parse_date
from gkpublish.public import is_published
from gkpublish.rules import Problem, rule

# The 附注 each attribute should carry (附件1 第四条).
NOTE_FOR = {"主动公开": "此件公开发布", "部分公开": "此件部分公开",
            "依申请公开": "此件依申请公开", "不予公开": "此件不予公开"}
# A 部分公开 document may also carry （此件公开发布）: 附件1 第四条 names only the three
# 字样 公开发布 / 依申请公开 / 不予公开, and the version of a partly public document that is
# published is, as printed, 公开发布; its non-public parts are marked in the body.
NOTE_ACCEPTS = {"主动公开": {"主动公开"}, "部分公开": {"部分公开", "主动公开"},
                "依申请公开": {"依申请公开"}, "不予公开": {"不予公开"}}

# Words that identify a ground within each article of 条例 (domain.md). A block reason names a
# ground when it contains a GROUNDS key (国家秘密, 个人隐私 …), or cites one of these
# articles together with one of its words (``人事管理（条例第十六条）``).
ARTICLE_WORDS: dict[str, tuple[str, ...]] = {
    "第十四条": ("国家秘密", "禁止公开", "国家安全", "公共安全", "经济安全", "社会稳定", "三安全一稳定"),
    "第十五条": ("商业秘密", "个人隐私", "个人信息", "第三方合法权益", "第三人合法权益"),
    "第十六条": ("内部事务", "人事管理", "后勤管理", "内部工作流程", "过程性", "讨论记录", "过程稿",
                "磋商信函", "请示报告", "行政执法案卷", "执法案卷"),
}
_PUNCT_RE = re.compile(r"[\s、，,。；;：:“”\"'‘’《》〈〉<>]+")
_ARABIC_ARTICLE = {"第14条": "第十四条", "第15条": "第十五条", "第16条": "第十六条"}
# A rights holder's opinion that refuses disclosure (条例 第十五条: then only a public-interest
# finding allows it). 不反对 is consent, so 反对 counts only without a 不 before it.
_REFUSAL_RE = re.compile(r"不同意|有异议|拒绝|(?<!不)反对")


def _normalise(text: str) -> str:
    """Drop spaces and punctuation (法律、行政法规 → 法律行政法规), read 第15条 as 第十五条."""
    text = _PUNCT_RE.sub("", text)
    for arabic, chinese in _ARABIC_ARTICLE.items():
        text = text.replace(arabic, chinese)
    return text


def _articles(text: str) -> set[str]:
    return {a for a in ARTICLE_WORDS if a in text}


def _grounds(text: str) -> list[str]:
    return [g for g in GROUNDS if g in text]


def ground_problem(reason: str) -> str | None:
    """Why a free-text reason does not name a ground of 条例 第十四—十六条 (None: it does)."""
    text = _normalise(reason)
    cited = _articles(text)
    named = _grounds(text)
    if named:
        if cited and not any(GROUNDS[g].removeprefix("条例") in cited for g in named):
            g = named[0]
            return f"：其中的依据“{g}”属于{GROUNDS[g]}，与所引的{'、'.join(sorted(cited))}不符"
        return None
    if any(word in text for a in cited for word in ARTICLE_WORDS[a]):
        return None
    if cited:
        return f"：只引了{'、'.join(sorted(cited))}，没有写明是该条中的哪一种情形"
    return "：没有写明条例第十四、十五、十六条规定的不公开情形"


def _last_line(item: Item) -> int:
    return item.body_line + item.body.rstrip("\n").count("\n")


def _schema_guards_attribute(repo: Repository) -> bool:
    """Does the site's schema/item.schema.json (which every item kind extends) still require
    ``attribute``, restrict it to the four values, and route it to GK201?"""
    try:
        doc = json.loads(repo.config.files["schema/item.schema.json"].decode("utf-8-sig"))
        prop = doc["properties"]["attribute"]
        return ("attribute" in doc.get("required", ()) and prop.get("x-rule") == "GK201"
                and isinstance(prop.get("enum"), list) and set(prop["enum"]) <= set(ATTRIBUTES))
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError, json.JSONDecodeError):
        return False


@rule("GK201", "E", "没有有效的公开属性", "附件1 第四条")
def attribute_missing(repo: Repository) -> Iterator[Problem]:
    """Every item carries exactly one 公开属性: 主动公开, 部分公开, 依申请公开 or 不予公开
    (附件1 第四条: a 公文 without one is returned to its drafter).

    A missing ``attribute`` and any other value are reported by the JSON Schema under this
    ID (``x-rule: GK201``). Should a site's ``schema/item.schema.json`` stop requiring or
    restricting ``attribute``, this rule reports the same cases itself, so the gate never
    opens on an item whose attribute nobody decided.

    Passing::

        attribute: 主动公开

    Failing (綦江 第六条 says 不公开, but the value is 不予公开)::

        attribute: 不公开
    """
    if _schema_guards_attribute(repo):
        return
    for item in repo.items:
        if item.attribute is None:
            value = item.meta.get("attribute")
            what = "缺少公开属性（attribute）" if value is None else f"公开属性（attribute）“{value}”无效"
            yield Problem(item.path, item.line_of("attribute"),
                          f"{what}：附件1 第四条要求每个条目标明公开属性，"
                          f"请填写 {' / '.join(ATTRIBUTES)} 之一")


@rule("GK202", "E", "不予公开或不公开部分没有说明依据", "附件1 第四条; 綦江 第六条")
def reason_names_ground(repo: Repository) -> Iterator[Problem]:
    """不予公开 must say why, naming a ground of 条例 第十四、十五、十六条; so must every
    non-public block of a 部分公开 body (附件1 第四条 拟不公开的，要依法依规说明理由).

    For 不予公开 the front matter carries ``reason: {ground, basis}``; the schema requires
    it and restricts ``ground`` to the eight grounds (reported under this ID). This rule
    adds that ``basis``, when it cites 第十四/十五/十六条, must cite the article of its ground.

    A block's ``理由`` names a ground when it contains one of the eight grounds (国家秘密,
    法律行政法规禁止公开, 危及三安全一稳定, 商业秘密, 个人隐私, 内部事务信息, 过程性信息,
    行政执法案卷信息; punctuation is ignored, 第15条 reads as 第十五条), or cites 第十四、
    十五 or 十六条 together with a word of that article (国家安全, 人事管理, 请示报告 …). A
    cited article that contradicts the named ground fails. An empty 理由 is GK205.

    Passing::

        reason:
          ground: 个人隐私
          basis: 涉及申请人的个人信息（条例第十五条）

        ::: 不公开 理由="人事管理（条例第十六条）"

    Failing::

        reason:
          ground: 个人隐私
          basis: 依据条例第十六条不予公开

        ::: 不公开 理由="领导要求"
    """
    for item in repo.items:
        reason = item.mapping("reason")
        ground, basis = reason.get("ground"), reason.get("basis")
        if item.attribute == "不予公开" and ground in GROUNDS and isinstance(basis, str):
            cited = _articles(_normalise(basis))
            if cited and GROUNDS[ground].removeprefix("条例") not in cited:
                yield Problem(item.path, item.line_of("reason"),
                              f"不予公开理由自相矛盾：依据类别（reason.ground）“{ground}”属于{GROUNDS[ground]}，"
                              f"理由说明（reason.basis）却引用{'、'.join(sorted(cited))}；请核对依据后改为一致")
        if item.attribute != "部分公开":
            continue
        for block in item.blocks:
            problem = ground_problem(block.reason) if block.reason and block.exact else None
            if problem:
                yield Problem(item.path, block.start_line,
                              f"第 {block.start_line} 行不公开内容的理由“{block.reason}”{problem}"
                              "（附件1 第四条、条例第十四至十六条）；请写成如 理由=\"个人隐私（条例第十五条）\"")


@rule("GK203", "E", "附注与公开属性不一致", "附件1 第四条")
def note_agrees(repo: Repository) -> Iterator[Problem]:
    """A 公文 states its attribute in the 附注 position: （此件公开发布）, （此件依申请公开）,
    （此件不予公开） (附件1 第四条). Every 附注 line in the body must agree with
    ``attribute``; a 公文 (an item with a ``doc_no``) without any 附注 is a warning.

    Accepted: 主动公开 ← 此件公开发布 / 此件主动公开; 部分公开 ← 此件部分公开 or
    此件公开发布 (the seed lists only three 字样, and the published version of a partly
    public document is printed as 公开发布; its non-public parts are marked in the body);
    依申请公开 ← 此件依申请公开; 不予公开 ← 此件不予公开 / 此件不公开. Any other
    （此件……） line is not a recognised 附注 and fails.

    Passing (attribute: 主动公开)::

        重庆市江北区人民政府办公室
        2022年6月15日
        （此件公开发布）

    Failing (attribute: 不予公开)::

        （此件公开发布）
    """
    for item in repo.items:
        notes = item.notes()
        if not notes and item.is_document:
            want = NOTE_FOR.get(item.attribute or "")
            hint = f"请在落款之后加一行（{want}）" if want else "请在落款之后加一行与公开属性一致的附注"
            yield Problem(item.path, _last_line(item),
                          f"公文（文号 {item.text('doc_no')}）没有附注：附件1 第四条要求在附注位置标注"
                          f"“此件公开发布”等字样；{hint}", severity=WARNING)
        if item.attribute is None:
            continue  # GK201
        for text, line in notes:
            stated = NOTE_ATTRIBUTE.get(text)
            if stated is None:
                yield Problem(item.path, line,
                              f"附注（{text}）不是规定的字样：附件1 第四条使用“此件公开发布”“此件依申请公开”"
                              f"“此件不予公开”等；本条目为{item.attribute}，请改为（{NOTE_FOR[item.attribute]}）")
            elif stated not in NOTE_ACCEPTS[item.attribute]:
                yield Problem(item.path, line,
                              f"附注（{text}）与公开属性（attribute）{item.attribute}不一致（附件1 第四条）；"
                              f"请核实公开属性，并把附注改为（{NOTE_FOR[item.attribute]}）或修改 attribute")


@rule("GK204", "E", "主动公开条目夹带不公开内容", "附件1 第四条")
def proactive_without_hidden(repo: Repository) -> Iterator[Problem]:
    """确定为“主动公开”的公文，不可夹带“依申请公开”和“不公开”的内容 (附件1 第四条).
    A 主动公开 item has no non-public block (``::: 不公开`` / ``::: 依申请公开``), and no
    line that merely looks like a block marker either (full-width colons ``：：：``, four
    colons, an indented or list-item marker, invisible characters in it …): the public view
    hides from such a line on, so the editor meant to withhold something.

    Passing: a 主动公开 body without ``:::`` blocks; or the same body with
    ``attribute: 部分公开`` and a block whose 理由 names a ground.

    Failing (attribute: 主动公开)::

        ::: 不公开 理由="个人隐私（条例第十五条）"
        申请人张某，住址……
        :::

    Failing too (attribute: 主动公开; full-width colons)::

        ：：： 不公开 理由="个人隐私（条例第十五条）"
    """
    for item in repo.items:
        if item.attribute != "主动公开":
            continue
        scan = item.block_scan()
        for block in scan.blocks:
            if not block.exact:
                continue  # reported with its line below
            unclosed = "；该块没有结束标记 :::，其后直到文件末尾的内容都会被隐藏" if block.end_line is None else ""
            yield Problem(item.path, block.start_line,
                          f"主动公开的条目不可夹带不公开内容（附件1 第四条）：第 {block.start_line} 行有"
                          f"“::: {block.kind}”块{unclosed}；如确有不公开内容，请把公开属性改为“部分公开”"
                          "并写明理由，否则删除该块")
        for line, problem in scan.problems:
            yield Problem(item.path, line,
                          f"主动公开的条目不可夹带不公开内容（附件1 第四条）：{problem}；如确有不公开内容，"
                          "请把公开属性改为“部分公开”，否则删除这一行")


@rule("GK205", "E", "不公开块标记不规范，或部分公开条目未标明不公开部分", "附件1 第四条")
def partial_marks_parts(repo: Repository) -> Iterator[Problem]:
    """对于部分公开的，应分别注明公开与不公开内容 (附件1 第四条). A 部分公开 body marks
    each non-public part as a fenced block with a reason, closed by a ``:::`` line::

        ::: 不公开 理由="个人隐私（条例第十五条）"
        申请人姓名、住址……
        :::

    Both marker lines are written exactly so: at the start of the line (no indentation, no
    list or quote prefix), three half-width colons, half-width spaces. Fails when a
    部分公开 item has no such block, when a block has no 理由, or when a block is never
    closed: the public build then hides everything from its opening line to the end of the
    file (fail closed), which is rarely what the drafter meant.

    Fails also, in any item that is not 主动公开 (there it is GK204), for every line that
    looks like a marker but is not exactly one — full-width or other colon-like characters
    (``：：：``), two or four colons, a leading space or indentation, a list item or quote
    (``- ::: 不公开``), a full-width space before 理由, zero-width or other invisible
    characters, a ``:::`` without an opening — and for a block opened inside a block. The
    public view hides from such a line on (to the close that balances the outer opening, or
    to the end), so nothing is published by mistake even when the gate is bypassed. Inside
    a block, a fenced code block (``` or ~~~) does not end it; outside a block, a marker in
    a code fence is still a marker.

    Passing: the block above in an item with ``attribute: 部分公开``.

    Failing: ``attribute: 部分公开`` and a body without any ``:::`` block; or
    ``::: 不公开`` with no 理由; or the block above without its closing ``:::``; or::

        ：：： 不公开 理由="个人隐私（条例第十五条）"
        申请人姓名、住址……
        ：：：
    """
    for item in repo.items:
        scan = item.block_scan()
        if item.attribute != "主动公开":
            for line, problem in scan.problems:
                yield Problem(item.path, line, f"{problem}（附件1 第四条：应分别注明公开与不公开内容）")
        if item.attribute != "部分公开":
            continue
        if not any(b.exact for b in scan.blocks):
            yield Problem(item.path, item.line_of("attribute"),
                          "部分公开的条目没有标出不公开内容（附件1 第四条：应分别注明公开与不公开内容）；"
                          "请用 ::: 不公开 理由=\"……\" 与 ::: 包住不公开的段落，若全部可以公开请改为 主动公开")
        for block in scan.blocks:
            if not block.exact:
                continue  # its opening line is a problem above
            if not block.reason:
                yield Problem(item.path, block.start_line,
                              f"第 {block.start_line} 行的不公开内容没有理由（附件1 第四条：拟不公开的要说明理由）；"
                              "请写成 ::: 不公开 理由=\"个人隐私（条例第十五条）\" 这样的形式")
            if block.end_line is None:
                yield Problem(item.path, block.start_line,
                              f"第 {block.start_line} 行开始的不公开内容没有结束标记：从这一行到文件末尾的全部内容"
                              "都会被隐藏、不会公开；请在不公开内容之后单独加一行 :::")


@rule("GK206", "E", "转发公文的公开属性与原件不符", "附件1 第一条")
def forwarded_follows_original(repo: Repository) -> Iterator[Problem]:
    """转发类公文应根据所转发公文公开属性认定，所转发公文没有认定公开属性的，应当征求
    发文单位意见后再认定公开属性 (附件1 第一条).

    For ``source.type: 转发`` (the schema requires ``source.forwarded`` with ``organ`` and
    ``doc_no``, under this ID): the item's attribute equals ``forwarded.attribute``; when
    the forwarded document has none, ``forwarded.consulted`` records the issuer's opinion
    (``date``, ``opinion``), dated no later than the item's ``published``. A ``forwarded``
    record on an item of another type is not checked.

    Passing::

        attribute: 主动公开
        source:
          type: 转发
          forwarded: {organ: 重庆市人民政府办公厅, doc_no: 渝府办发〔2024〕1号, attribute: 主动公开}

    Failing: the same with ``attribute: 不予公开``; or without ``forwarded.attribute``
    and without ``forwarded.consulted``.
    """
    for item in repo.items:
        fwd = item.mapping("source").get("forwarded")
        if item.source_type != "转发" or not isinstance(fwd, dict) or item.attribute is None:
            continue
        line = item.line_of("source")
        original = f"{fwd.get('organ', '')}{fwd.get('doc_no', '')}".strip() or "被转发公文"
        theirs = fwd.get("attribute")
        consulted = fwd.get("consulted") if isinstance(fwd.get("consulted"), dict) else None
        if theirs in ATTRIBUTES and theirs != item.attribute:
            yield Problem(item.path, line,
                          f"转发类公文应按所转发公文的公开属性认定（附件1 第一条）：{original} 为{theirs}，"
                          f"本件却为{item.attribute}；请把 attribute 改为{theirs}，或核实 source.forwarded.attribute")
        elif theirs is None and consulted is None:
            yield Problem(item.path, line,
                          f"所转发的 {original} 没有认定公开属性（source.forwarded.attribute），也没有征求发文单位意见的"
                          "记录：附件1 第一条要求先征求发文单位意见再认定；请填写 source.forwarded.consulted 的 date 与 opinion")
        if consulted is not None:
            asked, published = parse_date(consulted.get("date")), item.date("published")
            if asked and published and asked > published:
                yield Problem(item.path, line,
                              f"征求发文单位意见的日期 {asked} 晚于发布日期 {published}：附件1 第一条要求先征求意见"
                              "再认定公开属性；请核实 source.forwarded.consulted.date")


@rule("GK207", "E", "共同制作的条目缺少牵头机关或公开审查意见", "附件1 第一条")
def co_producers_opinions(repo: Repository) -> Iterator[Problem]:
    """两个以上行政机关共同制作的政府信息，由牵头制作的行政机关负责认定，共同制作者有提供
    公开审查意见的义务 (附件1 第一条).

    An item with ``co_producers`` names its ``lead`` (the schema requires it, under this
    ID) and records each co-producer's 公开审查意见 in ``opinion``. A co-producer entry
    that is the lead itself needs no opinion.

    Passing::

        lead: 重庆市江北区人民政府办公室
        co_producers:
          - {unit: 重庆市綦江区审计局, opinion: 同意主动公开, opinion_date: 2026-10-20}

    Failing::

        lead: 重庆市江北区人民政府办公室
        co_producers:
          - unit: 重庆市綦江区审计局
    """
    for item in repo.items:
        lead = item.text("lead")
        for n, producer in enumerate(item.seq("co_producers"), 1):
            if not isinstance(producer, dict) or producer.get("unit") == lead:
                continue
            opinion = producer.get("opinion")
            if not (isinstance(opinion, str) and opinion.strip()):
                yield Problem(item.path, item.line_of("co_producers"),
                              f"共同制作单位（co_producers 第 {n} 项）“{producer.get('unit', '')}”没有公开审查意见："
                              "附件1 第一条规定共同制作者有提供公开审查意见的义务；请在该项填写 opinion 与 opinion_date")


@rule("GK208", "E", "涉及商业秘密或个人隐私的公开未听取权利人意见", "附件1 第二条; 条例 第十五条")
def rights_holder_heard(repo: Repository) -> Iterator[Problem]:
    """涉及商业秘密、个人隐私的，应当听取权利人的意见 (附件1 第二条); it may be disclosed
    only if the third party agrees or withholding it would seriously harm the public
    interest (条例 第十五条).

    For a published item (主动公开 / 部分公开, not withdrawn) whose ``privacy.touches``
    lists 商业秘密 or 个人隐私: ``privacy.rights_holder_opinion`` (``date``, ``opinion``)
    or ``privacy.public_interest_override`` (``date``, ``basis``) is recorded, dated no
    later than ``published``. An opinion that refuses (不同意, 有异议, 拒绝, 反对) needs the
    override. In a 部分公开 item, a kind that a non-public block withholds on that very
    ground (``理由="个人隐私（条例第十五条）"``) is not disclosed and needs neither.
    依申请公开 and 不予公开 items publish nothing, so this rule does not look at them.

    Passing::

        attribute: 主动公开
        privacy:
          touches: [商业秘密]
          rights_holder_opinion: {date: 2026-10-20, opinion: 同意公开}

    Failing::

        attribute: 主动公开
        privacy:
          touches: [个人隐私]
    """
    for item in repo.items:
        privacy = item.mapping("privacy")
        raw = privacy.get("touches")
        touches = [t for t in raw if t in ("商业秘密", "个人隐私")] if isinstance(raw, list) else []
        if not touches or not is_published(item):
            continue
        if item.attribute == "部分公开":
            withheld = {g for b in item.blocks if b.exact for g in _grounds(_normalise(b.reason))}
            touches = [t for t in touches if t not in withheld]
        if not touches:
            continue
        kinds = "、".join(touches)
        line = item.line_of("privacy")
        opinion = privacy.get("rights_holder_opinion")
        override = privacy.get("public_interest_override")
        opinion = opinion if isinstance(opinion, dict) else None
        override = override if isinstance(override, dict) else None
        if opinion is None and override is None:
            yield Problem(item.path, line,
                          f"条目涉及{kinds}且将公开，但没有权利人意见：附件1 第二条要求公开前听取权利人的意见；"
                          "请填写 privacy.rights_holder_opinion（date、opinion），或在不公开会对公共利益造成重大影响时"
                          "填写 privacy.public_interest_override（条例第十五条），或把相关内容列为不公开")
            continue
        text = opinion.get("opinion") if opinion else None
        if override is None and isinstance(text, str) and _REFUSAL_RE.search(text):
            yield Problem(item.path, line,
                          f"权利人意见为“{text}”，不同意公开{kinds}：条例第十五条只在第三方同意或不公开会对公共利益"
                          "造成重大影响时才可公开；请不公开相关内容，或记录 privacy.public_interest_override")
        published = item.date("published")
        for key, record in (("rights_holder_opinion", opinion), ("public_interest_override", override)):
            when = parse_date(record.get("date")) if record else None
            if when and published and when > published:
                yield Problem(item.path, line,
                              f"privacy.{key} 的日期 {when} 晚于发布日期 {published}：附件1 第二条要求在认定公开属性前"
                              "听取权利人意见；请核实日期")


@rule("GK209", "E", "不公开信息的定期复核已过期", "附件1 第五条")
def withheld_reviewed(repo: Repository) -> Iterator[Problem]:
    """对本行政机关不予公开的政府信息进行定期评估审查，对因情势变化可以公开的政府信息
    应当公开 (附件1 第五条). A 不予公开 or 依申请公开 item carries ``review_date``, its next
    re-evaluation (the schema requires it, under this ID); that date must not have passed
    as of the check date (``--as-of``, default today).

    Passing (checked on 2026-11-23)::

        attribute: 不予公开
        review_date: 2027-06-30

    Failing (checked on 2026-11-23)::

        attribute: 不予公开
        review_date: 2026-06-30
    """
    for item in repo.items:
        if item.attribute not in ("不予公开", "依申请公开"):
            continue
        due = item.date("review_date")
        if due and due < repo.as_of:
            yield Problem(item.path, item.line_of("review_date"),
                          f"{item.attribute}条目的复核日期（review_date）{due} 已过（检查日期 {repo.as_of}）："
                          "附件1 第五条要求定期评估，因情势变化可以公开的应当公开；请复核后修改公开属性，"
                          "或把 review_date 改为下次复核日期")
