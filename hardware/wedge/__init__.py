"""Keyboard-wedge scanners: telling a scanner's burst of keys from a person typing, application-wide.

    from hardware.wedge import ScannerEventFilter
    scanner = ScannerEventFilter(settings.scanner.wedge).install()     # on the QApplication, once
    scanner.scanned.connect(shell.on_scan)                             # ScanEvent, on the GUI thread
    scanner.mark_scan_route(search_box)                                # no IME on the boxes scans land in

burst.BurstDetector is the pure decision logic (no Qt; clock values passed in), keys.key_input the mapping
from a QKeyEvent to what it means, filter.ScannerEventFilter the Qt part: holding, swallowing and replaying
events. clock.ManualClock makes timing deterministic in tests.
"""
from hardware.wedge.burst import BurstDetector
from hardware.wedge.clock import ManualClock, monotonic_ms
from hardware.wedge.filter import ScannerEventFilter

__all__ = ["BurstDetector", "ManualClock", "ScannerEventFilter", "monotonic_ms"]
