"""The yearly 政府信息公开指南 is the tool's job: ``gkpublish new --guide YEAR``.

条例 第十二条 / 綦江 第十二条(一): the 指南 is updated every year and marked with its year, and
GK605 checks ``site_config/guide.yml`` as of the check date. On 1 January the old year fails;
``new --guide`` writes the new year into guide.yml (comments kept) and drafts the year's 指南
item from last year's; the office checks the facts and signs both (the sign-offs stay human).
"""

from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gkpublish.cli import main as cli_main
from gkpublish.scaffold import guide_yml_with_year

pytestmark = pytest.mark.xdist_group("guide_year")

THIS_YEAR = dt.date.today().year
NEXT = THIS_YEAR + 1


def gk(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli_main(list(args))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site repository from ``gkpublish init`` (its 指南 is for this year)."""
    root = tmp_path_factory.mktemp("guide") / "site"
    rc, _, err = gk("init", str(root))
    assert rc == 0, err
    return root


def ids(output: str) -> set[str]:
    return {w for line in output.splitlines() for w in line.split() if w.startswith("GK") and w[2:].isdigit()}


def test_the_guide_fails_on_new_years_day_and_passes_once_next_years_guide_is_signed(office: Path) -> None:
    root, keys = str(office), office.parent / "site-keys"
    rc, out, _ = gk("-C", root, "check", "--as-of", f"{NEXT}-01-01")
    assert rc == 1 and "GK605" in ids(out)
    assert f"请核对各项内容后改为 year: {NEXT}" in out

    rc, out, err = gk("-C", root, "new", "--guide", str(NEXT), "--today", f"{NEXT}-01-04")
    assert rc == 0, err
    item = out.strip()
    assert item == f"content/xxgkzn/{NEXT}-00001.md"
    assert f"已把 site_config/guide.yml 的 year 改为 {NEXT}" in err
    assert "gkpublish approve --config --step 主要领导" in err  # the next step is named
    text = (office / item).read_text(encoding="utf-8")
    assert f"政府信息公开指南（{NEXT}年）" in text and f"（{THIS_YEAR}年）" not in text
    assert "imported" not in text
    guide = (office / "site_config" / "guide.yml").read_text(encoding="utf-8")
    assert f"\nyear: {NEXT}\n" in guide and guide.startswith("# 政府信息公开指南")  # comments kept

    # Generated, not yet signed: GK605 is satisfied, the new item and the changed guide.yml are not.
    rc, out, _ = gk("-C", root, "check", "--as-of", f"{NEXT}-01-04")
    assert rc == 1
    assert "GK605" not in ids(out) and {"GK301", "GK308"} <= ids(out)

    day = f"{NEXT}-01-04"
    for step, person in (("科室负责人", "kezhang"), ("保密审查", "baomi"), ("分管领导", "fenguan"), ("主要领导", "zhuyao")):
        rc, _, err = gk("-C", root, "approve", item, "--step", step, "--as", person, "--key", str(keys / person),
                        "--date", day)
        assert rc == 0, err
    rc, _, err = gk("-C", root, "approve", "--config", "--step", "主要领导", "--as", "zhuyao",
                    "--key", str(keys / "zhuyao"), "--date", day)
    assert rc == 0, err
    rc, out, _ = gk("-C", root, "check", "--as-of", day)
    assert rc == 0, out
    assert "GK605" not in ids(out)

    # Once done, asking again for the same year changes nothing and says where the item is.
    rc, _, err = gk("-C", root, "new", "--guide", str(NEXT), "--today", day)
    assert rc == 2 and f"{item}: {NEXT} 年的指南条目已存在" in err
    rc, _, err = gk("-C", root, "new", "--guide", str(THIS_YEAR), "--today", day)
    assert rc == 2 and "不能改回更早的年份" in err and f"--guide {NEXT + 1}" in err


def test_a_site_without_a_guide_column_is_told_to_add_one(site) -> None:
    rc, _, err = site.cli("new", "--guide", "2027")
    assert rc == 2
    assert "没有名为“政府信息公开指南”的栏目" in err and "请先添加该栏目" in err


def test_new_without_a_column_or_the_guide_says_which_to_give(site) -> None:
    rc, _, err = site.cli("new", "--title", "标题")
    assert rc == 2 and "请用 --column 栏目 --title 标题" in err and "--guide" in err
    rc, _, err = site.cli("new", "--guide", "2027", "--column", "gzdt")
    assert rc == 2 and "不能同时使用" in err


_key = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True).filter(lambda k: k != "year")
_value = st.text(alphabet="办公室科长电话0123456789-：（）", min_size=1, max_size=12).map(lambda v: f'"{v}"')
_comment = st.text(alphabet="# 指南每年更新示例", min_size=0, max_size=10).map(lambda c: f"# {c}")


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(st.tuples(_key, _value), unique_by=lambda kv: kv[0], max_size=6),
       comments=st.lists(_comment, max_size=3), old=st.one_of(st.none(), st.integers(1990, 2100),
                                                              st.just("''"), st.just("2026  # 年份")),
       at=st.integers(0, 6), year=st.integers(2000, 2100))
def test_setting_the_guide_year_keeps_every_other_line(entries, comments, old, at, year) -> None:
    """For every generated guide.yml (comments, other keys, a year line of any form or none),
    the result has exactly ``year: YEAR`` and every other key, value and comment unchanged."""
    lines = comments + [f"{k}: {v}" for k, v in entries]
    if old is not None:
        lines.insert(min(at, len(lines)), f"year: {old}")
    before = ("\n".join(lines) + "\n").encode("utf-8")
    after = guide_yml_with_year(before, year).decode("utf-8")
    data = yaml.safe_load(after)
    assert data["year"] == year
    assert {k: v for k, v in data.items() if k != "year"} == dict((yaml.safe_load(f"{k}: {v}") or {}).popitem()
                                                                   for k, v in entries)
    assert [ln for ln in after.splitlines() if not ln.startswith("year:")] == \
           [ln for ln in before.decode().splitlines() if not ln.startswith("year:")]
