"""The shape of the code (issue 19): the base layer imports no app."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("participants", "programs", "tracking")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (functions included)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_planpromo_imports_no_app():
    """planpromo/ is the base layer: outside settings.py and the root urls.py it imports none of the apps (they
    are included by name, as `include("tracking.urls")`)."""
    offenders = {}
    for path in sorted((ROOT / "planpromo").rglob("*.py")):
        if path.relative_to(ROOT).as_posix() in ("planpromo/settings.py", "planpromo/urls.py"):
            continue
        apps = {module for module in imported_modules(path) if module.split(".")[0] in APPS}
        if apps:
            offenders[path.relative_to(ROOT).as_posix()] = sorted(apps)
    assert offenders == {}


def app_modules():
    """The apps" Python files, migrations aside."""
    for top in APPS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_is_over_400_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in app_modules() if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


def test_no_function_is_over_50_lines():
    """A function longer than a screen does several things: split it (issue 19)."""
    long = {}
    for path in app_modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if node.end_lineno - start + 1 > 50:
                    long[f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name}"] = node.end_lineno - start + 1
    assert long == {}
