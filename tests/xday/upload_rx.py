"""Another e-prescription for a demo patient, uploaded by the demo hospital to a running centre (the day under
X needs two for 王某: the second becomes an early refill once the first is dispensed, and the desk's audit blocks
it, DUP-001). Run as a script, with the demo's ONEWINDOW_HOME (its data key opens the stored secrets):

    python tests/xday/upload_rx.py DEMO_HOME CENTRE_URL PERSON_NO     -> prints the hi_rxno
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path


def upload(home: Path, centre_url: str, person_no: str) -> str:
    from core.services.pharmacy_demo import PATIENTS, rx_payload
    from core.services.sync_link import TerminalCentreLink
    from core.store.paths import sqlite_url
    from onewindow.commands.demo import H3, prepare

    engine, secrets, config = prepare(home)  # idempotent: the seeded world is only read again
    engine.dispose()
    _psn, _certno, _label, lines, med_type, diag = next(p for p in PATIENTS if p[0] == person_no)
    # the demo hospital's own terminal store (its message ids carry on from the demo's uploads)
    hospital = TerminalCentreLink.for_desk(replace(config, institution=H3, institution_name="市中心医院",
                                                   secret=secrets[H3], server_url=centre_url,
                                                   store_url=sqlite_url(home / "hospital.db")))
    try:
        answer = hospital.call("7101", rx_payload(person_no, lines, med_type, diag))
    finally:
        hospital.close()
    return answer["data"]["hi_rxno"]


if __name__ == "__main__":
    print(upload(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
