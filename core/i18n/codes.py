"""Messages of the scan vocabulary (core.codes): error reasons, kind names, field labels, hints.

Keys: `codes.<error_code>` for reasons (the error_code of a ScanResult is the part after `codes.`),
`codes.kind.<kind>`, `codes.field.<field>`, `codes.hint.<hint>`, `codes.value.<field>.<value>`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- reasons: normalisation ---
    "codes.not_text": ("输入不是文本（{type}）", "input is not text ({type})"),
    "codes.empty": ("空输入", "empty input"),
    "codes.too_long": ("输入过长（{length} 个字符，最多 {limit} 个）", "input too long ({length} characters, at most {limit})"),
    "codes.control_char": ("含有控制字符 {char}，请重扫", "contains control character {char}; scan again"),
    "codes.unrecognised": ("无法识别的条码", "unrecognised code"),
    "codes.internal_error": ("条码解析出错（已记录日志）", "internal error while reading the code (logged)"),
    # --- reasons: trace codes ---
    "codes.trace_prefix": ("药品追溯码应以 8 开头", "a drug traceability code starts with 8"),
    "codes.trace_length": (
        "药品追溯码应为 20 位数字（读到 {length} 位），请重扫",
        "a drug traceability code has 20 digits (read {length}); scan again",
    ),
    # --- reasons: ID cards ---
    "codes.id_check_digit": ("身份证号校验位错误", "ID number check digit is wrong"),
    "codes.id_region": ("身份证号地区码无效（{region}）", "ID number region code is not valid ({region})"),
    "codes.id_birth_date": ("身份证号出生日期无效（{date}）", "ID number birth date is not a real date ({date})"),
    "codes.id_birth_future": ("身份证号出生日期在未来（{date}）", "ID number birth date is in the future ({date})"),
    # --- reasons: GS1 ---
    "codes.gs1_empty": ("GS1 数据为空", "GS1 data is empty"),
    "codes.gs1_malformed": ("GS1 数据格式错误（第 {pos} 个字符）", "GS1 data malformed at character {pos}"),
    "codes.gs1_unknown_ai": (
        "未知的 GS1 应用标识符（第 {pos} 个字符：{ai}）",
        "unknown GS1 application identifier at character {pos} ({ai})",
    ),
    "codes.gs1_bad_decimals": ("GS1 计量标识符 ({ai}) 的小数位数无效", "GS1 measure ({ai}) says more decimals than it may"),
    "codes.gs1_case_flipped": (
        "GS1 码大小写被翻转（大写锁定？）：批号、序列号可能有误，请关闭大写锁定后重扫",
        "GS1 code arrived with letter case flipped (Caps Lock?): batch and serial may be wrong; turn Caps Lock off and scan again",
    ),
    "codes.sscc_not_trace": ("物流码，请扫描药盒上的追溯码", "a logistics label (SSCC); scan the traceability code on the box"),
    "codes.gs1_truncated": ("GS1 数据不完整：({ai}) 需要 {need} 位", "GS1 data cut short: ({ai}) needs {need} characters"),
    "codes.gs1_too_long": ("GS1 字段过长：({ai}) 最多 {max} 位", "GS1 field too long: ({ai}) takes at most {max} characters"),
    "codes.gs1_bad_value": ("GS1 字段格式错误：({ai}) {value}", "GS1 field has the wrong format: ({ai}) {value}"),
    "codes.gs1_duplicate_ai": ("GS1 应用标识符重复：({ai})", "GS1 application identifier repeated: ({ai})"),
    "codes.gs1_bad_date": ("GS1 日期无效：({ai}) {value}", "GS1 date is not a real date: ({ai}) {value}"),
    "codes.gs1_check_digit": ("GS1 校验位错误：({ai}) {value}", "GS1 check digit is wrong: ({ai}) {value}"),
    # --- reasons: commodity barcodes, e-vouchers ---
    "codes.ean_check_digit": ("商品条码校验位错误，请重扫", "commodity barcode check digit is wrong; scan again"),
    "codes.ean_prefix_unassigned": ("商品条码前缀 {prefix} 未分配给任何商品（可能是书价码等），请扫描商品条码",
                                    "barcode prefix {prefix} is not allocated to any product (a price code?); scan the product barcode"),
    "codes.evoucher_malformed": ("医保电子凭证内容格式错误，请让参保人刷新后重扫", "e-voucher payload is malformed; ask for a fresh code"),
    "codes.evoucher_case_flipped": (
        "医保电子凭证大小写被翻转：请关闭大写锁定后重扫",
        "e-voucher arrived with letter case flipped: turn Caps Lock off and scan again",
    ),
    # --- hints (valid codes the operator probably did not mean) ---
    "codes.hint.commodity_not_trace": (
        "这是商品条码，请扫描药品追溯码",
        "this is the box's commodity barcode; scan the traceability code",
    ),
    # --- kinds ---
    "codes.kind.trace_code": ("药品追溯码", "drug traceability code"),
    "codes.kind.gs1": ("GS1 药品码（进口药）", "GS1 code (imported drug)"),
    "codes.kind.id_card": ("居民身份证", "resident ID card"),
    "codes.kind.ss_card": ("社会保障卡", "social security card"),
    "codes.kind.evoucher": ("医保电子凭证", "medical insurance e-voucher"),
    "codes.kind.rx_token": ("电子处方取药码", "e-prescription pickup code"),
    "codes.kind.commodity_barcode": ("商品条码", "commodity barcode"),
    "codes.kind.unknown": ("无法识别", "unrecognised"),
    # --- field labels ---
    "codes.field.code": ("追溯码", "code"),
    "codes.field.product_prefix": ("产品标识（前 7 位）", "product prefix (first 7)"),
    "codes.field.symbology": ("码制标识", "symbology identifier"),
    "codes.field.gtin": ("GTIN", "GTIN"),
    "codes.field.expiry": ("有效期至", "expiry"),
    "codes.field.batch": ("批号", "batch"),
    "codes.field.serial": ("序列号", "serial"),
    "codes.field.ais": ("其他应用标识符", "other AIs"),
    "codes.field.hri": ("GS1 文本", "GS1 text"),
    "codes.field.region": ("地区码", "region"),
    "codes.field.birth_date": ("出生日期", "birth date"),
    "codes.field.sex": ("性别", "sex"),
    "codes.field.number": ("证件号", "number"),
    "codes.field.masked": ("证件号（脱敏）", "number (masked)"),
    "codes.field.format": ("格式", "format"),
    "codes.field.card_no": ("卡号", "card number"),
    "codes.field.card_sn": ("卡识别码", "card identification code"),
    "codes.field.token": ("取药码", "pickup code"),
    "codes.field.length": ("长度", "length"),
    "codes.field.symbology_guess": ("码制", "symbology"),
    "codes.field.hint": ("提示", "hint"),
    # --- field values worth translating ---
    "codes.value.sex.1": ("男", "male"),
    "codes.value.sex.2": ("女", "female"),
    "codes.value.format.id18": ("18 位", "18 digits"),
    "codes.value.format.id15": ("15 位（旧证）", "15 digits (old card)"),
    "codes.value.format.card_no": ("卡号", "card number"),
    "codes.value.format.card_sn": ("卡识别码", "card identification code"),
    "codes.value.format.onewindow": ("本中心签发", "issued by our centre"),
    "codes.value.format.opaque": ("国家平台（不透明）", "national platform (opaque)"),
    # --- the camera preview's status line ---
    "codes.camera.confirming": ("已识别，请保持", "recognised, hold still"),
    "codes.camera.refused": ("识别到{kind}，此处不收：{wanted}", "read a {kind_en}, not taken here: {wanted_en}"),
    "codes.camera.wanted_default": ("请扫描本页需要的码", "scan the code this screen asks for"),
}
