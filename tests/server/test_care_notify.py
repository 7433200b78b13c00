"""Reminders that reach people (2590–2593, server/notify.py): a refill reminder reaches a local fake SMS gateway
over HTTP (first answer 503: retried with the same ref), letters are written, desk messages handed out once,
opt-out honoured, every outcome journaled. SQLite and PostgreSQL; the command line in a real process."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from sqlalchemy import select

from core.care.notify import HttpSms, Letters
from server.envelope import CST
from server.models import journal as journal_table
from server.notify import dispatch
from tests.server.fake_sms import FakeSms
from tests.server.helpers import CL1, CTR, ok
from tests.server.test_reports import A01, clocked, settle_body  # noqa: F401 (fixture)


def at(now: dict, day: str) -> None:
    now["t"] = dt.datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=CST)


def _prepare(client, now) -> None:
    at(now, "2026-03-02")
    for psn, tel in (("T0001", "13800000001"), ("T0011", "13800000011")):
        ok(client.call("2560", {"data": {"psn_no": psn, "team": "车站路团队", "doctor_code": "D1", "doctor_name": "何燕",
                                         "sign_date": "2026-03-02", "tel": tel, "addr": "湘潭市雨湖区车站路8号"}}, CL1))
        ok(client.call("2102", settle_body(psn, [(A01, 1)]), CL1))  # 28 days: runs out 2026-03-30
    ok(client.call("2591", {"data": {"psn_no": "T0011", "channel": "sms"}}, CTR))  # T0011 wants no SMS
    at(now, "2026-03-25")


def _journal_kinds(engine) -> list[str]:
    with engine.connect() as conn:
        return [r.kind for r in conn.execute(select(journal_table.c.kind).order_by(journal_table.c.seq))]


def test_refill_reminder_reaches_the_fake_sms_server(clocked, centre_engine, tmp_path):
    client, now = clocked
    _prepare(client, now)
    queued = ok(client.call("2590", {"data": {"kinds": "refill", "channels": "sms,letter,desk"}}, CTR))
    # T0001 on three channels; T0011 opted out of SMS: letter and desk only
    assert (queued["queued"], queued["skipped_optout"]) == (5, 1)
    again = ok(client.call("2590", {"data": {"kinds": "refill", "channels": "sms,letter,desk"}}, CTR))
    assert (again["queued"], again["already_queued"]) == (0, 5)
    clock = lambda: now["t"]  # noqa: E731
    with FakeSms() as sms:
        sms.script = [(503, {"ok": False, "error": "busy"})]
        channels = {"sms": HttpSms(sms.url, key=sms.key), "letter": Letters(tmp_path / "letters")}
        first = dispatch(centre_engine, channels, clock=clock)
        assert first == {"sent": 2, "retry": 1, "failed": 0, "optout": 0}  # two letters; the SMS got a 503
        second = dispatch(centre_engine, channels, clock=clock)
        assert second == {"sent": 1, "retry": 0, "failed": 0, "optout": 0}
        assert dispatch(centre_engine, channels, clock=clock) == {"sent": 0, "retry": 0, "failed": 0, "optout": 0}
    assert [r["body"]["to"] for r in sms.received] == ["13800000001", "13800000001"]
    assert sms.received[0]["body"]["ref"] == sms.received[1]["body"]["ref"]  # the retry carries the same ref
    text = sms.delivered[0]["text"]
    assert "苯磺酸氨氯地平片" in text and "03月30日" in text and sms.delivered[0]["sign"] == "一窗通"
    letters = sorted((tmp_path / "letters").iterdir())
    assert len(letters) == 2 and "车站路8号" in letters[0].read_text(encoding="utf-8")
    rows = ok(client.call("2593", {"data": {"psn_no": "T0001"}}, CTR))["items"]
    sms_row = next(r for r in rows if r["channel"] == "sms")
    assert (sms_row["status"], sms_row["attempts"], sms_row["provider_ref"]) == ("sent", 2, "SMS0001")
    # desk: handed out once when the person identifies, never for the opted-out channel
    shown = ok(client.call("2592", {"data": {"psn_no": "T0001"}}, CTR))["messages"]
    assert len(shown) == 1 and "续配" in shown[0]["message"]
    assert ok(client.call("2592", {"data": {"psn_no": "T0001"}}, CTR))["messages"] == []
    kinds = _journal_kinds(centre_engine)
    assert kinds.count("notify.sent") == 3 and kinds.count("notify.retry") == 1 and kinds.count("notify.shown") == 1


def test_optout_after_queueing_is_honoured_and_refusals_not_retried(clocked, centre_engine):
    client, now = clocked
    _prepare(client, now)
    ok(client.call("2590", {"data": {"kinds": "refill", "channels": "sms"}}, CTR))
    ok(client.call("2591", {"data": {"psn_no": "T0001", "channel": "all"}}, CTR))
    with FakeSms() as sms:
        out = dispatch(centre_engine, {"sms": HttpSms(sms.url, key="wrong")}, clock=lambda: now["t"])
    assert out["optout"] == 1 and sms.received == []
    ok(client.call("2591", {"data": {"psn_no": "T0001", "channel": "all", "optout": False}}, CTR))
    at(now, "2026-03-26")
    ok(client.call("2590", {"data": {"kinds": "refill", "channels": "sms", "refill_days": 8}}, CTR))
    # the due day is the same: already handled, not queued again
    rows = ok(client.call("2593", {"data": {"psn_no": "T0001"}}, CTR))["items"]
    assert [r["status"] for r in rows] == ["optout"]
    bad = client.call("2590", {"data": {"kinds": "nope"}}, CTR)
    assert bad["infcode"] != 0 and "kinds" in bad["err_msg"]


def test_remind_send_command_in_a_real_process(clocked, centre_db, centre_engine):
    if centre_db.backend != "sqlite":
        return  # the PostgreSQL half of the path is covered by the two tests above
    client, now = clocked
    _prepare(client, now)
    ok(client.call("2590", {"data": {"kinds": "refill", "channels": "sms"}}, CTR))
    with FakeSms() as sms:
        env = {**os.environ, "ONEWINDOW_SMS_KEY": sms.key}
        run = subprocess.run([sys.executable, "-m", "onewindow", "remind", "send", "--db", centre_db.url,
                              "--sms-url", sms.url], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["sent"] == 1
    assert [d["to"] for d in sms.delivered] == ["13800000001"]
