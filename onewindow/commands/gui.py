"""`onewindow gui --shell counter|pharmacy|kiosk|scan [--server URL] [--screenshot PATH [--screen WxH]]`.

Every shell is built by the composition root (onewindow.root) from the site settings (`onewindow config show`).
`--screenshot PATH` renders the shell's first screen (the login over the window; the kiosk's welcome) offscreen
at the screen size `--screen` (default 1366x768), writes the PNG and exits: for docs, support and tests.
The kiosk runs under a watchdog that restarts it after a crash (desktop/kiosk/app.py); `--no-watchdog` runs the
shell itself (what the watchdog starts).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

SHELLS = ("counter", "pharmacy", "kiosk", "scan")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open a shell: counter, pharmacy, kiosk or scan (图形界面)")
    p.add_argument("--shell", choices=SHELLS, required=True, help="which shell to open")
    p.add_argument("--server", metavar="URL", help="the centre's base URL for this run, e.g. http://127.0.0.1:8700")
    p.add_argument("--screenshot", metavar="PATH", help="render the first screen offscreen into this PNG and exit")
    p.add_argument("--screen", metavar="WxH", default="1366x768", help="screen size for --screenshot")
    p.add_argument("--no-watchdog", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--parent-pid", type=int, default=0, help=argparse.SUPPRESS)  # the kiosk's watchdog
    p.add_argument("--windowed", action="store_true", help="kiosk: not full screen (development)")
    add_quit_after(p)
    p.set_defaults(handler=run)


def add_quit_after(parser: argparse.ArgumentParser) -> None:
    # For smoke tests and installers: prove the window comes up, then quit. Hidden from --help.
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)


def offscreen_screen(size: str) -> None:
    """Qt's offscreen platform with one screen of `size` (before the QApplication exists)."""
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", size)
    if not match:
        raise ValueError(f"--screen needs WIDTHxHEIGHT, e.g. 1366x768, got {size!r}")
    width, height = int(match[1]), int(match[2])
    fd, path = tempfile.mkstemp(prefix="onewindow-screen-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump({"screens": [{"name": "onewindow", "x": 0, "y": 0, "width": width, "height": height,
                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}, fh)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"


def run(args: argparse.Namespace) -> int:
    if args.server is not None:
        parts = urlsplit(args.server)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            print(f"onewindow gui: error: --server needs an http(s) URL, got {args.server!r}", file=sys.stderr)
            return 2
    screenshot = Path(args.screenshot) if args.screenshot else None
    if screenshot is not None:
        try:
            offscreen_screen(args.screen)
        except ValueError as exc:
            print(f"onewindow gui: error: {exc}", file=sys.stderr)
            return 2
    if args.shell == "kiosk" and screenshot is None and not args.no_watchdog:
        # The kiosk shell runs in a child process that a watchdog restarts after a crash (desktop/kiosk/app.py).
        from desktop.kiosk.app import child_command, run_watchdog

        return run_watchdog(child_command(args.server, args.quit_after, args.windowed))
    from onewindow.root import run_shell

    return run_shell(args.shell, args.server, quit_after_ms=args.quit_after, screenshot=screenshot,
                     fullscreen=not args.windowed, parent_pid=args.parent_pid)
