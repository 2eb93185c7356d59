"""The shape of boards/: no module needs itself back through others, and the store only persists.

Read from the source (every import, at the top or inside a function), not from what Python has
loaded, so an import put inside a function to dodge a cycle counts as the cycle it is.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOARDS = Path(__file__).resolve().parents[2] / "boards"


def module_name(path: Path) -> str:
    parts = path.relative_to(BOARDS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in BOARDS.rglob("*.py")}


def imported(name: str) -> set[str]:
    """The modules of boards/ that module `name` imports."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            # `from boards import store` names a module; `from boards.store import apply_ops` does not.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: imported(name) for name in MODULES}


def reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in GRAPH[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def test_the_graph_is_read_from_the_real_modules():
    assert "boards.store" in MODULES and "boards.live.room" in MODULES
    assert "boards.models" in GRAPH["boards.store"]


def test_no_module_in_boards_imports_itself_back_through_others():
    cycles = {name: sorted(via for via in GRAPH[name] if name in reachable(via)) for name in MODULES}
    assert {name: via for name, via in cycles.items() if via} == {}


def test_the_store_imports_nothing_from_the_live_layer_not_even_through_another_module():
    live = sorted(name for name in reachable("boards.store") if name.startswith("boards.live"))
    assert live == []
