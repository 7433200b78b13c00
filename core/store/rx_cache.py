"""Tables of the offline prescription cache (core.rx.cache): circulating prescriptions kept for selling while the
centre is down, and the centre's prescription-signing keys the desk has pinned.

Like the desk's tables (core.store.desk) they sit in the terminal's store file on their own MetaData, created by
`ensure_rx_cache(engine)` (idempotent, safe on every start), outside the store's Alembic chain. The body and the
keys are Fernet tokens under a key derived from the data key (core.store.crypto): a prescription names a patient,
a diagnosis and drugs, and a key must not be swapped by whoever can write the file.
"""
from __future__ import annotations

import weakref

from sqlalchemy import Column, Date, DateTime, Engine, Index, MetaData, String, Table, Text

metadata = MetaData()

rx_cache = Table(
    "desk_rx_cache", metadata,
    Column("hi_rxno", String(40), primary_key=True),
    Column("person_no", String(32), nullable=False),
    Column("valid_until", Date, nullable=False),  # the row goes when the prescription expires
    Column("fetched_at", DateTime, nullable=False),
    Column("source", String(12), nullable=False),  # prefetch (refill due) / opened (a sale was opened from it)
    Column("body", Text, nullable=False),  # Fernet token of the 7203 answer (JSON)
    Index("ix_desk_rx_cache_person", "person_no"),
)

rx_key = Table(
    "desk_rx_key", metadata,
    Column("kid", String(32), primary_key=True),
    Column("body", Text, nullable=False),  # Fernet token of the raw public key (base64)
    Column("seen_at", DateTime, nullable=False),
)


rx_image = Table(
    "desk_rx_image", metadata,  # the photo or scan of a paper prescription (core.rx.paper), kept with its sale
    Column("rx_id", String(40), primary_key=True),  # the sale's rx_id: PAPER-…
    Column("mime", String(20), nullable=False),
    Column("taken_at", DateTime, nullable=False),
    Column("taken_by", String(32), nullable=False),
    Column("body", Text, nullable=False),  # Fernet token of the image bytes
)


staff_licence = Table(
    "desk_staff_licence", metadata,  # the staff profile's 执业药师注册证号 (the 审方/核对 steps need one)
    Column("user_id", String(32), primary_key=True),
    Column("licence", String(50), nullable=False),
)

rx_trail = Table(
    "desk_rx_trail", metadata,  # 审方→调配→核对→发药 of one sale (core.rx.trail), kept with its receipt
    Column("receipt_no", String(40), primary_key=True),
    Column("rx_id", String(40), nullable=False),
    Column("body", Text, nullable=False),  # JSON of Trail.to_dict()
)


_made: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def ensure_rx_cache(engine: Engine) -> None:
    """Create the tables once per engine: pass the store's write engine (core.store.lane), the one writer."""
    if engine not in _made:
        metadata.create_all(engine)
        _made.add(engine)
