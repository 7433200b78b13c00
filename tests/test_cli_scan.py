"""`onewindow scan-parse` as a user runs it: in a child process."""
from __future__ import annotations

import json
import subprocess
import sys


def scan_parse(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return subprocess.run([sys.executable, "-m", "onewindow", "scan-parse", *args], input=data,
                          capture_output=True, timeout=60)


def lines(done: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]


def test_one_json_object_per_argument():
    done = scan_parse("81000110000000000001", "４２０７０４１９５００２０２１５３ｘ", "6901234567893", "--", "-x")
    assert done.returncode == 0, done.stderr
    out = lines(done)
    assert [o["kind"] for o in out] == ["trace_code", "id_card", "commodity_barcode", "unknown"]
    assert all(list(o) == ["input", "kind", "valid", "fields", "error"] for o in out)
    assert out[0]["valid"] is True and out[0]["error"] is None
    assert out[1]["input"] == "４２０７０４１９５００２０２１５３ｘ"  # echoed as given, not escaped
    assert "４２０７" in done.stdout.decode("utf-8")
    assert out[2]["error"] == {"zh": "商品条码校验位错误，请重扫", "en": "commodity barcode check digit is wrong; scan again"}


def test_json_array_from_stdin_keeps_order_and_handles_control_characters():
    items = ["81000110000000000001\r\n", "\x00\x07\x1b", "]d20106901234567892172612001012345\x1d21SN001",
             "", 42, None, "\ud800"]
    done = scan_parse("--json", "-", stdin=json.dumps(items))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.decode("utf-8"))
    assert [o["kind"] for o in out] == ["trace_code", "unknown", "gs1", "unknown", "unknown", "unknown", "unknown"]
    assert out[1]["input"] == "\x00\x07\x1b" and out[1]["error"]["en"].startswith("contains control character U+0000")
    assert out[2]["fields"]["expiry"] == "2026-12-31" and out[2]["fields"]["symbology"] == "]d2"
    assert out[3]["error"]["zh"] == "空输入"
    assert "not text" in out[4]["error"]["en"] and "not text" in out[5]["error"]["en"]
    assert out[6]["input"] == "\ud800"  # a lone surrogate comes back as the same JSON escape


def test_bad_json_on_stdin_is_a_clear_error():
    done = scan_parse("--json", "-", stdin='["8100011000000000000", ')
    assert done.returncode == 2 and done.stdout == b""
    assert b"not valid JSON" in done.stderr and b"Traceback" not in done.stderr


def test_json_that_is_not_an_array_or_not_utf8():
    done = scan_parse("--json", "-", stdin='{"a": 1}')
    assert done.returncode == 2 and b"JSON array" in done.stderr
    done = scan_parse("--json", "-", stdin=b'["\xff"]')
    assert done.returncode == 2 and b"not UTF-8" in done.stderr


def test_usage_errors():
    assert scan_parse().returncode == 2
    assert scan_parse("x", "--json", "-", stdin="[]").returncode == 2


def test_json_from_a_file(tmp_path):
    path = tmp_path / "scans.json"
    path.write_text(json.dumps(["RX12345678"]), encoding="utf-8")
    done = scan_parse("--json", str(path))
    assert json.loads(done.stdout)[0]["kind"] == "rx_token"
    missing = scan_parse("--json", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and b"cannot read" in missing.stderr
