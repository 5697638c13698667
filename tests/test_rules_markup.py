"""GK108: nothing executable or embedded in public content (附件3 第二条 安全)."""

from __future__ import annotations

import pytest

from tests.conftest import line_of

HIDDEN = '::: 不公开 理由="个人隐私（条例第十五条）"\n'
PART_PUBLIC = {"attribute": "部分公开", "reason": {"ground": "个人隐私", "basis": "申请人信息属个人隐私"}}


def test_script_in_public_body_fires_on_its_line(site):
    path = site.item("gzdt/a.md", body="会议召开。\n\n<script>alert(1)</script>\n")
    (f,) = site.check().of("GK108")
    assert f.line == line_of(path, "<script>") and "<script>" in f.message


@pytest.mark.parametrize("markup", [
    '<iframe src="https://example.com/"></iframe>',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<form action="https://example.com/"><input name="q"></form>',
    "<style>body{display:none}</style>",
    "<SCRIPT src=x.js></SCRIPT>",
])
def test_dangerous_tag_fires(site, markup):
    site.item("gzdt/a.md", body=f"第一段。\n\n{markup}\n")
    assert site.check().of("GK108")


@pytest.mark.parametrize("markup", [
    '<img src="photo.jpg" onerror="alert(1)">',
    '<span onmouseover=alert(1)>会议</span>',
    "[点击查看](javascript:alert(1))",
    '<a href="jav&#x61;script:alert(1)">查看</a>',
    "[旧版](vbscript:msgbox(1))",
    "![图片](data:image/png;base64,iVBORw0KGgo=)",
    "[参考]: javascript:alert(1)",
    "会议纪要 {: onclick=\"alert(1)\" }",
])
def test_event_handler_or_script_url_fires(site, markup):
    site.item("gzdt/a.md", body=f"第一段。\n\n{markup}\n")
    assert site.check().of("GK108")


def test_tag_outside_the_allow_list_fires(site):
    site.item("gzdt/a.md", body='<font face="仿宋">通知</font><o:p></o:p>\n')
    messages = [f.message for f in site.check().of("GK108")]
    assert any("<font>" in m for m in messages) and any("<o:p>" in m for m in messages)


def test_allowed_markup_passes(site):
    site.item("gzdt/a.md", body=(
        "面积 100m<sup>2</sup>，H<sub>2</sub>O。<br>\n\n"
        '<table><thead><tr><th>项目</th></tr></thead><tbody><tr><td style="width:50%">'
        '<span class="x"><strong>经费</strong></span></td></tr></tbody></table>\n\n'
        '<div><p><em>注</em>：<u>示例</u></p></div>\n\n<img src="photo.jpg" alt="现场">\n\n'
        "[政府网](https://www.gov.cn/) [附件](附件.pdf) a<b 与 c>d\n"))
    assert "GK108" not in site.check().ids


def test_html_in_code_passes(site):
    site.item("gzdt/a.md", body=(
        "嵌入代码示例：`<script>alert(1)</script>`，链接写法 `[x](javascript:1)`。\n\n"
        '```html\n<iframe src="https://example.com/"></iframe>\n<img onerror="x">\n```\n\n'
        "~~~\n<style>p{}</style>\n~~~\n"))
    assert "GK108" not in site.check().ids


@pytest.mark.parametrize("body", [
    "```\n<script>alert(1)</script>\n",  # unclosed: Python-Markdown renders it as text
    "```\n<script>alert(1)</script>\n```\t\n",  # closer with a tab: not a closer for Python-Markdown
    "```html title\n\n<script>alert(1)</script>\n\n```\n",  # info string Python-Markdown does not take
    "<div>\n```\n<script>alert(1)</script>\n```\n</div>\n",  # inside a raw HTML block (CommonMark)
    "```\n````\n```\n<script>alert(1)</script>\n````\n",  # the renderers close the fence at different lines
])
def test_fence_a_renderer_would_not_take_as_code_fires(site, body):
    site.item("gzdt/a.md", body=body)
    assert site.check().of("GK108")


def test_code_span_inside_raw_html_block_fires(site):
    # in a raw HTML block backticks are not code: Python-Markdown passes the script through
    site.item("gzdt/a.md", body="<div>`<script>alert(1)</script>`</div>\n")
    assert site.check().of("GK108")


def test_html_comment_is_not_public_and_passes(site):
    site.item("gzdt/a.md", body="正文。\n<!-- <script>alert(1)</script> -->\n")
    assert "GK108" not in site.check().ids


def test_unsafe_markup_in_not_public_item_passes(site):
    site.item("gzdt/a.md", body="<script>alert(1)</script>\n", attribute="依申请公开", review_date="2027-06-30")
    assert "GK108" not in site.check().ids


def test_unsafe_markup_in_non_public_block_passes(site):
    site.item("gzdt/a.md", **PART_PUBLIC,
              body=f"公开部分。\n\n{HIDDEN}申请人：张某<script>alert(1)</script>\n:::\n\n其余公开。\n")
    assert "GK108" not in site.check().ids


def test_unsafe_markup_in_public_part_fires_on_the_file_line(site):
    path = site.item("gzdt/a.md", **PART_PUBLIC,
                     body=f"公开部分。\n\n{HIDDEN}申请人：张某\n住址：某区\n:::\n\n其余<iframe src=x></iframe>公开。\n")
    (f,) = site.check().of("GK108")
    assert f.line == line_of(path, "<iframe")


def test_unsafe_markup_in_published_title_fires_on_its_line(site):
    path = site.item("gzdt/a.md", title="通知<script>alert(1)</script>")
    (f,) = site.check().of("GK108")
    assert f.line == line_of(path, "title:") and "title" in f.message
