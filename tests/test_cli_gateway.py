"""`onewindow gateway lint` on vendor-shaped messages (exit 1, one line per problem) and bad input (exit 2)."""
from __future__ import annotations

import json

from onewindow.cli import main
from tests.server import vendor_messages as vm
from tests.server.helpers import D01, P01_CERTNO, PH1, envelope


def _env(payload, infno="2102"):
    env = envelope(infno, payload, PH1, sign_no="20261207000000ABCDEF")
    return env


def test_lint_names_each_problem_and_passes_the_national_lists(tmp_path, capsys):
    clean = _env(vm.settle("T0001", P01_CERTNO, D01))
    csharp = _env(vm.variant(vm.settle("T0001", P01_CERTNO, D01), "csharp"))
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps(clean, ensure_ascii=False) + "\n" + json.dumps(csharp, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    assert main(["gateway", "lint", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith("#2 2102") for line in out), out
    assert any("input.druginfo.invono" in line and "null" in line for line in out)
    assert any("input.druginfo.begntime" in line and "yyyy-MM-dd HH:mm:ss" in line for line in out)
    path.write_text(json.dumps([clean], ensure_ascii=False), encoding="utf-8")
    assert main(["gateway", "lint", str(path)]) == 0
    hubei = _env({**vm.settle("T0001", P01_CERTNO, D01),
                  "drug_trac_info": [{"feedetl_sn": "1", "drug_trac_codg": "81000110000000000001", "trdn_flag": "0"}]})
    path.write_text(json.dumps(hubei, ensure_ascii=False), encoding="utf-8")
    assert main(["gateway", "lint", str(path), "--profile", "hubei"]) == 0
    assert main(["gateway", "lint", str(path), "--profile", "national"]) == 1
    assert "input.drug_trac_info" in capsys.readouterr().out


def test_lint_bad_input(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    assert main(["gateway", "lint", str(path)]) == 2
    assert "无法读取报文" in capsys.readouterr().err
    assert main(["gateway", "lint", str(path), "--profile", "nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_sample_all_piped_into_lint_passes_for_every_profile(tmp_path):
    """`onewindow gateway sample all --profile X | onewindow gateway lint - --profile X`, as the README says, for
    each profile: every message our client builds (9001 1101 5301 2101 2102 2103 2601 3505 3506 3201 9002) passes;
    the national lint refuses the provincial and our own shapes, so the pipe can fail."""
    import subprocess
    import sys

    from core.gateway.profiles import known_profiles
    from core.gateway.samples import ORDER

    def sh(profile: str, lint_profile: str) -> subprocess.CompletedProcess:
        cmd = (f"{sys.executable} -m onewindow gateway sample all --profile {profile} | "
               f"{sys.executable} -m onewindow gateway lint - --profile {lint_profile}")
        return subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, cwd=tmp_path)

    names = known_profiles()
    assert {"national", "hubei", "onewindow"} <= set(names)
    for name in names:
        done = sh(name, name)
        assert done.returncode == 0, (name, done.stdout, done.stderr)
        assert f"OK: {len(ORDER)} 条报文符合 {name}" in done.stdout + done.stderr, (done.stdout, done.stderr)
    for name in ("hubei", "onewindow"):
        refused = sh(name, "national")
        assert refused.returncode == 1, (name, refused.stdout)
        assert "2102" in refused.stdout and "input." in refused.stdout
