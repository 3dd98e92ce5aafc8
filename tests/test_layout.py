"""The layout shows the design (issue 22): the import graph has no cycle, function-level imports
included, no private name crosses a package, and the README lists the tree as it is. Each
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


def _absolute(node, package):
    """The module a ``from … import`` statement in ``package`` reads from, relative ones resolved."""
    base = node.module or ""
    if not node.level:
        return base
    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join(anchor + ([base] if base else []))


def _imports(path):
    """The ganet modules a file imports anywhere in it (resolving relative imports)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "ganet"}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
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


def _package(module):
    """The package a module belongs to (a package's ``__init__`` belongs to itself)."""
    path = ROOT.parent.joinpath(*module.split("."))
    return module if (path / "__init__.py").is_file() else module.rsplit(".", 1)[0]


def _private_imports(name, source):
    """What module ``name`` (with this source) imports privately from another package: a name
    ``_x`` (function, class or module) anywhere below the package that owns it."""
    package = _package(name)
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        base = _absolute(node, package)
        if base.split(".")[0] != "ganet":
            continue
        for alias in node.names:
            full = f"{base}.{alias.name}"
            owner = _package(full) if _exists(full) else _package(base)
            private = any(part.startswith("_") and not part.startswith("__")
                          for part in full.split(".")[len(owner.split(".")):])
            if private and owner != package:
                found.append(f"{name} imports {full}")
    return found


def test_no_private_name_is_imported_across_packages():
    """What a package keeps private stays inside it (issue 22)."""
    found = [f for path in ROOT.rglob("*.py") for f in _private_imports(_module_name(path), path.read_text())]
    assert found == []


def test_the_private_import_check_sees_a_violation():
    """Planted violations are caught (so an empty list above means something); a package's own
    private names and the generated kernels' public re-export are allowed."""
    probe = "ganet.estimators.probe"
    assert _private_imports(probe, "from ..numeric.geometry._generated import phi\n") == [
        "ganet.estimators.probe imports ganet.numeric.geometry._generated.phi"]
    assert _private_imports(probe, "from ..numeric.oracles import two_layer\nfrom ..numeric.geometry.ga import "
                                   "_rows\n") == ["ganet.estimators.probe imports ganet.numeric.geometry.ga._rows"]
    assert _private_imports(probe, "from .fitted_state import _x\nfrom ..numeric.geometry import phi\n") == []


def _readme_layout():
    """{package folder: its modules} from the README's layout block: a line ``ganet/<folder>/
    description`` followed by one line, indented four spaces, naming the modules."""
    text = (ROOT.parent / "README.md").read_text()
    block = text[text.index("## Layout"):]
    block = block[block.index("```\n") + 4:]
    lines = block[:block.index("```")].splitlines()
    listed = {}
    for header, modules in zip(lines, lines[1:]):
        if header.startswith("ganet/") and modules.startswith("    "):
            listed[header.split()[0]] = modules.split()
    return listed


def test_readme_layout_matches_the_tree():
    tree = {}
    for init in ROOT.rglob("__init__.py"):
        modules = sorted(p.stem for p in init.parent.glob("*.py") if p.name != "__init__.py")
        if modules:
            tree[init.parent.relative_to(ROOT.parent).as_posix() + "/"] = modules
    listed = _readme_layout()
    assert {k: sorted(v) for k, v in listed.items()} == tree
    assert all(len(v) == len(set(v)) for v in listed.values())


def test_the_solvers_name_no_loss():
    """The solvers are driven by the datafit's declared properties (``smooth``, ``labels``, its
    working-set program), never by comparing a loss name; only the registry in datafits.py
    (``make_datafit``) turns a name into a datafit. The arrangement solver too: its exact conic
    subproblems take each loss's cvxpy terms from the datafit (``conic``)."""
    names = {"squared", "logistic", "hinge", "huber"}
    found = []
    solvers = [*(ROOT / "numeric" / "solvers").glob("*.py"), *(ROOT / "numeric" / "arrangement").glob("*.py")]
    assert len(solvers) > 10
    for path in solvers:
        if path.name == "datafits.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                constants = [c for c in [node.left, *node.comparators] if isinstance(c, ast.Constant)]
                constants += [e for c in node.comparators if isinstance(c, (ast.Tuple, ast.List, ast.Set))
                              for e in c.elts if isinstance(e, ast.Constant)]
                if any(c.value in names for c in constants):
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []
