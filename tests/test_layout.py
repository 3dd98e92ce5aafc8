"""The package's import graph has no cycle, function-level imports included (issue 22): each
module can be read knowing only the modules it imports."""

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent / "ganet"


def _module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exists(name):
    path = ROOT.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path):
    """The ganet modules a file imports anywhere in it (resolving relative imports)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "ganet"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "ganet":
                continue
            subs = [f"{base}.{a.name}" for a in node.names if _exists(f"{base}.{a.name}")]
            out |= set(subs) if subs and len(subs) == len(node.names) else {base} | set(subs)
    out.discard(name)
    return out


def _graph():
    return {_module_name(p): _imports(p) for p in ROOT.rglob("*.py")}


def _cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    assert "ganet.persistence" in graph and graph["ganet.persistence"]  # (the walk sees the imports)
    assert _cycle(graph) is None, " → ".join(_cycle(graph))


def test_persistence_names_no_estimator():
    source = (ROOT / "persistence.py").read_text()
    for name in ("ConvexReLU", "ArrangementReLU", "DeepNarrowAbs", "ThreeLayerReLU", "_SampledLifted"):
        assert name not in source
