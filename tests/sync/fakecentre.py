"""A scriptable stand-in for the centre (plain HTTP, the envelope only) for tests that need answers the real
centre never gives: a hang, a refusal of one message, different figures for an offline sale."""
from __future__ import annotations

import json
import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeCentre:
    """An HTTP server whose answer is computed by `answer(envelope) -> (status, body bytes)`."""

    def __init__(self, answer, port: int = 0) -> None:
        self.answer = answer
        self.received: list[dict] = []
        self.headers: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                env = json.loads(body)
                outer.received.append(env)
                outer.headers.append({k.lower(): v for k, v in self.headers.items()})
                status, out = outer.answer(env)
                if status is None:  # hang up without answering
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True

            def server_bind(self) -> None:
                # beside a HeldPort's placeholder socket, which keeps the port ours while no centre listens
                self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                super().server_bind()

        self.server = Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def port(self) -> int:
        return self.server.server_address[1]




def envelope_answer(infcode=0, output=None, err_msg=""):
    return json.dumps({"infcode": infcode, "inf_refmsgid": "x", "refmsg_time": "", "respond_time": "",
                       "err_msg": err_msg, "warn_msg": "", "output": output or {}}, default=str).encode()


def setlinfo(env, *, fund_ratio=Decimal("0.5"), total=None, fund=None):
    info = env["input"]["druginfo"]
    total = Decimal(str(total if total is not None else info["medfee_sumamt"]))
    fund = Decimal(str(fund)) if fund is not None else (total * fund_ratio).quantize(Decimal("0.01"))
    setl_id = env["msgid"] if env["infno"] == "2102" else ""
    return {"setlinfo": {"setl_id": setl_id, "mdtrt_id": setl_id, "psn_no": info["psn_no"],
                         "medfee_sumamt": f"{total:.2f}", "fund_pay_sumamt": f"{fund:.2f}", "hifp_pay": f"{fund:.2f}",
                         "psn_part_amt": f"{total - fund:.2f}", "act_pay_dedc": "0.00",
                         "setl_time": time.strftime("%Y-%m-%d %H:%M:%S"), "medins_setl_id": env["msgid"],
                         "expContent": {"scheme": "LB", "period": time.strftime("%Y")}}}


class ScriptedCentre(FakeCentre):
    """Answers like the centre; `script[infno]` (a list of callables or "hang"/"drop"/"refuse:<msg>") overrides the
    next answers of a transaction, one entry per request."""

    def __init__(self, port: int = 0) -> None:
        self.script: dict[str, list] = {}
        self.seen_msgids: dict[str, bytes] = {}  # msgid -> first answer (the centre's idempotency)
        self.hang_s = 1.2
        self.lock = threading.Lock()
        super().__init__(self._answer, port)

    def _answer(self, env):
        infno = env["infno"]
        with self.lock:
            todo = self.script.get(infno) or []
            step = todo.pop(0) if todo else None
        if step == "hang":  # never processed, no answer
            time.sleep(self.hang_s)
            return None, b""
        if step == "drop":  # processed (remembered under the msgid), the answer is lost
            with self.lock:
                if env["msgid"] not in self.seen_msgids:
                    self.seen_msgids[env["msgid"]] = self.default(env)[1]
            return None, b""
        if callable(step):
            return step(env)
        if isinstance(step, str) and step.startswith("refuse:"):
            return 200, envelope_answer(-1, err_msg=step[7:])
        with self.lock:
            if env["msgid"] in self.seen_msgids and infno != "9001":
                return 200, self.seen_msgids[env["msgid"]]
        out = self.default(env)
        with self.lock:
            self.seen_msgids.setdefault(env["msgid"], out[1])
        return out

    def default(self, env):
        infno = env["infno"]
        if infno == "9001":
            return 200, envelope_answer(0, {"signinoutb": {"sign_no": "SN" + str(time.time_ns())[-20:],
                                                           "sign_time": ""}})
        if infno in ("2101", "2102"):
            return 200, envelope_answer(0, setlinfo(env))
        if infno == "2601":
            return 200, envelope_answer(0, {"data": {"rslt": "1", "memo": "已冲正"}})
        return 200, envelope_answer(0, {"retRslt": "1"})

    def count(self, infno: str) -> int:
        return sum(1 for e in self.received if e["infno"] == infno)
