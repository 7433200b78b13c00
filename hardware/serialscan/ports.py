"""Serial ports behind one small protocol, so the reader does not care which library opened them.

    port = open_port("/dev/ttyACM0", 9600)          # backend "auto": pyserial if installed, else POSIX termios
    data = port.read(0.05)                           # b"" on timeout; raises PortGone when the device went away
    port.write(b"...")                               # (printers on a serial port use this too)
    port.close()
"""
from __future__ import annotations

import errno
import os
import select
import sys
from typing import Protocol

_GONE_ERRNOS = {errno.EIO, errno.ENXIO, errno.ENODEV, errno.EBADF, errno.ENOENT}


class PortGone(OSError):
    """The device is not there (unplugged, never plugged, or taken by another program)."""


class SerialPort(Protocol):
    name: str

    def read(self, timeout_s: float) -> bytes: ...

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


def pyserial_available() -> bool:
    try:
        import serial  # noqa: F401
    except ImportError:
        return False
    return True


def open_port(path: str, baudrate: int = 9600, backend: str = "auto") -> SerialPort:
    """Open `path`; raises PortGone when it cannot be opened."""
    if not path:
        raise PortGone(errno.ENOENT, "no serial port configured")
    if backend == "pyserial" or (backend == "auto" and pyserial_available()):
        return PySerialPort(path, baudrate)
    if sys.platform.startswith("win"):
        raise PortGone(errno.ENOENT, "serial ports on Windows need pyserial: pip install pyserial")
    return PosixPort(path, baudrate)


class PosixPort:
    """A tty opened with termios in raw mode (Linux, macOS). Standard library only."""

    def __init__(self, path: str, baudrate: int = 9600) -> None:
        import termios

        self.name = path
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise PortGone(exc.errno, f"cannot open {path}: {exc.strerror}") from exc
        try:
            attrs = termios.tcgetattr(self._fd)
            iflag, oflag, cflag, lflag, _, _, cc = attrs
            iflag &= ~(termios.IGNBRK | termios.BRKINT | termios.PARMRK | termios.ISTRIP | termios.INLCR
                       | termios.IGNCR | termios.ICRNL | termios.IXON | termios.IXOFF)
            oflag &= ~termios.OPOST
            lflag &= ~(termios.ECHO | termios.ECHONL | termios.ICANON | termios.ISIG | termios.IEXTEN)
            cflag = (cflag & ~(termios.CSIZE | termios.PARENB)) | termios.CS8 | termios.CREAD | termios.CLOCAL
            speed = getattr(termios, f"B{baudrate}", termios.B9600)
            cc[termios.VMIN], cc[termios.VTIME] = 0, 0
            termios.tcsetattr(self._fd, termios.TCSANOW, [iflag, oflag, cflag, lflag, speed, speed, cc])
        except termios.error:
            pass  # not a real tty (a FIFO or a file in a test): raw bytes anyway
        except OSError as exc:
            os.close(self._fd)
            raise PortGone(exc.errno, f"cannot set up {path}: {exc.strerror}") from exc

    def read(self, timeout_s: float) -> bytes:
        try:
            ready, _, _ = select.select([self._fd], [], [], timeout_s)
            if not ready:
                return b""
            data = os.read(self._fd, 4096)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EINTR):
                return b""
            raise PortGone(exc.errno, f"{self.name}: {exc.strerror}") from exc
        if not data:
            raise PortGone(errno.EIO, f"{self.name}: end of file (device gone)")
        return data

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                _, ready, _ = select.select([], [self._fd], [], 5.0)
                if not ready:
                    raise PortGone(errno.ETIMEDOUT, f"{self.name}: write timed out")
                sent = os.write(self._fd, view)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EINTR):
                    continue
                raise PortGone(exc.errno, f"{self.name}: {exc.strerror}") from exc
            view = view[sent:]

    def close(self) -> None:
        if self._fd >= 0:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = -1


class PySerialPort:
    """pyserial (Windows COMn, and everything else when it is installed)."""

    def __init__(self, path: str, baudrate: int = 9600) -> None:
        import serial

        self._serial_mod = serial
        self.name = path
        try:
            self._port = serial.Serial(path, baudrate=baudrate, timeout=0.05, write_timeout=5)
        except (serial.SerialException, OSError) as exc:
            raise PortGone(errno.ENODEV, f"cannot open {path}: {exc}") from exc

    def read(self, timeout_s: float) -> bytes:
        try:
            if self._port.timeout != timeout_s:
                self._port.timeout = timeout_s  # reconfigures the port: only when it changes
            data = self._port.read(1)
            if data and self._port.in_waiting:
                data += self._port.read(self._port.in_waiting)
            return data
        except (self._serial_mod.SerialException, OSError) as exc:
            raise PortGone(errno.EIO, f"{self.name}: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
            self._port.flush()
        except (self._serial_mod.SerialException, OSError) as exc:
            raise PortGone(errno.EIO, f"{self.name}: {exc}") from exc

    def close(self) -> None:
        try:
            self._port.close()
        except Exception:  # noqa: BLE001 - closing a port that is already gone
            pass
