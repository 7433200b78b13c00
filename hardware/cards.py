"""ID card (居民身份证) and social security card (社会保障卡) readers: one interface, a simulator, and how the
real readers plug in.

    reader = card_reader_from_settings(settings.card_reader)
    read = reader.read(timeout_s=0.5)          # CardRead, or None when no card is on the reader
    read.kind, read.id_number, read.name, read.masked_id

`CardRead.id_number` is sensitive: show `masked_id`, log nothing but the kind. A reader raises CardReaderError
(message in Chinese and English) when the device is missing or the card cannot be read; "no card" is None.
Readers are blocking; a shell polls them from a worker thread (as the print queue and the serial scanner do),
never the GUI thread.

Real readers (Windows DLLs, loaded with ctypes by an adapter class implementing CardReader; none ships here):

- 二代身份证 readers follow the 公安部 GA 450 security module; the vendors wrap it in similar C APIs:
  * 华视 CVR-100 / CVR-100U (termb.dll): CVR_InitComm(port) [1001.. for USB], CVR_Authenticate(),
    CVR_Read_FPContent() / CVR_Read_Content(4), then GetPeopleName, GetPeopleIDCode, GetPeopleSex,
    GetPeopleBirthday, GetPeopleAddress, GetStartDate/GetEndDate, GetBMPData (photo); CVR_CloseComm().
  * 精伦 iDR210 / iDR220 (sdtapi.dll): SDT_OpenPort(1001), SDT_StartFindIDCard, SDT_SelectIDCard,
    SDT_ReadBaseMsg (UCS-2 text in fixed-width fields + WLT photo, decoded by WltRS.dll); SDT_ClosePort.
  * 神思 SS628 / SS728 (RdCard.dll, same shape: UCommand1 with command codes for open/read/close).
  Adapter: CvrReader(port) etc. map these fields to CardRead(kind="id_card", …); the text fields come as
  GB18030 (termb) or UCS-2LE (sdtapi) and must be stripped of trailing spaces; sex "1"/"2".
- 社保卡 (third-generation social security card, a PSAM-backed contact/contactless card): readers from 德卡
  (Decard T10 / T10-DC), 明华, 华大 etc. all implement the 人社部 unified terminal interface, SSCardDriver.dll
  (iReadCardBas(iType, pOutInfo): "发卡地区行政区划代码|社会保障号码|卡号|卡识别码|姓名|卡复位信息|规范版本|
  发卡日期|卡有效期|终端机编号|终端设备号|"). In a 医保 setting the 国家医保 电子凭证/社保卡 reading usually goes
  through the provincial 医保 terminal interface (e.g. the HSecfg / NationECCode.dll 读卡 service), which returns
  the same fields as JSON. Adapter: SsCardReader(dll_path) parses the |-separated record into
  CardRead(kind="ss_card", id_number=社会保障号码, card_no=卡号, region=发卡地区, name=姓名, …).
- On Linux counters the same vendors ship .so builds (libtermb.so, libsdtapi.so) with the same entry points.
"""
from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from core.domain.masking import mask_id
from hardware.settings import CardReaderSettings


class CardReaderError(OSError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class CardRead:
    """kind: "id_card" | "ss_card". Dates are date objects; "" for fields a card does not carry."""

    kind: str
    id_number: str
    name: str
    sex: str = ""               # "1" male, "2" female (GB/T 2261.1), as on the card
    birth_date: date | None = None
    card_no: str = ""           # social security card number (9 chars) / ID card has none
    region: str = ""            # issuing region code (社保卡) or address region (ID card)
    nation: str = ""            # 民族 (ID card)
    address: str = ""
    issuer: str = ""            # 签发机关 / 发卡机构
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    def __repr__(self) -> str:  # never put the number into logs or tracebacks
        return f"CardRead(kind={self.kind!r}, id_number={self.masked_id!r}, name=<{len(self.name)} chars>)"


class CardReader(Protocol):
    name: str

    def read(self, timeout_s: float = 0.5) -> CardRead | None: ...

    def close(self) -> None: ...


class SimulatedCardReader:
    """Hands out the cards it is given, one per read(); `present(card)` puts one on the reader; `fail_next`
    raises once (a reader unplugged). Cards may come from a JSON file: a list of CardRead fields."""

    name = "simulator"

    def __init__(self, cards: Iterable[CardRead] = ()) -> None:
        self._cards: deque[CardRead] = deque(cards)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        if self._cards:
            self._ready.set()
        self.fail_next = False

    @classmethod
    def from_file(cls, path: Path | str) -> SimulatedCardReader:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        cards = []
        for item in data:
            item = dict(item)
            for key in ("birth_date", "valid_from", "valid_to"):
                if item.get(key):
                    item[key] = date.fromisoformat(item[key])
            cards.append(CardRead(**item))
        return cls(cards)

    def present(self, card: CardRead) -> None:
        with self._lock:
            self._cards.append(card)
            self._ready.set()

    def read(self, timeout_s: float = 0.5) -> CardRead | None:
        if self.fail_next:
            self.fail_next = False
            raise CardReaderError("读卡器未连接", "card reader not connected")
        if not self._ready.wait(timeout_s):
            return None
        with self._lock:
            card = self._cards.popleft() if self._cards else None
            if not self._cards:
                self._ready.clear()
        return card

    def close(self) -> None:
        pass


DEMO_CARDS = (
    CardRead("id_card", "11010519491231002X", "张三", "2", date(1949, 12, 31), region="110105", nation="汉",
             address="北京市朝阳区示例路1号", issuer="北京市公安局朝阳分局", valid_from=date(2015, 1, 1),
             valid_to=date(2035, 1, 1)),
    CardRead("ss_card", "11010519491231002X", "张三", "2", date(1949, 12, 31), card_no="A12345678", region="110000",
             issuer="北京市人力资源和社会保障局"),
)


def card_reader_from_settings(settings: CardReaderSettings) -> CardReader | None:
    settings.check()
    if settings.kind == "none":
        return None
    if settings.kind == "simulator":
        return SimulatedCardReader.from_file(settings.port) if settings.port else SimulatedCardReader(DEMO_CARDS)
    raise CardReaderError(f"读卡器 {settings.kind} 的驱动适配尚未安装",
                          f"no adapter installed for card reader {settings.kind!r} (see hardware/cards.py)")
