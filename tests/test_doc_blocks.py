"""Every fenced block of README.md and docs/*.md runs, parses or names what exists — or says
why it cannot (`<!-- illustrative: why -->` right before its fence).

- python: each page's blocks run in page order in one scratch module of a configured Django
  (tests/doc_exec.py, a process per page), then what the page says of them; the settings they
  define pass mcp_django's checks and nothing they register is a problem. Blocks another test
  runs (tests/docblocks.py ELSEWHERE: the README's setup, docs/testing.md, the HTTP clients)
  are compiled here.
- json, ini, toml: parsed; host configurations (`mcpServers`, `servers`) checked for shape,
  down to the `manage.py mcp_stdio` options and the Authorization header.
- bash, sh, console: each command names an existing make target, management command and its
  options, a `pip install` line tests/packaging resolves, or a host CLI of known shape; the
  cheap ones run.
- nginx: `nginx -t` inside a minimal configuration.
- blocks without a language are output or diagrams: checked only when they are JSON or SSE.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, get_commands, load_command_class

from tests.docblocks import ELSEWHERE, ROOT, Block, all_blocks

BLOCKS = all_blocks()
SHELLS = ("bash", "sh", "shell", "console")
KNOWN = ("python", "json", "ini", "toml", "nginx", "", "text", "js", *SHELLS)
PYTHON = re.compile(r"^(?:\S*/)?python3?$")
PLACEHOLDER = re.compile(r"[<\[\]…]|^[A-Z]+$")
DJANGO_OPTIONS = {"--settings", "--pythonpath", "--traceback", "--no-color", "--force-color",
                  "--skip-checks", "--verbosity", "--help", "--version"}
CHEAP = {"mcp_tools": ["--json"], "mcp_token": ["list"], "mcp_clearsessions": ["--dry-run"]}


def blocks_of(*languages: str, tested: bool = True) -> list[Block]:
    return [block for block in BLOCKS if block.language in languages
            and (block.reason is None or not tested)]


def ids(blocks: list[Block]) -> list[str]:
    return [block.where for block in blocks]


# -- every block ---------------------------------------------------------------------------------


def test_every_block_has_a_language_this_test_runs_or_says_why_not():
    unknown = [block.where for block in BLOCKS
               if block.language not in KNOWN and block.reason is None]
    assert unknown == []
    assert all(block.reason.strip() for block in BLOCKS if block.reason is not None)


def test_a_js_block_is_one_the_http_clients_test_runs():
    """Node runs only in tests/e2e/test_http_clients.py: a JS block elsewhere needs a test."""
    assert [block.where for block in blocks_of("js") if block.elsewhere is None] == []


def test_the_tests_that_run_blocks_elsewhere_read_those_sections():
    for (page, heading), test in ELSEWHERE.items():
        source = (ROOT / test).read_text()
        assert heading.split(" ", 1)[1] in source, (test, heading)
        assert any(heading in block.headings for block in BLOCKS if block.name == page)


# -- python --------------------------------------------------------------------------------------

PAGES = sorted({block.name for block in blocks_of("python") if block.elsewhere is None})


@pytest.mark.parametrize("page", PAGES)
def test_a_pages_python_blocks_run_in_page_order(page, tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.docs_settings",
           "PYTHONPATH": str(ROOT), "MCP_TEST_DB": str(tmp_path / "db.sqlite3")}
    done = subprocess.run([sys.executable, "-m", "tests.doc_exec", page], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    expected = [block.where for block in blocks_of("python")
                if block.name == page and block.elsewhere is None]
    assert json.loads(done.stdout.splitlines()[-1]) == expected


@pytest.mark.parametrize("block", [b for b in blocks_of("python") if b.elsewhere],
                         ids=ids([b for b in blocks_of("python") if b.elsewhere]))
def test_a_python_block_another_test_runs_compiles(block):
    compile(block.body, block.where, "exec")


# -- json and other data -------------------------------------------------------------------------


@pytest.mark.parametrize("block", blocks_of("json"), ids=ids(blocks_of("json")))
def test_a_json_block_parses_and_a_host_config_has_its_shape(block):
    document = json.loads(block.body)
    if "mcpServers" in document:
        for entry in document["mcpServers"].values():
            check_entry(entry, "url" in entry and "http" or "stdio", block.where)
    if "servers" in document:  # VS Code: `type` is required
        for entry in document["servers"].values():
            check_entry(entry, entry["type"], block.where)
        check_inputs(document, block.where)


def check_entry(entry: dict[str, Any], transport: str, where: str) -> None:
    if transport == "http":
        assert re.fullmatch(r"https?://[^/]+/(.+/)?mcp", entry["url"]), where
        assert re.fullmatch(r"Bearer \S+", entry["headers"]["Authorization"]), where
        return
    assert transport == "stdio", where
    if entry["command"] == "npx":
        check_remote(entry, where)
    else:
        assert PYTHON.match(Path(entry["command"]).name), where
        assert entry["env"]["DJANGO_SETTINGS_MODULE"], where
        check_manage([Path(entry["args"][0]).name, *entry["args"][1:]], where)


def check_remote(entry: dict[str, Any], where: str) -> None:
    """`npx mcp-remote <url> --header "Authorization: Bearer ${VAR}"`, VAR in `env`."""
    program, url, *rest = entry["args"]
    assert program == "mcp-remote" and re.fullmatch(r"https?://[^/]+/(.+/)?mcp", url), where
    header = rest[rest.index("--header") + 1]
    variable = re.fullmatch(r"Authorization: Bearer \$\{(\w+)\}", header)
    assert variable and variable[1] in entry["env"], where


def check_inputs(document: dict[str, Any], where: str) -> None:
    """Every `${input:id}` a VS Code entry uses is declared in `inputs`."""
    used = set(re.findall(r"\$\{input:([\w-]+)\}", json.dumps(document["servers"])))
    assert used <= {item["id"] for item in document.get("inputs", [])}, where


@pytest.mark.parametrize("block", blocks_of("ini", "toml"), ids=ids(blocks_of("ini", "toml")))
def test_an_ini_or_toml_block_parses(block):
    if block.language == "toml":
        tomllib.loads(block.body)
    else:
        configparser.ConfigParser().read_string(block.body)


UNLABELLED = [block for block in blocks_of("", "text")
              if block.body.lstrip().startswith(("{", "id:", "data:", "event:"))]


@pytest.mark.parametrize("block", UNLABELLED, ids=ids(UNLABELLED))
def test_an_unlabelled_json_or_sse_output_parses(block):
    if block.body.lstrip().startswith("{"):
        json.loads(block.body)
        return
    data = [line[5:].strip() for line in block.body.splitlines() if line.startswith("data:")]
    assert data and all(json.loads(item) for item in data if item)


# -- shell ---------------------------------------------------------------------------------------


def commands(block: Block) -> list[list[str]]:
    """The block's commands as word lists (continuations joined, `$ ` prompts only in console
    blocks, comments dropped, split at pipes and `&`)."""
    text = re.sub(r"\\\n", " ", block.body)
    lines = text.splitlines()
    if block.language == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    found = []
    for line in lines:
        lexer = shlex.shlex(line, posix=True, punctuation_chars="|&;")
        lexer.whitespace_split, lexer.commenters = True, "#"
        words: list[str] = []
        for word in [*lexer, "|"]:
            if word in ("|", "&", "&&", ";", "||"):
                found += [words] if words else []
                words = []
            else:
                words.append(word)
    return [drop_assignments(words) for words in found]


def drop_assignments(words: list[str]) -> list[str]:
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
        words = words[1:]
    return words


SHELL_BLOCKS = [block for block in blocks_of(*SHELLS)]


@pytest.mark.django_db  # the cheap commands read the test database
@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=ids(SHELL_BLOCKS))
def test_a_shell_block_names_what_exists(block):
    for words in commands(block):
        check_command(words, block)


def check_command(words: list[str], block: Block) -> None:
    program, *args = words
    where = f"{block.where}: {' '.join(words)}"
    if program == "make":
        assert set(args) <= make_targets(), where
    elif PYTHON.match(program) and args[:1] == ["manage.py"]:
        check_manage(args, where)
    elif program == "django-admin":
        assert args[0] in get_commands(), where
    elif program == "pip":  # tests/packaging resolves every `pip install` line of the docs
        assert args[:1] == ["install"], where
    elif program == "daphne":
        from daphne.cli import CommandLineInterface
        CommandLineInterface().parser.parse_args(args)
    elif program == "claude":
        check_claude(args, where)
    elif program == "npx" and block.elsewhere:  # the Inspector: run by its own test
        assert args[0] == "@modelcontextprotocol/inspector", where
    else:
        assert program in ("printf", "echo"), f"{where}: a command this test does not know"


def make_targets() -> set[str]:
    rules = re.findall(r"^([\w .$()/-]+?):(?!=)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    return {target for rule in rules for target in rule.split()
            if re.fullmatch(r"[\w-]+", target)}


def check_manage(args: list[str], where: str) -> None:
    """`manage.py <command> …`: the command exists, and so do the options and subcommand it
    names (synopses with `[--opt NAME]` and `<placeholders>` included)."""
    assert args[0] == "manage.py", where
    name, *rest = args[1:]
    available = get_commands()
    assert name in available, f"{where}: no management command {name!r}"
    parser = load_command_class(available[name], name).create_parser("manage.py", name)
    parser = subparser(parser, rest)
    known = {option for action in parser._actions for option in action.option_strings}
    for word in rest:
        option = word.strip("[]").split("=", 1)[0]
        if option.startswith("--"):
            assert option in known | DJANGO_OPTIONS, f"{where}: {name} has no {option}"
    if name in CHEAP:
        run_cheap(name, CHEAP[name])


def subparser(parser: argparse.ArgumentParser, rest: list[str]) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = next((word for word in rest if not word.startswith("-")), None)
            assert chosen in action.choices, (chosen, list(action.choices))
            return action.choices[chosen]
    return parser


def run_cheap(name: str, args: list[str]) -> None:
    """A command that only reads, run here on the test database when a block names it."""
    out = StringIO()
    call_command(name, *args, stdout=out)
    if "--json" in args:
        assert json.loads(out.getvalue())["default"]["tools"]


def check_claude(args: list[str], where: str) -> None:
    """`claude mcp add [options] <name> <url>` or `… <name> -- <command> …` (Claude Code)."""
    assert args[:2] == ["mcp", "add"], where
    before, _, command = " ".join(shlex.quote(a) for a in args[2:]).partition(" -- ")
    parser = argparse.ArgumentParser(prog="claude mcp add", exit_on_error=False)
    parser.add_argument("--transport", "-t", choices=["stdio", "http", "sse"], default="stdio")
    parser.add_argument("--env", "-e", action="append", default=[])
    parser.add_argument("--header", "-H", action="append", default=[])
    parser.add_argument("--scope", "-s", choices=["local", "project", "user"])
    parser.add_argument("name")
    parser.add_argument("url", nargs="?")
    options = parser.parse_args(shlex.split(before))
    if options.transport == "http":
        assert re.fullmatch(r"https?://[^/]+/(.+/)?mcp", options.url or ""), where
        assert any(re.fullmatch(r"Authorization: Bearer \S+", h) for h in options.header), where
    else:
        program, *rest = shlex.split(command)
        assert PYTHON.match(Path(program).name) and not options.url, where
        check_manage(rest, where)


def test_trying_mcp_stdio_by_hand_answers_the_initialize():
    """docs/clients.md "Trying it by hand", run as written (from this checkout)."""
    [block] = [b for b in BLOCKS if "## Trying it by hand" in b.headings]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(["bash", "-c", block.body], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout.splitlines()[0])
    assert first["id"] == 1 and first["result"]["protocolVersion"] == "2025-11-25"


# -- nginx ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", blocks_of("nginx"), ids=ids(blocks_of("nginx")))
def test_an_nginx_block_passes_nginx_t(block, tmp_path):
    """A `location` block inside a minimal server, or a whole configuration."""
    nginx = "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "nginx"
    body = block.body if "http {" in block.body else (
        f"http {{ server {{ listen 127.0.0.1:1; {block.body} }} }}")
    config = tmp_path / "nginx.conf"
    config.write_text(f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
                      f"events {{}}\n{body}\n")
    try:
        done = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(config)],
                              capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        pytest.fail("nginx is missing: `make system-deps` installs nginx-light")
    assert done.returncode == 0, done.stderr
