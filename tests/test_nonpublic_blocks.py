"""Non-public blocks fail closed (issue #8, class 1).

One scanner (gkpublish.model.scan_blocks) decides what is hidden. Every line that looks like
a block marker is either exactly a marker or a GK205 finding (GK204 in a 主动公开 item), and
the public body never shows what follows such a line, even when the gate is bypassed.
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish.loader import parse_item
from gkpublish.model import scan_blocks, strip_blocks
from gkpublish.public import public_body
from gkpublish.rules.attribute import partial_marks_parts, proactive_without_hidden
from tests.conftest import Site, item_source
from tests.test_site_build import add_site_files

SECRET = "申请人张某某住址江北区某街道十号"
TAIL = "外层块尾部的不公开内容某某某"
REASON = '理由="个人隐私（条例第十五条）"'
OPEN = f"::: 不公开 {REASON}"


def body_of(*lines: str) -> str:
    return "公开的开头。\n\n" + "\n".join(lines) + "\n\n公开的结尾。\n"


def gate(source: str, path: str = "content/gzdt/x.md") -> tuple[list, str]:
    """(GK204/GK205 problems, public body) of one item file, without a whole repository."""
    item, findings = parse_item(path, source.encode("utf-8"))
    assert item is not None and not findings
    repo = types.SimpleNamespace(items=[item])
    problems = list(proactive_without_hidden(repo)) + list(partial_marks_parts(repo))
    return problems, public_body(item)


# -- the samples of the issue ---------------------------------------------------------------

SAMPLES = {
    "leading space": [f" {OPEN}", SECRET, ":::"],
    "full-width colons": [f"：：： 不公开 {REASON}", SECRET, "：：："],
    "four colons, no space": [f"::::不公开 {REASON}", SECRET, "::::"],
    "full-width space before 理由": [f"::: 不公开\u3000{REASON}", SECRET, ":::"],
    "inside a list item": ["- 第一项", f"  {OPEN}", f"  {SECRET}", "  :::"],
    "zero-width space": [f"\u200b{OPEN}", SECRET, ":::"],
    "quote": [f"> {OPEN}", f"> {SECRET}", "> :::"],
    "no-break space between colons": [f":\u00a0:: 不公开 {REASON}", SECRET, ":::"],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_malformed_marker_is_gk205_and_hides_what_follows(name):
    problems, public = gate(item_source(body_of(*SAMPLES[name]), attribute="部分公开"))
    assert problems and {p.message for p in problems}
    assert SECRET not in public and "公开的开头" in public


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_malformed_marker_in_a_proactive_item_is_gk204(site, name):
    site.item("gzdt/p.md", body=body_of(*SAMPLES[name]))
    r = site.check()
    assert r.of("GK204") and "GK205" not in r.ids


def test_the_gk205_message_names_the_line_and_the_exact_form(site):
    path = site.item("gzdt/p.md", body=body_of(f"：：： 不公开 {REASON}", SECRET, ":::"), attribute="部分公开")
    findings = site.check().of("GK205")
    f = next(f for f in findings if "全角" in f.message)
    assert path.read_text(encoding="utf-8").splitlines()[f.line - 1].startswith("：：：")
    assert f"第 {f.line} 行" in f.message and '::: 不公开 理由="……"' in f.message


def test_an_exact_block_is_not_a_problem():
    problems, public = gate(item_source(body_of(OPEN, SECRET, ":::"), attribute="部分公开"))
    assert problems == [] and SECRET not in public and "公开的结尾" in public


def test_a_stray_close_is_gk205_and_hides_from_there():
    problems, public = gate(item_source(body_of(OPEN, "隐藏。", ":::", "中间。", ":::", SECRET),
                                        attribute="部分公开"))
    assert [p for p in problems if "多余的结束标记" in p.message]
    assert "中间。" in public and SECRET not in public


def test_a_nested_block_is_gk205_and_the_whole_outer_block_is_hidden():
    problems, public = gate(item_source(
        body_of(OPEN, "外层。", f"::: 依申请公开 {REASON}", "内层。", ":::", TAIL, ":::"), attribute="部分公开"))
    assert [p for p in problems if "嵌套" in p.message]
    assert TAIL not in public and "公开的结尾" in public


def test_a_nested_block_without_the_outer_close_hides_to_the_end():
    problems, public = gate(item_source(body_of(OPEN, f"::: 不公开 {REASON}", "内层。", ":::", TAIL),
                                        attribute="部分公开"))
    assert problems and TAIL not in public and "公开的结尾" not in public


def test_a_code_fence_inside_a_block_does_not_end_it():
    for fence in ("```", "~~~~"):
        problems, public = gate(item_source(
            body_of(OPEN, fence, ":::", SECRET, fence, TAIL, ":::"), attribute="部分公开"))
        assert problems == [] and SECRET not in public and TAIL not in public and "公开的结尾" in public


def test_an_unclosed_code_fence_inside_a_block_hides_to_the_end():
    problems, public = gate(item_source(body_of(OPEN, "```", ":::", SECRET), attribute="部分公开"))
    assert SECRET not in public and "公开的结尾" not in public
    assert [p for p in problems if "没有结束标记" in p.message]


def test_a_marker_in_a_code_fence_outside_a_block_is_still_a_block():
    problems, public = gate(item_source(body_of("```", OPEN, SECRET, ":::", "```"), attribute="部分公开"))
    assert problems == [] and SECRET not in public


def test_a_proactive_item_with_full_width_colons_is_gk204(site):
    site.item("gzdt/p.md", body=body_of("：：：", SECRET, "：：："))
    assert len(site.check().of("GK204")) == 2


def test_ordinary_text_with_colons_and_the_word_is_not_a_marker():
    body = body_of("时间：2026年11月2日", "依据：《条例》第十五条，不公开的情形包括个人隐私。",
                   "网址 https://www.example.gov.cn/", "“不公开”是例外。", "## 不予公开的情形",
                   "……", "（此件公开发布）", "| 不予公开 | 3 |", "| （三）不予公开 | 1.属于国家秘密 | 0 |",
                   "依申请公开的办理流程：", "不公开的理由：涉及个人隐私")
    problems, public = gate(item_source(body))
    assert problems == [] and public.strip() == body.strip()


def test_strip_blocks_and_scan_agree_on_the_hidden_lines():
    body = body_of(" ::: 不公开", SECRET, ":::")
    scan = scan_blocks(body, 10)
    assert scan.problems and scan.problems[0][0] == 12
    assert SECRET not in strip_blocks(body) and scan.blocks[0].text.startswith(SECRET)


# -- Hypothesis: generated marker variants ----------------------------------------------------

COLONS = [":", ":", "：", "：", "﹕", "︓", "︰", "∶", "꞉", "ː", "׃", "⁚", "᛬", "ꓽ", "⦂"]
SPACES = ["", " ", "  ", "\t", "\u3000", "\u00a0", "\u2002", "\u2009", "\u200a", "\u202f"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u180e"]
PREFIXES = ["", " ", "   ", "    ", "\t", "\u3000", "- ", "* ", "+ ", "1. ", "2) ", "> ", "> - ", "  - "]
WORDS = ["不公开", "不予公开", "依申请公开"]


@st.composite
def colon_run(draw) -> str:
    n = draw(st.integers(1, 5))
    out = [draw(st.sampled_from(COLONS))]
    for _ in range(n - 1):
        out.append(draw(st.sampled_from(["", "", "", " ", "\u3000"])) + draw(st.sampled_from(COLONS)))
    return "".join(out)


@st.composite
def sprinkle(draw, text: str) -> str:
    """``text`` with invisible characters inserted at a few positions."""
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(INVISIBLE)) + text[at:]
    return text


@st.composite
def marker(draw, opening: bool) -> str:
    canonical = draw(st.booleans())
    if canonical:
        return OPEN if opening else ":::"
    line = draw(st.sampled_from(PREFIXES)) + draw(colon_run())
    if opening:
        line += draw(st.sampled_from(SPACES)) + draw(st.sampled_from(WORDS)) + draw(st.sampled_from(SPACES[1:])) + REASON
    else:
        line += draw(st.sampled_from(SPACES[:3]))
    return draw(sprinkle(line))


@st.composite
def attack(draw) -> list[str]:
    """A body's middle: a (maybe malformed) block around SECRET, maybe nested, maybe with a
    code fence inside, maybe never closed."""
    lines = [draw(marker(True)), SECRET]
    shape = draw(st.sampled_from(["plain", "nested", "fence", "unclosed"]))
    if shape == "nested":
        lines += [draw(marker(True)), "内层内容。", draw(marker(False)), TAIL, draw(marker(False))]
    elif shape == "fence":
        fence = draw(st.sampled_from(["```", "~~~", "````"]))
        lines += [fence, draw(marker(False)), TAIL, fence, draw(marker(False))]
    elif shape == "plain":
        lines += [draw(marker(False))]
    return lines


def exact(lines: list[str]) -> bool:
    """Only canonical markers, at most one level, closed."""
    return scan_blocks("\n".join(lines)).problems == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(middle=attack(), attribute=st.sampled_from(["部分公开", "主动公开"]))
def test_every_generated_marker_variant_is_an_error_or_hidden(middle, attribute):
    problems, public = gate(item_source(body_of(*middle), attribute=attribute))
    # the public view never shows the secret, whatever the gate says (serve bypasses it)
    assert SECRET not in public and TAIL not in public
    assert "公开的开头" in public
    if attribute == "主动公开":
        assert any(p.message.startswith("主动公开") for p in problems)
    if not problems:
        assert attribute == "部分公开" and exact(middle)


def _variant_sites(root: Path, variants: list[list[str]]) -> Site:
    site = Site(root)
    add_site_files(site)
    for n, middle in enumerate(variants):
        site.item(f"tzgg/v{n}.md", body=body_of(*middle), attribute="部分公开", column="tzgg",
                  index_no=f"SAMPLE001/2026-{n + 100:05d}", title=f"公开的条目第{n}号")
    return site


def test_generated_variants_never_reach_the_built_site_even_past_the_gate(tmp_path):
    """One site with a batch of generated variants, built with the gate's findings ignored
    (as a bypass would): no secret in any built file, nor in the search index decoded."""
    import gzip

    from gkpublish.site.build import build_site_dir

    variants: list[list[str]] = []

    @settings(max_examples=25, deadline=None, database=None)
    @given(attack())
    def collect(middle):
        variants.append(middle)

    collect()
    variants += [SAMPLES[k] for k in sorted(SAMPLES)]
    site = _variant_sites(tmp_path / "repo", variants)
    repo = site.load()
    out = tmp_path / "public"
    leaks = build_site_dir(repo, [], str(out))
    assert leaks == []  # verify-site (secrets_of reads the same blocks) agrees
    seen = 0
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            text = data.decode("utf-8", "ignore").replace("\u200b", "")
            assert SECRET not in text and TAIL not in text, path
            seen += "公开的开头" in text
    assert seen  # the public parts were built, every variant as its own page, and indexed
    assert all((out / "tzgg" / f"v{n}" / "index.html").is_file() for n in range(len(variants)))
    from gkpublish.site.gkindex import decode_texts

    decoded = decode_texts(str(out / "search" / "index"))  # the index's postings, read back
    assert sum("公开的开头" in t for t in decoded.values()) >= len(variants)
    assert not [label for label, t in decoded.items() if SECRET in t or TAIL in t]


# -- the same hidden lines for GK5xx (privacy's offset mapping reads the scanner) ------------------

ID_NO = "11010519491231002X"


def test_gk501_sees_the_public_lines_around_a_malformed_block_on_their_lines(site):
    body = (f"公开部分：身份证号 {ID_NO}\n\n- 列表项\n  {OPEN}\n  申请人身份证号 110105194912310037\n  :::\n"
            f"\n:::\n\n公开结尾：身份证号 {ID_NO}\n")
    path = site.item("gzdt/part.md", body=body, attribute="部分公开")
    r = site.check()
    lines = path.read_text(encoding="utf-8").split("\n")
    assert [lines[f.line - 1] for f in r.of("GK501")] == [f"公开部分：身份证号 {ID_NO}", f"公开结尾：身份证号 {ID_NO}"]
    assert r.of("GK205")  # the indented marker


LINE_PIECES = st.sampled_from(COLONS + SPACES + INVISIBLE + PREFIXES + WORDS + [
    "¹", "²", "１", "①", "Ⅰ", "a", "正文", "理由=", "reason:", "{", ".", "!", ";", "~", "|", "#", "“", "（", "\u3164",
    "\u115f", "\u2800", "\u0301", "\ufe0f", "不公開", "依申請公開", "\uf967公开", "⩴"])


@settings(max_examples=800, deadline=None)
@given(st.lists(LINE_PIECES, max_size=8).map("".join))
def test_the_cheap_pre_filter_never_skips_a_marker_like_line(line):
    """scan_blocks normalises only the lines its regex pre-filter lets through: every line the
    full classification calls marker-like must get through."""
    from gkpublish import model

    if model._classify(line) is not None:
        assert model._CANDIDATE_RE.search(line), line


def test_verify_site_looks_for_the_text_after_every_malformed_marker(tmp_path):
    from gkpublish.public import secrets_of

    site = _variant_sites(tmp_path / "repo", [SAMPLES[k] for k in sorted(SAMPLES)])
    repo = site.load()
    secrets = secrets_of(repo)
    for item in repo.items:
        assert any(where.startswith(item.path + ":") and SECRET in text for where, text in secrets), item.path
