"""The loader's fast constructor for plain front matter (gkpublish.loader._FrontMatterLoader._plain)
must build exactly what PyYAML's SafeConstructor builds, and leave everything else to it:
same values and types, same duplicate-key and alias reports, same exceptions.
"""

from __future__ import annotations

import pytest

from gkpublish import loader


class _PyYAMLOnly(loader._FrontMatterLoader):
    def _plain(self, node, seen, where):  # type: ignore[override]
        raise loader._NotPlain


def _load(cls: type, text: str) -> tuple:
    ldr = cls(text)
    try:
        value: object = ldr.get_single_data()
    except Exception as exc:  # compared by type and message
        value = (type(exc).__name__, str(exc))
    finally:
        ldr.dispose()
    return repr(value), ldr.duplicates, ldr.alias_line  # repr: True and 1, nan, date vs datetime


DOCUMENTS = [
    "title: 关于开展政务公开工作的通知\nindex_no: SAMPLE001/2026-00001\npublished: 2026-11-02\n"
    "source:\n  type: 转载\n  转载来源:\n    organ: 中国政府网\n    date: 2026-11-01\n"
    "reviewers:\n  科室负责人: jb-wang\n  分管领导: [jb-li, jb-zhao]\nimportant: true\nkeywords: []\n",
    "a: 1\nb: 1.5\nc: true\nd: yes\ne: null\nf: ~\ng: 2024-01-02\nh: 2024-01-02 10:00:00\ni: 0o17\n"
    "j: 0x1f\nk: 1_000\nl: 1:30\nm: .inf\nn: .nan\no: ''\np: '2024-01-02'\nq: |\n  多行\n  文本\n",
    "1: a\n2024-01-01: b\ntrue: c\n~: d\n1.5: e\n",
    "a: 1\na: 2\n",
    "x:\n  a: 1\n  a: 2\n",
    "x:\n  '1': a\n  1: b\n",
    "x:\n  1: a\n  01: b\n",
    "l:\n  - a: 1\n    a: 2\n  - b: 1\n",
    "a: &x [1, 2]\nb: *x\n",
    "a: &x 1\nb: *x\n",
    "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "c:\n  <<: {x: 1}\n  y: 2\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "a: !!omap [a: 1]\n",
    "a: !!pairs [a: 1]\n",
    "a: !foo bar\n",
    "a: !!str 1\nb: !!int '12'\nc: !!float 1\nd: !!bool 'true'\ne: !!null ''\n",
    "? [1, 2]\n: x\n",
    "? {a: 1}\n: x\n",
    "= : x\n",
    "a: !!map {b: 1}\nc: !!seq [1]\n",
    "a: 2024-13-45\n",
    "- a\n- b\n",
    "just text\n",
    "a:\n  - [1, [2, {b: [3]}]]\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_plain_constructor_matches_pyyaml(text: str) -> None:
    assert _load(loader._FrontMatterLoader, text) == _load(_PyYAMLOnly, text)


def test_plain_constructor_is_used_for_ordinary_front_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("PyYAML's constructor should not be needed")

    monkeypatch.setattr(loader.Loader, "construct_document", refuse)
    assert _load(loader._FrontMatterLoader, DOCUMENTS[0])[0].startswith("{'title'")
