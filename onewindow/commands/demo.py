"""`onewindow demo`: the whole system on one machine — an embedded centre on SQLite seeded with the demo
world (resources/demo/world.json), demo staff and e-prescriptions, a printable sheet of demo codes, and the
pharmacy shell connected to that centre.

Everything lives in <app home>/demo (or --home): centre.db, desk.db, receipts/, demo-codes.pdf/.png.
Running it again reuses the data (seeding is idempotent) and adds fresh prescriptions when none are waiting.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from onewindow.commands.gui import add_quit_after

PH1, H3 = "P42070000001", "H42070000031"
EVOUCHER_TTL = 12 * 3600  # the sheet is printed once per demo: its QR codes last the day


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the demo: embedded centre, demo data, pharmacy shell (演示)")
    p.add_argument("--home", help="demo data folder (default: <app home>/demo)")
    p.add_argument("--no-gui", action="store_true", help="prepare the centre, data and code sheet, then exit")
    p.add_argument("--centre", metavar="URL",
                   help="use a centre already running on <home>/centre.db (`onewindow server --db …`) instead of "
                        "the embedded one, so that it can be stopped and started apart from the shell")
    add_quit_after(p)
    p.set_defaults(handler=run)


class EmbeddedCentre:
    """The centre's FastAPI app under uvicorn in a daemon thread on a free loopback port."""

    def __init__(self, app) -> None:
        import socket

        self.engine = app.centre.engine

        import uvicorn

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, name="embedded-centre", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "EmbeddedCentre":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the embedded centre did not start within 15 s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        # the app's lifespan is off here (uvicorn in a thread): record the journal's head as the centre leaves it,
        # as a stopping `onewindow server` does, so cutting off the newest entries shows in `journal verify`
        from server import journal
        from server.centre import system_clock

        journal.checkpoint(self.engine, at=system_clock().isoformat(timespec="microseconds"), reason="shutdown")


def prepare(home: Path):
    """Seed the centre and the desk; returns (centre engine, secrets, desk config)."""
    import os

    from core.services.pharmacy_config import DeskConfig
    from core.services.world import load_world
    from core.store.paths import sqlite_url
    from server.db import open_centre
    from server.seed import DEMO_INSTITUTIONS, seed_institutions, seed_world

    os.environ.setdefault("ONEWINDOW_HOME", str(home))  # the data key of this demo lives with its data
    home.mkdir(parents=True, exist_ok=True)
    world_path = Path(__file__).resolve().parent.parent.parent / "resources" / "demo" / "world.json"
    world = load_world(world_path)
    engine = open_centre(sqlite_url(home / "centre.db"))
    report = seed_world(engine, world)
    # the agency (the counter shell runs as it), the supervisor and the kiosk, with the centre's staff
    report = seed_institutions(engine, json.loads(DEMO_INSTITUTIONS.read_text(encoding="utf-8")), report=report)
    fac = world.facility_by_code()[PH1]
    config = DeskConfig(institution=PH1, institution_name=fac.name, secret=report.secrets[PH1], terminal="DEMO1",
                        store_url=sqlite_url(home / "desk.db"), receipt_dir=str(home / "receipts"),
                        profile_id=next(iter(world.profiles)))
    return engine, report.secrets, config


def populate(centre_url: str, engine, secrets: dict, config, home: Path) -> list:
    """Staff, uncoded stock, waiting e-prescriptions, and the code sheet items."""
    from core.services.auth import Auth
    from dataclasses import replace

    from core.services.centre_link import CentreRefused
    from core.services.pharmacy_demo import PATIENTS, demo_uncoded_stock, rx_payload, seed_staff, sheet_items
    from core.services.pharmacy_desk import PharmacyDesk
    from core.services.sync_link import TerminalCentreLink
    from core.store.db import open_store
    from core.store.paths import sqlite_url
    from server.transactions.evoucher import issue_for_certno

    store = open_store(config.store_url)
    try:
        desk = PharmacyDesk(store, None, config)
        seed_staff(Auth(store))
        demo_uncoded_stock(desk)
    finally:
        store.dispose()
    # Links over terminals with stored msgid sequences (never reused across demo runs): the demo hospital on a
    # store of its own, the pharmacy on the desk's store (closed again before the desk opens it).
    hospital = TerminalCentreLink.for_desk(replace(config, institution=H3, institution_name="市中心医院",
                                                   secret=secrets[H3], server_url=centre_url,
                                                   store_url=sqlite_url(home / "hospital.db")))
    pharmacy = TerminalCentreLink.for_desk(replace(config, server_url=centre_url))
    try:
        for psn, _certno, _label, lines, med_type, diag in PATIENTS:
            waiting = [r for r in pharmacy.call("7202", {"data": {"psn_no": psn}}).get("data", [])
                       if r.get("rx_stas") == "uploaded"]
            if not waiting:
                try:
                    hospital.call("7101", rx_payload(psn, lines, med_type, diag))
                except CentreRefused as exc:
                    print(f"onewindow demo: prescription for {psn} not uploaded: {exc.err_msg}", file=sys.stderr)
    finally:
        hospital.close()
        pharmacy.close()
    evouchers = {psn: issue_for_certno(engine, certno, ttl=EVOUCHER_TTL) for psn, certno, *_ in PATIENTS}
    return sheet_items(evouchers)


def supervision_login_hint(engine) -> str:
    """The demo's supervisor login, from the demo institutions file (resources/demo/institutions.json)."""
    import json

    path = Path(__file__).resolve().parents[2] / "resources" / "demo" / "institutions.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        spec = {}
    for person in spec.get("staff", []):
        if "supervisor" in person.get("roles", []):
            return f"机构 {person['institution']} · 用户 {person['user']} · 密码 {person['password']}"
    return "no supervisor account in the demo institutions / 未配置监管员账号"


def headless_qt() -> None:
    """Qt's offscreen platform unless a display is there (without one the xcb plugin aborts the process)."""
    import os

    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def run(args: argparse.Namespace) -> int:
    from core.settings.paths import app_home
    from server.app import create_app

    home = Path(args.home) if args.home else app_home() / "demo"
    engine, secrets, config = prepare(home)
    centre = EmbeddedCentre(create_app(engine=engine)).start() if not args.centre else None
    centre_url = centre.url if centre is not None else args.centre.rstrip("/")
    try:
        from dataclasses import replace

        config = replace(config, server_url=centre_url)
        items = populate(centre_url, engine, secrets, config, home)
        if args.no_gui:
            headless_qt()  # the code sheet is drawn with Qt: offscreen when there is no display
        from desktop.qt import application
        from desktop.pharmacy.demo_sheet import write_sheet

        application()
        pdf, png = write_sheet(items, home)
        print(f"onewindow demo: centre on {centre_url} (database {home / 'centre.db'})")
        print(f"  code sheet to print or scan: {pdf}  ({png})")
        print("  staff: li 药师 (PIN 2468) · zhang 主管 (PIN 135790) · wang 营业员 (PIN 1111) · admin (PIN 999999)")
        print("  patients: 420704195703121015 王某, 420704196410101939 钱某, 420704195511021255 赵某")
        print(f"  supervision big screen 智慧监管大屏: {centre_url}/supervision/  ({supervision_login_hint(engine)})")
        if args.no_gui:
            return 0
        from onewindow.root import run_shell

        return run_shell("pharmacy", config=config, quit_after_ms=args.quit_after)
    finally:
        if centre is not None:
            centre.stop()
        engine.dispose()
