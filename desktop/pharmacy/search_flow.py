"""The drug search of the pharmacy desk (Ctrl+F on the sale screen): searches on the Runner's `search`
lane, one at a time; Enter adds the drug as a new line, Del takes it off again before any code.

A mixin of PharmacyWindow (desktop.pharmacy.window): it uses the window's state, screens, runner and
services as its own attributes; its labels are translated under this class's name (PharmacyWindow.tr)."""
from __future__ import annotations

import time

from core.services.drug_lookup import DrugChoice, add_line, default_days, remove_line
from desktop.common.i18n import text
from desktop.common.worker import Failure
from desktop.pharmacy.drug_search import DrugSearchDialog


class SearchFlow:
    def find_drug(self) -> None:
        """Open the drug search over the sale screen: type, arrows, Enter adds the drug as a new line, Esc."""
        if self.page() != "sale" or self.state.sale is None or self.drug_search is not None:
            return
        if self.lookup is None:
            self.sale_screen.show_message("warn", self.tr("本机没有药品目录，不能查询药品"))
            return
        dlg = DrugSearchDialog(default_days(self.state.sale), parent=self)
        dlg.query_changed.connect(self._search_drugs)
        dlg.chosen.connect(self._drug_chosen)
        dlg.finished.connect(self._search_closed)
        self.drug_search = dlg
        self._search_text = None
        if not self.lookup.loaded:
            dlg.show_status("warn", self.tr("正在载入药品目录…"))
        # the index is built at start-up; this rebuilds it only when the catalogue changed since (a sync)
        self.runner.run(self.lookup.refresh, lane="search", done=lambda _: self._index_ready(dlg),
                        failed=lambda f: dlg.show_status("bad", text(f.message)))
        dlg.open()
        dlg.activateWindow()
        dlg.box.setFocus()

    def _index_ready(self, dlg: DrugSearchDialog) -> None:
        if dlg is self.drug_search and dlg.status_tone == "warn" and not dlg.box.text().strip():
            dlg.show_status("", "")

    def _search_drugs(self, text_: str) -> None:
        """Search on the `search` lane, one at a time: while one runs, only the newest text waits its turn."""
        self._search_text = text_
        self._search_started = time.perf_counter()
        if self._search_running:
            return
        self._search_running = True
        self.runner.run(self.lookup.search, text_, lane="search",
                        done=lambda choices: self._drugs_found(text_, choices), failed=self._search_failed)

    def _drugs_found(self, text_: str, choices: list[DrugChoice]) -> None:
        self._search_running = False
        dlg = self.drug_search
        if dlg is None or self._search_text is None:
            return
        if self._search_text != text_:  # typed on meanwhile: the newest text's turn
            self._search_drugs(self._search_text)
            return
        dlg.show_results(text_, choices)
        self.drugs_shown.emit((time.perf_counter() - self._search_started) * 1000)

    def _search_failed(self, f: Failure) -> None:
        self._search_running = False
        if self.drug_search is not None:
            self.drug_search.show_status("bad", text(f.message))

    def _search_closed(self, *_) -> None:
        self.drug_search = None
        self._search_text = None
        self.activateWindow()
        self.sale_screen.scan.setFocus()

    def _drug_chosen(self, choice: DrugChoice, days: int) -> None:
        sale = self.state.sale
        if sale is None or self.page() != "sale":
            return
        self.state.sale = add_line(sale, choice.drug, days=days)
        line = self.state.sale.lines[-1]
        self._added.setdefault(sale.sale_id, set()).add(line.no)
        self.state.view = None
        self.sale_screen.show_sale(self.state.sale)
        self.sale_screen.table.setCurrentCell(len(self.state.sale.lines) - 1, 0)
        name = f"{choice.drug.name} {choice.drug.spec}".strip()
        if choice.needs_codes:
            note = self.tr("已加入第 {0} 行：{1}，1{2}，{3} 天；请扫描药盒追溯码（Del 撤销该行）")
        else:
            note = self.tr("已加入第 {0} 行：{1}，1{2}，{3} 天（Del 撤销该行）")
        unit = choice.drug.pack_unit or self.tr("盒")
        self.sale_screen.show_message("warn" if choice.self_pay else "ok", note.replace("{0}", str(line.no))
                                      .replace("{1}", name).replace("{2}", unit).replace("{3}", str(line.days)))
        self._update_settle()
        self.run_audit()

    def _remove_added(self, no: int) -> None:
        """Del on a line added from the drug search that has no code yet: take it off the sale again."""
        sale = self.state.sale
        added = self._added.get(sale.sale_id, set())
        if no not in added:
            return
        added.discard(no)
        self.state.sale = remove_line(sale, no)
        self.state.view = None
        self.sale_screen.show_sale(self.state.sale)
        self.sale_screen.show_message("", self.tr("已撤销第 {0} 行").replace("{0}", str(no)))
        self._update_settle()
        self.run_audit()
