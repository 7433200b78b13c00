"""USB-COM / RS-232 scanners: bytes in, ScanEvents out, surviving unplug and replug.

Why pyserial and not QtSerialPort: QSerialPort lives in PySide6-Addons (about 160 MB more; the project ships
PySide6-Essentials only, and QtSerialPort is indeed absent here). pyserial is pure Python, BSD-3, ~100 KB,
and works on Windows (COMn), Linux and macOS; its API is blocking, so a reader thread does the reading and
hands scans to the GUI thread through a queued signal. Until pyserial is a declared dependency, POSIX systems
use a small termios backend from the standard library (ports.PosixPort), which is also what the pty-based tests
exercise; Windows needs pyserial.

    framing.Framer          bytes -> frames by suffix (CR/LF) or idle gap; GS kept; decoding per setting
    ports                   SerialPort protocol, PosixPort, PySerialPort, open_port(), PortGone
    reader.SerialScanner    the thread: open, read, frame, emit; reconnect when the port disappears
"""
from hardware.serialscan.framing import Framer
from hardware.serialscan.ports import PortGone, open_port
from hardware.serialscan.reader import SerialScanner

__all__ = ["Framer", "PortGone", "SerialScanner", "open_port"]
