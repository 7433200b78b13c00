"""Sync: everything between a terminal and the centre. Nothing here imports Qt; only this package and
core/store talk SQL, and only this package talks HTTP.

Modules (the shells call core.services.checkout / core.services.shift, not these directly):

- config: SyncConfig — centre connection, sender, offline floor limits (defaults in resources/config/), the
  transaction numbers by use; load_config(path).
- envelope, signing, transport: the national envelope built in one place; x-tif-* signed headers; a requests
  session with connect/read timeouts and TLS verification; 9001 once per operator and day (kept in the store),
  again when the centre refuses the session. Every failure is an outcome: ANSWERED / NOT_SENT / UNKNOWN.
- transactions: platform input/output nodes per transaction and their mapping to our types (the boundary).
- sequence: msgid = institution code + time + terminal digit + counter, stored, never reused.
- models: the sync tables (one Alembic revision in core/store/migrations/versions/s0001_sync_tables.py).
- states: the sale state machine as a transition table; IllegalTransition; every transition journaled.
- journal: the terminal's hash-chained journal (verify() names the first broken link).
- outbox: reserve-then-send; unique msgid and business key; strict order per person's lane.
- lease + sender: one sender per terminal database (a lease row taken with BEGIN IMMEDIATE); passes, drain,
  interactive delivery within the cashier's patience.
- apply: what an answer (or its absence) means; an unknown interactive settlement is reversed with 2601.
- ledger: the local settlement record (quota, supply, trace codes) that follows the sale's fate.
- offline: the floor limits, computed from the store inside the settle transaction.
- documents: uploads (3505), returns (2103 + 3506), registrations (2503) with their outbox items.
- recovery: start-up recovery — decide and resolve every in-flight message, report what was done.
- refdata: catalogue by version (1301), persons and registrations (1101, 5301) in one transaction each.
- reconcile: shift close, 3201 with per-settlement differences, stored.
- status: the sync status line (online/offline, waiting, last success, offline quota, alerts).
- alerts: supervisor flags (rejected/adjusted offline sales, refused reversals and uploads …).
- terminal: wires store, clock, transport, lease and sender for one terminal.
- driver, killpoints, synthetic: the fault-injection driver (python -m core.sync.driver) and its test data.
"""
