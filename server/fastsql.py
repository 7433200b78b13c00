"""The settlement hot path's statements, run on PostgreSQL through the driver directly.

Each statement exists twice, on purpose: a SQLAlchemy Core construct (portable; used on SQLite, and the
reference for what the statement means) and the same statement as PostgreSQL text run on the request's
psycopg connection inside the same transaction. Measured on the 2-core box: building + running a Core
statement costs ~200 µs of Python per call, a prebuilt one ~80 µs, the driver directly ~30 µs. A few exist
only here, as PostgreSQL's shorter way to the same rows: several rows as arrays (dispense_rows, trace_rows),
the 2102 reads as JSON (history_ahead), the journal entry hashed by the database (journal_append).

A 2102 on PostgreSQL is two round trips (`pipeline`): BEGIN + nonce and msgid check + person and locks +
history; then, after the audit, its writes (`compose`d into one statement) + the stored answer + journal lock +
journal entry + COMMIT. Both backends are exercised by every centre test (SQLite and PostgreSQL).
"""
from __future__ import annotations

import re
from typing import Any

import psycopg
from sqlalchemy import Connection

from server.db import CommitUnknown

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
    # The answer inside the pipelined commit (see `pipeline`): a plain INSERT, so an answer stored first by a
    # concurrent message with the same msgid aborts this transaction (unique violation) instead of committing.
    "message_insert": (
        "INSERT INTO centre_message (fixmedins_code, msgid, infno, digest, infcode, response, received_at) "
        "VALUES (%(c)s, %(m)s, %(i)s, %(d)s, %(ic)s, %(r)s, %(at)s)"
    ),
    # Person, then box codes, in key order (the sorted subquery fixes the order); keys as parameters, so the
    # statement text is always the same (prepared once per connection instead of parsed per settlement).
    "lock_settlement": (
        "SELECT count(pg_advisory_xact_lock(c, k)) FROM (SELECT c, k FROM unnest(%(c)s::int4[], %(k)s::int4[]) "
        "AS v(c, k) ORDER BY c, k OFFSET 0) AS s"
    ),
    # 2102's person query with its locks (lock_settlement) in the same statement; the history reads that follow
    # are separate statements, so their snapshots come after the locks.
    # It also turns sequential scans off for the rest of the transaction (set_config(..., true) = SET LOCAL): every
    # read and foreign-key check of a settlement is an index lookup, and a plan the server caches for a
    # connection while a table is still nearly empty (a new database; no statistics while autovacuum is off)
    # would otherwise scan the whole table on every settlement for the life of the connection — measured on a
    # new database: trace_sale read by a sequential scan, throughput falling as the table grew.
    "person_locked": (
        "WITH cfg AS MATERIALIZED (SELECT set_config('enable_seqscan', 'off', true) AS v), "
        "lk AS MATERIALIZED (SELECT count(pg_advisory_xact_lock(c, k)) AS n FROM (SELECT c, k FROM "
        "unnest(%(c)s::int4[], %(k)s::int4[]) AS v(c, k) ORDER BY c, k OFFSET 0) AS s) "
        "SELECT p.person_no, p.name, p.sex, p.birth_date, p.insurance_type, p.status, p.death_date, p.id_number_enc, "
        "p.profile_id, r.scheme, r.disease, r.begin_date, r.end_date, r.designated_facilities FROM cfg CROSS JOIN lk "
        "CROSS JOIN person p LEFT OUTER JOIN registration r ON r.person_no = p.person_no "
        "WHERE p.person_no = %(key)s AND lk.n >= 0 AND cfg.v IS NOT NULL ORDER BY r.id"
    ),
    # 2102's history, read ahead (server.history.Prefetch) in one statement: core.store.history_sql's
    # settlements / dispenses / trace-sales statements and "uploads", each as a JSON array of its rows in its
    # ORDER BY; dates as YYYY-MM-DD, times and amounts as text (SqlHistory converts text and typed values alike).
    "history_ahead": (
        "SELECT "
        "(SELECT coalesce(json_agg(json_build_array(settlement_id, person_no, to_char(date, 'YYYY-MM-DD'), "
        "facility_code, scheme, fund::text, deductible_applied::text, expense_counted::text, time::text, "
        "to_char(reversed_on, 'YYYY-MM-DD'), city) ORDER BY date, time NULLS FIRST, settlement_id), '[]') "
        "FROM settlement WHERE person_no = %(p)s AND date >= %(since)s AND date <= %(until)s), "
        "(SELECT coalesce(json_agg(json_build_array(person_no, to_char(date, 'YYYY-MM-DD'), facility_code, chain_key, "
        "days, settlement_id, time::text, drug_key) ORDER BY date, time NULLS FIRST, id), '[]') "
        "FROM dispense WHERE person_no = %(p)s AND chain_key = ANY(%(keys)s::text[])), "
        "(SELECT coalesce(json_agg(json_build_array(code, to_char(date, 'YYYY-MM-DD'), units, split, settlement_id, "
        "facility_code) ORDER BY id), '[]') FROM trace_sale WHERE code = ANY(%(codes)s::text[])), "
        "(SELECT coalesce(json_agg(json_build_array(code, sold_at, units, split, fixmedins_code)), '[]') "
        "FROM centre_trace_upload WHERE code = ANY(%(codes)s::text[]) AND setl_id IS NULL AND returned_at IS NULL), "
        # the reversal of every settlement those dispenses and sales belong to (core.store.history_sql's
        # reversed_settlements: the audit asks for the ones older than the settlements read above)
        "(SELECT coalesce(json_agg(json_build_array(settlement_id, to_char(reversed_on, 'YYYY-MM-DD'))), '[]') "
        "FROM settlement WHERE settlement_id IN (SELECT settlement_id FROM dispense WHERE person_no = %(p)s "
        "AND chain_key = ANY(%(keys)s::text[]) UNION SELECT settlement_id FROM trace_sale "
        "WHERE code = ANY(%(codes)s::text[])))"
    ),
    # a person's personal-account balances (server.accounts.balance for each insurance type), read ahead by 2101/2102
    "account_balances": "SELECT insutype, balance FROM centre_account WHERE person_no = %(p)s",
    "journal_lock": "SELECT pg_advisory_xact_lock(3, 0)",
    # One journal entry chained to the newest one, its MAC computed by the database with exactly
    # server.journal.entry_hash's formula: HMAC-SHA256(K, seq|at|kind|code|msgid|payload|prev_hash), hex, as
    # sha256(K^opad || sha256(K^ipad || text)) from the key blocks passed as parameters (server.journal.pg_pads;
    # the key itself is never stored). Run after journal_lock, as a separate statement: its snapshot then sees the
    # previous holder's entry.
    "journal_append": (
        "WITH last AS (SELECT seq, hash FROM centre_journal ORDER BY seq DESC LIMIT 1), "
        "prev AS (SELECT seq, hash FROM last UNION ALL SELECT 0, %(genesis)s::text WHERE NOT EXISTS (SELECT 1 FROM last)) "
        "INSERT INTO centre_journal (seq, at, kind, fixmedins_code, msgid, payload, prev_hash, hash) "
        "SELECT prev.seq + 1, %(at)s::text, %(kind)s::text, %(code)s::text, %(msgid)s::text, %(payload)s::text, prev.hash, "
        "encode(sha256(%(opad)s::bytea || sha256(%(ipad)s::bytea || convert_to(concat_ws('|', (prev.seq + 1)::text, "
        "%(at)s::text, %(kind)s::text, %(code)s::text, %(msgid)s::text, %(payload)s::text, prev.hash::text), 'UTF8'))), "
        "'hex') FROM prev RETURNING seq"
    ),
    # A checkpoint of the head when CHECKPOINT_EVERY entries passed since the last one (server.journal.checkpoint_mac
    # computed the same way); nothing otherwise. Two index lookups.
    "journal_checkpoint_due": (
        "INSERT INTO centre_journal_checkpoint (seq, head, at, reason, mac) "
        "SELECT h.seq, h.hash, %(at)s::text, 'interval', encode(sha256(%(opad)s::bytea || sha256(%(ipad)s::bytea || "
        "convert_to(concat_ws('|', 'checkpoint', h.seq::text, h.hash::text, %(at)s::text, 'interval'), 'UTF8'))), 'hex') "
        "FROM (SELECT seq, hash FROM centre_journal ORDER BY seq DESC LIMIT 1) AS h "
        "WHERE h.seq >= coalesce((SELECT max(seq) FROM centre_journal_checkpoint), 0) + %(every)s "
        "ON CONFLICT DO NOTHING"
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
    # 3505's reads after its box-code locks (server.transactions.trace.SaleAhead), one statement: its settlement
    # (facility, reversed), the codes' live sales (trace_sale with their settlement's reversal; uploads not
    # returned, with theirs), the settlement's journal entry, the units of the drug already uploaded for it, the
    # codes' stock state at this pharmacy and the batch's stock — what trace.sale and stock.on_sale read one by one
    # on SQLite. Dates as YYYY-MM-DD text, quantities as text (Decimal again in Python, same scale).
    "sale_ahead": (
        "SELECT (SELECT json_build_array(facility_code, reversed_on::text) FROM settlement WHERE settlement_id = %(own)s), "
        "(SELECT coalesce(json_agg(json_build_array(t.code, t.units, t.split, t.settlement_id, t.facility_code, "
        "t.date::text) ORDER BY t.id), '[]') FROM trace_sale t JOIN settlement s ON s.settlement_id = t.settlement_id "
        "WHERE t.code = ANY(%(codes)s::text[]) AND s.reversed_on IS NULL), "
        "(SELECT coalesce(json_agg(json_build_array(u.code, u.units, u.split, u.setl_id, u.fixmedins_code, u.sold_at, "
        "u.msgid) ORDER BY u.id), '[]') FROM centre_trace_upload u LEFT OUTER JOIN settlement s "
        "ON s.settlement_id = u.setl_id WHERE u.code = ANY(%(codes)s::text[]) AND u.returned_at IS NULL "
        "AND s.reversed_on IS NULL), "
        "(SELECT payload FROM centre_journal WHERE msgid = %(own)s AND kind = 'settle' LIMIT 1), "
        "(SELECT coalesce(sum(units), 0) FROM centre_trace_upload WHERE setl_id = %(own)s AND drug_key = %(drug)s "
        "AND returned_at IS NULL), "
        "(SELECT coalesce(json_agg(json_build_array(code, state, units_left)), '[]') FROM centre_stock_code "
        "WHERE fixmedins_code = %(f)s AND code = ANY(%(codes)s::text[])), "
        "(SELECT json_build_array(qty::text, units::text) FROM centre_stock_level WHERE fixmedins_code = %(f)s "
        "AND fixmedins_bchno = %(b)s)"
    ),
    # 3505's writes, deferred to its commit (composed with the stored answer): the uploads in code order, the
    # codes' new stock states, the batch's new stock.
    "trace_uploads": (
        "INSERT INTO centre_trace_upload (code, fixmedins_code, msgid, rtal_docno, med_list_codg, drug_key, setl_id, "
        "psn_no, units, split, sold_at) SELECT u.code, %(f)s::text, %(msgid)s::text, %(docno)s::text, %(codg)s::text, "
        "%(drug)s::text, %(setl)s::text, %(psn)s::text, %(units)s::int4, %(split)s::bool, %(at)s::text "
        "FROM unnest(%(codes)s::text[]) WITH ORDINALITY AS u(code, n) ORDER BY u.n"
    ),
    "stock_code_states": (
        "UPDATE centre_stock_code AS c SET state = u.state, units_left = u.units_left, at = %(at)s::text "
        "FROM unnest(%(codes)s::text[], %(states)s::text[], %(lefts)s::int4[]) AS u(code, state, units_left) "
        "WHERE c.fixmedins_code = %(f)s::text AND c.code = u.code"
    ),
    "stock_level_set": (
        "UPDATE centre_stock_level SET qty = %(qty)s::numeric, units = %(units)s::numeric, updated_at = %(at)s::text "
        "WHERE fixmedins_code = %(f)s::text AND fixmedins_bchno = %(b)s::text"
    ),
    # A settlement's dispenses / sold codes as ONE statement over arrays (the settlement's common columns once,
    # the per-row ones as arrays), inserted in array order (row ids follow it, as the history's ORDER BY id needs).
    "dispense_rows": (
        "INSERT INTO dispense (person_no, settlement_id, date, time, facility_code, drug_key, chain_key, days) "
        "SELECT %(person_no)s::text, %(settlement_id)s::text, %(date)s::date, %(time)s::time, %(facility_code)s::text, "
        "u.drug_key, u.chain_key, u.days FROM unnest(%(drug_key)s::text[], %(chain_key)s::text[], %(days)s::int4[]) "
        "WITH ORDINALITY AS u(drug_key, chain_key, days, n) ORDER BY u.n"
    ),
    "trace_rows": (
        "INSERT INTO trace_sale (code, settlement_id, line, drug_key, date, units, split, facility_code) "
        "SELECT u.code, %(settlement_id)s::text, u.line, u.drug_key, %(date)s::date, u.units, u.split, "
        "%(facility_code)s::text FROM unnest(%(code)s::text[], %(line)s::int4[], %(drug_key)s::text[], "
        "%(units)s::int4[], %(split)s::bool[]) WITH ORDINALITY AS u(code, line, drug_key, units, split, n) ORDER BY u.n"
    ),
}

PG["person_by_no"] = PG["person"].format(column="person_no")  # 2101's person, read ahead without locks


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_COMPOSED: dict[tuple[str, ...], str] = {}


def compose(steps: list[Step]) -> Step:
    """Several INSERTs (named statements, one parameter dict each, nothing fetched) as ONE statement: each a
    data-modifying CTE of `WITH … SELECT 1`. PostgreSQL runs every one of them exactly once, to completion, as
    one statement: a failing one (a unique violation) fails them all; foreign keys between them are checked at
    the end of the statement. One statement instead of several: less work for the driver and the server."""
    if len(steps) == 1:
        return steps[0]
    names = tuple(name for name, _, _ in steps)
    sql = _COMPOSED.get(names)
    if sql is None:
        parts = [f"s{i} AS ({_PLACEHOLDER.sub(lambda m, i=i: f'%(s{i}_{m.group(1)})s', PG[name])})"
                 for i, name in enumerate(names)]
        sql = _COMPOSED[names] = "WITH " + ", ".join(parts) + " SELECT 1"
    params = {f"s{i}_{k}": v for i, (_, p, _) in enumerate(steps) for k, v in p.items()}
    return sql, params, False


def is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def is_lite(conn: Connection) -> bool:
    """SQLite through the standard library's driver: `lite` may run statements on it directly."""
    return conn.dialect.name == "sqlite" and conn.dialect.driver == "pysqlite"


# SQLite: the idempotency and journal statements of every request, with ? placeholders, run by `lite`. Values
# are text and integers only, which sqlite3 binds and returns as SQLAlchemy would (no type processing to mimic).
LITE: dict[str, str] = {
    "nonce": "INSERT INTO centre_nonce (fixmedins_code, nonce, ts) VALUES (?, ?, ?) ON CONFLICT DO NOTHING "
             "RETURNING nonce",
    "message_lookup": "SELECT infno, digest, response FROM centre_message WHERE fixmedins_code = ? AND msgid = ?",
    "message_store": (
        "INSERT INTO centre_message (fixmedins_code, msgid, infno, digest, infcode, response, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING msgid"
    ),
    "journal_last": "SELECT seq, hash FROM centre_journal ORDER BY seq DESC LIMIT 1",
    "journal_insert": (
        "INSERT INTO centre_journal (seq, at, kind, fixmedins_code, msgid, payload, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    ),
    "journal_last_checkpoint": "SELECT seq FROM centre_journal_checkpoint ORDER BY seq DESC LIMIT 1",
}


def lite(conn: Connection, name: str, params: tuple) -> list[tuple]:
    """SQLite: statement `name` of LITE on the request's own sqlite3 connection (inside its transaction), without
    SQLAlchemy's execution machinery (~15 µs instead of ~120 µs a statement: a drained 2102 runs six of them).
    The driver's errors are raised as SQLAlchemy raises them (OperationalError, IntegrityError …), so the centre
    answers them as before."""
    return lite_sql(conn, LITE[name], params)


def lite_sql(conn: Connection, sql: str, params: tuple) -> list[tuple]:
    """`lite` for a statement given as text (? placeholders)."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(sql, params)
        return cur.fetchall()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc
    finally:
        cur.close()


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


Step = tuple[str, "dict[str, Any] | list[dict[str, Any]]", bool]  # (statement name or SQL, params, fetch rows?)


def pipeline(conn: Connection, steps: list[Step], *, commit: bool = False) -> list[list[tuple] | None]:
    """Run several statements in ONE round trip (psycopg pipeline mode), in order, each with its own snapshot
    (READ COMMITTED), so a statement after a lock sees what the previous holder committed. With `commit`, the
    COMMIT goes in the same round trip: locks taken by the steps are held only while the database runs them
    and commits, never across a return to Python (where a thread may wait for the GIL). The first failing
    step raises; the transaction is then aborted and nothing after it runs (SQLAlchemy rolls back).
    Returns the rows of the steps asked to fetch, None for the others."""
    dconn = conn.connection.driver_connection
    cursors = []
    shared = None  # one cursor for the steps whose rows nobody reads
    first: Exception | None = None
    commit_sent = False
    try:
        with dconn.pipeline():
            try:
                for name, params, want in steps:
                    if want:
                        cur = dconn.cursor()
                    else:
                        cur = shared = shared or dconn.cursor()
                    sql = PG.get(name, name)
                    if isinstance(params, list):
                        cur.executemany(sql, params)
                    else:
                        cur.execute(sql, params)
                    cursors.append(cur if want else None)
                if commit:
                    # queued like the steps (skipped by the server when one of them failed); SQLAlchemy's own
                    # commit afterwards finds the transaction ended and does nothing
                    shared = shared or dconn.cursor()
                    commit_sent = True  # from here on the outcome may be "committed" whatever we see
                    shared.execute("COMMIT", prepare=False)
            except psycopg.Error as exc:
                first = exc  # raised below, once the pipeline is closed (psycopg logs one raised inside it)
    except psycopg.Error as exc:
        first = first or exc
    if first is not None:
        aborted = not dconn.broken and dconn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        if dconn.broken:
            conn.invalidate()  # SQLAlchemy did not see the driver's error: do not pool this connection again
        if commit_sent and not aborted:
            # The server may have run the COMMIT before the connection failed; only an open connection whose
            # transaction the server reports as failed (a step refused: COMMIT skipped) proves nothing was written.
            raise CommitUnknown(f"the connection failed after COMMIT was sent: {first}") from first
        raise first
    out = [cur.fetchall() if cur is not None else None for cur in cursors]
    for cur in cursors:
        if cur is not None:
            cur.close()
    if shared is not None:
        shared.close()
    return out
