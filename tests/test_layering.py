"""Layering: core and registry import no Django; only server.py names McpServer; no cycles."""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "mcp_django"
SERVER = "mcp_django.server"
SERVER_CLASS = "McpServer"
NOT_IN_GRAPH = ("mcp_django.migrations",)
TYPE_CHECKING_NAMES = {"TYPE_CHECKING", "typing.TYPE_CHECKING"}

PROBE = """
import json, sys
for name in sys.argv[1:]:
    __import__(name)
print(json.dumps(sorted(sys.modules)))
"""

CORE_MODULES = [
    "mcp_django.core",
    "mcp_django.core.dispatcher",
    "mcp_django.registry",
]


def imported_modules(*modules: str) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 0, completed.stderr
    return set(json.loads(completed.stdout))


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".", 1)[0] for name in modules}


@pytest.mark.parametrize("module", CORE_MODULES + ["mcp_django.core.headers",
                                                   "mcp_django.core.methods.tools"])
def test_core_and_registry_import_no_django_or_channels(module: str) -> None:
    roots = top_level(imported_modules(module))
    assert "mcp_django" in roots
    assert "django" not in roots
    assert "channels" not in roots


def test_core_and_registry_together_import_no_django_or_channels() -> None:
    modules = imported_modules(*CORE_MODULES)
    assert "mcp_django.core.dispatcher" in modules
    assert "mcp_django.registry" in modules
    assert "django" not in modules
    assert "channels" not in modules
    assert not {m for m in modules if m.startswith(("django.", "channels.", "daphne"))}


def test_probe_would_see_django() -> None:
    """The probe is honest: importing Django does show up."""
    assert "django" in imported_modules("django")


# The tests below read the source and import nothing. Every import statement counts, wherever
# it sits: top level, under `if TYPE_CHECKING:`, inside a function.

ImportNode = ast.Import | ast.ImportFrom
Graph = dict[str, dict[str, list[str]]]  # source → target → the statements behind the edge


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module

    @property
    def package(self) -> str:
        """What `.` means in this module's relative imports."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    def where(self, node: ast.stmt | ast.expr) -> str:
        return f"{self.path.relative_to(ROOT)}:{node.lineno}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parse(path: Path) -> Module:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return Module(module_name(path), path, path.name == "__init__.py", tree)


@functools.cache
def package_modules() -> dict[str, Module]:
    return {module.name: module for module in map(parse, sorted((ROOT / PACKAGE).rglob("*.py")))}


def is_internal(name: str | None) -> bool:
    return name is not None and (name == PACKAGE or name.startswith(PACKAGE + "."))


def in_graph(name: str) -> bool:
    return not any(name == skip or name.startswith(skip + ".") for skip in NOT_IN_GRAPH)


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of attribute lookups on a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (base := dotted(node.value)):
        return f"{base}.{node.attr}"
    return None


def scoped_imports(node: ast.AST, scope: str = "top level") -> Iterator[tuple[ImportNode, str]]:
    """Every import statement under `node`, with where it sits."""
    if isinstance(node, ImportNode):
        yield node, scope
    elif isinstance(node, ast.If) and dotted(node.test) in TYPE_CHECKING_NAMES:
        for child in node.body:
            yield from scoped_imports(child, "if TYPE_CHECKING")
        for child in node.orelse:
            yield from scoped_imports(child, scope)
    else:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = f"in {node.name}()"
        for child in ast.iter_child_nodes(node):
            yield from scoped_imports(child, scope)


def from_module(module: Module, node: ast.ImportFrom) -> str | None:
    """The absolute name of `x` in `from x import y`; None for a relative import past the top."""
    if node.level == 0:
        return node.module
    base = module.package.split(".")
    if node.level > len(base):
        return None
    anchor = ".".join(base[: len(base) - node.level + 1])
    return f"{anchor}.{node.module}" if node.module else anchor


def named_modules(module: Module, node: ImportNode) -> list[str]:
    """The modules a statement names: `from p import m` names p.m if that is a module, else p."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    source = from_module(module, node)
    if source is None:
        return []
    named = [f"{source}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(name if name in package_modules() else source for name in named))


def parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def packages_run_first(importer: str, target: str) -> list[str]:
    """The packages whose `__init__` runs before `target` when `importer` imports it.

    The importer's own packages are already running by then, so they add no edge; otherwise
    `pkg/__init__` importing `pkg.a`, which imports `pkg.b`, would count as a cycle.
    """
    own = {importer, *parents(importer)}
    return [package for package in parents(target) if package not in own]


def module_edges(module: Module) -> Iterator[tuple[str, str]]:
    """(target, statement) for every import of another mcp_django module."""
    for node, scope in scoped_imports(module.tree):
        statement = f"{module.where(node)} ({scope}): {ast.unparse(node)}"
        for target in named_modules(module, node):
            if target not in package_modules():
                continue
            for package in packages_run_first(module.name, target):
                yield package, f"{statement}  [runs {package}'s __init__ first]"
            yield target, statement


def import_graph() -> Graph:
    graph: Graph = {name: {} for name in package_modules() if in_graph(name)}
    for name, targets in graph.items():
        for target, statement in module_edges(package_modules()[name]):
            if target in graph and target != name:
                targets.setdefault(target, []).append(statement)
    return graph


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm: the components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = [stack.pop()]
            while component[-1] != node:
                component.append(stack.pop())
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(component for component in components if len(component) > 1)


def cycles_in(graph: Graph, component: list[str]) -> list[list[str]]:
    """Every elementary cycle within a component, each starting at its smallest module."""
    cycles: list[list[str]] = []

    def extend(path: list[str]) -> None:
        for target in sorted(graph[path[-1]]):
            if target == path[0]:
                cycles.append(path)
            elif target in component and target > path[0] and target not in path:
                extend([*path, target])

    for start in component:
        extend([start])
    return cycles


def describe_cycle(graph: Graph, cycle: list[str]) -> str:
    lines = [" → ".join([*cycle, cycle[0]])]
    for source, target in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
        lines.append(f"    {source} → {target}")
        lines.extend(f"        {statement}" for statement in graph[source][target])
    return "\n".join(lines)


def describe_component(graph: Graph, component: list[str]) -> str:
    cycles = cycles_in(graph, component)
    head = f"{len(component)} modules in {len(cycles)} cycle(s): {', '.join(component)}"
    return "\n".join([head, *(describe_cycle(graph, cycle) for cycle in cycles)])


def server_aliases(module: Module) -> set[str]:
    """The names by which `mcp_django.server` is reachable in a module."""
    aliases = {SERVER}
    for node, _ in scoped_imports(module.tree):
        if isinstance(node, ast.Import):
            aliases |= {alias.asname for alias in node.names if alias.name == SERVER} - {None}
        elif (source := from_module(module, node)) is not None:
            aliases |= {alias.asname or alias.name for alias in node.names
                        if f"{source}.{alias.name}" == SERVER}
    return aliases


def server_class_imports(module: Module) -> Iterator[str]:
    """`from <any mcp_django module> import McpServer`, and `from mcp_django.server import *`."""
    for node, scope in scoped_imports(module.tree):
        if isinstance(node, ast.ImportFrom) and is_internal(source := from_module(module, node)):
            names = {alias.name for alias in node.names}
            if SERVER_CLASS in names or (source == SERVER and "*" in names):
                yield f"{module.where(node)} ({scope}): {ast.unparse(node)}"


def reaches_server_class(node: ast.AST, aliases: set[str]) -> bool:
    """`<server module>.McpServer`, or the dotted-path string "mcp_django.server.McpServer"."""
    if isinstance(node, ast.Attribute):
        return node.attr == SERVER_CLASS and dotted(node.value) in aliases
    return isinstance(node, ast.Constant) and node.value == f"{SERVER}.{SERVER_CLASS}"


def server_class_lookups(module: Module) -> Iterator[str]:
    aliases = server_aliases(module)
    for node in ast.walk(module.tree):
        if reaches_server_class(node, aliases):
            yield f"{module.where(node)}: {ast.unparse(node)}"


def server_class_users() -> list[str]:
    modules = [module for name, module in package_modules().items() if name != SERVER]
    return [hit for module in modules
            for hit in [*server_class_imports(module), *server_class_lookups(module)]]


def test_no_module_outside_server_imports_mcpserver() -> None:
    users = server_class_users()
    if users:
        pytest.fail(
            f"{len(users)} place(s) outside {SERVER} reach {SERVER_CLASS}, which only "
            f"{SERVER} may name:\n    " + "\n    ".join(users),
            pytrace=False,
        )


def test_no_import_cycles() -> None:
    graph = import_graph()
    if components := strongly_connected(graph):
        report = "\n\n".join(describe_component(graph, component) for component in components)
        pytest.fail(
            f"{len(components)} group(s) of {PACKAGE} modules import each other in a cycle "
            f"(every import counts, TYPE_CHECKING and function-local too):\n\n{report}",
            pytrace=False,
        )


# The checker checks itself, on made-up modules.


def fake(name: str, source: str, is_package: bool = False) -> Module:
    path = ROOT.joinpath(*name.split("."))
    path = path / "__init__.py" if is_package else path.with_suffix(".py")
    return Module(name, path, is_package, ast.parse(source))


def only_import(module: Module) -> ast.ImportFrom:
    node = module.tree.body[0]
    assert isinstance(node, ast.ImportFrom)
    return node


@pytest.mark.parametrize(("name", "is_package", "source", "expected"), [
    ("mcp_django.transport.endpoint", False, "from ..core import errors", "mcp_django.core"),
    ("mcp_django.tasks.runner", False, "from . import store", "mcp_django.tasks"),
    ("mcp_django.registry", True, "from .tools import ToolSpec", "mcp_django.registry.tools"),
    ("mcp_django.registry", True, "from .. import __version__", "mcp_django"),
    ("mcp_django", True, "from .. import x", None),
    ("mcp_django.admin", False, "from mcp_django.server import servers", "mcp_django.server"),
])
def test_from_module_resolves_relative_imports(
    name: str, is_package: bool, source: str, expected: str | None,
) -> None:
    module = fake(name, source, is_package)
    assert from_module(module, only_import(module)) == expected


def test_from_import_names_the_submodule_or_else_the_package() -> None:
    module = fake("mcp_django.admin", "from . import server, __version__, server")
    assert named_modules(module, only_import(module)) == ["mcp_django.server", "mcp_django"]


def test_importing_a_submodule_of_another_package_runs_that_package_first() -> None:
    module = fake("mcp_django.server", "from .core.dispatcher import Dispatcher")
    assert [target for target, _ in module_edges(module)] == [
        "mcp_django.core", "mcp_django.core.dispatcher"]
    assert packages_run_first("mcp_django.tasks.runner", "mcp_django.tasks.store") == []
    assert packages_run_first("mcp_django.registry", "mcp_django.registry.tools") == []


def test_a_submodule_importing_its_own_package_is_an_edge() -> None:
    module = fake("mcp_django.transport.http", "from . import OriginPolicy")
    assert [target for target, _ in module_edges(module)] == ["mcp_django.transport"]


def test_scoped_imports_say_where_each_import_sits() -> None:
    source = (
        "import a\n"
        "if TYPE_CHECKING:\n    import b\nelse:\n    import c\n"
        "class K:\n    def f(self):\n        import d\n"
    )
    assert [(ast.unparse(node), scope) for node, scope in scoped_imports(ast.parse(source))] == [
        ("import a", "top level"), ("import b", "if TYPE_CHECKING"), ("import c", "top level"),
        ("import d", "in f()"),
    ]


def test_cycle_finder_lists_every_cycle_in_a_component() -> None:
    graph: Graph = {"a": {"b": []}, "b": {"a": [], "c": []}, "c": {"a": []}, "d": {"a": []}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert cycles_in(graph, ["a", "b", "c"]) == [["a", "b"], ["a", "b", "c"]]


@pytest.mark.parametrize(("source", "found"), [
    ("from ..server import McpServer", True),
    ("from ..server import McpServer as S", True),
    ("from mcp_django.server import *", True),
    ("def f():\n    from mcp_django import McpServer", True),
    ("from .. import server\nserver.McpServer", True),
    ("from .. import server as s\ns.McpServer", True),
    ("import mcp_django.server\nmcp_django.server.McpServer", True),
    ("import mcp_django.server as s\ns.McpServer", True),
    ("import_string('mcp_django.server.McpServer')", True),
    ("from ..server import get_server, servers", False),
    ("from other import McpServer", False),
    ("thing.McpServer", False),
])
def test_server_class_users_are_found(source: str, found: bool) -> None:
    module = fake("mcp_django.transport.view", source)
    hits = [*server_class_imports(module), *server_class_lookups(module)]
    assert bool(hits) is found, hits
