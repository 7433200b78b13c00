"""`onewindow gui --shell counter|pharmacy|kiosk [--server URL]`: open a shell.

The pharmacy shell is the dispensing desk (desktop/pharmacy); its settings are <app home>/desk.json
(institution code, signing secret, terminal, font size, language). The counter shell (desktop/counter) reads
<app home>/counter.json in the same format.
"""
from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit

SHELLS = ("counter", "pharmacy", "kiosk")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open a shell: counter, pharmacy or kiosk (图形界面)")
    p.add_argument("--shell", choices=SHELLS, required=True, help="which shell to open")
    p.add_argument("--server", metavar="URL", help="the centre's base URL, e.g. http://127.0.0.1:8700")
    add_quit_after(p)
    p.set_defaults(handler=run)


def add_quit_after(parser: argparse.ArgumentParser) -> None:
    # For smoke tests and installers: prove the window comes up, then quit. Hidden from --help.
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    if args.server is not None:
        parts = urlsplit(args.server)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            print(f"onewindow gui: error: --server needs an http(s) URL, got {args.server!r}", file=sys.stderr)
            return 2
    if args.shell == "pharmacy":
        from desktop.pharmacy.app import run_pharmacy

        return run_pharmacy(args.server, quit_after_ms=args.quit_after)
    if args.shell == "counter":
        from desktop.counter.app import run_counter

        return run_counter(args.server, quit_after_ms=args.quit_after)
    if args.shell == "kiosk":
        # The kiosk shell runs in a child process that a watchdog restarts after a crash (desktop/kiosk/app.py).
        from desktop.kiosk.app import child_command, run_watchdog

        return run_watchdog(child_command(args.server, args.quit_after))
    from desktop.launch import run_scan_window

    return run_scan_window(args.shell, args.server, args.quit_after)
