"""GK401–GK403: 转载与来源 (附件3 第四条).

The base site approves 中国政府网 (www.gov.cn) and 重庆市人民政府 (www.cq.gov.cn) as
sources and allows links to gov.cn; the site's own url is https://example.gov.cn/.
"""

import pytest

GOV_CN = {"organ": "中国政府网", "url": "https://www.gov.cn/zhengce/content/2026-10/20/x.htm", "date": "2026-10-20"}


def reprint(site, rel="gzdt/r.md", body="正文。\n", **source):
    return site.item(rel, body=body, source={"type": "转载", "转载来源": {**GOV_CN, **source}})


# -- GK401 ---------------------------------------------------------------------------------

def test_reprint_with_complete_source(site):
    reprint(site)
    assert "GK401" not in site.check().ids


def test_reprint_from_print_publication(site):
    site.item("gzdt/r.md", source={"type": "转载", "转载来源": {
        "organ": "重庆市人民政府", "publication": "重庆市人民政府公报2026年第20期", "date": "2026-10-20"}})
    assert "GK401" not in site.check().ids


def test_reprint_without_source(site):
    site.item("gzdt/r.md", source={"type": "转载"})
    r = site.check()
    assert r.of("GK401") and not r.of("GK103")


def test_reprint_source_without_url_or_publication(site):
    site.item("gzdt/r.md", source={"type": "转载", "转载来源": {"organ": "中国政府网", "date": "2026-10-20"}})
    r = site.check()
    assert r.of("GK401") and not r.of("GK103")


@pytest.mark.parametrize("url", ["https://原文链接", "https://", "https://www.gov.cn/a b.htm"])
def test_reprint_source_url_not_a_web_address(site, url):
    reprint(site, url=url)
    assert site.check().of("GK401")


def test_reprint_source_url_without_scheme_reported_once(site):
    reprint(site, url="www.gov.cn/zhengce/x.htm")
    r = site.check()
    assert len(r.of("GK401")) == 1 and not r.of("GK103")


def test_reprint_original_dated_after_publication(site):
    reprint(site, date="2026-11-20")  # the reprint is published on 2026-11-16 (default_meta)
    (f,) = site.check().of("GK401")
    assert "2026-11-20" in f.message


def test_original_item_naming_reprint_source(site):
    site.item("gzdt/r.md", source={"type": "原创", "转载来源": dict(GOV_CN)})
    (f,) = site.check().of("GK401")
    assert "source.type" in f.message


# -- GK402 ---------------------------------------------------------------------------------

def test_reprint_from_approved_source(site):
    reprint(site)
    reprint(site, "gzdt/cq.md", organ="重庆市人民政府", url="https://www.cq.gov.cn/zwgk/a.html")
    assert "GK402" not in site.check().ids


def test_reprint_from_approved_source_by_alias(site):
    sources = site.config_data("sources.yml")
    sources["approved"][0]["aliases"] = ["中华人民共和国中央人民政府"]
    site.config("sources.yml", sources)
    reprint(site, organ="中华人民共和国中央人民政府")
    assert "GK402" not in site.check().ids


def test_reprint_from_unapproved_source(site):
    reprint(site, organ="某某资讯网", url="https://news.example.com/a.html")
    (f,) = site.check().of("GK402")
    assert "某某资讯网" in f.message and "sources.yml" in f.message


@pytest.mark.parametrize("url", ["https://www.gov.cn.example.com/x.htm", "https://www.gov.cn@evil.example/x.htm",
                                 "https://www.cq.gov.cn/a.html"])
def test_reprint_url_off_the_approved_source_domains(site, url):
    reprint(site, url=url)
    assert site.check().of("GK402")


def test_approved_source_without_domains_cannot_vouch_for_url(site):
    site.config("sources.yml", {"approved": [{"name": "中国政府网"}]})
    reprint(site)
    assert site.check().of("GK402")


# -- GK403 ---------------------------------------------------------------------------------

def test_public_links_to_allowed_domains(site):
    body = ("详见[国务院政策文件库](https://www.gov.cn/zhengce/)、<https://www.cq.gov.cn/zwgk/>、"
            "[本站](https://example.gov.cn/xxgk/) 和 [附件](fj.pdf)，咨询 mailto:gk@qq.com。\n")
    site.item("gzdt/ok.md", body=body)
    assert "GK403" not in site.check().ids


def test_public_body_links_outside_allowed_domains(site):
    path = site.item("gzdt/ad.md", body="第一段。\n\n详见[购物平台](https://shop.example.com/x)。\n")
    (f,) = site.check().of("GK403")
    assert "shop.example.com" in f.message
    assert "shop.example.com" in path.read_text(encoding="utf-8").splitlines()[f.line - 1]


@pytest.mark.parametrize("body", ['<a href="//evil.example/x">链接</a>\n', "访问 www.taobao.com 了解。\n",
                                  "见 https://gov.cn.evil.example/a 。\n",
                                  "详见https://shop.example.com/x。\n", "访问www.taobao.com了解。\n"])
def test_public_body_other_link_forms(site, body):
    site.item("gzdt/ad.md", body=body)
    assert site.check().of("GK403")


def test_outside_link_in_summary(site):
    site.item("gzdt/ad.md", summary="更多内容请见 https://www.example.com/more 。")
    (f,) = site.check().of("GK403")
    assert "内容概述（summary）" in f.message


def test_outside_link_in_hidden_block_or_comment_is_not_public(site):
    body = ("公开。\n\n::: 不公开 理由=\"个人隐私（条例第十五条）\"\n https://private.example.com/a\n:::\n"
            "\n<!-- 草稿参考 https://draft.example.com/ -->\n")
    site.item("gzdt/p.md", body=body, attribute="部分公开")
    assert "GK403" not in site.check().ids


def test_outside_link_in_unpublished_item(site):
    site.item("gzdt/w.md", body="见 https://shop.example.com/ 。\n", attribute="依申请公开", review_date="2027-06-30")
    assert "GK403" not in site.check().ids


def test_public_body_with_advertising_text(site):
    path = site.item("gzdt/ad.md", body="第一段。\n\n关注公众号，扫码领取优惠券！\n")
    found = site.check().of("GK403")
    assert {"扫码领取", "优惠券"} <= {w for f in found for w in ("扫码领取", "优惠券") if w in f.message}
    assert all("扫码领取" in path.read_text(encoding="utf-8").splitlines()[f.line - 1] for f in found)


def test_regulatory_text_about_advertising_is_not_advertising(site):
    site.item("gzdt/ok.md", body="政府网站不得刊登商业广告或链接商业广告页面。\n")
    assert "GK403" not in site.check().ids


def test_site_advertising_terms_extend_the_list(site):
    terms = site.config_data("terms.yml")
    terms["advertising"] = ["加微信咨询"]
    site.config("terms.yml", terms)
    site.item("gzdt/ad.md", body="详情加微信咨询。\n")
    (f,) = site.check().of("GK403")
    assert "加微信咨询" in f.message
