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

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ROOT / "core" / "services"
PLATFORM = set(DEFAULT_INFNO.values())


def test_no_platform_transaction_number_is_a_literal_in_the_shell_services():
    """Every service and screen (core/services/**, desktop/**) names the platform's transactions by use; only the
    tables (core/sync/config.py, the kiosk's defaults) and the gateway hold the numbers."""
    found = []
    files = sorted([*SERVICES.rglob("*.py"), *(ROOT / "desktop").rglob("*.py")])
    assert len(files) > 50
    for path in files:
        name = path.relative_to(ROOT)
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for num in re.findall(r'(?:call\(|infno=|infno\(|link\.call\(|\.call\()"(\d{4})"', line):
                if num in PLATFORM:
                    found.append(f"{name}:{no}: {num}")
    assert found == []


def test_the_kiosk_takes_the_interface_profiles_numbers(tmp_path):
    """A province numbering 1101 differently (the interface profile's infno) reaches the kiosk as it reaches the
    desk; the site's own number wins over both."""
    import json

    from core.gateway.profiles import load_profile, profiles_dir
    from core.services.kiosk import KioskConfig
    from core.sync.config import CentreConfig, SyncConfig, TerminalConfig

    data = json.loads((profiles_dir() / "hubei.json").read_text(encoding="utf-8"))
    data["infno"] = {"person": "1101A", "drug_history": "5205A"}
    path = tmp_path / "province.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    load_profile.cache_clear()
    kiosk = KioskConfig(interface_profile=str(path))
    assert (kiosk.numbers["person"], kiosk.numbers["drug_history"], kiosk.numbers["registrations"]) == (
        "1101A", "5205A", "5301")
    desk = SyncConfig(TerminalConfig(institution_code="P1"), CentreConfig(interface_profile=str(path)))
    assert {k: kiosk.numbers[k] for k in ("person", "drug_history")} == {k: desk.infno[k] for k in ("person", "drug_history")}
    assert KioskConfig(interface_profile=str(path), infno={"person": "1191"}).numbers["person"] == "1191"
    assert KioskConfig().numbers["person"] == "1101"


def test_the_counter_uses_the_configured_numbers(tmp_path):
    link = FakeLink({"1191": PERSON_1101, "5391": REGS_5301, "2514": {"applications": []}})
    link.t = SimpleNamespace(config=SimpleNamespace(infno={"person": "1191", "registrations": "5391"}))
    CounterService(link, forms_dir=tmp_path).identify("420702195603021233")
    assert link.calls[:2] == ["1191", "5391"]
