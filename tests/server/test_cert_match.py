"""人证一致: a 2101/2102 naming psn_no and a certificate (mdtrt_cert_type/no) is refused when the certificate is
another person's; the holder's own ID number is accepted without a second person query (server.people.holds_id_number)."""
from __future__ import annotations

from tests.server.helpers import P01_CERTNO, settle_input

T0002_CERTNO = "420704196306301148"


def _with_cert(cert_no: str, cert_type: str = "02") -> dict:
    body = settle_input("T0001")
    body["druginfo"].update(mdtrt_cert_type=cert_type, mdtrt_cert_no=cert_no)
    return body


def test_own_id_number_is_accepted(client):
    for infno in ("2101", "2102"):
        answer = client.call(infno, _with_cert(P01_CERTNO))
        assert answer["infcode"] == 0, answer


def test_another_persons_id_number_is_refused(client):
    for infno in ("2101", "2102"):
        answer = client.call(infno, _with_cert(T0002_CERTNO))
        assert answer["infcode"] == -1 and "人证不一致" in answer["err_msg"], answer


def test_unknown_id_number_is_refused(client):
    answer = client.call("2102", _with_cert("420704190001011234"))
    assert answer["infcode"] == -1 and "查无此人" in answer["err_msg"], answer
