"""Stored answers past their retention period (#15 item 3), on SQLite and PostgreSQL: the next sign-in (9001)
reduces them to what idempotency needs — the outcome and the settlement id, no name, no ID number, no amounts per
line — still sealed; a repeated msgid gets that reduced answer (the same outcome and setl_id), and a newer answer
is kept whole, replayed byte for byte."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update

from server.idempotency import ANSWER, ANSWER_RETENTION_DAYS
from server.models import message
from server.sealed import PREFIX, REDUCED, open_text
from tests.server.helpers import P01_CERTNO, PH1, settle_input

PERSON = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": P01_CERTNO}}


def _stored(engine, msgid: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(message.c.response).where(message.c.msgid == msgid)).scalar()


def test_old_answers_are_reduced_to_their_outcome_at_the_next_sign_in(client, centre_engine):
    person = client.call("1101", PERSON, PH1)
    sale_input = settle_input("T0001")
    sale = client.call("2102", sale_input, PH1)
    assert person["infcode"] == 0 and sale["infcode"] == 0, (person.get("err_msg"), sale.get("err_msg"))
    setl_id = sale["output"]["setlinfo"]["setl_id"]
    fresh = client.call("1101", PERSON, PH1)  # stays within the period
    for msgid in (person["_msgid"], sale["_msgid"], fresh["_msgid"]):
        assert _stored(centre_engine, msgid).startswith(PREFIX)  # sealed from the start
    old = (dt.datetime.now() - dt.timedelta(days=ANSWER_RETENTION_DAYS + 1)).isoformat(timespec="microseconds")
    with centre_engine.begin() as conn:
        conn.execute(update(message).where(message.c.msgid.in_([person["_msgid"], sale["_msgid"]]))
                     .values(received_at=old))

    client.sign_in(PH1)  # the daily moment: nonces forgotten, old answers reduced
    for msgid in (person["_msgid"], sale["_msgid"]):
        kept = _stored(centre_engine, msgid)
        assert kept.startswith(REDUCED), kept[:10]
        opened = open_text(kept, ANSWER)
        assert P01_CERTNO not in opened and "王某" not in opened and "psn_name" not in opened, opened
    reduced = json.loads(open_text(_stored(centre_engine, sale["_msgid"]), ANSWER))
    assert reduced["infcode"] == 0 and reduced["output"] == {"setlinfo": {"setl_id": setl_id}}
    assert "retention" in reduced["warn_msg"]
    assert _stored(centre_engine, fresh["_msgid"]).startswith(PREFIX)

    again = client.call("2102", sale_input, PH1, msgid=sale["_msgid"])  # the terminal resends: same outcome
    assert again["infcode"] == 0 and again["output"]["setlinfo"]["setl_id"] == setl_id
    whole = client.call("1101", PERSON, PH1, msgid=fresh["_msgid"])
    assert whole["output"] == fresh["output"]  # a newer answer, whole
