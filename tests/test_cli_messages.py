"""Messages in Chinese, always (issue #12, item 3): argparse, YAML, keys, JSON on failure."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest

from gkpublish.cli import ARGPARSE_ZH, build_parser, main
from gkpublish.sshsig import SshSigError, load_private_key
from tests.conftest import item_source, line_of

# every English word of argparse's own texts (the msgids gkpublish translates) …
ARGPARSE_WORDS = sorted({w for en in ARGPARSE_ZH for w in re.findall(r"[A-Za-z']{3,}", re.sub(r"%\(\w+\)\w", "", en))}
                        | {"usage", "show", "help", "exit", "error", "program", "version", "number"})


def english_left(text: str) -> list[str]:
    """argparse words in an output, once option strings (--as-of, -h), metavars in capitals
    (DATE, HOST:PORT), and {a,b} choice lists written by gkpublish itself are taken out."""
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", text)  # -h, --help, --as-of
    text = re.sub(r"\b[A-Z][A-Z0-9_:]+\b", " ", text)  # metavars: COMMAND, DATE, HOST:PORT
    words = {w.lower() for w in re.findall(r"[A-Za-z']+", text)}
    return sorted(w for w in words if w.lower() in {a.lower() for a in ARGPARSE_WORDS})


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as exc:  # --help and --version end through argparse
            rc = int(exc.code or 0)
    return rc, out.getvalue() + err.getvalue()


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


SUBCOMMANDS = _subcommands()


def test_the_check_itself_finds_english():
    assert english_left("usage: gkpublish [-h]\n\npositional arguments:\n  show this help message and exit")
    assert english_left("error: the following arguments are required: --column")
    assert not english_left("用法：gkpublish [-h] [--as-of DATE] [--help] {init,new}")


def test_top_level_help_is_chinese():
    rc, out = run("--help")
    assert rc == 0 and "用法" in out and english_left(out) == []


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_help_is_chinese(name):
    rc, out = run(name, "--help")
    assert rc == 0 and "用法" in out, out
    assert english_left(out) == [], out


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_refuses_bad_arguments_in_chinese(name, tmp_path):
    parser = SUBCOMMANDS[name]
    cases = [[name, "--no-such-option"]]
    for action in parser._actions:
        if not action.option_strings or action.nargs == 0 or isinstance(action, argparse._HelpAction):
            continue
        cases.append([name, action.option_strings[-1]])  # expected one argument
        if action.choices:
            cases.append([name, action.option_strings[-1], "不存在的值"])  # invalid choice
    for argv in cases:
        rc, out = run("-C", str(tmp_path), *argv)
        assert rc == 2, (argv, out)
        assert "Traceback" not in out and english_left(out) == [], (argv, out)


def test_an_unknown_subcommand_and_missing_required_arguments_are_chinese():
    rc, out = run("frobnicate")
    assert rc == 2 and "无效的选项值" in out and english_left(out) == []
    rc, out = run("new")  # --column/--title or --guide: checked by the command, in Chinese
    assert rc == 2 and "--column" in out and "--guide" in out and english_left(out) == []
    rc, out = run("approve")
    assert rc == 2 and "缺少必需的参数" in out and english_left(out) == []


# -- YAML ------------------------------------------------------------------------------------------
def test_a_full_width_colon_is_named(site):
    p = site.write("content/gzdt/a.md", item_source().replace("department: 政务公开科", "department：政务公开科"))
    [f] = site.check().of("GK102")
    assert f.line == line_of(p, "department：") and "全角冒号" in f.message and "department: " in f.message


def test_a_list_indentation_error_is_explained_in_chinese(site):
    # a key written at the indentation of the list above it: libyaml says "did not find expected '-' indicator"
    src = item_source(keywords=["政务公开", "推进会"]).replace("- 推进会\n", "- 推进会\n  extra: 1\n")
    site.write("content/gzdt/a.md", src)
    [f] = site.check().of("GK102")
    assert "did not find" not in f.message and not re.search(r"[A-Za-z]{4,}", f.message.replace("YAML", "")), f.message


def test_an_unknown_yaml_problem_is_still_chinese():
    from gkpublish.yamltext import GENERIC_ZH, problem_zh

    assert problem_zh("did not find expected '-' indicator").startswith("列表缩进不一致")
    assert problem_zh("some future PyYAML wording") == GENERIC_ZH
    assert problem_zh("日期“2026-02-30”无效，应为存在的日期") == "日期“2026-02-30”无效，应为存在的日期"  # ours, kept


def test_gk401_shows_the_shape_of_the_source(site):
    site.item("gzdt/r.md", source={"type": "转载"})
    [f] = site.check().of("GK401")
    assert "转载来源: {organ:" in f.message and "date: YYYY-MM-DD" in f.message


def test_gk201_lists_the_allowed_values(site):
    site.item("gzdt/a.md", attribute="公开")
    [f] = site.check().of("GK201")
    assert "主动公开 / 部分公开 / 依申请公开 / 不予公开" in f.message


# -- keys --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content, words", [
    (b"not a key at all\n", "不是私钥"),
    (b"", "文件是空的"),
    (b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB x@y\n", "这是公钥"),
    (b"-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n", "已损坏"),
])
def test_a_key_file_that_cannot_be_loaded_is_explained_in_chinese(tmp_path, content, words):
    path = tmp_path / "key"
    path.write_bytes(content)
    with pytest.raises(SshSigError) as exc:
        load_private_key(str(path))
    assert words in str(exc.value)
    assert not re.search(r"Unable|deserialize|PEM file|Could not", str(exc.value))


# -- JSON even when nothing can be read --------------------------------------------------------------
def test_check_json_reports_an_unreadable_configuration_as_json(site):
    site.write("site_config/site.yml", "title: [未闭合\n")
    rc, out, err = site.cli("check", "--format", "json")
    doc = json.loads(out)
    assert rc == 2 and doc["ok"] is False and "site_config/site.yml" in doc["error"]["message"]
    assert doc["error"]["exit_code"] == 2 and "site.yml" in err


def test_check_json_outside_a_site_is_json_too(tmp_path):
    rc, out = run("-C", str(tmp_path), "check", "--format", "json")
    assert rc == 2 and json.loads(out.split("\ngkpublish:")[0])["ok"] is False


def _command(*argv: str) -> subprocess.CompletedProcess:
    # buffered output, as a terminal-less user gets it (this machine's CI sets PYTHONUNBUFFERED)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-m", "gkpublish", *argv], capture_output=True, text=True, env=env)


def test_the_command_leaves_with_mains_exit_code_and_all_its_output(tmp_path):
    # gkpublish.cli.run ends with os._exit: what main printed must be flushed first
    rules = _command("rules")  # a line at a time: the last ones are still in the buffer at the end
    assert rules.returncode == 0, rules.stderr
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["rules"]) == 0
    assert out.getvalue().count("\n") > 50 and rules.stdout == out.getvalue()
    missing = _command("check", "-C", str(tmp_path / "无此目录"))
    assert missing.returncode == 2
    assert "gkpublish:" in missing.stderr and "Traceback" not in missing.stderr


def test_the_command_to_a_closed_pipe_says_nothing_more():
    proc = subprocess.Popen([sys.executable, "-m", "gkpublish", "rules"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()  # like `gkpublish rules | head -c 10`
    err = proc.stderr.read().decode()
    assert proc.wait() == 0
    assert "Exception" not in err and "Traceback" not in err
