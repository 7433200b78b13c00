"""The offline prescription cache: circulating prescriptions the desk fetched ahead, kept signed and encrypted in
the terminal's store, so a patient who walks in while the centre is down can still be served (a provisional sale
inside the offline floor limits, confirmed by the sync layer once the centre is back).

    cache = RxCache(engine, cipher, max_entries=500)
    cache.pin_keys(signin_output["rx_sign_keys"])      # the centre's public keys (9001), kept encrypted
    cache.put(answer_7203, source="prefetch", today=d)  # verified first: a forged or altered one is not kept
    cache.get("RX…", today=d)                           # verified again on the way out; None when absent/expired
    cache.waiting("T0001", today=d)                     # the person's cached prescriptions (list entries)
    cache.drop("RX…")                                   # dispensed: no second sale from the cache

Bounded: at most `max_entries` rows; expired ones go first, then the oldest fetched. A row expires with its
prescription (valid_end_date). What comes out has been checked twice: by Fernet (nobody changed the row without
the data key) and by the centre's signature (nobody changed the prescription since the centre signed it).
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, delete, func, select

from core.rx.signature import RxSignatureError, key_id, verify
from core.store.crypto import DataCipher
from core.store.rx_cache import ensure_rx_cache, rx_cache, rx_key

log = logging.getLogger("onewindow.rx_cache")
PURPOSE = "onewindow rx cache v1"


class RxCache:
    def __init__(self, engine: Engine, cipher: DataCipher, *, max_entries: int = 500,
                 writer: Engine | None = None) -> None:
        self.engine = engine
        self.writer = writer or engine  # the desk passes the store's write lane (core.store.lane): one writer
        ensure_rx_cache(self.writer)
        self.max_entries = max_entries
        self._fernet = Fernet(base64.urlsafe_b64encode(cipher.derive_key(PURPOSE)))

    # ---- keys --------------------------------------------------------------------------------------------
    def pin_keys(self, items: list[dict[str, Any]] | None, *, now: dt.datetime | None = None) -> int:
        """Keep the centre's public keys ({kid, alg, key}); a key whose id does not match its bytes is ignored."""
        added = 0
        for item in items or []:
            try:
                raw = base64.b64decode(str(item.get("key") or ""), validate=True)
            except ValueError:
                continue
            if item.get("alg") != "Ed25519" or len(raw) != 32 or key_id(raw) != item.get("kid"):
                continue
            with self.writer.begin() as conn:
                if conn.execute(select(rx_key.c.kid).where(rx_key.c.kid == item["kid"])).first() is None:
                    conn.execute(rx_key.insert().values(kid=item["kid"], seen_at=now or dt.datetime.now(),
                                                        body=self._fernet.encrypt(raw).decode("ascii")))
                    added += 1
        return added

    def keys(self) -> dict[str, bytes]:
        out = {}
        with self.engine.connect() as conn:
            for kid, body in conn.execute(select(rx_key.c.kid, rx_key.c.body)):
                try:
                    raw = self._fernet.decrypt(body.encode("ascii"))
                except InvalidToken:
                    log.warning("pinned prescription key %s cannot be read with this data key: ignored", kid)
                    continue
                if key_id(raw) == kid:
                    out[kid] = raw
        return out

    def verify(self, payload: dict) -> None:
        """RxSignatureError unless the centre signed exactly this (with a key pinned here)."""
        verify(payload, self.keys())

    # ---- prescriptions -----------------------------------------------------------------------------------
    def put(self, payload: dict, *, source: str, today: dt.date, now: dt.datetime | None = None) -> bool:
        """Keep a downloaded (7203) prescription; False when it is not kept (expired, not circulating)."""
        self.verify(payload)
        info = payload.get("rxinfo") or {}
        try:
            valid_until = dt.date.fromisoformat(str(info.get("valid_end_date") or ""))
        except ValueError:
            return False
        if valid_until < today or info.get("rx_stas") not in ("uploaded", None):
            return False
        body = self._fernet.encrypt(json.dumps(payload, ensure_ascii=False).encode("utf-8")).decode("ascii")
        row = dict(person_no=str(info.get("psn_no") or ""), valid_until=valid_until, source=source, body=body,
                   fetched_at=now or dt.datetime.now())
        with self.writer.begin() as conn:
            key = rx_cache.c.hi_rxno == info["hi_rxno"]
            if conn.execute(select(rx_cache.c.hi_rxno).where(key)).first() is None:
                conn.execute(rx_cache.insert().values(hi_rxno=info["hi_rxno"], **row))
            else:
                conn.execute(rx_cache.update().where(key).values(**row))
            self._bound(conn, today)
        return True

    def _bound(self, conn, today: dt.date) -> None:
        conn.execute(delete(rx_cache).where(rx_cache.c.valid_until < today))
        count = conn.execute(select(func.count()).select_from(rx_cache)).scalar() or 0
        if count > self.max_entries:
            oldest = conn.execute(select(rx_cache.c.hi_rxno).order_by(rx_cache.c.fetched_at, rx_cache.c.hi_rxno)
                                  .limit(count - self.max_entries)).scalars().all()
            conn.execute(delete(rx_cache).where(rx_cache.c.hi_rxno.in_(oldest)))

    def get(self, hi_rxno: str, *, today: dt.date) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(rx_cache).where(rx_cache.c.hi_rxno == hi_rxno)).first()
        if row is None or row.valid_until < today:
            return None
        try:
            payload = json.loads(self._fernet.decrypt(row.body.encode("ascii")))
        except (InvalidToken, ValueError):
            log.warning("cached prescription %s cannot be read (altered, or another data key): not used", hi_rxno)
            return None
        try:
            self.verify(payload)
        except RxSignatureError as exc:
            log.warning("cached prescription %s fails its signature check: not used (%s)", hi_rxno, exc.en)
            return None
        return payload

    def waiting(self, person_no: str, *, today: dt.date) -> list[dict]:
        """List entries (rxinfo, with the drug lines the list shows) of the person's cached, unexpired
        prescriptions that pass their checks."""
        with self.engine.connect() as conn:
            ids = conn.execute(select(rx_cache.c.hi_rxno).where(rx_cache.c.person_no == person_no,
                                                                rx_cache.c.valid_until >= today)
                               .order_by(rx_cache.c.fetched_at.desc())).scalars().all()
        found = (self.get(i, today=today) for i in ids)
        return [{**p["rxinfo"], "rxdrugdetail": p.get("rxdrugdetail") or []} for p in found if p is not None]

    def drop(self, hi_rxno: str) -> None:
        with self.writer.begin() as conn:
            conn.execute(delete(rx_cache).where(rx_cache.c.hi_rxno == hi_rxno))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(rx_cache)).scalar() or 0
