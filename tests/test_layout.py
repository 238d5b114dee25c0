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
