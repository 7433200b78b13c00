"""The rule catalogue: id, names, default severity and level of every audit rule.

Ids, names and default severities follow the rule catalogue of ../shared/vectors/audit-vectors.json;
a profile may change a severity or switch a rule off (Profile.rules).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.domain import Severity


@dataclass(frozen=True)
class RuleInfo:
    rule_id: str
    name_zh: str
    name_en: str
    severity: Severity
    level: str  # person / transaction / line / benefit


_B, _W, _I = Severity.BLOCK, Severity.WARN, Severity.INFO

RULES: dict[str, RuleInfo] = {r.rule_id: r for r in (
    RuleInfo('ELG-001', '参保人已死亡', 'Insured person deceased', _B, 'person'),
    RuleInfo('ELG-002', '参保状态异常(暂停/终止)', 'Insurance status not active', _B, 'person'),
    RuleInfo('ELG-003', '无有效慢特病/两病备案', 'No registration for the scheme', _B, 'person'),
    RuleInfo('ELG-004', '待遇到期未复审', 'Registration expired (no re-assessment)', _B, 'person'),
    RuleInfo('ELG-005', '待遇即将到期', 'Registration about to expire', _W, 'person'),
    RuleInfo('ELG-006', '待遇尚未生效', 'Registration not yet effective', _B, 'person'),
    RuleInfo('ELG-007', '两病与慢特病就高不就低', '两病 vs 慢特病 priority', _I, 'person'),
    RuleInfo('ELG-008', '非备案定点机构', 'Institution not the registered designated one', _B, 'person'),
    RuleInfo('CAT-001', '目录外药品(丙类/自费)', 'Drug outside the insurance catalogue', _W, 'line'),
    RuleInfo('CAT-002', '保健品/食品/日用品等非医保商品', 'Non-drug goods in an insurance transaction', _B, 'line'),
    RuleInfo('CAT-003', '药品与备案病种不符', "Drug not in the registered disease's drug scope", _B, 'line'),
    RuleInfo('CAT-004', '处方诊断与备案病种不符', 'Prescription diagnosis does not match a registered disease', _B, 'transaction'),
    RuleInfo('CAT-005', '限定支付范围(限适应症/二线)', 'Catalogue payment restriction (indication / second-line)', _W, 'line'),
    RuleInfo('CAT-006', '限定医疗机构等级', 'Restricted to higher-level institutions', _W, 'line'),
    RuleInfo('CAT-007', '限住院使用', 'Inpatient-only drug', _B, 'line'),
    RuleInfo('CAT-008', '限工伤/生育保险', 'Work-injury / maternity-only drug', _B, 'line'),
    RuleInfo('CAT-009', '超限价', 'Price above payment limit', _I, 'line'),
    RuleInfo('DRG-001', '限定性别用药', 'Sex-restricted drug', _B, 'line'),
    RuleInfo('DRG-002', '限定儿童用药', 'Children-only drug for an older patient', _B, 'line'),
    RuleInfo('DRG-003', '其他年龄限定', 'Other age restriction', _B, 'line'),
    RuleInfo('DRG-004', '超最大日剂量', 'Daily dose above label maximum', _W, 'line'),
    RuleInfo('DRG-005', '同类药理作用药物重复', 'Two drugs of the same pharmacological class', _W, 'line'),
    RuleInfo('DRG-006', '超限定支付疗程', 'Payment course limit exceeded', _B, 'line'),
    RuleInfo('QTY-001', '超最长处方天数', 'Days supplied above the scheme maximum', _B, 'line'),
    RuleInfo('QTY-002', '长期处方未评估确认', 'Long prescription without assessment', _W, 'line'),
    RuleInfo('QTY-003', '数量超出用法用量所需', 'Quantity larger than the sig requires', _B, 'line'),
    RuleInfo('QTY-004', '不得用于长期处方的药品', 'Drug not allowed on long prescriptions', _B, 'line'),
    RuleInfo('QTY-005', '处方超过有效期', 'Prescription expired', _B, 'transaction'),
    RuleInfo('DUP-001', '提前取药(剩余用药>15天)', 'Early refill', _B, 'line'),
    RuleInfo('DUP-002', '一人多开(同日多机构同药)', 'Same drug dispensed today elsewhere', _B, 'line'),
    RuleInfo('DUP-003', '多机构频繁购药', 'Purchases at many institutions', _W, 'transaction'),
    RuleInfo('FRD-001', '短时异地结算(一卡多用嫌疑)', 'Card used in two cities within minutes', _W, 'transaction'),
    RuleInfo('TRC-001', '无追溯码', 'Trace code missing', _B, 'line'),
    RuleInfo('TRC-002', '追溯码重复销售', 'Trace code already sold', _B, 'line'),
    RuleInfo('TRC-003', '追溯码数量与包装数不符', 'Code count differs from packs', _B, 'line'),
    RuleInfo('TRC-004', '追溯码与药品不符', 'Code belongs to another product', _B, 'line'),
    RuleInfo('TRC-005', '追溯码格式错误', 'Malformed code', _B, 'line'),
    RuleInfo('TRC-006', '拆零超出整包数量', 'Split sales exceed the pack', _B, 'line'),
    RuleInfo('BEN-001', '支付限额已用完', 'Cap / quota exhausted', _W, 'benefit'),
    RuleInfo('BEN-002', '限额部分可用', 'Cap / quota partially available', _I, 'benefit'),
    RuleInfo('BEN-003', '起付线扣减', 'Deductible applied', _I, 'benefit'),
)}
