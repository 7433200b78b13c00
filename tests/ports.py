"""Ports bound once and passed on: a test reserves a loopback port for its whole life and hands listening
sockets on that port to the centre it starts (`onewindow server --fd`), instead of picking a free port, closing
it and letting the child bind it later (another process could take it in between).

    port = HeldPort()                                # bound, not listening: connections are refused
    given = port.listeners(2)                        # listening sockets on the same port (SO_REUSEPORT)
    proc = subprocess.Popen([..., *given.args()], pass_fds=given.fds)
    given.close()                                    # the child has them: when it dies, the port refuses again
    ...
    port.close()

While no centre runs, the placeholder keeps the port ours and connections are refused (as by a centre that is
down); each start gets fresh listening sockets, so a dead centre leaves no listener behind that would accept
connections and never answer.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field


def _reusable(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@dataclass
class Listeners:
    """Listening sockets handed to a child; the parent closes its copies once the child has started."""

    sockets: list[socket.socket] = field(default_factory=list)

    @property
    def fds(self) -> tuple[int, ...]:
        return tuple(s.fileno() for s in self.sockets)

    def args(self) -> list[str]:
        return [a for fd in self.fds for a in ("--fd", str(fd))]

    def close(self) -> None:
        for s in self.sockets:
            s.close()
        self.sockets = []


class HeldPort:
    """A loopback port kept bound (not listening) until `close`."""

    def __init__(self) -> None:
        self.sock = _reusable(0)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def listeners(self, n: int = 1, backlog: int = 2048) -> Listeners:
        out = Listeners()
        try:
            for _ in range(n):
                s = _reusable(self.port)
                s.listen(backlog)
                out.sockets.append(s)
        except OSError:
            out.close()
            raise
        return out

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "HeldPort":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
