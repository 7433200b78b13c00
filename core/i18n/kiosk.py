"""Messages of the self-service kiosk's service (core.services.kiosk): what the insured person reads when
something cannot be done. Plain data; Chinese first, short sentences, and always the next step to take.

The kiosk shell's own labels are Qt translations like the other shells'; these come out of the service.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "kiosk.offline": (
        "服务暂不可用，请到 {window} 号窗口办理",
        "service unavailable: please go to window {window}",
    ),
    "kiosk.forbidden": (
        "自助机不能办理此项业务，请到 {window} 号窗口",
        "the kiosk cannot do this: please go to window {window}",
    ),
    "kiosk.id.not_identity": (
        "这不是医保电子凭证或身份证件（{kind}），请出示医保电子凭证二维码",
        "this is not an e-voucher or an identity card ({kind_en}): show your e-voucher QR code",
    ),
    "kiosk.id.invalid": ("证件无法识别：{reason}，请重试或到窗口办理", "cannot read the card: {reason_en}"),
    "kiosk.id.expired": (
        "二维码已过期，请在手机上刷新医保电子凭证后重新扫码",
        "the QR code has expired: refresh the e-voucher on your phone and scan again",
    ),
    "kiosk.id.not_found": (
        "未查到您的参保信息，请到 {window} 号窗口咨询",
        "no insurance record found: please ask at window {window}",
    ),
    "kiosk.card.error": ("读卡失败：{reason}，请重新放卡", "the card could not be read: {reason_en}; place it again"),
    "kiosk.refused": ("中心未能办理：{detail}", "the centre refused: {detail}"),
    "kiosk.statement.period": ("查询期间不正确：{detail}", "the period is not valid: {detail}"),
    "kiosk.statement.too_long": (
        "一次最多打印 {days} 天的结算记录，请缩短期间",
        "at most {days} days of settlements per statement: choose a shorter period",
    ),
    "kiosk.pay.unsupported": (
        "本机暂不支持缴费，请持处方到药房或 {window} 号窗口缴费",
        "paying is not offered here yet: pay at the pharmacy or window {window}",
    ),
    "kiosk.application.unsupported": (
        "本机暂不能受理申请，请到 {window} 号窗口办理两病登记",
        "applications are not taken here yet: apply at window {window}",
    ),
    "kiosk.application.no_photo": ("请先拍摄诊断证明", "take a photo of the diagnosis first"),
    "kiosk.application.photo_too_large": (
        "照片太大（{size} KB，最多 {limit} KB），请重拍",
        "the photo is too large ({size} KB, at most {limit} KB): take it again",
    ),
    "kiosk.supervisor.wrong": ("管理码错误（还可尝试 {left} 次）", "wrong supervisor code ({left} attempts left)"),
    "kiosk.supervisor.locked": (
        "管理码连续输错，{minutes} 分钟内不能再试",
        "too many wrong supervisor codes: try again in {minutes} minutes",
    ),
    "kiosk.supervisor.not_set": (
        "本机未设置管理码，不能退出（管理员用 python -m desktop.kiosk set-code 设置）",
        "no supervisor code is set: the kiosk cannot be left (an administrator sets one: python -m desktop.kiosk set-code)",
    ),
}
