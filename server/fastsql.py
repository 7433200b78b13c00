"""The settlement hot path's statements, run on PostgreSQL through the driver directly.

Each statement exists twice, on purpose: a SQLAlchemy Core construct (portable; used on SQLite, and the
reference for what the statement means) and the same statement as PostgreSQL text run on the request's
psycopg connection inside the same transaction. Measured on the 2-core box: building + running a Core
statement costs ~200 µs of Python per call, a prebuilt one ~80 µs, the driver directly ~30 µs — and a
settlement runs about 13 of them. Both forms are exercised by every centre test (SQLite and PostgreSQL).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

# name -> PostgreSQL text with %(param)s placeholders (psycopg), same columns in the same order as the
# Core statement of that name.
PG: dict[str, str] = {
    "uploads": (
        "SELECT code, sold_at, units, split, fixmedins_code FROM centre_trace_upload WHERE code = ANY(%(codes)s) "
        "AND setl_id IS NULL AND returned_at IS NULL"
    ),
    "person": (
        "SELECT p.person_no, p.name, p.sex, p.birth_date, p.insurance_type, p.status, p.death_date, p.id_number_enc, "
        "p.profile_id, r.scheme, r.disease, r.begin_date, r.end_date, r.designated_facilities FROM person p "
        "LEFT OUTER JOIN registration r ON r.person_no = p.person_no WHERE p.{column} = %(key)s ORDER BY r.id"
    ),
    "nonce_and_message": (
        "WITH n AS (INSERT INTO centre_nonce (fixmedins_code, nonce, ts) VALUES (%(c)s, %(n)s, %(ts)s) "
        "ON CONFLICT DO NOTHING RETURNING 1) "
        "SELECT (SELECT count(*) FROM n), m.infno, m.digest, m.response FROM (SELECT 1) AS one "
        "LEFT OUTER JOIN centre_message m ON m.fixmedins_code = %(c)s AND m.msgid = %(m)s"
    ),
    "message_lookup": "SELECT infno, digest, response FROM centre_message WHERE fixmedins_code = %(code)s AND msgid = %(msgid)s",
    "message_store": (
        "INSERT INTO centre_message (fixmedins_code, msgid, infno, digest, infcode, response, received_at) "
        "VALUES (%(c)s, %(m)s, %(i)s, %(d)s, %(ic)s, %(r)s, %(at)s) ON CONFLICT DO NOTHING RETURNING msgid"
    ),
    "journal_last": "SELECT seq, hash FROM centre_journal ORDER BY seq DESC LIMIT 1",
    "journal_insert": (
        "INSERT INTO centre_journal (seq, at, kind, fixmedins_code, msgid, payload, prev_hash, hash) "
        "VALUES (%(seq)s, %(at)s, %(kind)s, %(fixmedins_code)s, %(msgid)s, %(payload)s, %(prev_hash)s, %(hash)s)"
    ),
    "settlement_insert": (
        "INSERT INTO settlement (settlement_id, person_no, date, time, facility_code, city, scheme, period, total, fund, "
        "personal, deductible_applied, expense_counted, reversed_on, status, created_at) VALUES (%(settlement_id)s, "
        "%(person_no)s, %(date)s, %(time)s, %(facility_code)s, %(city)s, %(scheme)s, %(period)s, %(total)s, %(fund)s, "
        "%(personal)s, %(deductible_applied)s, %(expense_counted)s, %(reversed_on)s, %(status)s, %(created_at)s)"
    ),
    "dispense_insert": (
        "INSERT INTO dispense (person_no, settlement_id, date, time, facility_code, drug_key, chain_key, days) VALUES "
        "(%(person_no)s, %(settlement_id)s, %(date)s, %(time)s, %(facility_code)s, %(drug_key)s, %(chain_key)s, %(days)s)"
    ),
    "trace_insert": (
        "INSERT INTO trace_sale (code, settlement_id, line, drug_key, date, units, split, facility_code) VALUES "
        "(%(code)s, %(settlement_id)s, %(line)s, %(drug_key)s, %(date)s, %(units)s, %(split)s, %(facility_code)s)"
    ),
}


def is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _cursor(conn: Connection):
    return conn.connection.driver_connection.cursor()


def fetch(conn: Connection, name: str, params: dict[str, Any], **fmt: str) -> list[tuple]:
    sql = PG[name].format(**fmt) if fmt else PG[name]
    with _cursor(conn) as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def run(conn: Connection, name: str, params: dict[str, Any] | list[dict[str, Any]]) -> None:
    with _cursor(conn) as cur:
        if isinstance(params, list):
            cur.executemany(PG[name], params)
        else:
            cur.execute(PG[name], params)
