"""Migration c0102 (centre_sv_settlement_drug): a centre that already folded settlements before it gets their
drug rows copied in from the folded lines, so the drug page lists them without a re-fold."""
from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from server.db import MIGRATIONS, open_centre
from server.supervision.models import sv_settlement, sv_settlement_drug


def _cfg(conn) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = conn
    return cfg


def test_c0102_copies_the_drugs_of_settlements_already_folded(tmp_path):
    engine = open_centre(f"sqlite:///{tmp_path / 'centre.db'}")
    try:
        folded = [("S1", "2026-12-01 09:00:00", [["D01", 2000, 2, 56, 56], ["D03", 500, 0, 14, 14]], False),
                  ("S2", "2026-12-02 10:00:00", [["D01", 1000, 1, 28, 28]], True),  # reversed: copied, and the
                  ("S3", "2026-12-03 11:00:00", [], False)]                         # list reads reversed from S2
        with engine.connect() as conn:
            command.downgrade(_cfg(conn), "c0303")  # as a centre was before this revision
            conn.commit()
            conn.execute(sv_settlement.insert(), [
                {"setl_id": s, "at": at, "facility_code": "P1", "person_no": "T0001", "scheme": "LB",
                 "lines": json.dumps(lines), "reversed": rev} for s, at, lines, rev in folded])
            conn.commit()
            command.upgrade(_cfg(conn), "head")
            conn.commit()
            rows = sorted(tuple(r) for r in conn.execute(select(sv_settlement_drug)))
        assert rows == [("D01", "2026-12-01 09:00:00", "S1", 2000), ("D01", "2026-12-02 10:00:00", "S2", 1000),
                        ("D03", "2026-12-01 09:00:00", "S1", 500)]
    finally:
        engine.dispose()
