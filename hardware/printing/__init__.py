"""Receipts and printers.

    receipt     Receipt, ReceiptItem, ReceiptTotal (the model the pharmacy shell fills), printer_test_page()
    layout      Receipt -> Document (Text / QR / Feed / Cut / Drawer blocks) for a paper width in columns;
                the one layout both the ESC/POS encoder and the QPainter renderer draw
    escpos      Document -> ESC/POS bytes (GB18030/GBK in FS & Chinese mode, GS ( k QR, GS V cut, ESC p drawer)
    escpos_read ESC/POS bytes -> Document (the simulator prints what the bytes say, not what we meant)
    render      Document -> QImage (PNG) / PDF (QPdfWriter) / system printer (QPrinter)
    transports  socket 9100, serial port, device file, system printer, PDF, simulator
    queue       PrintQueue: per-device worker threads, persisted jobs, failure signal, retry

Why our own ESC/POS encoder rather than python-escpos: we need a handful of commands (init, align, bold,
size, Chinese mode, QR, cut, drawer) and byte-exact golden tests; python-escpos pulls in Pillow, qrcode,
pyusb, pyserial and python-barcode, and its Chinese support goes through its own code-page tables rather than
the FS & double-byte mode Chinese printers (Xprinter, GPrinter, Sunmi, Epson TM-T82 CN) use.
"""

from hardware.printing.receipt import Receipt, ReceiptItem, ReceiptTotal, printer_test_page

__all__ = ["Receipt", "ReceiptItem", "ReceiptTotal", "printer_test_page"]
