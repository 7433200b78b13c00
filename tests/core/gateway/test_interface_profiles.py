"""Interface profiles are validated data (resources/interface/*.json): every bundled one loads, a bad file never
half-loads and names its key in Chinese and English, and a profile's per-service paths are where the terminal
posts."""
from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.gateway.profiles import (
    ALT_PATH,
    DEFAULT_PATH,
    InterfaceProfileError,
    known_profiles,
    load_profile,
    profile_from_dict,
)

GOOD = {"id": "x", "paths": {"default": DEFAULT_PATH}, "signing": "tif", "extensions": [], "trace_codes": "3505",
        "med_type": {"LB": "14", "MT": "14"}}


def test_every_bundled_profile_loads():
    names = known_profiles()
    assert {"national", "hubei", "onewindow"} <= set(names)
    for name in names:
        p = load_profile(name)
        assert p.profile_id == name and p.tables.table("2102") is not None
    assert load_profile("national").extensions == () and load_profile("hubei").trace_codes == "settlement_node"


@pytest.mark.parametrize("change, where", [
    ({"colour": "red"}, "x.json.colour"),
    ({"signing": "rsa"}, "x.json.signing"),
    ({"paths": {"default": "fsi/api"}}, "x.json.paths.default"),
    ({"extensions": ["nowhere"]}, "x.json.extensions"),
    ({"trace_codes": "settlement_node"}, "x.json.trace_codes"),  # the node needs the drug_trac_info extension
    ({"med_type": {"LB": "14"}}, "x.json.med_type.MT"),
    ({"exp_content": "xml"}, "x.json.exp_content"),
    ({"dise_codg": "icd"}, "x.json.dise_codg"),
    ({"sale_upload_hours": 0}, "x.json.sale_upload_hours"),
    ({"sale_upload_hours": "24"}, "x.json.sale_upload_hours"),
    ({"infno": {"person": ""}}, "x.json.infno.person"),
])
def test_a_bad_profile_names_its_key(change, where):
    with pytest.raises(InterfaceProfileError) as err:
        profile_from_dict({**GOOD, **change}, "x.json")
    assert err.value.where == where
    assert "接口配置错误" in str(err.value) and "interface profile" in str(err.value)


def test_an_unknown_profile_lists_the_known_ones(tmp_path):
    with pytest.raises(InterfaceProfileError) as err:
        load_profile("atlantis")
    assert "national" in str(err.value) and "没有此接口配置" in str(err.value)
    bad = tmp_path / "p.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(InterfaceProfileError, match="JSON"):
        load_profile(str(bad))


def test_per_service_paths_are_where_the_terminal_posts(tmp_path):
    """A gateway with a path per service (some provinces): 9001 to its own path, 1101 to another, the rest to the
    default; the terminal's transport posts exactly there."""
    from core.sync.config import config_from_dict
    from core.sync.transport import Transport

    data = {**GOOD, "id": "province", "paths": {"default": ALT_PATH, "9001": "/fsi/api/signIn",
                                                 "1101": "/fsi/api/fsiPsnInfoService/queryPsnInfo"}}
    path = tmp_path / "province.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    seen: list[str] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server name
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.path)
            body = {"infcode": 0, "output": {"signinoutb": {"sign_no": "S1"}}} if self.path.endswith("signIn") \
                else {"infcode": 0, "output": {}}
            raw = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cfg = config_from_dict({"terminal": {"institution_code": "P42070000001", "secret": "s" * 64},
                                "centre": {"url": f"http://127.0.0.1:{server.server_port}",
                                           "interface_profile": str(path)}})
        n = itertools.count(1)
        t = Transport(cfg, allocate_msgid=lambda: f"P42070000001{next(n):018d}",
                      clock=lambda: dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        try:
            assert t.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "x"}}, operator="OP01").ok
            assert t.call("5301", {"data": {"psn_no": "T0001"}}, operator="OP01").ok
        finally:
            t.close()
    finally:
        server.shutdown()
        server.server_close()
    assert seen == ["/fsi/api/signIn", "/fsi/api/fsiPsnInfoService/queryPsnInfo", ALT_PATH]
