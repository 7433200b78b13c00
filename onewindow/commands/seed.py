"""`onewindow seed --db URL --world FILE`: load a world file into the centre (safe to run twice)."""
from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("seed", help="load a world file into the centre (profiles, catalogue, facilities, persons)")
    p.add_argument("--db", help="centre database URL (default: the centre's SQLite file)")
    p.add_argument("--world", required=True, help="world file (format of ../shared/vectors/audit-vectors.json)")
    p.add_argument("--profile", help="default benefit profile id (default: the first profile in the file)")
    p.add_argument("--institutions", metavar="FILE",
                   help="also the institutions that are not facilities (agency, supervisor, kiosk) and the centre's "
                        "staff, shaped like resources/demo/institutions.json")
    p.add_argument("--secrets-out", help="also write {institution code: secret} as JSON to this file (mode 0600)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import os

    from core.services.world import WorldError, load_world
    from onewindow.commands.server import default_db_url
    from server.db import DatabaseError, open_centre
    from server.seed import seed_institutions, seed_world

    try:
        world = load_world(args.world)
    except WorldError as exc:
        print(f"onewindow seed: {exc}", file=sys.stderr)
        return 2
    if args.profile and args.profile not in world.profiles:
        print(f"onewindow seed: profile {args.profile!r} is not in {args.world}", file=sys.stderr)
        return 2
    try:
        engine = open_centre(args.db or default_db_url())
    except DatabaseError as exc:
        print(f"onewindow seed: {exc}", file=sys.stderr)
        return 2
    try:
        report = seed_world(engine, world, default_profile=args.profile)
        if args.institutions:
            try:
                spec = json.loads(open(args.institutions, encoding="utf-8").read())
                seed_institutions(engine, spec, report=report)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                print(f"onewindow seed: {args.institutions}: {exc}", file=sys.stderr)
                return 2
    finally:
        engine.dispose()
    if args.secrets_out:
        fd = os.open(args.secrets_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(report.secrets, fh, indent=1)
    summary = {
        "drugs_changed": report.drugs_changed, "facilities_changed": report.facilities_changed,
        "persons_changed": report.persons_changed, "profiles_changed": report.profiles_changed,
        "institutions_created": report.secrets_created, "staff_created": report.staff_created, "catalogue_version": report.catalogue_version,
        "secrets": report.secrets,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    state = "changed" if report.changed else "already up to date (nothing written)"
    print(f"seeded {args.world}: {state}")
    print(f"  drugs {report.drugs_changed}, facilities {report.facilities_changed}, persons {report.persons_changed}, "
          f"profiles/settings {report.profiles_changed}; catalogue version {report.catalogue_version}")
    print("institution signing secrets (x-tif-paasid = code; keep them secret):")
    for code, secret in sorted(report.secrets.items()):
        mark = "  (new)" if code in report.secrets_created else ""
        print(f"  {code}  {secret}{mark}")
    return 0
