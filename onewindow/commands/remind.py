"""`onewindow remind send --db URL [--sms-url URL] [--letters DIR] [--queue] [--kinds K] [--channels C]`

Delivers the reminders waiting in the centre's outbox (centre_notification) through the notification port
(core/care/notify.py): SMS through an HTTP gateway (`--sms-url`, key from `--sms-key` or $ONEWINDOW_SMS_KEY;
without a URL the log adapter keeps them waiting), letters as printable files in `--letters`. `--queue` first
queues today's worklist reminders (as transaction 2590 does). Prints one JSON object with the counts
(queued, sent, retry, failed, optout); exit 0, or 2 on bad input. Run it from cron; one at a time.
"""
from __future__ import annotations

import argparse
import json
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remind", help="reminders: queue and send them (SMS gateway, letters)")
    rsub = p.add_subparsers(dest="remind_command", metavar="ACTION", required=True)
    s = rsub.add_parser("send", help="deliver waiting reminders through the configured channels")
    s.add_argument("--db", help="centre database URL (default: the centre's SQLite file)")
    s.add_argument("--sms-url", default=os.environ.get("ONEWINDOW_SMS_URL", ""), help="SMS gateway endpoint (POST)")
    s.add_argument("--sms-key", default=None, help="gateway key (default $ONEWINDOW_SMS_KEY)")
    s.add_argument("--sms-sign", default="一窗通", help="SMS signature (签名)")
    s.add_argument("--letters", default="", metavar="DIR", help="write letters for the letter channel here")
    s.add_argument("--queue", action="store_true", help="queue today's worklist reminders first")
    s.add_argument("--kinds", default="refill,review,followup")
    s.add_argument("--channels", default="sms", help="channels to queue: sms,letter,desk")
    s.add_argument("--refill-days", type=int, default=7)
    s.set_defaults(handler=run_send)


def _fail(text: str) -> int:
    print(f"onewindow remind: {text}", file=sys.stderr)
    return 2


def run_send(args: argparse.Namespace) -> int:
    import datetime as dt
    from pathlib import Path

    from core.care.notify import HttpSms, Letters, LogSms
    from onewindow.commands.server import default_db_url
    from server import journal, reference
    from server.centre import system_clock
    from server.db import DatabaseError, open_centre, transaction
    from server.notify import dispatch, queue_reminders
    from server.worklists import reminders

    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    if any(k not in ("refill", "review", "followup") for k in kinds) or any(c not in ("sms", "letter", "desk")
                                                                             for c in channels):
        return _fail("--kinds: refill,review,followup; --channels: sms,letter,desk")
    try:
        engine = open_centre(args.db or default_db_url())
    except DatabaseError as exc:
        return _fail(str(exc))
    out: dict = {}
    try:
        if args.queue:
            now = system_clock()
            with transaction(engine) as conn:
                class _Centre:  # reference's cache wants a centre; a one-shot command has none
                    @staticmethod
                    def cached(_key, build, _ttl):
                        return build()

                profile = reference.profile_for(_Centre, conn, None)
                drugs = {k: v.name for k, v in reference.catalogue(_Centre, conn).by_key.items()}
                items = reminders(conn, now.date(), kinds=kinds, refill_days=args.refill_days,
                                  refill_window=profile.refill_window_days, drug_names=drugs)
                at = now.isoformat(timespec="microseconds")
                out.update(queue_reminders(conn, items, channels, now_text=now.strftime("%Y-%m-%d %H:%M:%S"),
                                           note=lambda kind, payload: journal.append(conn, kind, payload, at=at,
                                                                                     code="CENTRE")))
        key = args.sms_key if args.sms_key is not None else os.environ.get("ONEWINDOW_SMS_KEY", "")
        adapters = {"sms": HttpSms(args.sms_url, key=key, sign=args.sms_sign) if args.sms_url else LogSms()}
        if args.letters:
            adapters["letter"] = Letters(Path(args.letters))
        out.update(dispatch(engine, adapters, clock=lambda: dt.datetime.now(system_clock().tzinfo)))
    finally:
        engine.dispose()
    print(json.dumps(out, ensure_ascii=False))
    return 0
