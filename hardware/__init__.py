"""Devices of a counter, a dispensing desk and a kiosk, and their simulators.

Every input device ends in one value, `hardware.events.ScanEvent(text, source, symbology)`, delivered by a Qt
signal on the GUI thread; what the text *is* is core.codes.classify's business, not the device's.

    hardware.events          ScanEvent, ScanSource
    hardware.settings        DeviceSettings (JSON in the app data folder) and its parts
    hardware.wedge           keyboard-wedge scanner: one application-wide event filter (ScannerEventFilter)
    hardware.serialscan      USB-COM / RS-232 scanner: framing, ports (POSIX termios or pyserial), reconnecting reader
    hardware.camera          frame sources, decoders (zxing-cpp; pyzbar optional), the decode pipeline, the worker
                             thread and the live preview widget; synth makes test/benchmark frames
    hardware.printing        Receipt model, layout, ESC/POS encoder and reader, QPainter/PDF rendering,
                             transports (socket 9100, serial, device file, simulator) and the persisted print queue
    hardware.cards           ID card / social security card reader interface, simulator, SDK notes
    hardware.sim             scanner simulator driving the wedge filter with real QKeyEvents
    hardware.factory         builds the configured devices from DeviceSettings

Dependency rule: hardware imports PySide6 (only where a Qt part is needed), core.codes and core.settings (paths, the site settings)
(the app data folder; pure, no SQL) — never desktop/ or server/. Loggers are per area: hardware.scan,
hardware.serial, hardware.camera, hardware.print, hardware.cards.
"""
