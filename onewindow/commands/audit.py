"""`onewindow audit vectors FILE` and `onewindow audit case FILE`: the local pre-audit engine on files."""
from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="pre-audit prescriptions from files (事前审核)")
    asub = p.add_subparsers(dest="audit_command", metavar="WHAT", required=True)
    v = asub.add_parser("vectors", help="evaluate every vector of a vectors file; JSON array on stdout")
    v.add_argument("file")
    v.set_defaults(handler=_vectors)
    c = asub.add_parser("case", help="explain one case: each hit and the arithmetic line by line")
    c.add_argument("file", help="a case file (world inline or --world), or a vectors file with --id")
    c.add_argument("--world", help="world file (profiles, catalogue, facilities, patients) if the case has none")
    c.add_argument("--id", help="which vector of a vectors file")
    c.add_argument("--lang", choices=("zh", "en"), default="zh")
    c.add_argument("--json", action="store_true", help="print the result as JSON instead of text")
    c.set_defaults(handler=_case)


def _fail(exc: Exception) -> int:
    print(f"错误 error: {exc}", file=sys.stderr)
    return 2


def _vectors(args: argparse.Namespace) -> int:
    from core.audit.context import AuditInputError
    from core.policy.calculator import PolicyError
    from core.services.audit_runs import result_row, run_case, run_cases_in_stores
    from core.services.cases import parse_vectors
    from core.services.world import WorldError, read_json, world_from_dict

    try:
        data = read_json(args.file)
        world = world_from_dict(data, args.file)
        cases = parse_vectors(world, data, args.file)  # the whole file is checked before any store is written
        for case in cases:
            try:
                run_case(world, case)  # a case the engine cannot take is named before anything is written
            except (AuditInputError, PolicyError) as exc:
                raise WorldError(args.file, f"vector {case.case_id}", str(exc)) from None
        rows = [result_row(c, r) for c, r in zip(cases, run_cases_in_stores(world, cases))]
    except WorldError as exc:
        return _fail(exc)
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _case(args: argparse.Namespace) -> int:
    from core.audit.context import AuditInputError
    from core.services.audit_report import explain
    from core.policy.calculator import PolicyError
    from core.services.audit_runs import result_row, run_case
    from core.services.cases import parse_case
    from core.services.world import WorldError, load_world, read_json, world_from_dict

    try:
        data = read_json(args.file)
        if not isinstance(data, dict):
            raise WorldError(args.file, "-", "must be a JSON object")
        if args.world:
            world = load_world(args.world)
        elif "world" in data:
            from pathlib import Path

            world = load_world(Path(args.file).parent / str(data["world"]))
        else:
            world = world_from_dict(data, args.file)
        body = data.get("case", data)
        if "vectors" in data:
            chosen = [v for v in data["vectors"] if isinstance(v, dict) and v.get("id") == args.id]
            if not chosen:
                raise WorldError(args.file, "vectors", f"no vector with id {args.id!r} (use --id)")
            body = chosen[0]
        case = parse_case(world, body, args.file)
        result = run_case(world, case)
    except (WorldError, AuditInputError, PolicyError) as exc:
        return _fail(exc)
    if args.json:
        print(json.dumps(result_row(case, result), ensure_ascii=False, indent=1))
    else:
        print(explain(case, result, world, args.lang))
    return 0
