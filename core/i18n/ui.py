"""Messages of the desktop shells (labels, titles). Plain data: no Qt here."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.app": ("一窗通", "OneWindow"),
    "ui.shell.counter": ("综合窗口", "service counter"),
    "ui.shell.pharmacy": ("药房", "pharmacy"),
    "ui.shell.kiosk": ("自助机", "self-service kiosk"),
    "ui.shell.demo": ("演示", "demo"),
    "ui.shell.scan": ("扫码测试", "scan test"),
    "ui.server.none": ("单机运行（未连接中心）", "standalone (no centre)"),
    "ui.server.url": ("中心：{url}（尚未连接）", "centre: {url} (not connected yet)"),
    "ui.scan.prompt": ("扫描或输入条码，按回车", "scan or type a code, then Enter"),
    "ui.scan.keys": ("回车 识别 · Esc 清空 · Tab 到历史", "Enter reads · Esc clears · Tab to history"),
    "ui.scan.waiting": ("等待扫码", "waiting for a scan"),
    "ui.scan.valid": ("有效", "valid"),
    "ui.scan.invalid": ("无效", "invalid"),
    "ui.scan.field": ("字段", "field"),
    "ui.scan.value": ("值", "value"),
    "ui.scan.history": ("最近扫描", "recent scans"),
    "ui.yes": ("是", "yes"),
    "ui.no": ("否", "no"),
}
