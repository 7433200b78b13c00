"""classify + parse one scan (budget < 100 µs) over a realistic mix, with a str.strip()+isdigit baseline."""
from __future__ import annotations

import argparse
import base64
import platform
import random
import statistics
import time
from collections import Counter
from datetime import date

BUDGET_US = 100.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=100_000, help="inputs in the mix (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best is reported (default 3)")
    parser.add_argument("--seed", type=int, default=1)


def run(args: argparse.Namespace) -> dict:
    from core.codes import classify

    count, repeat = max(1, args.count), max(1, args.repeat)
    inputs = generate_mix(count, random.Random(args.seed))
    today = date.today()
    for text in inputs[:1000]:  # warm caches (regex, unicodedata) outside the timing
        classify(text, today=today)

    passes = [_timed(lambda: [classify(t, today=today) for t in inputs]) for _ in range(repeat)]
    baselines = [_timed(lambda: [t.strip().isdigit() for t in inputs]) for _ in range(repeat)]
    per_scan = min(passes) / count * 1e6
    baseline = min(baselines) / count * 1e6

    # Worst cases matter for a budget per scan: time each call once more, on its own.
    singles = []
    clock = time.perf_counter_ns
    for text in inputs:
        start = clock()
        classify(text, today=today)
        singles.append(clock() - start)
    singles.sort()
    kinds = Counter(classify(t, today=today).kind.value for t in inputs)
    return {
        "name": "codes",
        "scans": count,
        "per_scan_us": round(per_scan, 3),
        "baseline_per_scan_us": round(baseline, 3),
        "ratio": round(per_scan / baseline, 1) if baseline else None,
        "p50_us": round(statistics.median(singles) / 1000, 3),
        "p99_us": round(singles[int(len(singles) * 0.99) - 1 if len(singles) > 1 else 0] / 1000, 3),
        "max_us": round(singles[-1] / 1000, 3),
        "budget_us": BUDGET_US,
        "within_budget": per_scan < BUDGET_US,
        "baseline": "str.strip() + str.isdigit() over the same inputs",
        "mix": dict(sorted(kinds.items())),
        "python": platform.python_version(),
    }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def generate_mix(count: int, rng: random.Random) -> list[str]:
    """What a pharmacy's scanner delivers in a day, scaled: mostly trace codes."""
    from core.codes import build

    prefixes = [f"8{rng.randrange(10**6):06d}" for _ in range(200)]
    regions = ["420704", "420702", "110101", "440300", "310115", "510107"]
    makers = [
        (70, lambda: build.trace_code(rng.choice(prefixes), rng.randrange(10**13)) + rng.choice(("", "\r", "\r\n", "\t"))),
        (2, lambda: "".join(chr(0xFF10 + int(d)) for d in build.trace_code(rng.choice(prefixes), rng.randrange(10**13)))),
        (4, lambda: build.gs1_element_string(build.gtin(f"0{rng.randrange(10**12):012d}"), date(2027, rng.randint(1, 12), 1),
                                             f"B{rng.randrange(10**6)}", f"S{rng.randrange(10**9)}", day_00=True)),
        (3, lambda: "]d2" + build.gs1_element_string(build.gtin(f"0{rng.randrange(10**12):012d}"), "271231",
                                                    f"L{rng.randrange(10**5)}", f"{rng.randrange(10**12)}", bracketed=rng.random() < 0.5)),
        (6, lambda: build.id_number(rng.choice(regions), date(rng.randint(1930, 2010), rng.randint(1, 12), rng.randint(1, 28)),
                                    rng.randrange(1000))),
        (6, lambda: build.gtin(f"69{rng.randrange(10**10):010d}")),
        (4, lambda: "NHSAEV1." + _b64url(rng.randbytes(rng.randint(60, 140))) + "." + _b64url(rng.randbytes(32))),
        (1, lambda: base64.b64encode(rng.randbytes(90)).decode()),
        (1, lambda: f"RX{rng.randrange(10**10):010d}"),
        (1, lambda: "".join(rng.choice("abcdefXYZ0123456789-/?. \x07") for _ in range(rng.randint(1, 60)))),
        (1, lambda: f"{rng.randrange(10**19):019d}"),  # a digit lost between scanner and PC
        (1, lambda: "a" * rng.choice((600, 10_000))),
    ]
    weights = [w for w, _ in makers]
    chosen = rng.choices([m for _, m in makers], weights=weights, k=count)
    return [make() for make in chosen]
