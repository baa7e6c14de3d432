"""The shape of ``publishing``: dependencies run one way, with no cycles and no hidden ones.

Layers, from the bottom: the content checks (plain Python), small shared helpers, the models, the
rule engine, and the doors above it (editor, workflow, reports, dashboard, notifications, ...).
A module imports at load time only from its own layer or lower ones. An import written inside a
function is allowed only where Django or Wagtail need it late, and says why with ``# late:`` on
its line or the line above; the tests read the source, so they fail on a new cycle or a new
hidden import before anything runs.
"""

import ast
import unittest
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "publishing"

#: Modules of the helpers layer: used by the models and everything above them.
HELPERS = {
    "publishing.conf",
    "publishing.wording",
    "publishing.after_commit",
    "publishing.page_locks",
    "publishing.visible_text",
    "publishing.audit",
    "publishing.memo",
    "publishing.fingerprint",
    "publishing.slugs",
    "publishing.field_panels",
}


def layer(module):
    """0 content checks, 1 helpers, 2 models, 3 rule engine, 4 doors."""
    if module == "publishing.content_checks" or module.startswith("publishing.content_checks."):
        return 0
    if module in HELPERS:
        return 1
    if module == "publishing.models" or module.startswith("publishing.models."):
        return 2
    if module == "publishing.rules" or module.startswith("publishing.rules."):
        return 3
    return 4


def modules():
    """``{dotted name: path}`` of every module of the package (migrations aside)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = modules()


def _target(name):
    """The package module an imported name lives in (``publishing.models.pages`` for
    ``publishing.models.pages.GovernedPage``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def imports(path):
    """``(target module, line, inside a function, source lines)`` of every import of the
    package in ``path``; imports under ``if TYPE_CHECKING`` are left out."""
    source = path.read_text()
    lines = source.splitlines()
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            names = []
            if isinstance(child, ast.ImportFrom) and (child.module or "").startswith("publishing"):
                names = [f"{child.module}.{alias.name}" for alias in child.names]
            elif isinstance(child, ast.Import):
                names = [a.name for a in child.names if a.name.startswith("publishing")]
            for name in names:
                target = _target(name)
                if target:
                    found.append((target, child.lineno, in_function, lines))
            visit(child, inside)

    visit(ast.parse(source), False)
    return found


def load_time_graph():
    """``{module: {modules it imports when it is loaded}}``."""
    graph = {}
    for module, path in MODULES.items():
        graph[module] = {
            target for target, _line, late, _lines in imports(path) if not late and target != module
        }
    return graph


def cycles(graph):
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


class ArchitectureTest(unittest.TestCase):
    def test_no_import_cycles(self):
        self.assertEqual(cycles(load_time_graph()), [])

    def test_a_package_face_is_not_part_of_a_cycle(self):
        # A rule module imports from ``rules.engine``, never from ``publishing.rules`` itself,
        # which imports the rule modules to register them.
        for module, targets in load_time_graph().items():
            parent = module.rpartition(".")[0]
            if (
                parent
                and module != parent
                and parent in MODULES
                and MODULES[module].name != ("__init__.py")
            ):
                with self.subTest(module=module):
                    self.assertNotIn(parent, targets)

    def test_dependencies_run_downwards(self):
        upward = [
            f"{module} imports {target}"
            for module, targets in load_time_graph().items()
            for target in targets
            if layer(target) > layer(module)
        ]
        self.assertEqual(upward, [])

    def test_late_imports_say_why(self):
        # Any import inside a function, of ours or of Django's and Wagtail's: at the top of the
        # module unless something needs it late, and then it says what.
        unexplained = []
        for path in MODULES.values():
            source = path.read_text()
            lines = source.splitlines()
            for function in ast.walk(ast.parse(source)):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if not isinstance(node, ast.Import | ast.ImportFrom):
                        continue
                    here = lines[node.lineno - 1]
                    above = lines[node.lineno - 2] if node.lineno > 1 else ""
                    if "# late:" in here or "# late:" in above or _ready(path, node.lineno):
                        continue
                    unexplained.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
        self.assertEqual(sorted(set(unexplained)), [])

    def test_content_checks_are_plain_python(self):
        for module, path in MODULES.items():
            if layer(module) != 0:
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                for name in names:
                    with self.subTest(module=module, name=name):
                        self.assertFalse(name.split(".")[0] in {"django", "wagtail"})
                        self.assertFalse(name.startswith("publishing.") and layer(name) > 0)

    def test_the_extension_never_imports_the_site(self):
        for module, path in MODULES.items():
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom | ast.Import):
                    names = (
                        [node.module or ""]
                        if isinstance(node, ast.ImportFrom)
                        else [a.name for a in node.names]
                    )
                    for name in names:
                        with self.subTest(module=module):
                            self.assertNotIn(name.split(".")[0], {"home", "config", "tests"})


def _ready(path, line):
    """Whether ``line`` is inside an ``AppConfig.ready`` (Django loads apps' modules there)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef)
            and node.name == "ready"
            and node.lineno <= line <= node.end_lineno
        ):
            return True
    return False
