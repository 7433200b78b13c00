"""The counter window's 家庭共济 page actions (a mixin of CounterWindow, kept apart so the window stays small): list
the identified holder's bindings, bind a relative (found by their ID number at the centre) and end a binding, each
confirmed by the holder's own credential (core.services.family refuses anything else before sending; the centre
checks it resolves to the holder). Everything runs on the runner's remote lane; a refusal changes nothing."""
from __future__ import annotations

from core.domain.masking import mask_id, mask_name
from core.services.family import Binding, FamilyBindings


class FamilyActions:
    """Needs from the window: svc, person, family (FamilyScreen), done, _call, _load, tr."""

    family_svc: FamilyBindings

    def _wire_family(self) -> None:
        self.family_svc = FamilyBindings(self.svc)
        self.known_relatives: dict[str, tuple[str, str]] = {}  # psn_no -> (name, certno) found at this counter
        self.family.bind_requested.connect(self.bind_relative)
        self.family.end_requested.connect(self.end_binding)

    def _holder(self) -> bool:
        if self.person is None:
            self.family.notice.say(self.tr("请先在“办理”页识别账户持有人 / identify the account holder first"), "warn")
            return False
        return True

    def _row(self, b: Binding) -> dict:
        name, certno = self.known_relatives.get(b.relative_psn_no, ("", ""))
        shown = " ".join(x for x in (mask_name(name), mask_id(certno)) if x) or b.relative_psn_no
        return {"relative": shown, "relative_psn_no": b.relative_psn_no, "relation": b.relation,
                "holder": b.holder_name or b.holder_psn_no, "since": b.since}

    def load_bindings(self) -> None:
        if self.person is None:
            self.family.show_person("", "")
            self.family.show_bindings([])
            return
        self.family.show_person(self.person.name, self.person.psn_no)
        psn_no = self.person.psn_no

        def done(bindings: list[Binding]) -> None:
            # only those where the identified person is the holder: their account is what is shared
            self.family.show_bindings([self._row(b) for b in bindings if b.holder_psn_no == psn_no])
            self.done.emit("bindings")

        self._load(lambda: self.family_svc.of(psn_no), done, self.family.notice)

    def bind_relative(self, req: dict) -> None:
        if not self._holder():
            return
        if not req["relative_certno"]:
            self.family.notice.say(self.tr("请输入亲属的身份证号 / enter the relative's ID number"), "warn")
            return
        holder = self.person.psn_no

        def work() -> Binding:
            relative = self.svc.identify(req["relative_certno"])  # the relative's person number at the centre
            self.known_relatives[relative.psn_no] = (relative.name, relative.certno or req["relative_certno"])
            return self.family_svc.bind(holder, relative.psn_no, req["relation"], req["credential"])

        def done(b: Binding) -> None:
            self.family.clear_form()
            self.family.notice.say(self.tr("已绑定共济：") + f"{self._row(b)['relative']}（{b.relation}）", "ok")
            self.done.emit("bound")
            self.load_bindings()

        self._call(work, done=done, notice=self.family.notice)

    def end_binding(self, req: dict) -> None:
        if not self._holder():
            return
        holder = self.person.psn_no

        def done(endtime: str) -> None:
            self.family.credential.clear()
            self.family.notice.say(self.tr("已结束共济绑定，结束时间 ") + endtime, "ok")
            self.done.emit("unbound")
            self.load_bindings()

        self._call(self.family_svc.end, holder, req["relative_psn_no"], req["credential"], done=done,
                   notice=self.family.notice)


__all__ = ["FamilyActions"]
