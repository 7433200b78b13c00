"""`onewindow bench decode --json` on a small frame set: the keys, pyzbar's absence, sane figures."""
from __future__ import annotations

import json
import os

from hardware.camera.decoders import pyzbar_status
from onewindow.cli import main

KEYS = {"name", "frames", "zxing_ms_per_frame", "zxing_read_rate", "pyzbar_ms_per_frame", "pyzbar_read_rate", "speedup"}


def test_bench_decode_json(capsys):
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    assert main(["bench", "decode", "--json", "--frames", "14", "--repeat", "1"]) == 0
    figures = json.loads(capsys.readouterr().out)
    if affinity is not None:
        assert os.sched_getaffinity(0) == affinity  # the one-core pin is undone
    assert KEYS <= figures.keys()
    assert figures["name"] == "decode" and figures["frames"] == 14 and figures["resolution"] == "1280x720"
    assert figures["zxing_read_rate"] >= 0.8 and figures["zxing_wrong_reads"] == 0
    # The budget (30 frames/s on one core) depends on the machine, so it is reported, not judged. Judged: the
    # pipeline's view schedule costs at most 1.5x one fast decode per frame (the decoder alone, same frames, same
    # run), in CPU time, which other processes on a busy machine inflate far less than wall time. Decoding the
    # turned and inverted views on every frame as well doubles it (planted: 4.02 ms against 2.01).
    assert figures["zxing_fps"] > 0 and figures["zxing_cpu_fps"] > 0
    assert figures["zxing_cpu_ms_per_frame"] <= 1.5 * figures["zxing_single_pass_cpu_ms"], figures
    if pyzbar_status().available:
        assert figures["pyzbar_ms_per_frame"] > 0 and figures["speedup"] is not None
    else:
        assert figures["pyzbar_ms_per_frame"] is None and figures["pyzbar_read_rate"] is None
        assert figures["speedup"] is None
