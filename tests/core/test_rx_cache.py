"""The offline prescription cache (core.rx.cache): verified in and out, encrypted at rest, bounded, expiring."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import create_engine, select, update

from core.rx.cache import RxCache
from core.rx.signature import RxSignatureError, key_id, public_key_of, sign
from core.store.crypto import DataCipher, generate_secret
from core.store.rx_cache import rx_cache

CENTRE_KEY = b"\x11" * 32
TODAY = dt.date(2026, 12, 7)


def pinned_items(private=CENTRE_KEY):
    pub = public_key_of(private)
    return [{"kid": key_id(pub), "alg": "Ed25519", "key": base64.b64encode(pub).decode()}]


def rx(no: str, psn="T0001", valid="2026-12-09", private=CENTRE_KEY) -> dict:
    payload = {"rxinfo": {"hi_rxno": no, "psn_no": psn, "prsc_dr_name": "张明医生", "fixmedins_name": "市中心医院",
                          "rx_date": "2026-12-07", "valid_end_date": valid, "rx_stas": "uploaded", "dise_name": "高血压"},
               "rxdrugdetail": [{"medins_list_codg": "D01", "drug_name": "苯磺酸氨氯地平片", "cnt": "1", "prd_days": 28,
                                 "sin_dos_dscr": "5mg", "used_frqu_dscr": "qd"}],
               "preaudit": {"verdict": "PASS", "rules": []}}
    payload["signature"] = sign(private, payload)
    return payload


@pytest.fixture
def cache(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    c = RxCache(engine, DataCipher.from_secret(generate_secret()), max_entries=3)
    assert c.pin_keys(pinned_items()) == 1 and c.pin_keys(pinned_items()) == 0
    yield c
    engine.dispose()


def test_kept_verified_encrypted_and_listed(cache, tmp_path):
    assert cache.put(rx("RX1"), source="prefetch", today=TODAY)
    assert cache.get("RX1", today=TODAY) == rx("RX1")
    assert [r["hi_rxno"] for r in cache.waiting("T0001", today=TODAY)] == ["RX1"]
    assert cache.waiting("T0002", today=TODAY) == []
    raw = (tmp_path / "store.db").read_bytes()
    for secret in ("张明医生", "高血压", "苯磺酸氨氯地平片", "D01"):
        assert secret.encode() not in raw, secret  # encrypted at rest
    cache.drop("RX1")
    assert cache.get("RX1", today=TODAY) is None


def test_forged_or_altered_prescriptions_are_not_kept(cache):
    with pytest.raises(RxSignatureError, match="密钥未知"):
        cache.put(rx("RX9", private=b"\x22" * 32), source="prefetch", today=TODAY)
    altered = rx("RX8")
    altered["rxdrugdetail"][0]["cnt"] = "9"
    with pytest.raises(RxSignatureError, match="被改动"):
        cache.put(altered, source="opened", today=TODAY)
    assert cache.count() == 0
    bad_key = pinned_items(b"\x33" * 32)
    bad_key[0]["kid"] = pinned_items()[0]["kid"][:-1] + "0"  # an id that is not the key's own: ignored
    assert cache.pin_keys(bad_key) == 0


@pytest.mark.allow_warnings
def test_a_row_changed_in_the_file_is_not_used(cache):
    cache.put(rx("RX1"), source="prefetch", today=TODAY)
    with cache.engine.begin() as conn:
        body = conn.execute(select(rx_cache.c.body)).scalar()
        conn.execute(update(rx_cache).values(body=body[:-6] + ("AAAAAA" if body[-6:] != "AAAAAA" else "BBBBBB")))
    assert cache.get("RX1", today=TODAY) is None and cache.waiting("T0001", today=TODAY) == []


def test_bounded_and_expiring(cache):
    assert not cache.put(rx("OLD", valid="2026-12-06"), source="prefetch", today=TODAY)  # already expired
    t0 = dt.datetime(2026, 12, 7, 8, 0)
    for i, no in enumerate(("RX1", "RX2", "RX3", "RX4")):
        cache.put(rx(no), source="prefetch", today=TODAY, now=t0 + dt.timedelta(minutes=i))
    assert cache.count() == 3 and cache.get("RX1", today=TODAY) is None  # the oldest fetched went
    assert cache.get("RX4", today=TODAY) is not None
    later = dt.date(2026, 12, 10)  # after valid_end_date
    assert cache.get("RX4", today=later) is None and cache.waiting("T0001", today=later) == []
    cache.put(rx("RX5", valid="2026-12-31"), source="opened", today=later)
    assert cache.count() == 1  # the expired rows were removed when the next one came in
