"""`onewindow gateway lint|sample|institution`: the platform messages against an interface profile's field tables.

    onewindow gateway lint FILE|- [--profile NAME]      one JSON envelope, a JSON array of them, or one per line;
                                                         one line per problem, exit 1 when there is any
    onewindow gateway sample INFNO [--profile NAME]     the message the client would send for a demo sale
    onewindow gateway institution CODE [--signing ow,tif,csb] [--interface NAME] [--chain NAME] [--db URL]
                                                         how the centre reads and checks one institution
"""
from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gateway", help="platform messages: lint against the field lists, samples, centre settings")
    gsub = p.add_subparsers(dest="gateway_command", metavar="ACTION")
    lint = gsub.add_parser("lint", help="check messages against an interface profile's field tables (exit 1 on problems)")
    lint.add_argument("file", help="JSON file (one envelope, an array, or one per line); - reads stdin")
    lint.add_argument("--profile", default="national", help="interface profile (default national)")
    lint.set_defaults(handler=run_lint)
    sample = gsub.add_parser("sample", help="print the message the client would send for a demo sale (JSON)")
    sample.add_argument("infno", help="transaction number, e.g. 2102, or all")
    sample.add_argument("--profile", default="national", help="interface profile (default national)")
    sample.set_defaults(handler=run_sample)
    inst = gsub.add_parser("institution", help="set an institution's signing styles and interface profile at the centre")
    inst.add_argument("code", help="institution code (fixmedins_code), or default")
    inst.add_argument("--signing", help="comma-separated styles the centre accepts from it: ow, tif, csb")
    inst.add_argument("--interface", help="interface profile its terminals speak (national, hubei, onewindow …)")
    inst.add_argument("--chain", help="the pharmacy chain (连锁) it is a branch of: 调拨 only within one chain; '' leaves it")
    inst.add_argument("--db", help="centre database URL (default: the centre's SQLite file)")
    inst.set_defaults(handler=run_institution)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _profile(name: str):
    from core.gateway.profiles import InterfaceProfileError, load_profile

    try:
        return load_profile(name)
    except InterfaceProfileError as exc:
        print(f"onewindow gateway: {exc}", file=sys.stderr)
        return None


def read_messages(text: str) -> list:
    """One envelope, an array of envelopes, or one per line."""
    text = text.strip()
    if not text:
        raise ValueError("empty input / 输入为空")
    try:
        data = json.loads(text)
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return data if isinstance(data, list) else [data]


def run_lint(args: argparse.Namespace) -> int:
    from core.gateway.conform import check

    profile = _profile(args.profile)
    if profile is None:
        return 2
    try:
        text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
        messages = read_messages(text)
    except (OSError, ValueError) as exc:
        print(f"onewindow gateway lint: 无法读取报文 cannot read the messages: {exc}", file=sys.stderr)
        return 2
    bad = 0
    for n, env in enumerate(messages, start=1):
        label = f"#{n}"
        if isinstance(env, dict):
            label = f"#{n} {env.get('infno', '?')} {env.get('msgid', '')}".rstrip()
        for problem in check(profile.tables, env):
            print(f"{label}: {problem.text()}")
            bad += 1
    if bad:
        print(f"{bad} 处不符合 {profile.profile_id} 字段表 / {bad} problem(s) against the {profile.profile_id} field lists",
              file=sys.stderr)
        return 1
    print(f"OK: {len(messages)} 条报文符合 {profile.profile_id} 字段表 / message(s) conform", file=sys.stderr)
    return 0


def run_sample(args: argparse.Namespace) -> int:
    from core.gateway.samples import SampleError, sample_messages

    profile = _profile(args.profile)
    if profile is None:
        return 2
    try:
        messages = sample_messages(profile, args.infno)
    except SampleError as exc:
        print(f"onewindow gateway sample: {exc}", file=sys.stderr)
        return 2
    for env in messages:
        print(json.dumps(env, ensure_ascii=False, separators=(",", ":"), default=str))
    return 0


def run_institution(args: argparse.Namespace) -> int:
    from core.gateway.profiles import SIGNING_STYLES
    from onewindow.commands.server import default_db_url
    from server.db import DatabaseError, open_centre
    from server.models import institution, setting

    values = {}
    if args.signing:
        styles = [s.strip() for s in args.signing.split(",") if s.strip()]
        bad = [s for s in styles if s not in SIGNING_STYLES]
        if bad or not styles:
            print(f"onewindow gateway institution: 未知签名方式 unknown signing style(s) {bad or args.signing!r}; "
                  f"known: {', '.join(SIGNING_STYLES)}", file=sys.stderr)
            return 2
        values[f"signing.{args.code}"] = ",".join(styles)
    if args.interface:
        if _profile(args.interface) is None:
            return 2
        values[f"interface.{args.code}"] = args.interface
    if args.chain is not None:
        if args.code == "default":
            print("onewindow gateway institution: --chain 须给出门店的机构编码 / a chain is set per pharmacy, not for default",
                  file=sys.stderr)
            return 2
        values[f"stock.chain.{args.code}"] = args.chain.strip()
    if not values:
        print("onewindow gateway institution: give --signing, --interface and/or --chain", file=sys.stderr)
        return 2
    try:
        engine = open_centre(args.db or default_db_url())
    except DatabaseError as exc:
        print(f"onewindow gateway institution: {exc}", file=sys.stderr)
        return 2
    try:
        with engine.begin() as conn:
            if args.code != "default" and conn.execute(
                    institution.select().where(institution.c.code == args.code)).first() is None:
                print(f"onewindow gateway institution: 机构 {args.code} 不存在 / no institution {args.code} "
                      "(run `onewindow seed` first)", file=sys.stderr)
                return 2
            for key, value in values.items():
                conn.execute(setting.delete().where(setting.c.key == key))
                conn.execute(setting.insert().values(key=key, value=value))
    finally:
        engine.dispose()
    for key, value in values.items():
        print(f"{key} = {value}")
    return 0
