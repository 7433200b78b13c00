"""Paper prescriptions at the desk (纸质处方, issue 19): entered with prescriber, institution, date, diagnosis and
lines (drugs found by pinyin with the desk's own search), the photo or scan of the slip attached, checked
(core.rx.paper) and opened as a sale like a downloaded one. The desk's audit judges it at the pre-settlement as
always; it has no e-prescription at the centre, so no 7206 follows its settlement. The image is kept encrypted
in the store under the sale's rx_id (PAPER-…), for the supervisor and the record."""
from __future__ import annotations

import base64
import datetime as dt
import uuid

from cryptography.fernet import Fernet
from sqlalchemy import select

from core.domain.clock import today_cst
from core.i18n import message
from core.rx.cache import PURPOSE
from core.rx.paper import PaperRx, RxInputError, check_paper, image_type
from core.services.desk.ordinary import scheme_for
from core.services.desk.base import MED_TYPE_SCHEME, SCHEME_MED_TYPE, DeskBase
from core.services.pharmacy_sale import Sale, SaleLine
from core.services.ports import DeskError, PatientCard
from core.store.catalogue import get_drugs
from core.store.rx_cache import ensure_rx_cache, rx_image

PAPER = "paper"


class PaperPrescriptions(DeskBase):
    def _rx_tables(self) -> None:
        ensure_rx_cache(self.wengine)  # CREATE on the store's one writer (core.store.lane)

    def _image_fernet(self) -> Fernet:
        from core.store.crypto import DataCipher

        return Fernet(base64.urlsafe_b64encode(DataCipher.load().derive_key(PURPOSE + " image")))

    def open_paper_sale(self, card: PatientCard, rx: PaperRx, *, med_type: str = "") -> Sale:
        with self.Session() as s:
            drugs = get_drugs(s, [l.drug_key for l in rx.lines])
        try:
            checked = check_paper(rx, drugs, today_cst())
        except RxInputError as exc:
            raise DeskError(message("desk.rx.paper_refused", reason=exc.zh, reason_en=exc.en)) from None
        rx_id = f"PAPER-{uuid.uuid4().hex[:16].upper()}"
        self._rx_tables()
        with self.wengine.begin() as conn:
            conn.execute(rx_image.insert().values(
                rx_id=rx_id, mime=image_type(rx.image), taken_at=dt.datetime.now(), taken_by=self._user(),
                body=self._image_fernet().encrypt(rx.image).decode("ascii")))
        lines = tuple(SaleLine(no, drug, line.boxes, line.days, " ".join(x for x in (line.dose, line.frequency,
                                                                                      line.way) if x), sig,
                               med_list_codg=drug.nhsa_code or "")
                      for no, (drug, line, sig) in enumerate(checked, start=1))
        scheme = scheme_for(self.profile, med_type, MED_TYPE_SCHEME.get(med_type) or self._paper_scheme(card))
        return Sale(sale_id=uuid.uuid4().hex[:12], person_no=card.person.person_no, person_name=card.person.name,
                    scheme=scheme, med_type=med_type or SCHEME_MED_TYPE[scheme], diagnoses=(rx.diagnosis_code,),
                    rx_id=rx_id, rx_date=rx.rx_date, rx_valid_until=rx.valid_until, rx_kind=PAPER,
                    long_rx_confirmed=rx.rx_type == "long", lines=lines, insurance_type=card.insurance_type,
                    cert_type=card.cert_type, cert_no=card.cert_no, issuer=rx.institution, doctor=rx.prescriber)

    @staticmethod
    def _paper_scheme(card: PatientCard) -> str:
        active = [r for r in card.registrations if r.active]
        return "MT" if any(r.scheme == "MT" for r in active) else "LB"

    def paper_image(self, rx_id: str) -> tuple[str, bytes] | None:
        """(mime, bytes) of the slip attached to a paper prescription's sale."""
        self._rx_tables()
        with self.engine.connect() as conn:
            row = conn.execute(select(rx_image.c.mime, rx_image.c.body).where(rx_image.c.rx_id == rx_id)).first()
        return None if row is None else (row.mime, self._image_fernet().decrypt(row.body.encode("ascii")))
