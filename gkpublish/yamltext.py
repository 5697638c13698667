"""PyYAML's problems in Chinese: one table for front matter, site_config/ and the register.

PyYAML explains a syntax error in English (``did not find expected '-' indicator``). People
who write the files read Chinese, so every message names the problem in Chinese; a problem
this table does not know is still said in Chinese (a generic sentence), never in English.
"""

from __future__ import annotations

# (English fragment of PyYAML's ``problem``, what it means and what to do)
YAML_PROBLEMS_ZH = (
    ("mapping values are not allowed", "这里不能出现“键: 值”：上一行冒号后是否缺少空格，或本行缩进不对"),
    ("tab character", "缩进中有 Tab 字符，YAML 只能用空格缩进"),
    ("cannot start any token", "出现了不能开头的字符（如 Tab、@、`）；请加引号或改用空格"),
    ("could not find expected ':'", "缺少冒号，应为“键: 值”"),
    ("did not find expected key", "缩进不一致"),
    ("did not find expected '-' indicator", "列表缩进不一致：同一列表的每一项都应以对齐的“- ”开头"),
    ("did not find expected node content", "此处缺少值；若值以特殊字符开头，请加引号"),
    ("did not find expected <document start>", "多出的内容：请检查缩进，或删除多余的“---”之外的文字"),
    ("did not find expected comment or line break", "引号或值之后还有多余的文字；整段文字请放在一对引号里"),
    ("expected a comment or a line break", "引号或值之后还有多余的文字；整段文字请放在一对引号里"),
    ("expected ',' or ']'", "方括号 [ ] 不成对或缺少逗号"),
    ("expected ',' or '}'", "花括号 { } 不成对或缺少逗号"),
    ("expected <block end>", "缩进不一致"),
    ("expected the node content", "此处缺少值；若值以特殊字符开头，请加引号"),
    ("expected alphabetic or numeric character", "& 或 * 之后应为名称；若是文字内容请加引号"),
    ("found unknown escape character", "双引号中有无法识别的反斜杠转义；请改用单引号，或把 \\ 写成 \\\\"),
    ("expected escape sequence", "双引号中的 \\x、\\u 转义不完整；请改用单引号"),
    ("expected chomping or indentation indicator", "| 或 > 之后只能跟 +、- 或数字"),
    ("found undefined alias", "引用（*名称）没有对应的锚点（&名称）"),
    ("found duplicate anchor", "锚点名称（&名称）重复"),
    ("unexpected end of stream", "直到前置元数据结束仍未闭合"),
    ("found unexpected end of stream", "直到文件结束仍未闭合（引号或括号不成对）"),
    ("found unexpected ':'", "冒号的位置不对；含冒号的文字请加引号"),
    ("could not determine a constructor", "不支持的 YAML 标签（以 ! 开头）；请删除标签或给值加引号"),
    ("expected a single document", "文件中有多个 YAML 文档（多余的“---”）；请只保留一个"),
    ("special characters are not allowed", "含有 YAML 不允许的特殊字符；请删除不可见字符"),
)
GENERIC_ZH = "YAML 语法错误"


def problem_zh(problem: str | None) -> str:
    """PyYAML's ``problem`` text in Chinese (a generic sentence for one not in the table)."""
    if not problem:
        return GENERIC_ZH
    if any("\u4e00" <= ch <= "\u9fff" for ch in problem):
        return problem  # gkpublish's own constructors already say it in Chinese (impossible dates, huge integers)
    return next((zh for en, zh in YAML_PROBLEMS_ZH if en in problem), GENERIC_ZH)
