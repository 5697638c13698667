"""文号 lookup (gkpublish.site.docno): normalisation, the shard files, and the JavaScript port.

The search page answers a full 文号 from ``search/docno/<hex>.json`` instead of Pagefind.
The files are made from the public view only; the browser normalises and hashes the query
with gkpublish.js, which must agree with docno.py on every string.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from gkpublish.public import public_view
from gkpublish.site import docno
from tests.conftest import PROJECT, Site

GKPUBLISH_JS = PROJECT / "gkpublish" / "site" / "theme" / "assets" / "gkpublish" / "gkpublish.js"


@pytest.mark.parametrize("text, expected", [
    ("江北府办发〔2022〕37号", "江北府办发〔2022〕37号"),
    ("江北府办发[2022]37号", "江北府办发〔2022〕37号"),
    ("江北府办发［2022］37号", "江北府办发〔2022〕37号"),
    ("江北府办发【2022】37号", "江北府办发〔2022〕37号"),
    ("江北府办发(2022)37号", "江北府办发〔2022〕37号"),
    ("江北府办发（2022）37号", "江北府办发〔2022〕37号"),
    ("江北府办发﹝2022﹞37号", "江北府办发〔2022〕37号"),  # small brackets: NFKC makes them 〔〕
    ("江北府办发〔２０２２〕３７号", "江北府办发〔2022〕37号"),  # full-width digits
    (" 江北府办发 〔2022〕\u300037 号\n", "江北府办发〔2022〕37号"),
    ("江北府办发\u200b〔2022〕\u200b37号", "江北府办发〔2022〕37号"),  # copied from a Pagefind excerpt
    ("江北府办发〔2022〕037号", "江北府办发〔2022〕37号"),
    ("江北府办发〔2022〕第37号", "江北府办发〔2022〕37号"),
    ("江北府办发〔2022〕第007号", "江北府办发〔2022〕7号"),
    ("国办发〔2020〕1号", "国办发〔2020〕1号"),
])
def test_normalize_accepts_the_ways_a_doc_no_is_written(text, expected):
    assert docno.normalize(text) == expected


@pytest.mark.parametrize("text", [
    "政府信息公开",
    "江北府办发",
    "江北府办发〔2022〕",  # no number: a partial 文号 goes to the full-text search
    "江北府办发〔2022〕37",  # no 号
    "江北府办发〔2022〕0号",
    "〔2022〕37号",  # no 机关代字
    "江北府办发〔22〕37号",  # year of two digits
    "江北府办发〔2022〕37号文件",
    "Abc〔2022〕37号",
    "",
])
def test_normalize_refuses_what_is_not_a_doc_no(text):
    assert docno.normalize(text) is None


def test_fnv1a_is_the_32_bit_fnv1a_of_the_utf8_bytes():
    assert docno.fnv1a("") == 0x811C9DC5
    assert docno.fnv1a("a") == 0xE40C292C  # published FNV-1a test vector
    assert docno.fnv1a("foobar") == 0xBF9CF968
    assert docno.fnv1a("江北府办发〔2022〕37号") == 0xC908CFAE


def test_shard_count_is_a_power_of_two_of_about_32_doc_nos_each():
    assert [docno.shard_count(n) for n in (0, 1, 32, 33, 64, 65, 1000, 10**6)] == [1, 1, 1, 2, 2, 4, 32, 4096]


def test_a_cited_doc_no_is_cut_to_a_known_organ_or_taken_as_written():
    body = ("根据《关于某事的通知》（渝府办发〔2025〕12号）精神，依据江北府办发[2022]037号文件和"
            "本区各部门落实国务院办公厅要求形成的工作方案〔2024〕3号。")
    found = docno.citations(body)
    assert [(c.organ, c.number, c.bracketed) for c in found] == [
        ("渝府办发", "〔2025〕12号", True),
        ("江北府办发", "〔2022〕37号", False),  # 依据 is not part of the 机关代字
        ("要求形成的工作方案", "〔2024〕3号", False),  # after 办公厅; prose (的): not a 文号
    ]
    known = {"江北府办发〔2022〕37号"}
    assert [c.resolve(known) for c in found] == ["渝府办发〔2025〕12号", "江北府办发〔2022〕37号", None]


@pytest.mark.parametrize("sentence, doc_nos", [
    ("根据示例局发〔2026〕98号文件精神，制定本办法。", ["示例局发〔2026〕98号"]),
    ("按照渝府办发〔2025〕12号文件要求开展自查。", ["渝府办发〔2025〕12号"]),
    ("依照国办发〔2019〕55号和渝府办发〔2020〕3号执行。", ["国办发〔2019〕55号", "渝府办发〔2020〕3号"]),
    ("依据国办发〔2019〕55号、渝府办发〔2020〕3号及江北府办发〔2021〕9号。",
     ["国办发〔2019〕55号", "渝府办发〔2020〕3号", "江北府办发〔2021〕9号"]),
    ("现转发市政府办公厅渝府办发〔2026〕7号，请遵照执行。", ["渝府办发〔2026〕7号"]),
    ("经区政府同意，印发江北府发〔2026〕3号。", ["江北府发〔2026〕3号"]),
    ("经渝府发〔2026〕2号批准。", ["渝府发〔2026〕2号"]),
    ("请贯彻落实渝经信发〔2026〕4号的要求。", ["渝经信发〔2026〕4号"]),  # 经信 is part of it
    ("关于国办函〔2024〕1号的说明", ["国办函〔2024〕1号"]),
])
def test_the_word_before_a_cited_doc_no_is_not_its_organ(sentence, doc_nos):
    assert [c.resolve(set()) for c in docno.citations(sentence)] == doc_nos


def lookup_site(root) -> Site:
    site = Site(root)
    site.item("zcwj/2026-5.md", "本通知依据《实施意见》（渝府办发〔2025〕12号）制定。\n\n江北府办发〔2026〕5号\n",
              title="关于印发甲办法的通知", column="zcwj", doc_no="江北府办发〔2026〕5号",
              index_no="SAMPLE001/2026-00005", published="2026-03-02")
    site.item("tzgg/later.md", "请继续执行《甲办法》（江北府办发[2026]005号）。\n",
              title="关于继续执行甲办法的通知", column="tzgg", index_no="SAMPLE001/2026-00010",
              published="2026-05-01")
    site.item("tzgg/earlier.md", "按照渝府办发（2025）第12号的要求开展工作。\n",
              title="关于开展乙工作的通知", column="tzgg", index_no="SAMPLE001/2026-00008",
              published="2026-04-01")
    # not public: its 文号 must appear nowhere
    site.item("zcwj/2026-6.md", "内部事项。\n", title="关于内部事项的通知", column="zcwj",
              doc_no="江北府办发〔2026〕6号", index_no="SAMPLE001/2026-00006", published="2026-03-05",
              attribute="依申请公开", review_date="2027-06-30")
    # 部分公开: the 文号 cited inside the non-public block must appear nowhere
    site.item("tzgg/partial.md",
              "来信已办结。\n\n::: 不公开 理由=\"个人隐私（条例第十五条）\"\n"
              "来信人引用江北府办函〔2026〕7号。\n:::\n",
              title="来信办理情况", column="tzgg", attribute="部分公开", index_no="SAMPLE001/2026-00009",
              published="2026-04-20")
    return site


def test_shard_files_hold_the_public_view_and_nothing_else(tmp_path):
    view = public_view(lookup_site(tmp_path / "repo").load())
    shards, files = docno.index_files(view)
    assert shards == 1 and list(files) == ["search/docno/0.json"]
    entry = lambda url, title, date: {"url": url, "title": title, "date": date}  # noqa: E731
    assert json.loads(files["search/docno/0.json"]) == {
        "江北府办发〔2026〕5号": {
            "items": [entry("zcwj/2026-5/", "关于印发甲办法的通知", "2026-03-02")],
            "cited": [entry("tzgg/later/", "关于继续执行甲办法的通知", "2026-05-01")],
        },
        "渝府办发〔2025〕12号": {
            "items": [],
            "cited": [entry("tzgg/earlier/", "关于开展乙工作的通知", "2026-04-01"),
                      entry("zcwj/2026-5/", "关于印发甲办法的通知", "2026-03-02")],
        },
    }
    text = files["search/docno/0.json"].decode("utf-8")
    for hidden in ("〔2026〕6号", "办函", "内部事项", "来信人"):
        assert hidden not in text


def test_shards_are_chosen_by_the_hash(tmp_path):
    site = Site(tmp_path / "repo")
    for n in range(1, 71):
        site.item(f"zcwj/d{n}.md", "正文。\n", title=f"文件{n}", column="zcwj", doc_no=f"江北府发〔2026〕{n}号",
                  index_no=f"SAMPLE001/2026-{n:05d}", published="2026-03-02")
    shards, files = docno.index_files(public_view(site.load()))
    assert shards == 4 and sorted(files) == [f"search/docno/{n}.json" for n in range(4)]
    for path, data in files.items():
        for key in json.loads(data):
            assert docno.shard_path(key, shards) == path
    assert sum(len(json.loads(d)) for d in files.values()) == 70


PARITY_JS = r"""
const { normalizeDocNo, fnv1a } = require(process.argv[1]);
const strings = JSON.parse(require("fs").readFileSync(0, "utf-8"));
console.log(JSON.stringify(strings.map(s => [normalizeDocNo(s), fnv1a(s)])));
"""

PARITY_STRINGS = [
    "江北府办发〔2022〕37号", "江北府办发[2022]037号", "江北府办发［２０２２］第37号", "江北府办发【2022】37号",
    "江北府办发(2022)37号", "江北府办发（2022）37号", "江北府办发﹝2022﹞37号", " 江北 府办发\u3000〔2022〕 37 号\n",
    "江北府办发\u200b〔2022〕37号\ufeff", "江北府办发\u00a0〔2022〕37号", "江北府办发〔2022〕0号", "江北府办发〔2022〕",
    "〔2022〕37号", "Abc〔2022〕37号", "政府信息公开", "", "a", "foobar", "𠀀府发〔2022〕1号", "府发〔2022〕1号😀",
    "㐀府发〔2022〕1号", "\uf900府发〔2022〕1号", "\ufa0e府发〔2022〕1号", "一二三四五六七八九十一二三四五六七八九十〔2022〕1号",
    "一二三四五六七八九十一二三四五六七八九十一〔2022〕1号", "江北府办发〔2022〕第0037号", "江北府办发〔2022〕37號",
    "江北府办发\x1c〔2022〕37号", "江北府办发\u2028〔2022〕37号", "江北府办发\u0085〔2022〕37号",
]


def test_javascript_normalize_and_hash_match_python():
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js 不可用：无法比对 gkpublish.js 与 docno.py")
    proc = subprocess.run([node, "-e", PARITY_JS, str(GKPUBLISH_JS)], input=json.dumps(PARITY_STRINGS),
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 0, proc.stderr
    expected = [[docno.normalize(s), docno.fnv1a(s)] for s in PARITY_STRINGS]
    assert json.loads(proc.stdout) == expected
    assert sum(1 for n, _ in expected if n) >= 10  # the list really exercises the 文号 rules
