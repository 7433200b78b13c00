"""Messages of the dispensing desk's services (core.services.pharmacy_*, auth, receipts): what the pharmacist
reads about a scan, a patient, a sale, a return or a shift. Plain data; Chinese first.

The shell's own labels and buttons are Qt translations (resources/translations/*.ts); these are the messages
that come out of the services, so they carry both languages with them.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- scans at the scan-the-boxes step ---
    "desk.scan.commodity": ("这是商品条码，请扫描药品追溯码", "this is the commodity barcode; scan the traceability code"),
    "desk.search.unknown_product": ("未知商品：条码 {code} 不在药品目录中", "unknown product: barcode {code} is not in the catalogue"),
    "desk.search.no_match": ("没有找到“{query}”", "nothing found for “{query}”"),
    "desk.scan.not_a_box": ("这是{kind}，不是药盒追溯码", "this is a {kind_en}, not a box's traceability code"),
    "desk.scan.malformed": ("追溯码格式错误：{reason}", "malformed traceability code: {reason_en}"),
    "desk.scan.other_product": (
        "追溯码不属于本处方的药品（产品标识 {prefix}）：码品不符",
        "this code belongs to a product not on this prescription (product {prefix})",
    ),
    "desk.scan.twice": ("本单第 {line} 行已扫过此码（同一盒不能扫两次）", "already scanned on line {line} of this sale"),
    # no name: the screen may face the next customer
    "desk.scan.held": ("此盒在挂单 {no} 中：请取回该挂单结算，或在该挂单中删除此码",
                       "this box is in held sale {no}: recall that sale, or take the code off it"),
    "desk.scan.line_full": ("第 {line} 行已扫满 {n} 个码（一盒一码）", "line {line} already has its {n} code(s): one per box"),
    "desk.scan.sold": ("此码已销售（小票 {receipt}，{date}）：同一盒不能重复销售",
                       "already sold (receipt {receipt}, {date}): a box is sold once"),
    "desk.scan.sold_split": ("此码为已拆零的盒子（小票 {receipt}，{date}），不能整盒销售",
                             "this box was opened for split sales (receipt {receipt}, {date}); it cannot be sold whole"),
    "desk.scan.sold_centre": ("中心记录此码已销售：{detail}", "the centre has a sale of this code: {detail}"),
    "desk.scan.box_short": ("拆零：该盒只剩 {left}{unit}，本次需要 {want}{unit}",
                            "split pack: the box has {left} {unit} left, this sale needs {want}"),
    "desk.scan.split_ok": ("拆零 {n}{unit}，售后该盒剩 {left}{unit}", "split: {n} {unit} sold, {left} {unit} left in the box"),
    "desk.scan.ok_complete": ("已扫 {n}/{want}，本行完成", "{n} of {want} scanned: line complete"),
    "desk.scan.ok_partial": ("已扫 {n}/{want}，请继续扫下一盒", "{n} of {want} scanned: scan the next box"),
    "desk.scan.no_sale": ("请先识别参保人并选择处方", "identify the patient and pick a prescription first"),
    "desk.scan.busy_sale": ("当前销售未完成：请先结算、挂单或取消", "a sale is open: settle, hold or cancel it first"),
    "desk.line.uncoded": ("无码库存（批号 {batch}），需主管确认", "uncoded stock (batch {batch}): a supervisor confirms"),
    "desk.line.waiting": ("待扫码", "waiting for codes"),
    # --- identify ---
    "desk.id.bad_answer": ("中心返回的参保人信息不完整，请重试；仍不行请联系医保中心",
                           "the centre's answer about the person is incomplete: {detail}"),
    "desk.id.not_found": ("未找到参保人：{detail}", "insured person not found: {detail}"),
    "desk.id.offline_evoucher": ("离线时不能使用医保电子凭证（需联网解码），请刷身份证或社保卡",
                                 "the e-voucher needs the centre: offline, read the ID or social security card"),
    "desk.id.offline_unknown": ("离线且本机没有此人的缓存备案信息，无法识别",
                                "offline, and this person's registrations are not cached here"),
    "desk.id.offline_stale": ("离线：使用 {age} 天前缓存的备案信息", "offline: registrations cached {age} days ago"),
    "desk.id.not_identity": ("这是{kind}，请扫描医保电子凭证或读身份证/社保卡",
                             "this is a {kind_en}: scan the e-voucher or read the ID / social security card"),
    "desk.id.invalid": ("证件号无效：{reason}", "invalid document number: {reason_en}"),
    "desk.warn.reg_ending": ("{disease} 待遇将于 {end} 到期（剩 {days} 天），请提醒复审",
                             "{disease}: registration ends {end} ({days} days): remind the review"),
    "desk.warn.reg_ended": ("{disease} 待遇已于 {end} 到期", "{disease}: registration ended {end}"),
    "desk.warn.review_due": ("{disease} 需复审（到期前 {days} 天内）", "{disease}: review due (within {days} days of the end)"),
    "desk.warn.no_registration": ("无有效慢特病/两病备案", "no active chronic-disease registration"),
    "desk.warn.status": ("参保状态异常：{status}", "insurance status not active: {status}"),
    # --- prescriptions ---
    "desk.rx.none": ("此人没有待取的电子处方", "no circulated e-prescription is waiting for this person"),
    "desk.rx.not_found": ("没有找到取药码 {code} 的处方", "no prescription with pickup code {code}"),
    "desk.rx.other_person": ("取药码 {code} 的处方不属于当前参保人", "pickup code {code} belongs to another person"),
    "desk.rx.not_open": ("处方 {rx} 状态为 {status}，不能调剂", "prescription {rx} is {status}: it cannot be dispensed"),
    "desk.trail.refused": ("审方/调配/核对：{reason}", "review/dispense/check: {reason_en}"),
    "desk.rx.paper_refused": ("纸质处方不能调剂：{reason}", "the paper prescription cannot be dispensed: {reason_en}"),
    "desk.rx.signature": ("处方签名校验失败，不能调剂：{reason}", "the prescription's signature check failed: {reason_en}"),
    "desk.rx.offline_not_cached": ("中心无法连接，处方 {rx} 没有离线缓存：请待中心恢复后再取药",
                                   "the centre is unreachable and prescription {rx} is not in the offline cache"),
    "desk.rx.unknown_drug": ("处方中的药品 {drug} 不在本店目录", "drug {drug} of the prescription is not in this pharmacy's catalogue"),
    # --- audit and settlement ---
    "desk.audit.pending": ("审核中…", "checking…"),
    "desk.audit.incomplete": ("还有 {n} 行未扫完追溯码", "{n} line(s) still miss trace codes"),
    "desk.audit.ack_needed": ("有 {n} 条警告需确认", "{n} warning(s) to acknowledge"),
    "desk.audit.blocked": ("存在拦截项，不能结算", "blocked: this sale cannot be settled"),
    "desk.audit.offline": ("离线：仅本地审核，基金结算需联网", "offline: local audit only; the fund settlement needs the centre"),
    "desk.audit.centre_refused": ("中心拒绝：{detail}", "refused by the centre: {detail}"),
    "desk.audit.offline_presettled": (
        "中心无法连接：已按本地计算离线预结算（在离线限额内）；结算后为离线暂存单据，待中心确认",
        "the centre cannot be reached: pre-settled offline by the local calculation (within the offline limits); "
        "the sale will be provisional until the centre confirms it"),
    "desk.settle.refused": ("结算被中心拒绝：{detail}", "settlement refused by the centre: {detail_en}"),
    "desk.settle.unknown": ("结算结果未知，已发起冲正（{state}）", "settlement outcome unknown: reversal sent ({state_en})"),
    "desk.settle.recovering": ("正在检查上次未完成的交易（启动恢复），请稍候再结算",
                               "start-up recovery is still checking the last run's unfinished messages: settle in a moment"),
    "desk.settle.in_flight": ("结算已提交，正在等待中心答复（单据 {sale}），请稍后查询，不要重复结算",
                              "the settlement was sent and waits for the centre's answer (sale {sale}): look it up "
                              "shortly, do not settle it again"),
    "desk.settle.offline": ("无法连接中心，未结算（没有扣任何额度）", "the centre cannot be reached: nothing was settled"),
    "desk.settle.mismatch": ("本地金额 {local} 与中心 {centre} 不符，已撤销结算", "local total {local} differs from the centre's {centre}: settlement cancelled"),
    "desk.settle.cash_short": ("现金不足：应收 {due}，实收 {given}", "not enough cash: {due} due, {given} given"),
    "desk.settle.account_over": ("个人账户支付不能超过个人负担 {due}", "the account cannot pay more than the personal share {due}"),
    # --- returns ---
    "desk.ret.not_found": ("没有找到小票或追溯码 {ref} 的销售", "no sale with receipt or trace code {ref}"),
    "desk.ret.already": ("小票 {receipt} 已退货", "receipt {receipt} was already returned"),
    "desk.ret.nothing": ("请选择要退的行", "choose the lines to return"),
    "desk.ret.refund_whole": ("应退：现金 {cash} 元，个人账户 {account} 元；统筹 {fund} 元退回基金",
                              "to give back: cash {cash}, personal account {account}; fund {fund} back to the fund"),
    "desk.ret.refund_partial": (
        "应退：现金 {cash} 元，个人账户 {account} 元，统筹 {fund} 元退回基金；保留的 {n} 行（{kept} 元）随后重新结算，按新结算收取个人负担",
        "to give back: cash {cash}, personal account {account}, fund {fund} back to the fund; the {n} kept line(s) "
        "({kept}) are settled again and their personal share collected anew",
    ),
    "desk.ret.refund_tenders": ("应退（原路退回）：{tenders}；统筹 {fund} 元退回基金",
                                "to give back (to the tenders it came from): {tenders_en}; fund {fund} back to the fund"),
    "desk.ret.refund_tenders_partial": (
        "预计应退（原路退回）：{tenders}；保留的 {n} 行（{kept} 元）重新结算，仍由原付款方式支付，以中心结算为准",
        "to give back, estimated (to the tenders it came from): {tenders_en}; the {n} kept line(s) ({kept}) are "
        "settled again, still paid by the original tenders; the centre's figures decide",
    ),
    "desk.ret.refunded_tenders": ("已退还：{tenders}（原路退回）", "given back: {tenders_en} (to the tenders it came from)"),
    "desk.ret.confirm": ("确认退货？再按 F12 执行，Esc 取消", "return these lines? press F12 again to do it, Esc to cancel"),
    "desk.ret.refunded": ("已退还：现金 {cash} 元，个人账户 {account} 元", "given back: cash {cash}, personal account {account}"),
    "desk.ret.done": ("已退货：额度已返还，追溯码已释放", "returned: quota given back, codes freed"),
    "desk.ret.provisional": ("小票 {receipt} 为离线暂存单据，待中心确认后才能退货",
                             "receipt {receipt} is provisional (settled offline): it can be returned once the centre has confirmed it"),
    "desk.ret.legacy": ("小票 {receipt} 是升级前的结算，请在中心撤销", "receipt {receipt} was settled before the upgrade: cancel it at the centre"),
    "desk.ret.offline": ("退货需要连接中心（额度在中心返还），请联网后再办理",
                         "a return needs the centre (the quota is given back there): try again when it is reachable"),
    "desk.ret.resettle_failed": ("已退货（退货小票 {receipt}），但保留的 {n} 行未能重新结算：{detail}",
                                 "returned (return receipt {receipt}), but the {n} kept line(s) could not be settled "
                                 "again: {detail_en}"),
    "desk.ret.partial_resettled": ("部分退货：原结算已撤销，保留的 {n} 行已重新结算（新小票 {receipt}）",
                                   "partial return: the sale was cancelled and the {n} kept line(s) settled again (receipt {receipt})"),
    # --- shift ---
    "desk.shift.held": ("还有 {n} 笔挂单（{nos}）未结算：请先取回结算，或由主管批准释放后关班",
                        "{n} held sale(s) ({nos}) not settled: recall and settle them, or a supervisor releases them"),
    "desk.held.expired": ("挂单 {no} 的处方已于 {date} 过期，不能取回结算：请由主管释放该挂单，并请患者重新开方",
                          "held sale {no}: its prescription expired on {date}; a supervisor releases it, "
                          "and the patient needs a new prescription"),
    "desk.held.unreadable": ("挂单 {no} 的数据无法读取（可能由旧版本保存）：请由主管释放后重新开单",
                             "held sale {no} cannot be read (saved by another version?): a supervisor releases it "
                             "and the sale is made again"),
    "desk.shift.held_released": ("主管已批准释放 {n} 笔挂单", "a supervisor released {n} held sale(s)"),
    "desk.shift.none": ("尚未开班：请先开班（备用金）", "no shift open: open one with the float first"),
    "desk.shift.open": ("已有未关闭的班次 {shift}", "shift {shift} is still open"),
    "desk.shift.pending": ("还有 {n} 条消息未上传中心，需主管批准才能关班", "{n} message(s) still wait for the centre: a supervisor must approve the close"),
    "desk.shift.recon_ok": ("与中心对账平：{detail}", "reconciled with the centre: {detail}"),
    "desk.shift.recon_diff": ("与中心对账不平：{detail}", "does not reconcile with the centre: {detail}"),
    "desk.shift.recon_offline": ("无法连接中心，对账未完成", "the centre cannot be reached: not reconciled"),
    # --- link state ---
    "desk.link.online": ("在线", "online"),
    "desk.link.offline": ("离线", "offline"),
    "desk.link.unknown": ("连接中…", "connecting…"),
    "desk.link.standalone": ("未配置中心", "no centre configured"),
    "desk.link.waiting": ("待上传 {n} 条（最早 {age}）", "{n} waiting (oldest {age})"),
    "desk.link.none_waiting": ("无待上传", "nothing waiting"),
}
