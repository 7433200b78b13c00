"""`onewindow config show [--json] [--shell NAME]` / `config set KEY VALUE [--shell NAME]` / `config unset KEY`:
the site settings (core.settings) — every effective value and where it came from; a change is validated before
the file is written (a bad key or value: the message names it, exit 2, the file as it was).
`config secret [--shell NAME]` reads the centre's signing secret from standard input (never the command line)
and keeps it where the first-run wizard does (OS keyring, else a file encrypted with the data key), writing only
its reference (signing.secret_ref) into the settings file."""
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
    secret = csub.add_parser("secret", help="keep the centre's signing secret out of the settings file: the OS "
                             "keyring, else a file encrypted with the data key (read from standard input)")
    secret.add_argument("--shell", choices=SHELLS, help="for this shell only")
    secret.set_defaults(handler=run_secret)
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


def run_secret(args: argparse.Namespace) -> int:
    from core.settings import SettingError
    from core.settings.paths import config_dir
    from core.settings.secrets import store_secret

    settings = _load()
    if settings is None:
        return 2
    if sys.stdin.isatty():
        import getpass

        secret = getpass.getpass("签名密钥 / signing secret: ")
    else:
        secret = sys.stdin.readline()
    secret = secret.strip()
    if not secret:
        print("onewindow config: 没有读到签名密钥（从标准输入读取）\n  no signing secret read (it is read from standard "
              "input)", file=sys.stderr)
        return 2
    code = str(settings.get("institution.code", args.shell))
    try:
        ref = store_secret(code, secret, config_dir())
        settings.set("signing.secret_ref", ref, args.shell)
        settings.unset("signing.secret", args.shell)  # a plain copy in this layer goes: the reference replaces it
        path = settings.save()
    except (SettingError, OSError) as exc:
        zh, en = (exc.zh, exc.en) if isinstance(exc, SettingError) else ("无法保存签名密钥", str(exc))
        print(f"onewindow config: {zh}\n  {en}", file=sys.stderr)
        return 2
    print(f"signing.secret_ref = {json.dumps(ref, ensure_ascii=False)}  ({path})")
    return 0
