"""SIGKILL the client while it uploads stock (3503 receipt, 3502 write-off, 3504 return to the supplier, 3501
count) and the sale and return of the counted boxes (3505, 3506), restart it, and check that each document reached
the centre exactly once: one
stock document of each kind, one sale upload per box and each box returned once, the centre's stock of the batch
equal to the ledger's, no item left pending (the same msgid answers the first answer)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.test_sync_kill import Driver
from tests.sync.fixtures import (  # noqa: F401 - fixtures
    pg_template,
    sqlite_template,
    start_centre,
    sync_key,
)
from tests.sync.helpers import PH1

CASES = [("3503", "before_send"), ("3503", "after_send"), ("3503", "after_reply"), ("3502", "after_send"),
         ("3504", "after_send"), ("3501", "after_reply"), ("3505", "after_send"), ("3506", "after_reply")]


def _centre(centre, sql: str, **params) -> list[tuple]:
    engine = create_engine(centre.db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params).all()]
    finally:
        engine.dispose()


def _kill_stock_uploads(centre, tmp_path, key) -> None:
    drv = Driver(tmp_path / "stock_terminal", key, centre.url, centre.secrets[PH1], terminal_no=5)
    for n, (infno, point) in enumerate(CASES):
        person = 70 + n
        args = ["stock", "--person", str(person), "--boxes", "5", "--write-off", "1", "--back", "1", "--count",
                "--sell", "--drain"]
        kill = {"kill_at": point, "kill_infno": infno, "expect_killed": True}
        events = drv.run(*args, *(["--catalogue"] if n == 0 else []), **(kill if infno != "3506" else {}))
        (made,) = drv.events("stock", events)
        drv.run("drain")  # recovery first (same msgids), then the rest
        drv.run("return", "--sale", made["sale_id"], "--drain", **(kill if infno == "3506" else {}))
        if infno == "3506":
            drv.run("drain")
        docs = _centre(centre, "SELECT infno, COUNT(*) FROM centre_stock_doc WHERE fixmedins_code = :c "
                               "AND fixmedins_bchno = :b AND deleted_at IS NULL GROUP BY infno",
                       c=PH1, b=made["bchno"])
        assert dict(docs) == {"3501": 1, "3502": 1, "3503": 1, "3504": 1}, (infno, point, docs)
        (qty,) = _centre(centre, "SELECT qty FROM centre_stock_level WHERE fixmedins_code = :c AND fixmedins_bchno = :b",
                         c=PH1, b=made["bchno"])[0]
        assert int(qty) == 3, (infno, point, qty)  # 5 received, 1 written off, 1 sent back, 3 sold and returned
        sold = _centre(centre, "SELECT code, returned_at FROM centre_trace_upload WHERE fixmedins_code = :c "
                               "AND code IN (:a, :b, :d)", c=PH1, a=made["codes"][0], b=made["codes"][1],
                       d=made["codes"][2])
        assert sorted(code for code, _ in sold) == sorted(made["codes"][:3]), (infno, point, sold)
        assert all(back for _, back in sold), (infno, point, sold)
        states = dict(_centre(centre, "SELECT code, state FROM centre_stock_code WHERE fixmedins_code = :c "
                                      "AND fixmedins_bchno = :b", c=PH1, b=made["bchno"]))
        assert states == {**{c: "in_stock" for c in made["codes"][:3]}, made["codes"][3]: "supplier_returned",
                          made["codes"][4]: "written_off"}, states
        dump = drv.dump()
        assert not [o for o in dump["outbox"] if o["status"] != "done"], (infno, point, dump["outbox"])
        assert dump["journal_ok"]


@pytest.mark.slow
def test_sigkill_while_uploading_stock_sqlite(sqlite_template, tmp_path, sync_key):  # noqa: F811
    centre = start_centre(sqlite_template, tmp_path)
    try:
        _kill_stock_uploads(centre, tmp_path, sync_key)
    finally:
        centre.process.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkill_while_uploading_stock_postgres(pg_template, tmp_path, sync_key):  # noqa: F811
    centre = start_centre(pg_template, tmp_path)
    try:
        _kill_stock_uploads(centre, tmp_path, sync_key)
    finally:
        centre.process.close()
