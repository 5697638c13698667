"""Review policy: which levels an item needs, in which order, and which rule reports each.

Decides: the column's review policy steps, 保密审查 (GK305), co-producing organs' 分管领导
(GK306), the escalation for sensitive items (GK307) and the leaders (GK301).
"""


from __future__ import annotations

from dataclasses import dataclass

from gkpublish.model import Config, Item, Unit
from gkpublish.roster import (
    ESCALATION_STEPS,
    LEADER_STEPS,
)

# -- what an item needs ---------------------------------------------------------------------

@dataclass(frozen=True)
class Level:
    """One level of an item's chain: who may sign it and which rule reports it missing."""

    steps: tuple[str, ...]  # one step, or 保密/宣传/网信 (any one of them)
    organ: str | None  # organ the level belongs to; None: any organ (escalation)
    rule: str  # GK301 / GK305 / GK306 / GK307
    basis: str  # the article, for messages
    co_producer: bool = False

    @property
    def label(self) -> str:
        if self.co_producer:
            return f"{self.steps[0]}（共同制作单位 {self.organ}）"
        return "/".join(self.steps)


def item_organ(item: Item) -> str | None:
    return item.text("publisher")


def item_unit(item: Item, config: Config) -> Unit | None:
    dep = item.text("department")
    return config.unit_by_name(dep) if dep else None


def co_producer_organs(item: Item, config: Config) -> list[tuple[str, str | None]]:
    """(as written, organ) of each co-producer; organ None when site_config does not know it."""
    own = item_organ(item)
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for row in item.seq("co_producers"):
        name = row.get("unit") if isinstance(row, dict) else row
        if not isinstance(name, str) or not name.strip():
            continue
        unit = config.unit_by_name(name)
        organ = name if name in config.organs else (unit.organ if unit else None)
        if organ == own or (organ is not None and organ in seen):
            continue  # a co-producing 科室 of the same organ: the organ's own 分管领导 signs
        seen.add(organ or name)
        out.append((name, organ))
    return out


def required_levels(item: Item, config: Config) -> list[Level] | None:
    """The item's chain, in signing order; None when it needs none (not public, or no column).

    policy steps before the first leader (e.g. 经办人 → 科室负责人), then 保密审查 (附件1
    第二条), each co-producing organ's 分管领导 (附件2 第八条), the escalation for a
    sensitive item (附件2 第七条: 请示 before 签发), then the leaders (分管领导 → 主要领导).
    """
    if not item.is_public:
        return None  # 依申请公开 / 不予公开 never reach the site: no sign-off chain for it
    column = config.columns.get(item.column or "")
    policy = config.review.get(column.review) if column else None
    if policy is None:
        return None  # GK105 reports the unknown column
    organ = item_organ(item)
    basis = policy.source or f"审核流程 {policy.name}"
    steps = list(policy.steps) + [s for s in (policy.important_steps if item.flag("important") else ())
                                  if s not in policy.steps]
    cut = next((i for i, s in enumerate(steps) if s in LEADER_STEPS), len(steps))
    levels = [Level((s,), None if s in ESCALATION_STEPS else organ, "GK301", basis) for s in steps[:cut]]
    if "保密审查" not in steps:
        levels.append(Level(("保密审查",), organ, "GK305", "附件1 第二条；綦江 第七、九条"))
    for name, co_organ in co_producer_organs(item, config):
        levels.append(Level(("分管领导",), co_organ or name, "GK306", "附件2 第八条", co_producer=True))
    if item.flag("sensitive"):
        levels.append(Level(ESCALATION_STEPS, None, "GK307", "附件2 第七条"))
    levels += [Level((s,), None if s in ESCALATION_STEPS else organ,
                     "GK301", basis if s in policy.steps else "附件3 第三条（重要信息须经主要领导审核）")
               for s in steps[cut:]]
    return levels
