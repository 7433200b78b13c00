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
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


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
