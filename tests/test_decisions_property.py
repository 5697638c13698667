"""Property (issue #8, class 5): generated sequences of sign-off operations cannot forge a decision.

A trusted base (what main holds) is built by a random sequence of honest operations; a
change on top applies more: approve the next level, 退回, edit the item, revert it to an
earlier text, delete a record, replace a record with another one's bytes. Property: the
item counts as approved in the change only if every trusted record is still present with
the same bytes AND the newest review round is complete for the item's current bytes — and
when nobody tampered with a record, exactly then.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from gkpublish import approvals
from gkpublish.errors import GkError
from tests.conftest import Site, item_source, person_key

BODIES = ("第一稿。\n", "第二稿：数字已更正。\n", "第三稿。\n")
LEVELS = 4  # 工作动态 (网站发布): 经办人 → 科室负责人 → 保密审查 → 分管领导

APPROVE = st.tuples(st.just("approve"))
honest = st.one_of(APPROVE, APPROVE, APPROVE, APPROVE, st.tuples(st.just("return")),
                   st.tuples(st.just("edit"), st.integers(0, len(BODIES) - 1)))
op = st.one_of(
    honest,
    APPROVE,
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("truncate"), st.integers(1, 3)),  # drop the newest records: the trailing 退回 attack
    st.tuples(st.just("replace"), st.integers(0, 20), st.integers(0, 20)),
)


# sequences often start with a full chain, so that approvals (and their forgery) are common
sequence = st.builds(lambda n, rest: [("approve",)] * n + rest, st.integers(0, LEVELS), st.lists(honest, max_size=5))
change_ops = st.builds(lambda rest, n: rest + [("approve",)] * n, st.lists(op, max_size=5), st.integers(0, LEVELS))


class Model:
    """What an honest history means: rounds of (text, next level, returned)."""

    def __init__(self) -> None:
        self.text = 0
        self.rounds: list[dict] = []
        self.tampered = False

    def round(self) -> dict:
        if not self.rounds or self.rounds[-1]["text"] != self.text:  # after an edit: a new round
            self.rounds.append({"text": self.text, "pos": 0, "returned": False})
        return self.rounds[-1]

    @property
    def complete(self) -> bool:
        r = self.rounds[-1] if self.rounds else None
        return bool(r) and r["text"] == self.text and r["pos"] == LEVELS and not r["returned"]


def records(site: Site) -> list[Path]:
    folder = site.root / "approvals/gzdt/a"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def apply(site: Site, model: Model, operation: tuple) -> None:
    kind = operation[0]
    if kind == "edit":
        model.text = operation[1]
        site.write("content/gzdt/a.md", item_source(BODIES[operation[1]], drafter="zhang-jb"))
        return
    if kind in ("delete", "truncate", "replace"):
        files = records(site)
        if not files:
            return
        if kind == "delete":
            files[operation[1] % len(files)].unlink()
        elif kind == "truncate":
            for f in files[-operation[1]:]:
                f.unlink()
        else:
            src, dst = files[operation[1] % len(files)], files[operation[2] % len(files)]
            if src == dst:
                return
            dst.write_bytes(src.read_bytes())
        model.tampered = True
        return
    repo = site.load()
    approvals.ignore_committed_records(repo)
    state = approvals.evaluate(repo).items["content/gzdt/a.md"]
    roster = approvals.trusted_roster(repo)
    k = min(state.next_index, LEVELS - 1) if kind == "return" else state.next_index
    if k >= LEVELS:
        return
    ids = approvals.candidates(repo, roster, state, k)
    if not ids:
        return
    step = state.levels[k].steps[0]
    try:
        approvals.approve(repo, "content/gzdt/a.md", step, ids[0], person_key(ids[0]),
                          decision="同意" if kind == "approve" else "退回", date=None)
    except GkError:
        assert model.tampered, "an honest operation was refused"
        return
    if model.tampered:
        return  # the model no longer describes the history
    r = model.round()
    if kind == "approve":
        r["pos"], r["returned"] = r["pos"] + 1, False
    else:
        r["pos"], r["returned"] = k, True


def approved(site: Site, trusted: dict[str, str]) -> bool:
    repo = site.load()
    repo.extra["_protected"] = ("main", trusted)  # what --trust-ref main reads from git
    evaluation = approvals.evaluate(repo)
    state = evaluation.items["content/gzdt/a.md"]
    return state.complete and not [i for i in state.issues if i.rule.startswith("GK3")]


def blob_ids(site: Site) -> dict[str, str]:
    return {str(p.relative_to(site.root)): approvals.git_blob_id(p.read_bytes()) for p in records(site)}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=sequence, change=change_ops)
@example(base=[("approve",)] * 4, change=[])  # the honest chain
@example(base=[("approve",)] * 2 + [("return",)], change=[("truncate", 1)] + [("approve",)] * 3)  # drop the 退回
@example(base=[("approve",)] * 4 + [("edit", 1), ("approve",), ("return",)],
         change=[("edit", 0)])  # back to the text round 1 approved
@example(base=[("approve",)] * 4 + [("edit", 1), ("approve",), ("return",)],
         change=[("edit", 0), ("truncate", 2)])  # … and its newer round removed
@example(base=[("approve",)] * 4 + [("edit", 1)], change=[("approve",)] * 4)  # an honest new round
def test_a_change_counts_as_approved_only_with_every_trusted_record_and_a_complete_newest_round(base, change):
    root = Path(tempfile.mkdtemp(prefix="gk-prop-")) / "site"
    try:
        site = Site(root)
        site.enrol()
        site.sign_config()
        model = Model()
        site.write("content/gzdt/a.md", item_source(BODIES[0], drafter="zhang-jb"))
        for operation in base:
            apply(site, model, operation)
        trusted = blob_ids(site)
        for operation in change:
            apply(site, model, operation)
        now = blob_ids(site)
        intact = all(now.get(p) == b for p, b in trusted.items())
        result = approved(site, trusted)
        event(f"approved={result} tampered={model.tampered} intact={intact}")
        if result:
            assert intact, "a removed or replaced trusted record left the item approved"
        if not model.tampered:
            assert result == model.complete, (base, change)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
