"""Change notifications (core.events): the bus, and what the store's writer announces after a commit — a sale
or outbox write once committed, nothing for a rollback or for other tables."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from core.events import ONLINE_CHANGED, OUTBOX_CHANGED, SALE_CHANGED, EventBus
from core.store.db import open_store
from core.store.lane import store_events, write_engine


@pytest.mark.allow_warnings  # the broken subscriber's error is logged, as it should be
def test_subscribe_publish_unsubscribe_and_a_failing_subscriber_does_not_stop_the_others(caplog):
    bus = EventBus()
    seen: list[tuple[str, dict]] = []

    def broken(_topic, _data):
        raise RuntimeError("subscriber bug")

    bus.subscribe(ONLINE_CHANGED, broken)
    off = bus.subscribe(ONLINE_CHANGED, lambda t, d: seen.append((t, d)))
    with caplog.at_level(logging.ERROR, logger="onewindow.events"):
        assert bus.publish(ONLINE_CHANGED, online=False) == 2
    assert "subscriber of online.changed failed" in caplog.text
    assert seen == [(ONLINE_CHANGED, {"online": False})]
    off()
    bus.publish(ONLINE_CHANGED, online=True)
    assert len(seen) == 1 and bus.subscribers(ONLINE_CHANGED) == 1


@pytest.mark.parametrize("url", ["file", "memory"])
def test_the_writer_announces_sale_and_outbox_writes_after_commit_only(tmp_path, url):
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}" if url == "file" else "sqlite://", upgrade=False)
    bus = store_events(engine)
    assert store_events(engine.execution_options(x=1)) is bus
    seen: list[str] = []
    committed_rows: list[int] = []

    def on_change(topic, _data):
        seen.append(topic)
        with engine.connect() as conn:  # what a screen does next: read; the write is there already
            committed_rows.append(conn.execute(text("SELECT count(*) FROM desk_sale")).scalar())

    bus.subscribe(SALE_CHANGED, on_change)
    bus.subscribe(OUTBOX_CHANGED, on_change)
    w = write_engine(engine)
    with w.begin() as conn:
        conn.execute(text("CREATE TABLE desk_sale (k INTEGER)"))
        conn.execute(text("CREATE TABLE sync_outbox (k INTEGER)"))
        conn.execute(text("CREATE TABLE other (k INTEGER)"))
    assert seen == []  # DDL is no change of a sale
    with w.begin() as conn:
        conn.execute(text("INSERT INTO other VALUES (1)"))
    assert seen == []
    with pytest.raises(RuntimeError):
        with w.begin() as conn:
            conn.execute(text("INSERT INTO desk_sale VALUES (1)"))
            raise RuntimeError("the sale failed")
    assert seen == []  # rolled back: nothing changed
    with w.begin() as conn:
        conn.execute(text("INSERT INTO desk_sale VALUES (2)"))
        assert seen == []  # not before the commit
    assert seen == [SALE_CHANGED] and committed_rows == [1]
    with w.begin() as conn:
        conn.execute(text("UPDATE sync_outbox SET k = 1"))
        conn.execute(text("INSERT INTO desk_sale VALUES (3)"))
    assert seen == [SALE_CHANGED, OUTBOX_CHANGED, SALE_CHANGED]
    engine.dispose()
