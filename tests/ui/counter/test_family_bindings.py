"""家庭共济 at the counter (issue 17): the counter's service binds and ends a relative against the real centre over
HTTP; the holder's own credential confirms (a wrong ID, or the relative's own, is refused); a pharmacy may not bind."""
from __future__ import annotations

import pytest

from core.services.family import FamilyBindings
from core.services.ports import DeskError
from tests.ui.counter.fixtures import P01_CERTNO, PH1, _data_key, _templates, centre, service  # noqa: F401

P11_CERTNO = "420704196410101939"  # 钱某 T0011, employee, 2000.00 in the personal account


def test_bind_list_and_end_with_the_holders_confirmation(service, centre):
    fam = FamilyBindings(service)
    with pytest.raises(DeskError) as bad:
        fam.bind("T0011", "T0001", "1", "420704196410101938")  # wrong check character: nothing sent
    assert "电子凭证、身份证或社保卡" in bad.value.message.zh
    with pytest.raises(DeskError) as wrong:
        fam.bind("T0011", "T0001", "1", P01_CERTNO)  # the relative's own ID is no confirmation by the holder
    assert "确认失败" in wrong.value.message.zh
    with pytest.raises(DeskError):
        fam.bind("T0011", "T0001", "7", P11_CERTNO)
    made = fam.bind("T0011", "T0001", "1", P11_CERTNO)
    assert made.relation == "配偶" and made.binding_id
    [b] = fam.of("T0001")
    assert (b.holder_psn_no, b.holder_name, b.relative_psn_no) == ("T0011", "钱*****", "T0001")
    pharmacy = centre.client.call("2594", {"data": {"holder_psn_no": "T0011", "relative_psn_no": "T0014",
                                                    "relation": "3", "holder_cert_type": "02",
                                                    "holder_cert_no": P11_CERTNO}}, code=PH1)
    assert pharmacy["infcode"] == -1  # only the agency's counter binds
    assert fam.end("T0011", "T0001", P11_CERTNO)
    assert fam.of("T0001") == []
    with pytest.raises(DeskError):
        fam.end("T0011", "T0001", P11_CERTNO)  # nothing open any more
