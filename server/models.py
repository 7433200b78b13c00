"""Tables that only the centre has (the shared ones — drug, facility, person, registration, settlement,
dispense, trace_sale — live in core/store).

They sit on their own MetaData with their own Alembic environment (server/migrations, version table
`alembic_version_centre`), run after core.store's migrations, and carry no foreign keys into the shared
tables so that either side can migrate on its own.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

metadata = MetaData()

# One row per institution allowed to call the centre: the shared secret of its signed headers.
institution = Table(
    "centre_institution",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("secret", Text, nullable=False),  # encrypted at rest (server.secrets); plain text in older rows
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", String(40), nullable=False),
    Column("kind", String(20), nullable=False, server_default="pharmacy"),  # server.permissions.KINDS
)

# People of an institution who log in at the centre (server.staff): agency clerks, experts, reviewers, supervisors.
staff = Table(
    "centre_staff",
    metadata,
    Column("institution_code", String(30), primary_key=True),
    Column("user_id", String(30), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("roles", String(100), nullable=False),  # comma-separated server.staff.ROLES
    Column("secret_hash", Text, nullable=False),  # argon2id
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("locked_until", BigInteger, nullable=True),  # Unix seconds
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", String(40), nullable=False),
)

# Small key/value settings: e-voucher signing key, default profile, admdvs.
setting = Table(
    "centre_setting",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", Text, nullable=False),
)

# Benefit profiles as data (core.policy.profile.profile_from_dict reads them).
profile = Table(
    "centre_profile",
    metadata,
    Column("profile_id", String(60), primary_key=True),
    Column("data", Text, nullable=False),
    Column("digest", String(64), nullable=False),
)

# 9001 sign-in sessions.
signin = Table(
    "centre_signin",
    metadata,
    Column("sign_no", String(30), primary_key=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("opter", String(30), nullable=False, server_default=""),
    Column("sign_time", String(19), nullable=False),
    Column("signout_time", String(19), nullable=True),
)

# Nonces of signed requests, kept for twice the timestamp window.
nonce = Table(
    "centre_nonce",
    metadata,
    Column("fixmedins_code", String(30), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("ts", BigInteger, nullable=False),
    Index("ix_centre_nonce_ts", "ts"),
)

# The message log: msgid is the idempotency key; the first answer is kept and given again.
message = Table(
    "centre_message",
    metadata,
    Column("fixmedins_code", String(30), primary_key=True),
    Column("msgid", String(40), primary_key=True),
    Column("infno", String(10), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("infcode", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("received_at", String(40), nullable=False),
    Index("ix_centre_message_received", "received_at"),
)

# Append-only, hash-chained journal of every state change.
journal = Table(
    "centre_journal",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("fixmedins_code", String(30), nullable=False, server_default=""),
    Column("msgid", String(40), nullable=False, server_default=""),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_centre_journal_msgid", "msgid"),  # a 3505 reads its settlement's entry (server.transactions.split)
)

# Keyed records of the journal head (server.journal.checkpoint): every N entries and at shutdown.
journal_checkpoint = Table(
    "centre_journal_checkpoint",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("head", String(64), nullable=False),
    Column("at", String(40), nullable=False),
    Column("reason", String(20), nullable=False),
    Column("mac", String(64), nullable=False),
)

# E-voucher tokens handed out by decoding: ecToken -> person. One per decoded QR (jti).
ec_token = Table(
    "centre_ec_token",
    metadata,
    Column("token", String(40), primary_key=True),
    Column("jti", String(40), nullable=False),
    Column("person_no", String(30), nullable=False),
    Column("issued_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    UniqueConstraint("jti", name="uq_centre_ec_token_jti"),
)

# Circulated e-prescriptions (电子处方流转).
eprescription = Table(
    "centre_eprescription",
    metadata,
    Column("rx_id", String(40), primary_key=True),  # hi_rxno, given by the centre
    Column("pickup_code", String(12), nullable=False),
    Column("issuer_code", String(30), nullable=False),
    Column("issuer_rxno", String(40), nullable=False),
    Column("person_no", String(30), nullable=False),
    Column("status", String(12), nullable=False),  # uploaded / dispensed / revoked
    Column("payload", Text, nullable=False),
    Column("uploaded_at", String(19), nullable=False),
    Column("valid_until", String(10), nullable=False),
    Column("dispensed_at", String(19), nullable=True),
    Column("dispensed_by", String(30), nullable=True),
    Column("dispense_msgid", String(40), nullable=True),
    Column("setl_id", String(40), nullable=True),
    UniqueConstraint("pickup_code", name="uq_centre_eprescription_pickup"),
    UniqueConstraint("issuer_code", "issuer_rxno", name="uq_centre_eprescription_issuer_rxno"),
    Index("ix_centre_eprescription_person", "person_no"),
)

# Catalogue versions for incremental downloads: one row per changed drug per seed/import.
catalogue_log = Table(
    "centre_catalogue_log",
    metadata,
    Column("ver", Integer, primary_key=True, autoincrement=True),
    Column("drug_key", String(40), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("at", String(40), nullable=False),
    Index("ix_centre_catalogue_log_key", "drug_key"),
)

# 3505 sale uploads, one row per trace code. A code sold under a settlement (2102) is in core.store's
# trace_sale already; this registry adds the codes of sales uploaded without one (self-pay) and links the
# upload to the settlement. 3506 marks rows returned. Together they answer "sold anywhere before?".
trace_upload = Table(
    "centre_trace_upload",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(100), nullable=False),
    Column("fixmedins_code", String(30), nullable=False),
    Column("msgid", String(40), nullable=False),
    Column("rtal_docno", String(40), nullable=False),
    Column("med_list_codg", String(50), nullable=False),
    Column("drug_key", String(64), nullable=False, server_default=""),
    Column("setl_id", String(64), nullable=True),
    Column("psn_no", String(32), nullable=True),
    Column("units", Integer, nullable=False),
    Column("split", Boolean, nullable=False, server_default=false()),
    Column("sold_at", String(19), nullable=False),
    Column("returned_at", String(19), nullable=True),
    Column("return_msgid", String(40), nullable=True),
    Index("ix_centre_trace_upload_code", "code"),
    Index("ix_centre_trace_upload_doc", "fixmedins_code", "rtal_docno"),
    Index("ix_centre_trace_upload_setl", "setl_id"),  # a 3505 sums its settlement's uploads (migration c0303)
)
