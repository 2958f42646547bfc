"""The package's import graph has no cycles (module-level imports; `TYPE_CHECKING` blocks and imports
inside functions, which load lazily, are not edges), and the checker itself finds a cycle when there is one."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module name -> the package modules it imports at module level."""
    files = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
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


def test_priorlab_has_no_import_cycles():
    graph = import_graph(SRC)
    assert "priorlab.priors.ensemble" in graph and graph["priorlab.priors.io"]
    assert cycles(graph) == []


def test_benford_and_priors_never_import_each_other():
    graph = import_graph(SRC)
    for name, targets in graph.items():
        for side, other in (("priorlab.benford", "priorlab.priors"), ("priorlab.priors", "priorlab.benford")):
            if name.startswith(side):
                assert not any(t.startswith(other) for t in targets), (name, targets)


def test_the_checker_finds_a_cycle_through_a_package(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.a import A\n")
    (package / "a.py").write_text("from pkg import b\nA = 1\n")
    (package / "b.py").write_text("import pkg.a\n")
    (package / "c.py").write_text("def f():\n    from pkg import a\n")  # lazy: not an edge
    assert cycles(import_graph(tmp_path)) == [["pkg", "pkg.a", "pkg.b"]]
