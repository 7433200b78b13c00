"""Serial scanner: framing alone, then the reader thread on a pty pair standing in for the device —
including unplugging (closing the pty) and plugging back in (a new pty behind the same stable path)."""
from __future__ import annotations

import os

import pytest

from hardware.events import ScanSource
from hardware.serialscan import Framer, PortGone, SerialScanner, open_port
from hardware.serialscan.ports import PosixPort, pyserial_available
from hardware.settings import SerialSettings

TRACE = "81000110000000000001"
GS1 = "010690123456789217261200" + "10A1\x1d21S9"

posix_only = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty")


def test_framer_by_suffix_keeps_gs_and_joins_split_reads():
    f = Framer(b"\r", 100)
    assert f.feed(b"8100011000", 0) == []
    assert f.feed(b"0000000001\r" + GS1[:10].encode(), 5) == [TRACE]
    assert f.feed(GS1[10:].encode() + b"\r\n", 9) == [GS1]
    assert not f.pending


def test_framer_by_idle_gap_and_crlf_leftovers():
    f = Framer(b"", 100)
    assert f.feed(TRACE.encode(), 0) == []
    assert f.poll(50) == []
    assert f.poll(100) == [TRACE]
    g = Framer(b"\n", 100)
    assert g.feed(b"\r\n\r\n", 0) == []  # no empty scans


def test_framer_decodes_whole_frames_so_a_split_multibyte_character_survives():
    data = "处方RX12345678".encode("gb18030")
    f = Framer(b"\r", 100, "gb18030")
    assert f.feed(data[:1], 0) == []
    assert f.feed(data[1:] + b"\r", 1) == ["处方RX12345678"]


def test_framer_reset_drops_half_a_code():
    f = Framer(b"\r", 100)
    f.feed(b"81000", 0)
    f.reset()
    assert f.feed(b"\r", 1) == []


def test_open_port_refuses_nothing_configured():
    with pytest.raises(PortGone):
        open_port("")


@posix_only
def test_posix_port_reads_from_a_pty():
    master, slave = os.openpty()
    try:
        port = PosixPort(os.ttyname(slave))
        os.write(master, b"abc")
        assert port.read(1.0) == b"abc"
        assert port.read(0.01) == b""
        port.write(b"xyz")
        assert os.read(master, 10) == b"xyz"
        port.close()
    finally:
        os.close(master)
        os.close(slave)


class _Pty:
    """A 'scanner' on a pty, reachable through a stable symlink (like /dev/serial/by-id/...)."""

    def __init__(self, link):
        self.link = link
        self.master = None

    def plug(self):
        self.master, slave = os.openpty()
        path = os.ttyname(slave)
        os.close(slave)
        tmp = self.link.with_suffix(".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(path)
        os.replace(tmp, self.link)

    def unplug(self):
        os.close(self.master)
        self.master = None

    def send(self, data: bytes):
        os.write(self.master, data)


BACKENDS = ["posix", pytest.param("pyserial", marks=pytest.mark.skipif(not pyserial_available(),
                                                                     reason="pyserial not installed"))]


@posix_only
@pytest.mark.allow_warnings  # the unplug is logged as a warning, as it should be
@pytest.mark.parametrize("backend", BACKENDS)
def test_reader_scans_survives_unplug_and_replug(qtbot, tmp_path, backend):
    device = _Pty(tmp_path / "scanner-by-id")
    device.plug()
    scanner = SerialScanner(SerialSettings(port=str(device.link), reconnect_ms=50, backend=backend), device="drug")
    states = []
    scanner.state_changed.connect(states.append)
    try:
        with qtbot.waitSignal(scanner.state_changed, timeout=3000, check_params_cb=lambda s: s == "connected"):
            scanner.start()
        with qtbot.waitSignal(scanner.scanned, timeout=3000) as got:
            device.send(TRACE.encode() + b"\r")
        assert got.args[0].text == TRACE and got.args[0].source is ScanSource.SERIAL and got.args[0].device == "drug"

        with qtbot.waitSignal(scanner.state_changed, timeout=3000, check_params_cb=lambda s: s == "disconnected"):
            device.unplug()
        with qtbot.waitSignal(scanner.state_changed, timeout=5000, check_params_cb=lambda s: s == "connected"):
            device.plug()
        with qtbot.waitSignal(scanner.scanned, timeout=3000) as got:
            device.send(GS1.encode() + b"\r")
        assert got.args[0].text == GS1
        assert got.args[0].classify().fields["batch"] == "A1"
    finally:
        scanner.stop()
        if device.master is not None:
            device.unplug()
    assert states[-1] == "stopped"
    assert "disconnected" in states


@posix_only
def test_reader_idle_gap_framing(qtbot, tmp_path):
    device = _Pty(tmp_path / "scanner")
    device.plug()
    scanner = SerialScanner(SerialSettings(port=str(device.link), suffix="", idle_ms=60, backend="posix"))
    try:
        with qtbot.waitSignal(scanner.state_changed, timeout=3000, check_params_cb=lambda s: s == "connected"):
            scanner.start()
        with qtbot.waitSignal(scanner.scanned, timeout=3000) as got:
            device.send(TRACE.encode())
        assert got.args[0].text == TRACE
    finally:
        scanner.stop()
        device.unplug()
