"""Simulated devices for tests and the demo.

    hardware.sim.scanner   ScannerSimulator: types codes as a keyboard-wedge scanner would (real QKeyEvents or
                           IME commits, through the application's event filter), or replays a script file
    hardware.camera.sources.ImageSource / VideoFileSource / GeneratedSource   the camera simulators
    hardware.printing.transports.SimulatedPrinter   writes the ESC/POS bytes, their text and a PNG
    hardware.cards.SimulatedCardReader              hands out configured ID / social security card reads
"""
