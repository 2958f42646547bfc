"""The package's structure, checked on its source: no import cycle (counting imports inside functions and
`if TYPE_CHECKING:` blocks: lazy or not, such an import ties the two modules together), no module using
another's `_private` names, and short functions in the faces. Each checker is shown to find what it looks for."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "priorlab"
FACES = ("cli", "demo", "benford/auditing.py")  # the command line, the demo, the audit (`benford.audit`)
FACE_FUNCTION_LINES = 60
COMMAND_LINES = 50
NAMEDTUPLE_API = frozenset({"_replace", "_asdict", "_fields", "_make"})  # public despite the underscore


def modules(root: Path) -> dict[str, Path]:
    """Module name -> file, for every module under `root`."""
    files = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def imported(name: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[tuple[str, str | None]]:
    """(module, name or None) for each thing `node` imports, relative imports resolved from module `name`."""
    if isinstance(node, ast.Import):
        return [(alias.name, None) for alias in node.names]
    base = node.module or ""
    if node.level:
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*anchor, *([base] if base else [])])
    return [(base, alias.name) for alias in node.names]


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module name -> the package modules it imports anywhere in its code."""
    files = modules(root)
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for module, item in imported(name, path, node):
                    targets = [module] if item is None else [module, f"{module}.{item}"]
                    graph[name].update(t for t in targets if t in files and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle's modules (strongly connected components of more than one module, or a self-loop)."""
    order, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in order:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], order[other])
        if low[node] == order[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__") and name not in NAMEDTUPLE_API


def private_definitions(tree: ast.Module) -> set[str]:
    """The `_private` names a module defines: functions, classes, methods, module variables, `self._x`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return {name for name in names if is_private(name)}


def reaches_into(importer: str, path: str, files: dict[str, Path]) -> bool:
    """Whether importing dotted `path` uses a `_private` name: one that is not a private submodule of the
    importer's own package (such as `priorlab.cli._output`, imported by the commands beside it)."""
    parts = path.split(".")
    for i, part in enumerate(parts):
        parent, prefix = ".".join(parts[:i]), ".".join(parts[: i + 1])
        if is_private(part) and not (prefix in files and f"{importer}.".startswith(f"{parent}.")):
            return True
    return False


def private_uses(root: Path) -> list[str]:
    """`file:line name` for each `_private` name used outside the module defining it: imported from a
    package module, or read as an attribute when only other package modules define it (third-party
    privates such as `np._NoValue` are not the package's)."""
    files = modules(root)
    trees = {name: ast.parse(path.read_text()) for name, path in files.items()}
    defined = {name: private_definitions(tree) for name, tree in trees.items()}
    uses = []
    for name, tree in trees.items():
        elsewhere = set().union(*(names for other, names in defined.items() if other != name)) - defined[name]
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for module, item in imported(name, files[name], node):
                    path = module if item is None else f"{module}.{item}"
                    if path.split(".")[0] in files and reaches_into(name, path, files):
                        uses.append((files[name].relative_to(root), node.lineno, path))
            elif isinstance(node, ast.Attribute) and is_private(node.attr) and node.attr in elsewhere:
                uses.append((files[name].relative_to(root), node.lineno, f".{node.attr}"))
    return [f"{path}:{line} {what}" for path, line, what in sorted(uses)]


def function_lengths(path: Path) -> dict[str, tuple[int, int]]:
    """Qualified name -> (first line, lines) of every function in `path`, its decorators not counted."""
    lengths = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if not isinstance(child, ast.ClassDef):
                    lengths[prefix + child.name] = (child.lineno, child.end_lineno - child.lineno + 1)
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(path.read_text()), "")
    return lengths


def long_functions(paths: list[Path], limit: int, root: Path = SRC) -> list[str]:
    """`file:line name (N lines)` for each function of `paths` longer than `limit` lines."""
    return [f"{path.relative_to(root)}:{line} {name} ({lines} lines)" for path in paths
            for name, (line, lines) in function_lengths(path).items() if lines > limit]


def face_files() -> list[Path]:
    missing = [face for face in FACES if not (PACKAGE / face).exists()]
    assert not missing, f"the faces moved: update FACES ({', '.join(missing)} not found)"
    paths = [PACKAGE / face for face in FACES]
    return sorted(file for path in paths for file in ([path] if path.is_file() else path.rglob("*.py")))


def test_priorlab_has_no_import_cycles():
    graph = import_graph(SRC)
    assert "priorlab.priors.ensemble" in graph and graph["priorlab.priors.io"]
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(cycle) for cycle in found)


def test_benford_and_priors_never_import_each_other():
    graph = import_graph(SRC)
    for name, targets in graph.items():
        for side, other in (("priorlab.benford", "priorlab.priors"), ("priorlab.priors", "priorlab.benford")):
            if name.startswith(side):
                assert not any(t.startswith(other) for t in targets), (name, targets)


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_checker_finds_a_cycle_through_a_package(tmp_path):
    write_package(tmp_path, {"pkg/__init__.py": "from pkg.a import A\n",
                             "pkg/a.py": "from pkg import b, c\nA = 1\n", "pkg/b.py": "import pkg.a\n",
                             "pkg/c.py": "def f():\n    from pkg import a\n",  # lazy, yet a circle with a
                             "pkg/d.py": "from pkg import a\n"})
    assert cycles(import_graph(tmp_path)) == [["pkg", "pkg.a", "pkg.b", "pkg.c"]]


def test_the_checker_counts_imports_in_type_checking_blocks_methods_and_relative_imports(tmp_path):
    write_package(tmp_path, {
        "pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "def f():\n    from .a import g\n",
        "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.d import D\n",
        "pkg/d.py": "class D:\n    def m(self):\n        import pkg.c\n"})
    assert cycles(import_graph(tmp_path)) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]


def test_no_module_uses_another_modules_private_names():
    uses = private_uses(SRC)
    assert not uses, "another module's private names used at:\n" + "\n".join(uses)


def test_the_checker_finds_private_names_used_across_modules(tmp_path):
    write_package(tmp_path, {
        "pkg/__init__.py": "", "pkg/_impl.py": "def helper(): ...\n",
        "pkg/a.py": "class A:\n    def __init__(self):\n        self._x = 1\n    def _m(self): ...\n"
                    "def _f(): ...\n",
        "pkg/b.py": "from pkg.a import _f\nfrom pkg import _impl\nimport numpy as np\n"  # _impl: its own package's
                    "def g(a, r):\n    return a._x, a._m(), np._NoValue, r._replace(x=1)\n",
        "pkg/c.py": "class C:\n    def __init__(self):\n        self._x = 2\n    def y(self, a):\n"
                    "        return a._x\n",  # `_x` is also c's own: not a use of a's private
        "other/d.py": "from pkg._impl import helper\n"})
    assert private_uses(tmp_path) == ["other/d.py:1 pkg._impl.helper", "pkg/b.py:1 pkg.a._f", "pkg/b.py:5 ._m",
                                      "pkg/b.py:5 ._x"]


def test_faces_have_no_function_over_sixty_lines():
    offenders = long_functions(face_files(), FACE_FUNCTION_LINES)
    assert not offenders, f"over {FACE_FUNCTION_LINES} lines:\n" + "\n".join(offenders)


def test_commands_have_no_function_over_fifty_lines():
    from priorlab.cli import COMMANDS

    offenders = []
    for command in COMMANDS.values():
        function = inspect.unwrap(command)
        path = Path(inspect.getsourcefile(function))
        first, lines = function_lengths(path)[function.__qualname__]
        if lines > COMMAND_LINES:
            offenders.append(f"{path.relative_to(SRC)}:{first} {function.__qualname__} ({lines} lines)")
    assert not offenders, f"over {COMMAND_LINES} lines:\n" + "\n".join(offenders)


def test_the_checker_measures_functions_without_their_decorators(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(59))
    method = body.replace("    ", "        ") + "        def inner():\n            pass\n"
    write_package(tmp_path, {"m.py": f"@decorator\n@other\ndef f():\n{body}\nclass K:\n    def g(self):\n{method}"})
    assert function_lengths(tmp_path / "m.py") == {"f": (3, 60), "K.g": (65, 62), "K.g.inner": (125, 2)}
    assert long_functions([tmp_path / "m.py"], 60, tmp_path) == ["m.py:65 K.g (62 lines)"]
