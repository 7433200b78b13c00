"""`python -m desktop.kiosk watch [--server URL]`   the watchdog (what `onewindow gui --shell kiosk` runs)
`python -m desktop.kiosk set-code`               set the supervisor code (asked twice, 6-12 digits), stored
                                                 as an scrypt hash in the site settings
`python -m desktop.kiosk record-voice [--dir D]`  record the voice prompts with espeak-ng's Mandarin voice
                                                 (installer/build runs it; default resources/kiosk/voice, or the
                                                 data folder's kiosk-voice when that is read-only)
"""
from __future__ import annotations

import argparse
import getpass
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m desktop.kiosk")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("watch",):
        c = sub.add_parser(name)
        c.add_argument("--server", metavar="URL")
        c.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
        c.add_argument("--windowed", action="store_true", help="not full screen (development)")
    sub.add_parser("set-code")
    rec = sub.add_parser("record-voice")
    rec.add_argument("--dir", metavar="DIR", help="folder for the <key>.wav prompts")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.cmd == "watch":
        from desktop.kiosk.app import child_command, run_watchdog

        return run_watchdog(child_command(args.server, args.quit_after, args.windowed))
    if args.cmd == "record-voice":
        import subprocess
        from pathlib import Path

        from desktop.kiosk.voice import record_prompts

        try:
            files = record_prompts(Path(args.dir) if args.dir else None)
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"语音提示未录制 / prompts not recorded: {exc}", file=sys.stderr)
            return 1
        print(f"{len(files)} 条语音提示 / prompts in {files[0].parent}")
        return 0
    from core.services.kiosk import KioskConfig, with_code

    code = getpass.getpass("新管理码 new supervisor code (6-12 digits): ")
    if code != getpass.getpass("再输一次 again: "):
        print("两次不一致 / the two entries differ", file=sys.stderr)
        return 2
    try:
        path = with_code(KioskConfig.load(), code).save()
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"saved in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
