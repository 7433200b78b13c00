"""The centre (一窗通中心端): the national platform's envelope over FastAPI, on core/ and core/store.

    app.py          create_app(db_url | engine, dev=…) — one callService endpoint, ec.query, /health, OpenAPI
    centre.py       the pipeline: body -> envelope -> signed headers -> handler -> ONE transaction
    envelope.py     request/response envelopes, errors (infcode -1), Decimal JSON
    signing.py      x-tif-* signed headers (HMAC-SHA256 over the body); sign_headers for clients
    idempotency.py  msgid -> first answer; nonces
    journal.py      hash-chained journal, verify
    db.py           open_centre (store + centre migrations), locks (advisory on PostgreSQL, one writer on SQLite)
    models.py       centre-only tables; migrations/ their Alembic environment (alembic_version_centre)
    people.py, reference.py, history.py, ledger.py, fastsql.py   what the handlers read and write
    evoucher.py     NHSAEV1 QR payloads; seed.py loads a world file
    transactions/   one module per family of infno
"""
