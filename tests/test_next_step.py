"""Every finding's message ends with the concrete next step (issue #11 item 3).

``tests/conftest.py`` checks every finding of every test (``every_finding_names_its_next_step``);
this file pins down what counts as a next step, and shows the check failing on a message
without one.
"""

from __future__ import annotations

import pytest

from gkpublish import rules as gk_rules
from gkpublish.rules import has_next_step


@pytest.mark.parametrize("message", [
    "缺少必填字段 发布日期（published）；请补填",
    "year 应为四位数年份（如 2026），现在是“二〇二六”",
    "须在 经办人 之后签署（可签：kezhang 王示例）",
    "缺少 经办人 签审；运行 gkpublish approve content/a.md --step 经办人 --as jingban --key <私钥文件>",
])
def test_a_message_that_says_what_to_do_has_a_next_step(message: str) -> None:
    assert has_next_step(message)


@pytest.mark.parametrize("message", [
    "缺少必填字段 发布日期（published）",
    "answered（2026-03-02）早于 received（2026-03-05）",
    "这里可能不是 git 仓库",            # 可能 (possibly) is not 可 (may)
    "相应的记录与对应的条目",             # 相应/对应 are not 应 (should)
])
def test_a_message_that_only_states_the_problem_has_none(message: str) -> None:
    assert not has_next_step(message)


def test_a_finding_without_a_next_step_fails_the_test_that_produced_it(site, every_finding_names_its_next_step) -> None:
    site.item("gzdt/a.md")
    site.check()
    assert every_finding_names_its_next_step == []  # the default item's findings all say what to do
    bare = gk_rules.Finding("content/gzdt/a.md", 1, "GK103", "error", "缺少必填字段 发布日期（published）")
    assert not has_next_step(bare.message)
    every_finding_names_its_next_step.clear()


def test_schema_messages_name_the_fix(site) -> None:
    site.item("gzdt/a.md", published=None, extra_field="x")
    text = " ".join(f.message for f in site.check().findings if f.rule == "GK103")
    assert "缺少必填字段 发布日期（published）；请补填" in text
    assert "有未知字段 extra_field" in text and "请删除它，或改为 schema/ 中定义的字段" in text
