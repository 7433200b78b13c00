"""`onewindow config show [--json] [--shell NAME]` / `config set KEY VALUE [--shell NAME]` / `config unset KEY`:
the site settings (core.settings) — every effective value and where it came from; a change is validated before
the file is written (a bad key or value: the message names it, exit 2, the file as it was)."""
from __future__ import annotations

import argparse
import json
import sys

from core.settings.options import SHELLS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="show or change the site settings (设置)")
    csub = p.add_subparsers(dest="config_command", required=True)
    show = csub.add_parser("show", help="every setting, its value and where it came from")
    show.add_argument("--json", action="store_true", help="one JSON array")
    show.add_argument("--shell", choices=SHELLS, help="as this shell sees them (its own layer and defaults)")
    show.set_defaults(handler=run_show)
    set_ = csub.add_parser("set", help="validate and write one setting")
    set_.add_argument("key")
    set_.add_argument("value")
    set_.add_argument("--shell", choices=SHELLS, help="for this shell only")
    set_.set_defaults(handler=run_set)
    unset = csub.add_parser("unset", help="back to the default")
    unset.add_argument("key")
    unset.add_argument("--shell", choices=SHELLS)
    unset.set_defaults(handler=run_unset)


def _load():
    from core.settings import SettingError, SiteSettings

    try:
        return SiteSettings.load()
    except SettingError as exc:
        print(f"onewindow config: {exc.zh}\n  {exc.en}", file=sys.stderr)
        return None


def _shown(eff) -> object:
    if eff.option.secret and eff.value:
        return "********"
    return eff.value


def run_show(args: argparse.Namespace) -> int:
    settings = _load()
    if settings is None:
        return 2
    rows = settings.all_effective(args.shell)
    if args.json:
        print(json.dumps([{"key": e.option.key, "value": _shown(e), "source": e.source,
                           "default": e.option.default_for(args.shell), "shells": sorted(e.option.shells),
                           "supervisor": e.option.supervisor, "allowed": e.option.allowed(),
                           "zh": e.option.zh, "en": e.option.en} for e in rows], ensure_ascii=False, indent=1))
        return 0
    print(f"# {settings.path}" + ("" if settings.path.exists() else "  (not written yet: every value is a default)"))
    width = max(len(e.option.key) for e in rows)
    for e in rows:
        value = json.dumps(_shown(e), ensure_ascii=False)
        print(f"{e.option.key:<{width}}  {value:<24}  {e.source}  # {e.option.zh}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    from core.settings import SettingError

    settings = _load()
    if settings is None:
        return 2
    try:
        settings.set(args.key, args.value, args.shell, text=True)
        path = settings.save()
    except SettingError as exc:
        print(f"onewindow config: {exc.zh}\n  {exc.en}", file=sys.stderr)
        return 2
    eff = settings.effective(args.key, args.shell)
    print(f"{args.key} = {json.dumps(_shown(eff), ensure_ascii=False)}  ({path})")
    return 0


def run_unset(args: argparse.Namespace) -> int:
    from core.settings import SettingError

    settings = _load()
    if settings is None:
        return 2
    try:
        settings.unset(args.key, args.shell)
        settings.save()
    except SettingError as exc:
        print(f"onewindow config: {exc.zh}\n  {exc.en}", file=sys.stderr)
        return 2
    eff = settings.effective(args.key, args.shell)
    print(f"{args.key} = {json.dumps(_shown(eff), ensure_ascii=False)}  ({eff.source})")
    return 0
