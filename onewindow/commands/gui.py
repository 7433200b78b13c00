"""`onewindow gui --shell counter|pharmacy|kiosk [--server URL]`: open a shell.

For now every shell is the scan window titled with the shell's name; the shells grow from it.
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
    from desktop.launch import run_scan_window

    return run_scan_window(args.shell, args.server, args.quit_after)
