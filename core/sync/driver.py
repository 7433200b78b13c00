"""A small client driver for fault-injection tests: one terminal, driven from the command line, JSON out.

    python -m core.sync.driver --home DIR init --centre URL --secret S [--code P…] [--terminal-no 1]
    python -m core.sync.driver --home DIR recover            # start-up recovery, prints its report
    python -m core.sync.driver --home DIR catalogue
    python -m core.sync.driver --home DIR identify --person 3 [--count 10]
    python -m core.sync.driver --home DIR sell --person 3 [--count 10] [--n 0] [--no-print]
    python -m core.sync.driver --home DIR stock --person 3 [--boxes 4] [--n 0] [--write-off 1] [--back 1] [--count] [--sell] [--drain]
    python -m core.sync.driver --home DIR return --sale ID [--drain]
    python -m core.sync.driver --home DIR drain [--timeout 60]
    python -m core.sync.driver --home DIR serve --seconds 5  # run the background sender for a while
    python -m core.sync.driver --home DIR status | dump | reconcile

Every command except init first runs start-up recovery (no new work before in-flight messages are decided).
Kill points: ONEWINDOW_KILL_AT=before_send|after_send|after_reply (core.sync.killpoints) make the process
SIGKILL itself at that step, so a test can restart it and check what recovery does.
The terminal store is DIR/terminal.db, its configuration DIR/terminal.json; the data key comes from
$ONEWINDOW_DATA_KEY or DIR/data.key (ONEWINDOW_HOME is set to DIR).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def _print(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str), flush=True)


def _open(home: Path, *, recover: bool = True, resolve_timeout_s: float = 30.0):
    from core.sync.config import load_config
    from core.sync.terminal import Terminal

    config = load_config(home / "terminal.json")
    t = Terminal.open(config, "sqlite:///" + str(home / "terminal.db"))
    t.sender.record_msgids = True
    if recover:
        report = t.start(background=False, resolve_timeout_s=resolve_timeout_s)
        if not report.nothing_to_do:
            _print({"event": "recovery", **report.to_dict()})
    return t


def cmd_init(home: Path, args) -> int:
    data = {
        "terminal": {"institution_code": args.code, "institution_name": args.name, "terminal_id": args.terminal_id,
                     "terminal_no": args.terminal_no, "city": "420700", "secret": args.secret},
        "centre": {"url": args.centre, "connect_timeout_s": args.connect_timeout, "read_timeout_s": args.read_timeout},
        "sender": json.loads(args.sender or "{}"),
        "offline": json.loads(args.offline or "{}"),
    }
    home.mkdir(parents=True, exist_ok=True)
    (home / "terminal.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    from core.sync.config import load_config

    load_config(home / "terminal.json")
    _print({"event": "init", "home": str(home)})
    return 0


def cmd_recover(home: Path, args) -> int:
    t = _open(home, recover=False)
    try:
        report = t.start(background=False, resolve_timeout_s=args.timeout)
        _print({"event": "recovery", **report.to_dict()})
    finally:
        t.close()
    return 0


def cmd_catalogue(home: Path, args) -> int:
    from core.sync.refdata import sync_catalogue

    t = _open(home)
    try:
        r = sync_catalogue(t)
        _print({"event": "catalogue", "from": r.version_before, "to": r.version_after, "items": r.items})
    finally:
        t.close()
    return 0


def cmd_sell(home: Path, args) -> int:
    from core.services.checkout import CheckoutError, CheckoutService, Identification
    from core.sync.synthetic import basket_for, id_number

    t = _open(home)
    co = CheckoutService(t)
    try:
        if args.catalogue:
            from core.sync.refdata import sync_catalogue

            sync_catalogue(t)
        for i in range(args.person, args.person + args.count):
            try:
                who = co.identify(Identification("id_card", id_number(i)), operator=args.operator)
                basket = basket_for(i, args.n, rx_date=t.today())
                sale = co.audit(basket, who.identification, operator=args.operator)
                sale = co.pre_settle(sale.sale_id)
                sale = co.settle(sale.sale_id)
                if not args.no_print and sale.state in ("settled", "provisional"):
                    co.print_receipt(sale.sale_id)
                    sale = co.sale(sale.sale_id)
                _print({"event": "sale", "person": i, **sale.to_dict()})
            except CheckoutError as exc:
                _print({"event": "refused", "person": i, "code": exc.code, "zh": exc.message_zh, "en": exc.message_en,
                        "sale_id": exc.sale_id})
        if args.drain:
            stats = t.sender.drain(timeout_s=60)
            _print({"event": "drain", "sent": stats.sent, "remaining": stats.remaining})
    finally:
        t.close()
    return 0


def cmd_stock(home: Path, args) -> int:
    """Receive the person's synthetic boxes by scan (3503), optionally write the last ones off (3502), send the
    ones before them back to the supplier (3504), count the rest (3501) and sell the person's basket from them
    (2102, then 3505 from the ledger)."""
    from core.services.stock import StockService
    from core.sync.synthetic import trace_code

    t = _open(home)
    try:
        if args.catalogue:
            from core.sync.refdata import sync_catalogue

            sync_catalogue(t)
        svc = StockService(t)
        codes = [trace_code(args.person, args.n, b) for b in range(args.boxes)]
        draft = svc.new_draft()
        for c in codes:
            svc.scan_into(draft, c)
        receipt = svc.post_receipt(draft, supplier="九州通医药", invoice_no=f"INV-{args.person}-{args.n}",
                                   operator=args.operator, lot=f"L{args.person}", manu_date="2026-01-01",
                                   expiry="2028-12-31")
        out = {"event": "stock", "receipt": receipt.doc_no, "bchno": receipt.batches[0].bchno, "codes": codes}
        kept = codes[:len(codes) - args.write_off - args.back]
        if args.write_off:
            out["change"] = svc.write_off(codes[len(codes) - args.write_off:], change_kind="loss",
                                          supervisor="SUP1", operator=args.operator)
        if args.back:
            out["supplier_return"] = svc.return_to_supplier(codes[len(kept):len(kept) + args.back],
                                                            supplier="九州通医药", operator=args.operator)
        if args.count:
            out["count"] = svc.confirm_count(svc.count(kept), supervisor="SUP1", operator=args.operator)
        if args.sell:
            from core.services.checkout import CheckoutService, Identification
            from core.sync.synthetic import basket_for, id_number

            co = CheckoutService(t)
            who = co.identify(Identification("id_card", id_number(args.person)), operator=args.operator)
            sale = co.audit(basket_for(args.person, args.n, boxes=len(kept), rx_date=t.today()), who.identification,
                            operator=args.operator)
            sale = co.settle(co.pre_settle(sale.sale_id).sale_id)
            co.print_receipt(sale.sale_id)
            out["sale_id"] = sale.sale_id
        _print(out)
        if args.drain:
            stats = t.sender.drain(timeout_s=60)
            _print({"event": "drain", "sent": stats.sent, "remaining": stats.remaining})
    finally:
        t.close()
    return 0


def cmd_return(home: Path, args) -> int:
    """Return a sale (2103, then 3506 puts its boxes back in the ledger)."""
    from core.services.checkout import CheckoutService

    t = _open(home)
    try:
        sale = CheckoutService(t).return_sale(args.sale, operator=args.operator, reason="退货")
        _print({"event": "return", **sale.to_dict()})
        if args.drain:
            stats = t.sender.drain(timeout_s=60)
            _print({"event": "drain", "sent": stats.sent, "remaining": stats.remaining})
    finally:
        t.close()
    return 0


def cmd_identify(home: Path, args) -> int:
    from core.services.checkout import CheckoutError, CheckoutService, Identification
    from core.sync.synthetic import id_number

    t = _open(home)
    co = CheckoutService(t)
    try:
        if args.catalogue:
            from core.sync.refdata import sync_catalogue

            sync_catalogue(t)
        for i in range(args.person, args.person + args.count):
            try:
                who = co.identify(Identification("id_card", id_number(i)), operator=args.operator)
                _print({"event": "identified", "person": i, "person_no": who.person_no, "online": who.online})
            except CheckoutError as exc:
                _print({"event": "refused", "person": i, "code": exc.code, "en": exc.message_en})
    finally:
        t.close()
    return 0


def cmd_drain(home: Path, args) -> int:
    t = _open(home)
    try:
        stats = t.sender.drain(timeout_s=args.timeout, idle_exit=not args.wait)
        _print({"event": "drain", "sent": stats.sent, "ok": stats.ok, "refused": stats.refused, "failed": stats.failed,
                "remaining": stats.remaining, "not_holder": stats.not_holder, "seconds": round(stats.seconds, 3),
                "msgids": t.sender.sent_msgids, "holder": t.lease.holder})
    finally:
        t.close()
    return 0


def cmd_serve(home: Path, args) -> int:
    """Run passes for `seconds` like the GUI's background sender, then report what this process sent. With
    `--until FILE`: until FILE exists (checked between passes: the pass under way ends first), `seconds` at most;
    `--go FILE`: ready, then waiting for FILE before the first pass (several processes start sending together)."""
    t = _open(home, recover=not args.no_recover)
    from core.sync.sender import DrainStats

    stats = DrainStats()
    deadline = time.monotonic() + args.seconds
    until = Path(args.until) if args.until else None
    if args.go:  # a start line for several processes: each says it is ready, then waits for the caller's word
        _print({"event": "ready"})
        while not Path(args.go).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    try:
        while time.monotonic() < deadline and not (until is not None and until.exists()):
            before = stats.sent
            t.sender.run_pass(stats)
            stats.not_holder = False
            if stats.sent == before:
                time.sleep(0.05)
        _print({"event": "serve", "sent": stats.sent, "ok": stats.ok, "msgids": t.sender.sent_msgids,
                "holder": t.lease.holder, "passes": stats.passes})
    finally:
        t.close()
    return 0


def cmd_status(home: Path, args) -> int:
    from core.sync.status import sync_status

    t = _open(home, recover=False)
    try:
        _print({"event": "status", **sync_status(t).to_dict()})
    finally:
        t.close()
    return 0


def cmd_reconcile(home: Path, args) -> int:
    from core.sync.reconcile import reconcile

    t = _open(home)
    try:
        day = t.today()
        _print({"event": "reconcile", **reconcile(t, day, day, operator="OP01", detail=args.detail).to_dict()})
    finally:
        t.close()
    return 0


def cmd_dump(home: Path, args) -> int:
    from sqlalchemy import select

    from core.store.models import SettlementRow
    from core.sync import journal
    from core.sync.models import SyncAlert, SyncOutbox, SyncSale

    t = _open(home, recover=False)
    try:
        with t.read() as s:
            _print({
                "event": "dump",
                "sales": [{"sale_id": r.sale_id, "state": r.state, "msgid": r.msgid, "offline": r.offline,
                           "offline_no": r.offline_no, "person_no": r.person_no, "fund": str(r.fund),
                           "centre_fund": None if r.centre_fund is None else str(r.centre_fund)}
                          for r in s.scalars(select(SyncSale).order_by(SyncSale.sale_id))],
                "outbox": [{"id": r.id, "msgid": r.msgid, "infno": r.infno, "kind": r.kind, "status": r.status,
                            "sale_id": r.sale_id, "attempts": r.attempts, "interactive": r.interactive}
                           for r in s.scalars(select(SyncOutbox).order_by(SyncOutbox.id))],
                "settlements": [{"settlement_id": r.settlement_id, "person_no": r.person_no, "status": r.status,
                                 "fund": str(r.fund), "reversed_on": r.reversed_on}
                                for r in s.scalars(select(SettlementRow).order_by(SettlementRow.settlement_id))],
                "alerts": [{"kind": a.kind, "sale_id": a.sale_id, "en": a.message_en}
                           for a in s.scalars(select(SyncAlert).order_by(SyncAlert.id))],
                "journal_ok": journal.verify(s).ok,
            })
    finally:
        t.close()
    return 0


COMMANDS = {"init": cmd_init, "recover": cmd_recover, "catalogue": cmd_catalogue, "identify": cmd_identify,
            "sell": cmd_sell, "stock": cmd_stock, "return": cmd_return, "drain": cmd_drain,
            "serve": cmd_serve, "status": cmd_status, "reconcile": cmd_reconcile, "dump": cmd_dump}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core.sync.driver")
    p.add_argument("--home", required=True)
    sub = p.add_subparsers(dest="command", required=True)
    i = sub.add_parser("init")
    i.add_argument("--centre", required=True)
    i.add_argument("--secret", required=True)
    i.add_argument("--code", default="P42070000001")
    i.add_argument("--name", default="康济大药房(测试)")
    i.add_argument("--terminal-id", default="T01")
    i.add_argument("--terminal-no", type=int, default=1)
    i.add_argument("--connect-timeout", type=float, default=1.0)
    i.add_argument("--read-timeout", type=float, default=5.0)
    i.add_argument("--sender", help="JSON object of sender settings")
    i.add_argument("--offline", help="JSON object of offline limits")
    r = sub.add_parser("recover")
    r.add_argument("--timeout", type=float, default=30.0)
    sub.add_parser("catalogue")
    ident = sub.add_parser("identify")
    ident.add_argument("--person", type=int, required=True)
    ident.add_argument("--count", type=int, default=1)
    ident.add_argument("--operator", default="OP01")
    ident.add_argument("--catalogue", action="store_true", help="sync the catalogue first")
    s = sub.add_parser("sell")
    s.add_argument("--person", type=int, required=True, help="index of the synthetic person (core.sync.synthetic)")
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--n", type=int, default=0, help="which purchase of the person (makes trace codes unique)")
    s.add_argument("--operator", default="OP01")
    s.add_argument("--no-print", action="store_true")
    s.add_argument("--catalogue", action="store_true", help="sync the catalogue first")
    s.add_argument("--drain", action="store_true", help="drain the outbox at the end")
    k = sub.add_parser("stock")
    k.add_argument("--person", type=int, required=True, help="whose synthetic trace codes to receive")
    k.add_argument("--boxes", type=int, default=4)
    k.add_argument("--n", type=int, default=0)
    k.add_argument("--write-off", type=int, default=0, help="write off the last N boxes (3502)")
    k.add_argument("--back", type=int, default=0, help="send the N boxes before those back to the supplier (3504)")
    k.add_argument("--count", action="store_true", help="count the rest and confirm (3501)")
    k.add_argument("--sell", action="store_true", help="sell the rest to the person and print (2102, 3505)")
    k.add_argument("--operator", default="OP01")
    k.add_argument("--catalogue", action="store_true", help="sync the catalogue first")
    k.add_argument("--drain", action="store_true", help="drain the outbox at the end")
    r = sub.add_parser("return")
    r.add_argument("--sale", required=True, help="the sale id (the stock command's sale_id)")
    r.add_argument("--operator", default="OP01")
    r.add_argument("--drain", action="store_true", help="drain the outbox at the end")
    d = sub.add_parser("drain")
    d.add_argument("--timeout", type=float, default=60.0)
    d.add_argument("--wait", action="store_true", help="keep trying while the centre is unreachable")
    v = sub.add_parser("serve")
    v.add_argument("--seconds", type=float, default=5.0)
    v.add_argument("--until", help="stop when this file exists (a test's event), --seconds at most")
    v.add_argument("--go", help="print a 'ready' event, then send only once this file exists")
    v.add_argument("--no-recover", action="store_true")
    sub.add_parser("status")
    c = sub.add_parser("reconcile")
    c.add_argument("--detail", action="store_true")
    sub.add_parser("dump")
    return p


def main(argv: list[str] | None = None) -> int:
    import logging

    from core.sync import killpoints

    args = build_parser().parse_args(argv)
    home = Path(args.home).resolve()
    os.environ.setdefault("ONEWINDOW_HOME", str(home))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    killpoints.install_after_send_hook()
    return COMMANDS[args.command](home, args)


if __name__ == "__main__":
    sys.exit(main())
