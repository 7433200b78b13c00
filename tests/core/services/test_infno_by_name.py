"""Platform transaction numbers are resolved by name (configuration/profile), never written as literals in the
desk, kiosk and counter services: a province numbering 1162 or the 72xx e-prescription calls differently only
changes the table."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from core.services.registration import CounterService
from core.sync.config import DEFAULT_INFNO
from tests.core.services.test_counter_identify import PERSON_1101, REGS_5301, FakeLink

SERVICES = Path(__file__).resolve().parents[3] / "core" / "services"
PLATFORM = set(DEFAULT_INFNO.values())


def test_no_platform_transaction_number_is_a_literal_in_the_shell_services():
    found = []
    files = [SERVICES / "kiosk.py", SERVICES / "registration.py", *sorted((SERVICES / "desk").glob("*.py"))]
    assert len(files) > 5
    for path in files:
        name = path.relative_to(SERVICES)
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for num in re.findall(r'(?:call\(|infno=)"(\d{4})"', line):
                if num in PLATFORM:
                    found.append(f"{name}:{no}: {num}")
    assert found == []


def test_the_counter_uses_the_configured_numbers(tmp_path):
    link = FakeLink({"1191": PERSON_1101, "5391": REGS_5301, "2514": {"applications": []}})
    link.t = SimpleNamespace(config=SimpleNamespace(infno={"person": "1191", "registrations": "5391"}))
    CounterService(link, forms_dir=tmp_path).identify("420702195603021233")
    assert link.calls[:2] == ["1191", "5391"]
