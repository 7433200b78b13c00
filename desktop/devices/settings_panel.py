"""DeviceSettingsPanel: pick the scanner, camera (with its live picture), receipt printer and card reader; test a
scan; print a test page.

Shared by every shell (counter, pharmacy, kiosk) as a plain QWidget:

    hub = DeviceHub(load_device_settings()); hub.start()
    panel = DeviceSettingsPanel(hub)              # saves to <app data>/devices.json, then hub.apply()

The panel decides nothing about codes: a scan from any device (hub.scanned) is shown as the ScanEvent the
hardware made (text with GS shown as <GS>, source, symbology) and what core.codes.classify says, through the
scan window's presenter (ID numbers masked). "Simulate" types the text into the test box with the key
simulator, so it travels the real route: QKeyEvents through the application's scanner filter. "Print test
page" queues a job on the receipt printer; its state (queued, printing, printed, failed with the reason) is
shown, and a failed one can be retried.

Signals:
    saved(DeviceSettings)
"""
from __future__ import annotations

import codecs
from dataclasses import replace

from core.codes import ScanResult
from desktop.fonts import ui_font
from desktop.qt import Qt, QtWidgets, Signal
from desktop.scan_presenter import present
from hardware.camera.decoders import pyzbar_status, zxing_status
from hardware.camera.preview import CameraPreview
from hardware.events import ScanEvent
from hardware.factory import RECEIPT_PRINTER, DeviceHub
from hardware.printing.queue import DONE, FAILED, PRINTING, QUEUED, PrintJob
from hardware.printing.receipt import printer_test_page
from hardware.settings import DeviceSettings, DeviceSettingsError, ScannerSettings, save_device_settings
from hardware.sim.scanner import ScannerSimulator

SCANNER_KINDS = (("keyboard", "键盘模式扫码枪 · keyboard wedge"), ("serial", "串口扫码枪 · serial (USB-COM)"),
                 ("simulator", "模拟扫码枪 · simulator"), ("none", "无 · none"))
SUFFIXES = (("auto", "回车或 Tab · Enter or Tab"), ("enter", "回车 · Enter"), ("tab", "Tab"), ("none", "无 · none"))
CAMERA_STATES = {"running": "✓ 摄像头已打开 · camera running", "stopped": "摄像头已停止 · camera stopped",
                 "error": "✗ 摄像头出错 · camera error"}
CAMERA_KINDS = (("none", "不用摄像头 · none"), ("opencv", "USB 摄像头 · USB camera"), ("simulator", "模拟 · simulator"))
RESOLUTIONS = ((1280, 720, "1280 × 720"), (1920, 1080, "1920 × 1080（一维码更准 · better for 1D）"))
PRINTER_KINDS = (("escpos_network", "ESC/POS 网口 · network (9100)"), ("escpos_serial", "ESC/POS 串口 · serial"),
                 ("escpos_device", "ESC/POS 设备文件 · device file"), ("system", "系统打印机 · system printer"),
                 ("pdf", "PDF 文件 · PDF file"), ("simulator", "模拟打印机 · simulator"), ("none", "无 · none"))
PAPERS = ((80, "80 mm（48 字符 · columns）"), (58, "58 mm（32 字符 · columns）"))
ENCODINGS = (("gb18030", "GB18030（中文打印机 · Chinese）"), ("gbk", "GBK"), ("ascii", "ASCII（无中文 · no Chinese）"))
CUTS = (("partial", "半切 · partial"), ("full", "全切 · full"), ("none", "不切 · none"))
READER_KINDS = (("simulator", "模拟 · simulator"), ("cvr100", "华视 CVR-100"), ("idr210", "精伦 iDR210"),
                ("ss628", "神思 SS628"), ("sscard", "社保卡 SSCardDriver"), ("none", "无 · none"))
JOB_STATES = {QUEUED: "排队中 · queued", PRINTING: "打印中 · printing", DONE: "已打印 · printed", FAILED: "失败 · failed"}


def _combo(items, current) -> QtWidgets.QComboBox:
    box = QtWidgets.QComboBox()
    for item in items:
        box.addItem(item[-1], item[0] if len(item) == 2 else item[:2])
    index = box.findData(current)
    box.setCurrentIndex(max(0, index))
    box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
    return box


def _escape(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")


def _unescape(text: str) -> str:
    return codecs.decode(text, "unicode_escape") if "\\" in text else text


def show_text(text: str) -> str:
    """A scan's text for the screen: GS as <GS>, other control characters as \\xNN."""
    return "".join("<GS>" if c == "\x1d" else c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


class DeviceSettingsPanel(QtWidgets.QWidget):
    saved = Signal(object)

    def __init__(self, hub: DeviceHub, parent: QtWidgets.QWidget | None = None, *, path=None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceSettingsPanel")
        self.hub = hub
        self.path = path  # None: the site settings file
        self.last_scan: ScanEvent | None = None
        self.last_result: ScanResult | None = None
        self.last_job: PrintJob | None = None
        self.setFont(ui_font(11))
        s = hub.settings

        title = QtWidgets.QLabel("设备设置 · Device settings", objectName="title")
        title.setFont(ui_font(18, bold=True))

        # --- scanner ---
        self.scanner_kind = _combo(SCANNER_KINDS, s.scanner.kind)
        w = s.scanner.wedge
        self.max_gap = QtWidgets.QSpinBox(minimum=1, maximum=1000, value=w.max_gap_ms, suffix=" ms")
        self.min_length = QtWidgets.QSpinBox(minimum=1, maximum=512, value=w.min_length)
        self.prefix = QtWidgets.QLineEdit(_escape(w.prefix), placeholderText="如 \\x02 · e.g. \\x02")
        self.suffix = _combo(SUFFIXES, w.suffix)
        self.gs_substitute = QtWidgets.QLineEdit(w.gs_substitute, placeholderText="如 ~ · e.g. ~")
        self.serial_port = QtWidgets.QLineEdit(s.scanner.serial.port, placeholderText="COM3 / /dev/ttyACM0")
        self.serial_baud = QtWidgets.QComboBox()
        for rate in (9600, 19200, 38400, 57600, 115200):
            self.serial_baud.addItem(str(rate), rate)
        self.serial_baud.setCurrentIndex(max(0, self.serial_baud.findData(s.scanner.serial.baudrate)))
        scanner_form = QtWidgets.QFormLayout()
        scanner_form.addRow("类型 · kind", self.scanner_kind)
        scanner_form.addRow("按键间隔上限 · max key gap", self.max_gap)
        scanner_form.addRow("最短长度 · min length", self.min_length)
        scanner_form.addRow("前缀 · prefix", self.prefix)
        scanner_form.addRow("后缀 · suffix", self.suffix)
        scanner_form.addRow("GS 替代符 · GS substitute", self.gs_substitute)
        scanner_form.addRow("串口 · serial port", self.serial_port)
        scanner_form.addRow("波特率 · baud rate", self.serial_baud)
        scanner_box = self._group("扫码枪 · Scanner", scanner_form)

        # --- camera ---
        c = s.camera
        self.camera_kind = _combo(CAMERA_KINDS, c.kind)
        self.camera_index = QtWidgets.QSpinBox(minimum=0, maximum=9, value=c.index)
        self.camera_resolution = QtWidgets.QComboBox()
        for width, height, label in RESOLUTIONS:
            self.camera_resolution.addItem(label, (width, height))
        self.camera_resolution.setCurrentIndex(max(0, self.camera_resolution.findData((c.width, c.height))))
        zx, zb = zxing_status(), pyzbar_status()
        decoders = QtWidgets.QLabel(
            f"{'✓' if zx.available else '✗'} {zx.detail}\n"
            f"{'✓' if zb.available else '–'} pyzbar："
            f"{'可用 · available' if zb.available else '未安装（可选）· not installed (optional)'}",
            objectName="decoderStatus")
        decoders.setToolTip(zb.detail)
        camera_form = QtWidgets.QFormLayout()
        camera_form.addRow("类型 · kind", self.camera_kind)
        camera_form.addRow("编号 · index", self.camera_index)
        camera_form.addRow("分辨率 · resolution", self.camera_resolution)
        camera_form.addRow("解码器 · decoders", decoders)
        # the live picture of the hub's camera, codes outlined (a code read shows under 测试扫码 like any scan)
        self.preview = CameraPreview(beep=False)
        self.preview_state = QtWidgets.QLabel(objectName="previewState")
        self.preview_state.setWordWrap(True)
        camera_form.addRow("预览 · preview", self.preview_state)
        camera_layout = QtWidgets.QVBoxLayout()
        camera_layout.addLayout(camera_form)
        camera_layout.addWidget(self.preview, 1)
        camera_box = self._group("摄像头 · Camera", camera_layout)

        # --- printer ---
        p = s.printer
        self.printer_kind = _combo(PRINTER_KINDS, p.kind)
        self.printer_address = QtWidgets.QLineEdit(p.address, placeholderText="192.168.1.87:9100 / COM4 / 文件夹 folder")
        self.paper = _combo(PAPERS, p.paper_mm)
        self.encoding = _combo(ENCODINGS, p.encoding)
        self.cut = _combo(CUTS, p.cut)
        self.drawer = QtWidgets.QCheckBox("接钱箱 · cash drawer on the printer", checked=p.drawer)
        printer_form = QtWidgets.QFormLayout()
        printer_form.addRow("类型 · kind", self.printer_kind)
        printer_form.addRow("地址 · address", self.printer_address)
        printer_form.addRow("纸宽 · paper", self.paper)
        printer_form.addRow("编码 · code page", self.encoding)
        printer_form.addRow("切纸 · cut", self.cut)
        printer_form.addRow("", self.drawer)
        printer_box = self._group("小票打印机 · Receipt printer", printer_form)

        # --- card reader ---
        self.reader_kind = _combo(READER_KINDS, s.card_reader.kind)
        reader_form = QtWidgets.QFormLayout()
        reader_form.addRow("类型 · kind", self.reader_kind)
        reader_box = self._group("身份证/社保卡读卡器 · Card reader", reader_form)

        self.save_button = QtWidgets.QPushButton("保存 · Save", objectName="saveButton")
        self.save_button.clicked.connect(self.save)
        self.message = QtWidgets.QLabel(objectName="message")
        self.message.setWordWrap(True)

        # --- test a scan ---
        self.test_input = QtWidgets.QLineEdit(objectName="testInput", placeholderText="扫描任意条码 · scan any code")
        self.test_input.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.simulate_button = QtWidgets.QPushButton("模拟扫码 · Simulate", objectName="simulateButton")
        self.simulate_button.clicked.connect(self.simulate_scan)
        self.simulate_text = QtWidgets.QLineEdit("81000110000000000001", objectName="simulateText")
        sim_row = QtWidgets.QHBoxLayout()
        sim_row.addWidget(self.simulate_text, 1)
        sim_row.addWidget(self.simulate_button)
        self.scan_text = QtWidgets.QLabel("—", objectName="scanText")
        self.scan_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scan_source = QtWidgets.QLabel("—", objectName="scanSource")
        self.scan_kind = QtWidgets.QLabel("等待扫码 · waiting for a scan", objectName="scanKind")
        self.scan_kind.setFont(ui_font(14, bold=True))
        self.scan_kind.setWordWrap(True)
        self.scan_status = QtWidgets.QLabel("", objectName="scanStatus")
        self.scan_status.setWordWrap(True)
        self.scan_fields = QtWidgets.QTableWidget(0, 2, objectName="scanFields")
        self.scan_fields.setHorizontalHeaderLabels(["字段 · field", "值 · value"])
        self.scan_fields.verticalHeader().hide()
        self.scan_fields.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scan_fields.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.scan_fields.horizontalHeader().setStretchLastSection(True)
        self.scan_fields.setMinimumHeight(150)
        test_form = QtWidgets.QFormLayout()
        test_form.addRow("测试框 · test box", self.test_input)
        test_form.addRow("模拟 · simulate", sim_row)
        test_form.addRow("内容 · text", self.scan_text)
        test_form.addRow("来源 · source", self.scan_source)
        test_form.addRow("类型 · kind", self.scan_kind)
        test_form.addRow("结果 · result", self.scan_status)
        test_layout = QtWidgets.QVBoxLayout()
        test_layout.addLayout(test_form)
        test_layout.addWidget(self.scan_fields, 1)
        test_box = self._group("测试扫码 · Test a scan", test_layout)

        # --- print test ---
        self.print_button = QtWidgets.QPushButton("打印测试页 · Print test page", objectName="printButton")
        self.print_button.clicked.connect(self.print_test_page)
        self.retry_button = QtWidgets.QPushButton("重试 · Retry", objectName="retryButton")
        self.retry_button.clicked.connect(self.retry_print)
        self.retry_button.setEnabled(False)
        self.print_status = QtWidgets.QLabel("—", objectName="printStatus")
        self.print_status.setWordWrap(True)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        print_layout = QtWidgets.QVBoxLayout()
        print_layout.addLayout(buttons)
        print_layout.addWidget(self.print_status)
        print_box = self._group("打印测试 · Print test", print_layout)

        self.tabs = QtWidgets.QTabWidget(objectName="deviceTabs")
        self.tabs.setUsesScrollButtons(False)  # every tab label whole, never behind arrows
        for box, name in ((scanner_box, "扫码枪 Scanner"), (camera_box, "摄像头 Camera"),
                          (printer_box, "打印机 Printer"), (reader_box, "读卡器 Reader")):
            box.setTitle("")
            box.setFlat(True)
            self.tabs.addTab(box, name)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.tabs, 1)
        save_row = QtWidgets.QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.message, 1)
        left.addLayout(save_row)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(test_box, 1)
        right.addWidget(print_box)
        columns = QtWidgets.QHBoxLayout()
        columns.addLayout(left, 0)
        columns.addLayout(right, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(columns, 1)

        hub.scanned.connect(self.show_scan)
        hub.print_queue.job_changed.connect(self._on_job)
        self._watch_camera()
        self._simulator = ScannerSimulator(target=lambda: self.test_input, parent=self)

    @staticmethod
    def _group(title: str, inner) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(title)
        box.setLayout(inner)
        return box

    # --- settings ---

    def current_settings(self) -> DeviceSettings:
        """The settings as the form shows them (checked; raises DeviceSettingsError)."""
        s = self.hub.settings
        width, height = self.camera_resolution.currentData()
        settings = DeviceSettings(
            scanner=ScannerSettings(
                kind=self.scanner_kind.currentData(),
                wedge=replace(s.scanner.wedge, max_gap_ms=self.max_gap.value(), min_length=self.min_length.value(),
                              prefix=_unescape(self.prefix.text()), suffix=self.suffix.currentData(),
                              gs_substitute=self.gs_substitute.text()),
                serial=replace(s.scanner.serial, port=self.serial_port.text().strip(),
                               baudrate=self.serial_baud.currentData())),
            camera=replace(s.camera, kind=self.camera_kind.currentData(), index=self.camera_index.value(),
                           width=width, height=height),
            printer=replace(s.printer, kind=self.printer_kind.currentData(), address=self.printer_address.text().strip(),
                            paper_mm=self.paper.currentData(), encoding=self.encoding.currentData(),
                            cut=self.cut.currentData(), drawer=self.drawer.isChecked()),
            card_reader=replace(s.card_reader, kind=self.reader_kind.currentData()),
        )
        return settings.check()

    def save(self) -> bool:
        try:
            settings = self.current_settings()
            save_device_settings(settings, self.path)
        except (DeviceSettingsError, UnicodeDecodeError) as exc:
            zh, en = (exc.zh, exc.en) if isinstance(exc, DeviceSettingsError) else ("前缀格式错误", "bad prefix escape")
            self.message.setText(f"✗ {zh}\n{en}")
            self.message.setStyleSheet("color: #b3261e;")
            return False
        except OSError as exc:
            self.message.setText(f"✗ 无法保存设备设置 · cannot save the device settings: {exc}")
            self.message.setStyleSheet("color: #b3261e;")
            return False
        self.hub.apply(settings)
        self._watch_camera()  # apply built a new camera worker (or none)
        self.message.setText("✓ 已保存 · saved")
        self.message.setStyleSheet("color: #1b7f3b;")
        self.saved.emit(settings)
        return True

    def _watch_camera(self) -> None:
        camera = self.hub.camera
        if camera is None:
            self.preview_state.setText("摄像头未开启（类型为“不用”，或由自助机的扫码/拍照页打开）· camera off here")
            return
        camera.frame_ready.connect(self.preview.show_frame)
        camera.state_changed.connect(lambda state: self.preview_state.setText(CAMERA_STATES.get(state, state)))
        camera.error.connect(lambda message: self.preview_state.setText(f"✗ {message}"))
        self.preview_state.setText("正在打开摄像头… · opening the camera")

    # --- test a scan ---

    def show_scan(self, event: ScanEvent) -> None:
        self.last_scan = event
        result = event.classify()
        self.last_result = result
        view = present(result)
        shown = result.display_text if result.kind.value == "id_card" else show_text(event.text)
        self.scan_text.setText(shown if len(shown) <= 48 else shown[:45] + f"…({len(event.text)})")
        device = f" · {event.device}" if event.device and event.device != event.source.value else ""
        self.scan_source.setText(f"{event.source.value}{device}"
                                 + (f" · {event.symbology}" if event.symbology else ""))
        self.scan_kind.setText(f"{view.title} · {view.title_en}")
        colour = {"ok": "#1b7f3b", "warn": "#8a5a00", "bad": "#b3261e"}[view.tone]
        self.scan_kind.setStyleSheet(f"color: {colour};")
        self.scan_status.setText(view.status)
        self.scan_fields.setRowCount(len(view.rows))
        for row, (label, value) in enumerate(view.rows):
            self.scan_fields.setItem(row, 0, QtWidgets.QTableWidgetItem(label))
            self.scan_fields.setItem(row, 1, QtWidgets.QTableWidgetItem(value))

    def simulate_scan(self) -> None:
        """Type the text into the test box as a scanner would (real key events, real timing)."""
        text = _unescape(self.simulate_text.text())
        if not text or self._simulator.busy:
            return
        self.test_input.setFocus()
        w = self.hub.settings.scanner.wedge
        self._simulator.prefix = w.prefix
        self._simulator.play([text])

    # --- print test ---

    def print_test_page(self) -> PrintJob:
        printer = self.hub.print_queue.printer(RECEIPT_PRINTER)
        job = self.hub.print_queue.submit(printer_test_page(getattr(printer, "name", "")), device=RECEIPT_PRINTER,
                                          open_drawer=self.drawer.isChecked())
        self.last_job = job
        self._show_job(job)
        return job

    def retry_print(self) -> None:
        if self.last_job is not None and self.last_job.state == FAILED:
            self._show_job(self.hub.print_queue.retry(self.last_job.id))

    def _on_job(self, job: PrintJob) -> None:
        if self.last_job is not None and job.id == self.last_job.id:
            self._show_job(job)

    def _show_job(self, job: PrintJob) -> None:
        self.last_job = job
        text = f"{JOB_STATES.get(job.state, job.state)} · {job.id}"
        if job.state == FAILED:
            text += f"\n{job.error}"
        self.print_status.setText(text)
        self.print_status.setStyleSheet("color: #b3261e;" if job.state == FAILED else "")
        self.retry_button.setEnabled(job.state == FAILED)
