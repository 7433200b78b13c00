"""`onewindow bench NAME [--json]`: run one benchmark and print its figures.

Each benchmark is a module onewindow/benchmarks/<name>.py with `add_arguments(parser)` (optional) and
`run(args) -> dict`. Figures include a baseline measured in the same run where the machine matters, so
results are read as ratios rather than absolute times.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil

import onewindow.benchmarks as _pkg


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(_pkg.__path__) if not m.name.startswith("_"))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run a benchmark (性能基准)")
    bsub = p.add_subparsers(dest="bench_name", metavar="NAME", required=True)
    for name in available():
        module = importlib.import_module(f"onewindow.benchmarks.{name}")
        bp = bsub.add_parser(name, help=(module.__doc__ or name).strip().splitlines()[0])
        bp.add_argument("--json", action="store_true", help="print one JSON object")
        if hasattr(module, "add_arguments"):
            module.add_arguments(bp)
        bp.set_defaults(handler=_runner(module))


def _runner(module):
    def handler(args: argparse.Namespace) -> int:
        figures = module.run(args)
        if args.json:
            print(json.dumps(figures, ensure_ascii=False))
        else:
            for key, value in figures.items():
                print(f"{key}: {value}")
        return 0

    return handler
