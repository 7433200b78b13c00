"""Every setting of a OneWindow installation, declared once (as Picard's options.py): key, kind, default, allowed
values, which shells read it and whether changing it needs a supervisor. The typed views the code uses
(DeskConfig, KioskConfig, DeviceSettings, OfflineLimits) take their defaults from here (`default_of`), so a
default is written in one place.

Kinds: "text", "int", "number" (float), "bool", "amount" (yuan, kept as a decimal string), "choice",
"choices" (a list drawn from `choices`). `secret` values are never printed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable
from urllib.parse import urlsplit

SHELLS = ("pharmacy", "counter", "kiosk", "scan")
ALL = frozenset(SHELLS)
DESKS = frozenset({"pharmacy", "counter"})
KIOSK = frozenset({"kiosk"})
DEVICES = frozenset({"pharmacy", "counter", "kiosk", "scan"})


class SettingError(ValueError):
    """A bad key or value: `zh` and `en` name the key and what is allowed."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Option:
    key: str
    kind: str
    default: Any
    zh: str
    en: str
    shells: frozenset[str] = ALL
    supervisor: bool = False
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    secret: bool = False
    per_shell: dict[str, Any] = field(default_factory=dict)  # a different default for one shell
    check: Callable[[Any], str | None] | None = None  # extra rule: returns what is allowed when the value is not

    def default_for(self, shell: str | None) -> Any:
        return self.per_shell.get(shell, self.default) if shell else self.default

    def allowed(self) -> str:
        if self.kind in ("choice", "choices"):
            return " | ".join(self.choices)
        if self.low is not None or self.high is not None:
            return f"{self.low if self.low is not None else ''}–{self.high if self.high is not None else ''}"
        return {"bool": "true | false", "amount": "an amount in yuan", "text": "text"}.get(self.kind, self.kind)

    def validate(self, value: Any) -> Any:
        """The value in its stored form, or SettingError naming the key."""
        def bad(want_zh: str, want_en: str) -> SettingError:
            return SettingError(f"设置 {self.key} 的值 {value!r} 无效（{want_zh}）",
                                f"setting {self.key}: {value!r} is invalid ({want_en})")

        kind = self.kind
        if kind == "bool":
            if not isinstance(value, bool):
                raise bad("应为 true 或 false", "must be true or false")
        elif kind in ("int", "number"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "int" and value != int(value)):
                raise bad("应为整数" if kind == "int" else "应为数字", "must be a whole number" if kind == "int" else
                          "must be a number")
            value = int(value) if kind == "int" else float(value)
        elif kind == "amount":
            if isinstance(value, (bool, float)):
                raise bad("金额请写成字符串", "write amounts as text, e.g. \"300.00\"")
            try:
                amount = Decimal(str(value))
            except (InvalidOperation, ValueError):
                raise bad("不是金额", "not an amount") from None
            if not amount.is_finite() or amount < 0:
                raise bad("必须是非负金额", "must be a non-negative amount")
            value = str(amount.quantize(Decimal("0.01")))
        elif kind == "choice":
            if value not in self.choices:
                raise bad("允许：" + self.allowed(), "allowed: " + self.allowed())
        elif kind == "choices":
            if not isinstance(value, (list, tuple)) or any(v not in self.choices for v in value):
                raise bad("允许：" + self.allowed(), "a list drawn from: " + self.allowed())
            value = list(value)
        elif not isinstance(value, str):
            raise bad("应为文本", "must be text")
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            raise bad("范围 " + self.allowed(), "range " + self.allowed())
        if self.check is not None:
            problem = self.check(value)
            if problem:
                raise bad(problem, problem)
        return value

    def parse(self, text: str) -> Any:
        """A value typed on the command line (`config set KEY VALUE`), validated."""
        if self.kind == "bool":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                return self.validate(text)
            return self.validate(lowered in ("true", "1", "yes", "on"))
        if self.kind in ("int", "number"):
            try:
                number = int(text) if self.kind == "int" else float(text)
            except ValueError:
                return self.validate(text)
            return self.validate(number)
        if self.kind == "choices":
            return self.validate([part.strip() for part in text.split(",") if part.strip()])
        return self.validate(text)


def _url(value: str) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    return None if parts.scheme in ("http", "https") and parts.netloc else "应为 http(s) 网址 / an http(s) URL"


def _secret_ref(value: str) -> str | None:
    if value == "" or value.split(":", 1)[0] in ("env", "file", "enc", "keyring") and ":" in value:
        return None
    return "env:NAME | file:PATH | enc:PATH | keyring:NAME"


def _profile(value: str) -> str | None:
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent.parent / "resources" / "interface"
    known = sorted(p.stem for p in folder.glob("*.json"))
    return None if value in known else " | ".join(known)


def _printable(value: str) -> str | None:
    return None if value and len(value) <= 30 else "1–30 个字符 / 1-30 characters"


def _terminal(value: str) -> str | None:
    return None if 1 <= len(value) <= 8 else "1–8 个字符 / 1-8 characters"


def _opt(key: str, kind: str, default: Any, zh: str, en: str, **kw: Any) -> Option:
    return Option(key, kind, default, zh, en, **kw)


PRINTER_KINDS = ("escpos_network", "escpos_serial", "escpos_device", "system", "pdf", "simulator", "none")
CARD_READER_KINDS = ("none", "simulator", "cvr100", "idr210", "ss628", "sscard")

OPTIONS: tuple[Option, ...] = (
    # --- the centre and how to talk to it -------------------------------------------------------------------
    _opt("centre.url", "text", "", "医保中心地址（空 = 单机）", "the centre's base URL (\"\" = standalone)",
         supervisor=True, check=_url),
    _opt("centre.interface_profile", "text", "onewindow", "接口规范（resources/interface/<名称>.json）",
         "interface profile: the platform's field tables, URL paths and signing (resources/interface/<name>.json: "
         "onewindow, national, hubei …)", supervisor=True, check=_profile),
    _opt("centre.connect_timeout_s", "number", 3.0, "连接超时（秒）", "connect timeout (s)", low=0.1, high=60,
         per_shell={"kiosk": 2.0}),
    _opt("centre.read_timeout_s", "number", 15.0, "应答超时（秒）", "read timeout (s)", low=0.5, high=300,
         per_shell={"kiosk": 8.0}),
    _opt("signing.style", "choice", "", "签名方式（空 = 接口规范规定的）",
         "signing style of the request headers (\"\" = the interface profile's)", supervisor=True,
         choices=("", "ow", "tif", "csb")),
    _opt("signing.secret", "text", "", "签名密钥（建议改用 signing.secret_ref）",
         "signing secret issued by the centre (prefer signing.secret_ref)", supervisor=True, secret=True),
    _opt("signing.secret_ref", "text", "", "签名密钥的存放位置", "where the signing secret is kept: env:NAME, "
         "file:PATH or keyring:NAME", supervisor=True, check=_secret_ref),
    # --- who this terminal is ---------------------------------------------------------------------------------
    _opt("institution.code", "text", "P42070000001", "定点机构编号", "institution code (fixmedins_code)",
         supervisor=True, check=_printable, per_shell={"counter": "A42070000001", "kiosk": "K42070000001"}),  # agency, kiosk kinds
    _opt("institution.name", "text", "康济大药房", "机构名称", "institution name", supervisor=True,
         per_shell={"counter": "鄂州市医疗保障事务中心", "kiosk": "医保服务大厅自助机"}),
    _opt("institution.city", "text", "420700", "统筹区划", "insurance area code (admvs)", supervisor=True),
    _opt("terminal.id", "text", "T01", "终端号（打印在票据号前）", "terminal id (prefixes receipt numbers)",
         supervisor=True, check=_terminal, per_shell={"counter": "C01", "kiosk": "K01"}),
    _opt("benefit.profile", "text", "TEST_CITY_A", "待遇方案", "benefit profile for the local audit",
         supervisor=True),
    _opt("store.url", "text", "", "本地数据库（空 = 数据目录下的文件）", "SQLAlchemy URL of the local store "
         "(\"\" = the file in the data folder)", supervisor=True),
    # --- screen ---------------------------------------------------------------------------------------------
    _opt("ui.language", "choice", "zh", "界面语言", "language", choices=("zh", "en")),
    _opt("ui.font_size", "int", 12, "字号（磅）", "font size (points)", shells=DESKS | {"scan"}, low=8, high=32),
    _opt("display.customer", "choice", "off", "顾客显示屏（off 关 · screen 第二屏全屏 · window 窗口）",
         "customer display: off, screen (full screen on the second screen) or window", shells=frozenset({"pharmacy"}),
         choices=("off", "screen", "window")),
    _opt("display.customer_screen", "int", 1, "顾客显示屏所在屏幕（0 = 主屏，1 = 第二屏）",
         "the customer display's screen (0 = the main one, 1 = the second)", shells=frozenset({"pharmacy"}), low=0,
         high=8),
    # --- receipts ---------------------------------------------------------------------------------------------
    _opt("receipt.folder", "text", "", "票据 PDF 目录（空 = 数据目录/receipts）",
         "folder of receipt PDFs (\"\" = <data folder>/receipts)", shells=DESKS),
    _opt("receipt.printer", "text", "", "票据打印机（空 = 设备设置中的打印机）",
         "receipt printer name (\"\" = the printer of the device settings)", shells=DESKS),
    # --- offline floor limits (离线限额) ------------------------------------------------------------------------
    _opt("offline.identify_cache_days", "int", 30, "离线识别：缓存备案最长天数",
         "offline identification: cached registrations younger than this (days)", shells=DESKS, supervisor=True,
         low=1, high=365),
    _opt("offline.max_registration_age_hours", "int", 72, "离线结算：备案缓存最长有效（小时）",
         "offline settlement: the cached registration is younger than this (hours)", shells=DESKS,
         supervisor=True, low=1, high=8760),
    _opt("offline.max_fund_per_transaction", "amount", "300.00", "单笔统筹支付上限（元）",
         "fund share per offline settlement at most (yuan)", shells=DESKS, supervisor=True),
    _opt("offline.max_fund_per_person_per_day", "amount", "500.00", "每人每日统筹支付上限（元）",
         "fund share per person and day offline at most (yuan)", shells=DESKS, supervisor=True),
    _opt("offline.max_terminal_offline_fund", "amount", "5000.00", "本终端离线统筹累计上限（元）",
         "fund share this terminal may owe offline in all (yuan)", shells=DESKS, supervisor=True),
    _opt("offline.max_offline_hours", "int", 24, "最长离线时间（小时）", "longest offline spell (hours)",
         shells=DESKS, supervisor=True, low=1, high=720),
    _opt("offline.allowed_identification", "choices", ["id_card", "ss_card"], "离线允许的身份凭证",
         "identification allowed offline (an e-voucher QR is dynamic: never)", shells=DESKS, supervisor=True,
         choices=("id_card", "ss_card")),
    # --- stock (进销存, issue 18): how the sale meets the ledger --------------------------------------------------
    _opt("stock.not_in_stock", "choice", "warn", "未入库药品的销售", "selling a box the ledger never received: warn "
         "(a supervisor overrides, for the transition period) or block", shells=DESKS,
         supervisor=True, choices=("warn", "block", "off")),
    _opt("stock.near_expiry_days", "int", 90, "近效期提醒（天）", "warn at the sale when the box expires within (days)",
         shells=DESKS, supervisor=True, low=0, high=730),
    _opt("stock.block_expired", "bool", True, "过期药品禁止销售", "an expired box cannot be sold",
         shells=DESKS, supervisor=True),
    # --- prescriptions at the pharmacy (issue 19): the pharmacist's trail and the offline cache ------------------
    _opt("dispensing.pharmacists", "choice", "single", "审方/核对人员模式",
         "审方→调配→核对→发药 staffing: single (one-pharmacist shop: one person may do every step, recorded as such) or "
         "strict (the check by another person than the dispenser and the reviewer)", shells=frozenset({"pharmacy"}),
         supervisor=True, choices=("single", "strict")),
    _opt("dispensing.check", "choice", "scan", "核对方式", "how the check is done: scan every box again, or confirm "
         "line by line", shells=frozenset({"pharmacy"}), supervisor=True, choices=("scan", "confirm")),
    _opt("dispensing.trail_required", "bool", False, "结算前须完成审方、调配、核对",
         "settle only after 审方→调配→核对 are signed (the trail panel, Ctrl+T on the sale screen)",
         shells=frozenset({"pharmacy"}), supervisor=True),
    _opt("rx_cache.max_entries", "int", 500, "离线处方缓存上限（张）", "prescriptions kept for offline selling at most",
         shells=frozenset({"pharmacy"}), supervisor=True, low=0, high=100000),
    _opt("rx_cache.refill_days", "int", 7, "预取处方：续方到期前（天）", "fetch ahead the waiting prescriptions of "
         "patients whose refill falls due within (days)", shells=frozenset({"pharmacy"}), supervisor=True, low=0,
         high=60),
    # --- devices: scanner ---------------------------------------------------------------------------------------
    _opt("devices.scanner.kind", "choice", "keyboard", "扫码枪类型", "scanner kind", shells=DEVICES,
         choices=("keyboard", "serial", "simulator", "none")),
    _opt("devices.scanner.wedge.max_gap_ms", "int", 50, "键盘扫码枪：按键最大间隔（毫秒，蓝牙 80–150）",
         "keyboard scanner: keys closer than this are one scan (ms; Bluetooth 80-150)", shells=DEVICES,
         low=1, high=1000),
    _opt("devices.scanner.wedge.min_length", "int", 6, "最短扫码长度", "a burst shorter than this is typing",
         shells=DEVICES, low=1, high=512),
    _opt("devices.scanner.wedge.prefix", "text", "", "扫码前缀", "text the scanner sends first", shells=DEVICES),
    _opt("devices.scanner.wedge.prefixed_gap_ms", "int", 300, "带前缀时的按键间隔（毫秒）",
         "key gap allowed inside a prefixed scan (ms)", shells=DEVICES, low=1, high=5000),
    _opt("devices.scanner.wedge.suffix", "text", "auto", "扫码后缀", "auto | enter | tab | none | literal text",
         shells=DEVICES, check=lambda v: None if v else "auto | enter | tab | none | literal text"),
    _opt("devices.scanner.wedge.gs_substitute", "text", "", "GS 分隔符替代字符", "printable stand-in for GS1's GS",
         shells=DEVICES),
    _opt("devices.scanner.wedge.blanking_ms", "int", 150, "重复扫码屏蔽（毫秒）",
         "after a scan, the same code again within this is dropped (ms)", shells=DEVICES, low=0, high=5000),
    _opt("devices.scanner.wedge.letter_case", "choice", "shift", "字母大小写", "letter case", shells=DEVICES,
         choices=("shift", "as_typed")),
    _opt("devices.scanner.serial.port", "text", "", "串口扫码枪端口", "serial scanner port (/dev/ttyACM0, COM3)",
         shells=DEVICES),
    _opt("devices.scanner.serial.baudrate", "int", 9600, "波特率", "baud rate", shells=DEVICES, low=1,
         high=4_000_000),
    _opt("devices.scanner.serial.suffix", "text", "\r", "串口扫码结束符", "bytes ending one serial scan",
         shells=DEVICES),
    _opt("devices.scanner.serial.idle_ms", "int", 100, "串口空闲结束（毫秒）", "a pause this long ends a scan (ms)",
         shells=DEVICES, low=1, high=5000),
    _opt("devices.scanner.serial.encoding", "text", "utf-8", "串口编码", "serial text encoding", shells=DEVICES),
    _opt("devices.scanner.serial.reconnect_ms", "int", 1000, "重新连接间隔（毫秒）", "reconnect every (ms)",
         shells=DEVICES, low=50, high=60000),
    _opt("devices.scanner.serial.backend", "choice", "auto", "串口实现", "serial backend", shells=DEVICES,
         choices=("auto", "pyserial", "posix")),
    # --- devices: camera, printer, card reader ----------------------------------------------------------------
    _opt("devices.camera.kind", "choice", "none", "摄像头", "camera kind", shells=DEVICES,
         choices=("none", "opencv", "simulator")),
    _opt("devices.camera.index", "int", 0, "摄像头序号", "camera index", shells=DEVICES, low=0, high=64),
    _opt("devices.camera.width", "int", 1280, "采集宽度", "capture width", shells=DEVICES, low=160, high=7680),
    _opt("devices.camera.height", "int", 720, "采集高度", "capture height", shells=DEVICES, low=120, high=4320),
    _opt("devices.camera.source", "text", "", "模拟摄像头的图片/视频", "simulator: images, a video or \"\"",
         shells=DEVICES),
    _opt("devices.camera.rotate_retry", "bool", True, "旋转重试", "retry ±20° when a frame gives nothing",
         shells=DEVICES),
    _opt("devices.camera.full_pass_every", "int", 2, "每 N 帧多看一种视图（旋转/反色/倾斜）",
         "every Nth frame shows an extra view (turned 90°, inverted, tilted)",
         shells=DEVICES, low=1, high=100),
    _opt("devices.printer.kind", "choice", "simulator", "票据打印机类型", "receipt printer kind", shells=DEVICES,
         choices=PRINTER_KINDS),
    _opt("devices.printer.address", "text", "", "打印机地址", "printer address (host[:port], port, device, name)",
         shells=DEVICES),
    _opt("devices.printer.baudrate", "int", 19200, "打印机波特率", "printer baud rate", shells=DEVICES, low=1,
         high=4_000_000),
    _opt("devices.printer.paper_mm", "int", 80, "纸宽（毫米）", "paper width (mm)", shells=DEVICES, low=58, high=80,
         check=lambda v: None if v in (58, 80) else "58 | 80"),
    _opt("devices.printer.encoding", "choice", "gb18030", "打印机编码", "printer encoding", shells=DEVICES,
         choices=("gb18030", "gbk", "ascii")),
    _opt("devices.printer.qr", "bool", True, "打印机支持二维码", "the printer prints QR codes itself",
         shells=DEVICES),
    _opt("devices.printer.cut", "choice", "partial", "切纸", "paper cut", shells=DEVICES,
         choices=("partial", "full", "none")),
    _opt("devices.printer.drawer", "bool", False, "钱箱", "a cash drawer hangs on the printer", shells=DEVICES),
    _opt("devices.printer.drawer_pin", "int", 0, "钱箱针脚", "drawer pin (0 = pin 2, 1 = pin 5)", shells=DEVICES,
         low=0, high=1),
    _opt("devices.printer.timeout_s", "number", 5.0, "打印超时（秒）", "printer timeout (s)", shells=DEVICES,
         low=0.1, high=120),
    _opt("devices.card_reader.kind", "choice", "simulator", "读卡器", "card reader kind", shells=DEVICES,
         choices=CARD_READER_KINDS),
    _opt("devices.card_reader.port", "text", "", "读卡器端口", "card reader port", shells=DEVICES),
    # --- kiosk ------------------------------------------------------------------------------------------------
    _opt("kiosk.terminal_no", "int", 9, "自助机终端序号", "kiosk terminal number (msgid)", shells=KIOSK,
         supervisor=True, low=0, high=99),
    _opt("kiosk.operator", "text", "KIOSK01", "自助机操作员编号", "kiosk operator code", shells=KIOSK,
         supervisor=True),
    _opt("kiosk.window_no", "text", "1", "窗口号", "window number", shells=KIOSK),
    _opt("kiosk.idle_seconds", "int", 60, "无操作清屏（秒）", "idle seconds before the person is wiped",
         shells=KIOSK, low=10, high=3600),
    _opt("kiosk.countdown_seconds", "int", 15, "清屏倒计时（秒）", "countdown before wiping (s)", shells=KIOSK,
         low=3, high=300),
    _opt("kiosk.text_px", "int", 30, "字号（像素）", "base text size (px)", shells=KIOSK, low=16, high=96),
    _opt("kiosk.target_px", "int", 96, "最小触控尺寸（像素）", "smallest touch target (px)", shells=KIOSK, low=48,
         high=400),
    _opt("kiosk.voice", "choice", "auto", "语音提示", "voice prompts", shells=KIOSK,
         choices=("auto", "prerecorded", "off")),
    _opt("kiosk.voice_dir", "text", "", "录音提示目录", "folder of recorded prompts", shells=KIOSK),
    _opt("kiosk.statement_formats", "choice", "both", "可打印的清单", "statement formats offered", shells=KIOSK,
         choices=("receipt", "a4", "both")),
    _opt("kiosk.a4_printer", "text", "", "A4 打印机（空 = 仅 PDF）", "system printer for A4 statements",
         shells=KIOSK),
    _opt("kiosk.statement_dir", "text", "", "清单 PDF 目录", "statement PDF folder", shells=KIOSK),
    _opt("kiosk.statement_keep_hours", "int", 24, "清单保留（小时）", "statement PDFs kept (hours)", shells=KIOSK,
         low=0, high=24 * 366),
    _opt("kiosk.statement_max_days", "int", 400, "清单最长跨度（天）", "longest statement period (days)",
         shells=KIOSK, low=1, high=3660),
    _opt("kiosk.supervisor_code_hash", "text", "", "主管退出码（哈希）", "supervisor exit code (hash; "
         "python -m desktop.kiosk set-code)", shells=KIOSK, supervisor=True, secret=True),
    _opt("kiosk.recheck_seconds", "int", 20, "联网检查间隔（秒）", "re-check the centre every (s)", shells=KIOSK,
         low=1, high=3600),
)

BY_KEY: dict[str, Option] = {o.key: o for o in OPTIONS}


def option(key: str) -> Option:
    try:
        return BY_KEY[key]
    except KeyError:
        near = [k for k in BY_KEY if k.split(".")[-1] == key.split(".")[-1]]
        hint_en = f"; did you mean {', '.join(near)}?" if near else ""
        raise SettingError(f"未知设置 {key}{'（是否为 ' + '、'.join(near) + '？）' if near else ''}",
                           f"unknown setting {key}{hint_en}") from None


def default_of(key: str, shell: str | None = None) -> Any:
    """The declared default (used by the typed views' dataclass fields)."""
    value = BY_KEY[key].default_for(shell)
    return list(value) if isinstance(value, list) else value


__all__ = ["ALL", "BY_KEY", "DESKS", "DEVICES", "KIOSK", "OPTIONS", "Option", "SHELLS", "SettingError", "default_of",
           "option"]
