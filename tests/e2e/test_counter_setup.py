"""The counter set up as the README says: a wrong signing secret gets one clear Chinese message that says what
to change (never a raw English "HTTP 401: bad signature" with "retry later")."""
from __future__ import annotations

from dataclasses import replace

import pytest

from core.services.ports import DeskError
from tests.ui.counter.fixtures import P01_CERTNO, _data_key, _templates, centre, make_service  # noqa: F401

pytestmark = pytest.mark.ui


def test_wrong_signing_secret_is_named_in_chinese(centre, tmp_path):  # noqa: F811
    svc, config = make_service(centre, tmp_path)
    svc.link.close()
    from core.services.sync_link import TerminalCentreLink

    svc.link = TerminalCentreLink.for_desk(replace(config, secret="not-the-secret",
                                                   store_url=f"sqlite:///{tmp_path / 'wrong.db'}"))
    try:
        with pytest.raises(DeskError) as err:
            svc.identify(P01_CERTNO)
        message = err.value.message
        assert "签名密钥" in message.zh and "重试无用" in message.zh and "HTTP 401" in message.zh
        assert "稍后重试" not in message.zh and "signing secret" in message.en
    finally:
        svc.link.close()
    right, _ = make_service(centre, tmp_path)
    try:
        assert right.identify(P01_CERTNO)  # the right secret: the same lookup works
    finally:
        right.link.close()
