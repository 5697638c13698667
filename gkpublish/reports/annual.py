"""gkpublish report annual: the 政府信息公开工作年度报告 in the national format (国办公开办函〔2021〕30号).

Six sections. Tables 二, 三 and 四 are computed; sections 一, 五 and 六 and the figures the
repository cannot know (许可, 处罚, 强制, 收费) come from two editable files, public text
meant for the report:

- ``annual/<YYYY>.yml`` (or ``annual/<YYYY>-<organ code>.yml`` on a site of several organs) —
  ``行政许可``, ``行政处罚``, ``行政强制`` (decisions in the year),
  ``行政事业性收费`` (万元), optional ``organ`` (the 发布机构 the report is for),
  ``carried_over`` (last year's published 结转下年度 row, 7 numbers, when the register does
  not reach back that far) and ``front_matter`` (fields of the generated item: index_no,
  written, published, drafter …);
- ``annual/<YYYY>.md`` (or ``annual/<YYYY>-<organ code>.md``) — the text of 一、总体情况, 五、存在的主要问题及改进情况 and
  六、其他需要报告的事项, each under its ``## `` heading (``{新收}``, ``{结转}``,
  ``{办结}`` and ``{主动公开}`` are replaced by the computed figures).

(Not under ``records/``: everything there is secret, and ``verify-site`` would rightly
refuse a site that shows it.)

Table 二 counts items whose ``genre`` is 规章 or 行政规范性文件 (本年制发 by 成文日期, 本年废止
by ``abolished.date``, 现行有效 on 31 December). Table 三 counts the register: 本年新收 =
received in the year; 上年结转 = received earlier and not answered before the year; the
results = ``outcome`` of those answered in the year; 结转下年度 = not answered by 31
December. Table 四 counts ``reviews`` filed in the year, with their result as of 31
December. The 勾稽关系 are checked, not only printed: a break is exit 1 naming the rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import Any

import yaml

from gkpublish.cli import find_root
from gkpublish.errors import GkError
from gkpublish.loader import load_repository
from gkpublish.model import Item, Repository, parse_date
from gkpublish.register import APPLICANT_TYPES, OUTCOME_GROUPS, OUTCOMES, Application, register_of

NAME = "annual"
HELP = "政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）"
ANNUAL_DIR = "annual"
GENRES = ("规章", "行政规范性文件")
FIGURES = {"行政许可": "第二十条第（五）项", "行政处罚": "第二十条第（六）项", "行政强制": "第二十条第（六）项",
           "行政事业性收费": "第二十条第（八）项"}
SECTIONS = ("一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
COLUMNS = (*APPLICANT_TYPES, "总计")
REVIEW_KINDS = (("行政复议", "行政复议"), ("直接起诉", "行政诉讼：未经复议直接起诉"), ("复议后起诉", "行政诉讼：复议后起诉"))
REVIEW_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
_RESULT_INDEX = {"维持": 0, "纠正": 1, "其他": 2}

_NUM = "一二三四五六七八"


class ReportRefused(GkError):
    """The report cannot be right (a broken 勾稽关系, a register with errors): exit 1."""

    exit_code = 1


def _table3_labels() -> list[str]:
    """The 25 row labels of table 三, as the format prints them."""
    labels = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]
    for g, (group, items) in enumerate(OUTCOME_GROUPS):
        head = f"（{_NUM[g]}）{group}"
        if group == "予以公开":
            labels.append(f"三、本年度办理结果：{head}")
        elif group == "部分公开":
            labels.append(f"{head}（区分处理的，只计这一情形，不计其他情形）")
        else:
            labels.extend(f"{head}：{i + 1}.{lb}" if i == 0 else f"{i + 1}.{lb}" for i, lb in enumerate(items))
    labels += ["（七）总计", "四、结转下年度继续办理"]
    return labels


TABLE3_LABELS = _table3_labels()
assert len(TABLE3_LABELS) == 25 and len(OUTCOMES) == 21


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, required=True, metavar="YYYY", help="报告年度")
    p.add_argument("--out", required=True, metavar="FILE", help="输出文件（md 可直接放入年报栏目，经正常签审后发布）")
    p.add_argument("--format", choices=("md", "html", "json"), default="md", help="输出格式")
    p.add_argument("--organ", metavar="ORGAN", help="只统计此发布机构（默认取 annual/YYYY.yml 的 organ，否则全部）")


# -- the tables ----------------------------------------------------------------------------

def _for_organ(app: Application, organ: str | None) -> bool:
    return organ is None or app.data.get("organ") in (None, organ)


def table3(apps: list[Application], year: int) -> list[list[int]]:
    """25 rows × 7 columns (six applicant types, then 总计)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    t = [[0] * 7 for _ in range(25)]
    for app in apps:
        rec, ans = app.received, app.answered
        if rec is None or rec > end:
            continue
        col = APPLICANT_TYPES.index(app.applicant_type)
        if rec >= start:
            t[0][col] += 1
        elif ans is None or ans >= start:
            t[1][col] += 1
        else:
            continue  # answered in an earlier year
        if ans is not None and start <= ans <= end:
            if app.outcome in OUTCOMES:
                t[2 + OUTCOMES.index(app.outcome)][col] += 1
        elif ans is None or ans > end:
            t[24][col] += 1
    for c in range(6):  # （七）总计 = the 21 result rows
        t[23][c] = sum(t[r][c] for r in range(2, 23))
    for row in t:
        row[6] = sum(row[:6])
    return t


def table4(apps: list[Application], year: int) -> list[int]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    t = [0] * 15
    for app in apps:
        for i, rv in enumerate(app.seq("reviews")):
            filed = app.date("reviews", i, "filed")
            kind = [k for k, _ in REVIEW_KINDS].index(rv["kind"]) if rv.get("kind") in dict(REVIEW_KINDS) else None
            if filed is None or kind is None or not start <= filed <= end:
                continue
            decided = app.date("reviews", i, "decided")
            col = _RESULT_INDEX.get(rv.get("result"), 3) if decided is not None and decided <= end else 3
            t[kind * 5 + col] += 1
            t[kind * 5 + 4] += 1
    return t


def _genre_items(repo: Repository, organ: str | None) -> list[Item]:
    return [it for it in repo.items if it.text("genre") in GENRES and it.is_public
            and (organ is None or it.text("publisher") == organ)]


def table2(repo: Repository, year: int, data: dict[str, Any], organ: str | None) -> dict[str, Any]:
    end = dt.date(year, 12, 31)
    out: dict[str, Any] = {}
    for genre in GENRES:
        made = abolished = current = 0
        for it in _genre_items(repo, organ):
            if it.text("genre") != genre:
                continue
            issued = it.date("written") or it.date("published")
            gone = parse_date(it.mapping("abolished").get("date"))
            if it.mapping("withdrawn"):
                wd = parse_date(it.mapping("withdrawn").get("date"))
                gone = min(filter(None, (gone, wd))) if (gone or wd) else end  # withdrawn, no date: gone
            if issued is not None and issued.year == year:
                made += 1
            if gone is not None and gone.year == year:
                abolished += 1
            if issued is not None and issued <= end and (gone is None or gone > end):
                current += 1
        out[genre] = {"本年制发件数": made, "本年废止件数": abolished, "现行有效件数": current}
    for key in FIGURES:
        out[key] = data[key]
    return out


def balance_breaks(t3: list[list[int]], carried_over: list[int] | None = None) -> list[str]:
    """The 勾稽关系 that do not hold, in words naming the rows and columns.

    Per column: 一 + 二 = 三（七）+ 四, and 三（七）总计 = the sum of the 21 result rows
    三（一）…（六） (without it a result cell could change unnoticed when the table was
    written by hand, e.g. a published one, or ``carried_over``'s source); per row: 总计 = the
    six applicant columns; and last year's 结转下年度 = this year's 上年结转."""
    out = []
    for c, name in enumerate(COLUMNS):
        if t3[0][c] + t3[1][c] != t3[23][c] + t3[24][c]:
            out.append(f"表三“{name}”列：一（{t3[0][c]}）+ 二（{t3[1][c]}）≠ 三（七）（{t3[23][c]}）+ 四（{t3[24][c]}）")
        results = sum(t3[r][c] for r in range(2, 23))
        if t3[23][c] != results:
            out.append(f"表三“{name}”列：{TABLE3_LABELS[23]}（{t3[23][c]}）≠ 三（一）至（六）各项之和（{results}）")
    for r, label in enumerate(TABLE3_LABELS):
        if sum(t3[r][:6]) != t3[r][6]:
            out.append(f"表三“{label}”行：总计 {t3[r][6]} ≠ 六类申请人之和 {sum(t3[r][:6])}")
    if carried_over is not None and list(carried_over) != t3[1]:
        out.append(f"表三“{TABLE3_LABELS[1]}”行 {t3[1]} 与上年报告的结转下年度 {list(carried_over)} 不一致")
    return out


def _unanswered_outcomes(apps: list[Application], year: int) -> list[str]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return [f"{a.path}（申请 {a.id}）" for a in apps
            if a.answered is not None and start <= a.answered <= end and a.outcome not in OUTCOMES]


# -- inputs --------------------------------------------------------------------------------

def _read(root: str, rel: str, what: str) -> str:
    path = os.path.join(root, rel)
    if not os.path.isfile(path):
        raise GkError(f"{rel}: 找不到{what}；请按 docs/records.md 新建（年报的可编辑部分，公开内容）")
    with open(path, encoding="utf-8-sig") as fh:
        return fh.read()


def annual_file(repo: Repository, year: int, organ: str | None, suffix: str) -> str:
    """``annual/<year>-<organ code>.<suffix>`` when it exists (a site of several organs),
    else ``annual/<year>.<suffix>``."""
    code = (repo.config.organs.get(organ) or {}).get("code") if organ else None
    if code:
        rel = f"{ANNUAL_DIR}/{year}-{code}.{suffix}"
        if os.path.isfile(os.path.join(repo.root, rel)):
            return rel
    return f"{ANNUAL_DIR}/{year}.{suffix}"


def resolve_organ(repo: Repository, organ: str | None) -> str | None:
    """The organ's full name from its name, short name or code (None: not given)."""
    if organ is None:
        return None
    for name, row in repo.config.organs.items():
        if organ in (name, str(row.get("code")), row.get("short")):
            return name
    raise GkError(f"--organ {organ}: 不是 site_config/organisation.yml 中的发布机构（可写全称、简称或机构代码）")


def load_data(root: str, year: int, rel: str | None = None) -> dict[str, Any]:
    rel = rel or f"{ANNUAL_DIR}/{year}.yml"
    try:
        data = yaml.safe_load(_read(root, rel, "年报数据文件"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise GkError(f"{rel}:{mark.line + 1 if mark else ''}: YAML 无法解析；请检查缩进和冒号后的空格") from None
    if not isinstance(data, dict):
        raise GkError(f"{rel}: 应为“键: 值”映射（行政许可: 0 …）")
    for key in FIGURES:
        v = data.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise GkError(f"{rel}: 缺少或无效的 {key}（{FIGURES[key]}）：应为不小于 0 的数字"
                          f"{'（万元）' if key == '行政事业性收费' else '（本年处理决定数量）'}；没有则填 0")
    co = data.get("carried_over")
    if co is not None and not (isinstance(co, list) and len(co) == 7 and all(isinstance(x, int) and not isinstance(x, bool) for x in co)):
        raise GkError(f"{rel}: carried_over 应为 7 个整数（上年报告表三“结转下年度”行：六类申请人与总计）")
    if data.get("front_matter") is not None and not isinstance(data["front_matter"], dict):
        raise GkError(f"{rel}: front_matter 应为映射（index_no、written、published ……）")
    return data


def load_sections(root: str, year: int, rel: str | None = None) -> dict[str, str]:
    rel = rel or f"{ANNUAL_DIR}/{year}.md"
    text = _read(root, rel, "年报文字部分（一、五、六）").replace("\r\n", "\n")
    out: dict[str, str] = {}
    current: str | None = None
    intro: list[str] = []
    for line in text.split("\n"):
        if line.startswith("## "):
            head = line[3:].strip()
            if head not in SECTIONS:
                raise GkError(f"{rel}: 标题“{head}”不是年报的可编辑部分；只能有 {'、'.join('## ' + s for s in SECTIONS)}")
            current = head
            out[current] = ""
            continue
        if current is None:
            intro.append(line)
        else:
            out[current] += line + "\n"
    missing = [s for s in SECTIONS if not out.get(s, "").strip()]
    if missing:
        raise GkError(f"{rel}: 缺少 {'、'.join('## ' + s for s in missing)} 及其内容（国办公开办函〔2021〕30号 六部分）")
    out["前言"] = "\n".join(intro).strip()
    return {k: v.strip() for k, v in out.items()}


# -- output --------------------------------------------------------------------------------

def build(repo: Repository, year: int, organ: str | None = None) -> dict[str, Any]:
    """Everything the report shows; raises GkError (exit 1) when the 勾稽关系 break."""
    reg = register_of(repo)
    if reg.problems:
        where = "；".join(f"{p.path}:{p.line or ''}" for p in reg.problems[:5])
        raise ReportRefused(f"依申请公开登记有 {len(reg.problems)} 处格式问题（GK701：{where}）；"
                      "年报不能从有误的登记统计，请先运行 gkpublish check 并修正")
    organ = resolve_organ(repo, organ)
    data = load_data(repo.root, year, annual_file(repo, year, organ, "yml"))
    if organ is None and data.get("organ") is not None:
        organ = resolve_organ(repo, str(data["organ"]))
    elif organ is not None and data.get("organ") not in (None, organ):
        raise GkError(f"{annual_file(repo, year, organ, 'yml')}: organ 是“{data['organ']}”，与 --organ {organ} 不一致")
    if organ is not None and len(repo.config.organs) > 1:
        # on a site of several organs an application without organ would be counted for each
        unassigned = [a.path for a in reg.applications if not isinstance(a.data.get("organ"), str)]
        if unassigned:
            shown = "、".join(unassigned[:5]) + (" 等" if len(unassigned) > 5 else "")
            raise ReportRefused(f"站点有多个发布机构，以下登记没有 organ（受理机关），无法确定计入哪个机关的年报：{shown}；"
                                "请在每件登记中填写 organ")
    apps = [a for a in reg.applications if _for_organ(a, organ)]
    t3 = table3(apps, year)
    breaks = [f"{p} 在 {year} 年答复，但没有有效的 outcome" for p in _unanswered_outcomes(apps, year)]
    breaks += balance_breaks(t3, data.get("carried_over"))
    if breaks:
        raise ReportRefused("年报勾稽关系不成立，不能生成：\n  " + "\n  ".join(breaks))
    return {"version": 1, "year": year, "organ": organ, "table2": table2(repo, year, data, organ),
            "table3": t3, "table4": table4(apps, year), "data": data}


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _table4_html(t4: list[int]) -> str:
    """Table 四 with its grouped header (Markdown tables cannot span columns)."""
    groups = "".join(f'<th colspan="5">{h}</th>' for _, h in REVIEW_KINDS)
    heads = "".join(f"<th>{h}</th>" for h in REVIEW_RESULTS * 3)
    cells = "".join(f"<td>{n}</td>" for n in t4)
    return (f'<table>\n<tr><th rowspan="2"></th>{groups}</tr>\n<tr>{heads}</tr>\n'
            f"<tr><td>件数</td>{cells}</tr>\n</table>")


def markdown_body(report: dict[str, Any], sections: dict[str, str], html_tables: bool = False) -> str:
    t2, t3, t4 = report["table2"], report["table3"], report["table4"]
    subs = {"{新收}": str(t3[0][6]), "{结转}": str(t3[24][6]), "{办结}": str(t3[23][6]),
            "{上年结转}": str(t3[1][6])}
    text = {k: v for k, v in sections.items()}
    for k, v in text.items():
        for a, b in subs.items():
            v = v.replace(a, b)
        text[k] = v
    lines = []
    if text.get("前言"):
        lines += [text["前言"], ""]
    lines += [f"## {SECTIONS[0]}", "", text[SECTIONS[0]], "", "## 二、主动公开政府信息情况", ""]
    lines += ["| 第二十条第（一）项 | | | |", "|---|---|---|---|", _row(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])]
    for g in GENRES:
        lines.append(_row([g, t2[g]["本年制发件数"], t2[g]["本年废止件数"], t2[g]["现行有效件数"]]))
    for item, head in (("行政许可", "第二十条第（五）项"),):
        lines += ["", f"| {head} | |", "|---|---|", _row(["信息内容", "本年处理决定数量"]), _row([item, _fmt(t2[item])])]
    lines += ["", "| 第二十条第（六）项 | |", "|---|---|", _row(["信息内容", "本年处理决定数量"]),
              _row(["行政处罚", _fmt(t2["行政处罚"])]), _row(["行政强制", _fmt(t2["行政强制"])])]
    lines += ["", "| 第二十条第（八）项 | |", "|---|---|", _row(["信息内容", "本年收费金额（单位：万元）"]),
              _row(["行政事业性收费", _fmt(t2["行政事业性收费"])])]
    lines += ["", "## 三、收到和处理政府信息公开申请情况", "",
              "申请人情况：自然人；法人或其他组织（商业企业、科研机构、社会公益组织、法律服务机构、其他）；总计。", "",
              _row(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", *COLUMNS]),
              "|" + "---|" * 8]
    for label, row in zip(TABLE3_LABELS, t3, strict=True):
        lines.append(_row([label, *row]))
    lines += ["", "## 四、政府信息公开行政复议、行政诉讼情况", ""]
    if html_tables:
        lines.append(_table4_html(t4))
    else:
        lines += [_row(["", *(h if i == 0 else "" for _, h in REVIEW_KINDS for i in range(5))]),
                  "|" + "---|" * 16, _row(["", *(REVIEW_RESULTS * 3)]), _row(["件数", *t4])]
    lines += ["", f"## {SECTIONS[1]}", "", text[SECTIONS[1]], "", f"## {SECTIONS[2]}", "", text[SECTIONS[2]], ""]
    return "\n".join(lines)


def front_matter(repo: Repository, report: dict[str, Any]) -> dict[str, Any]:
    year, organ = report["year"], report["organ"]
    column = next((c.id for c in repo.config.columns.values() if "年报" in c.name or "年度报告" in c.name), "xxgknb")
    col = repo.config.columns.get(column)
    defaults = dict(col.defaults) if col else {}
    publisher = organ or defaults.get("publisher") or next(iter(repo.config.organs), "")
    t3 = report["table3"]
    fm: dict[str, Any] = {
        "title": f"{publisher}{year}年政府信息公开工作年度报告",
        "publisher": publisher, "department": defaults.get("department"), "column": column,
        "topic": defaults.get("topic", "综合政务/政务公开"), "validity": "有效", "attribute": "主动公开",
        "summary": (f"按国办公开办函〔2021〕30号格式报告{year}年政府信息公开工作：新收政府信息公开申请{t3[0][6]}件，"
                    f"上年结转{t3[1][6]}件，办结{t3[23][6]}件，结转下年度{t3[24][6]}件；"
                    f"行政复议{report['table4'][4]}件，行政诉讼{report['table4'][9] + report['table4'][14]}件。"),
        "source": {"type": "原创"},
    }
    fm.update(report["data"].get("front_matter") or {})
    order = ("title", "index_no", "publisher", "department", "column", "topic", "written", "published",
             "validity", "attribute", "summary", "source")
    out = {k: fm[k] for k in order if fm.get(k) is not None}
    out.update({k: v for k, v in fm.items() if k not in out and v is not None})
    return out


def as_markdown(repo: Repository, report: dict[str, Any], sections: dict[str, str]) -> str:
    fm = yaml.safe_dump(front_matter(repo, report), allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{fm}---\n\n{markdown_body(report, sections)}"


def as_html(repo: Repository, report: dict[str, Any], sections: dict[str, str]) -> str:
    import html

    import markdown

    title = front_matter(repo, report)["title"]
    body = markdown.markdown(markdown_body(report, sections, html_tables=True), extensions=["tables"])
    return (f"<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>\n"
            "<style>body{font-family:'Noto Serif CJK SC','SimSun',serif;max-width:60em;margin:2em auto;line-height:1.7}"
            "table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid #333;padding:.2em .5em}"
            "h1{text-align:center}@page{size:A4;margin:2cm}</style></head>\n"
            f"<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n")


def as_json(report: dict[str, Any]) -> str:
    return json.dumps({k: report[k] for k in ("version", "year", "table2", "table3", "table4")},
                      ensure_ascii=False, indent=2)


def run(args: argparse.Namespace) -> int:
    root = find_root(os.path.abspath(args.directory))
    repo = load_repository(root, as_of=dt.date(args.year, 12, 31))
    report = build(repo, args.year, args.organ)
    if args.format == "json":
        text = as_json(report) + "\n"
    else:
        sections = load_sections(root, args.year, annual_file(repo, args.year, report["organ"], "md"))
        text = as_markdown(repo, report, sections) if args.format == "md" else as_html(repo, report, sections)
    leaked = [v for v in register_of(repo).personal_values() if len(v) >= 2 and v in text]
    if leaked:  # a name typed into a section or front matter: never write it out
        raise ReportRefused("年报中出现了依申请公开登记中的申请人姓名或联系方式；请从 annual/ 的文字中删除后重试")
    out = os.path.abspath(os.path.join(args.directory, args.out))  # like build and new: relative to -C DIR
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, out)
    print(f"已生成 {args.year} 年度报告：{args.out}（表三新收 {report['table3'][0][6]} 件，结转下年度 {report['table3'][24][6]} 件）",
          file=sys.stderr)
    return 0
