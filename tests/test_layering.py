"""The dependency directions of docs/architecture, checked on every import statement of the source (module level
and inside functions alike), the way import-linter's forbidden contracts are: a new import across a line fails
here with the file, the line and the rule."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
QT = ("PySide6", "shiboken6")
HTTP = ("requests", "httpx", "urllib3", "fastapi", "starlette", "uvicorn")
BELOW_SERVICES = ("core.codes", "core.domain", "core.policy", "core.audit", "core.store", "core.sync", "core.settings",
                  "core.i18n")

# (name, files the rule covers, forbidden module prefixes, files excused with the reason)
CONTRACTS = [
    ("core has no Qt and no outer layer", "core", QT + ("desktop", "hardware", "server", "onewindow"), {}),
    ("core has no HTTP outside the gateway's transport", "core", HTTP, {
        "core/sync/transport.py": "the one gateway's HTTP transport",
        "core/sync/killpoints.py": "fault-injection kill points hook the transport's connection (tests only)",
        "core/services/kiosk_link.py": "probe() catches requests' exception: moves behind the gateway with issue 14",
        "core/care/notify.py": "HttpSms, an SMS gateway adapter: belongs outside core (an adapter beside server/)",
    }),
    ("audit never imports the store or sync", "core/audit", ("core.store", "core.sync", "sqlalchemy"), {}),
    ("nothing below core.services imports it", BELOW_SERVICES, ("core.services",), {
        "core/sync/driver.py": "a command-line harness for the fault-injection tests, not a library module",
    }),
    ("desktop never touches the store, sync, SQL or HTTP directly", "desktop",
     ("core.store", "core.sync", "sqlalchemy") + HTTP, {}),
    ("the centre never imports desktop or hardware", "server", QT + ("desktop", "hardware", "onewindow.root"), {}),
    ("hardware never imports desktop or the centre", "hardware", ("desktop", "server", "onewindow"), {}),
]


def _files(roots) -> list[Path]:
    roots = (roots,) if isinstance(roots, str) else roots
    return sorted(p for root in roots for p in (REPO / root.replace(".", "/")).rglob("*.py")
                  if "migrations" not in p.parts)


def _imports(path: Path):
    """Every module `path` imports: `import a.b`, `from a.b import c` (also relative, resolved against the file's
    package), and importlib.import_module / __import__ of a literal name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = path.relative_to(REPO).with_suffix("").parts
    package = package if package[-1] == "__init__" else package[:-1]
    package = package[:-1] if package and package[-1] == "__init__" else package
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module:
                yield node.lineno, module
            else:  # `from . import x`: the modules x
                for alias in node.names:
                    yield node.lineno, f"{module}.{alias.name}"
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str) and (
                  isinstance(node.func, ast.Attribute) and node.func.attr == "import_module"
                  or isinstance(node.func, ast.Name) and node.func.id in ("__import__", "import_module"))):
            yield node.lineno, node.args[0].value


def _hits(module: str, forbidden) -> bool:
    return any(module == f or module.startswith(f + ".") for f in forbidden)


def violations(roots, forbidden, excused) -> list[str]:
    out = []
    for path in _files(roots):
        rel = path.relative_to(REPO).as_posix()
        if rel in excused:
            continue
        out += [f"{rel}:{line}: imports {module}" for line, module in _imports(path) if _hits(module, forbidden)]
    return out


@pytest.mark.parametrize("name, roots, forbidden, excused", CONTRACTS, ids=[c[0] for c in CONTRACTS])
def test_contract(name, roots, forbidden, excused):
    for rel in excused:
        assert (REPO / rel).exists(), f"excused file {rel} is gone: drop the excuse"
    assert violations(roots, forbidden, excused) == [], name


def test_a_planted_violation_is_found(tmp_path, monkeypatch):
    planted = REPO / "core" / "audit" / "_planted_violation.py"
    planted.write_text("def f():\n    from core.store.db import open_store\n", encoding="utf-8")
    try:
        found = violations("core/audit", ("core.store",), {})
    finally:
        planted.unlink()
    assert found == ["core/audit/_planted_violation.py:2: imports core.store.db"]


@pytest.mark.parametrize("source, module", [
    ("from ..store import db\n", "core.store"),                 # relative, from core/audit/
    ("from ..store.db import open_store\n", "core.store.db"),
    ("from .. import sync\n", "core.sync"),
    ("import importlib\nimportlib.import_module('core.store.db')\n", "core.store.db"),
    ("__import__('core.sync.terminal')\n", "core.sync.terminal"),
])
def test_relative_and_dynamic_imports_are_found(source, module):
    planted = REPO / "core" / "audit" / "_planted_violation.py"
    planted.write_text(source, encoding="utf-8")
    try:
        found = violations("core/audit", ("core.store", "core.sync"), {})
    finally:
        planted.unlink()
    assert found and found[0].endswith(f"imports {module}"), found
