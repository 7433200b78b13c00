"""办理: identify the person (scan or typed ID number), see their registrations and applications, start an
application (scheme, diseases with diagnosis codes, contact, the diagnosing doctor for 两病), attach evidence,
submit it for review, and print its forms (附件2 审定表, 附件3 连续处方)."""
from __future__ import annotations

from core.services.registration import LB_DISEASES, MT_DISEASES, PersonView
from desktop.common import theme
from desktop.counter.screens.common import Notice, button, fill, table, title
from desktop.qt import Qt, QtWidgets, Signal

DEFAULT_DX = {"HTN": "I10.x00", "DM": "E11.900", "M03900": "I10.x00", "M01600": "E11.900", "M04600": "I25.100",
              "M05300": "J44.900"}
DX_NAMES = {"I10": "原发性高血压", "E11": "2型糖尿病", "E10": "1型糖尿病", "I25": "慢性缺血性心脏病", "J44": "慢性阻塞性肺疾病"}
STATUS_TONE = {"approved": "ok", "rejected": "bad", "cancelled": "bad", "draft": "warn", "expert_review": "warn",
               "clerk_review": "warn"}


class ApplyScreen(QtWidgets.QWidget):
    scanned = Signal(str)
    start_requested = Signal(dict)
    evidence_requested = Signal(str)  # a file path
    submit_requested = Signal()
    approval_form_requested = Signal()
    rx_form_requested = Signal(list)  # [(name, spec, quantity, usage, days)]

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("applyScreen")
        self.scan = QtWidgets.QLineEdit(objectName="scanEdit")
        self.scan.setPlaceholderText(self.tr("扫医保电子凭证 / 身份证 / 社保卡，或输入身份证号后回车"))
        self.scan.setFont(theme.font(2))
        self.scan.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.scan.returnPressed.connect(lambda: self.scanned.emit(self.scan.text()))
        self.person_label = QtWidgets.QLabel(objectName="personLabel")
        self.person_label.setFont(theme.font(3, bold=True))
        self.person_detail = QtWidgets.QLabel(objectName="personDetail")
        self.regs = table([self.tr("待遇"), self.tr("病种"), self.tr("开始"), self.tr("到期")], "regsTable")
        self.apps = table([self.tr("申请编号"), self.tr("待遇"), self.tr("病种"), self.tr("状态"), self.tr("生效")], "appsTable")
        for t in (self.regs, self.apps):
            t.setMaximumHeight(int(theme.base_size() * 9))
        # --- the new application
        self.scheme = QtWidgets.QComboBox(objectName="schemeCombo")
        self.scheme.addItem(self.tr("两病（高血压、糖尿病门诊用药）"), "LB")
        self.scheme.addItem(self.tr("门诊慢特病"), "MT")
        self.scheme.currentIndexChanged.connect(self._scheme_changed)
        self.disease_box = QtWidgets.QWidget()
        self.disease_grid = QtWidgets.QGridLayout(self.disease_box)
        self.disease_grid.setContentsMargins(0, 0, 0, 0)
        self.checks: dict[str, tuple[QtWidgets.QCheckBox, QtWidgets.QLineEdit]] = {}
        self.tel = QtWidgets.QLineEdit(objectName="telEdit")
        self.addr = QtWidgets.QLineEdit(objectName="addrEdit")
        self.doctor_code = QtWidgets.QLineEdit(objectName="doctorCode")
        self.doctor_name = QtWidgets.QLineEdit(objectName="doctorName")
        self.doctor_facility = QtWidgets.QLineEdit(objectName="doctorFacility")
        self.doctor_code.setPlaceholderText(self.tr("医师编码"))
        self.doctor_name.setPlaceholderText(self.tr("医师姓名"))
        self.doctor_facility.setPlaceholderText(self.tr("定点医疗机构编码"))
        self.start_button = button(self.tr("登记申请"), "startButton", primary=True)
        self.start_button.clicked.connect(self._start)
        form = QtWidgets.QFormLayout()
        form.addRow(self.tr("待遇类别"), self.scheme)
        form.addRow(self.tr("申报病种 / 诊断编码"), self.disease_box)
        form.addRow(self.tr("联系电话"), self.tel)
        form.addRow(self.tr("家庭住址"), self.addr)
        doctor = QtWidgets.QHBoxLayout()
        for w in (self.doctor_code, self.doctor_name, self.doctor_facility):
            doctor.addWidget(w)
        form.addRow(self.tr("诊断医师（两病）"), doctor)
        new_box = QtWidgets.QGroupBox(self.tr("新申请"))
        nb = QtWidgets.QVBoxLayout(new_box)
        nb.addLayout(form)
        nb.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignRight)
        # --- the current application
        self.app_label = QtWidgets.QLabel(objectName="appLabel")
        self.app_label.setFont(theme.font(1, bold=True))
        self.app_label.setWordWrap(True)
        self.evidence = table([self.tr("材料"), self.tr("大小"), self.tr("SHA-256")], "evidenceTable")
        self.evidence.setMaximumHeight(int(theme.base_size() * 8))
        self.add_file = button(self.tr("添加材料…"), "addFileButton")
        self.add_file.clicked.connect(self._pick_file)
        self.submit_button = button(self.tr("提交审核"), "submitButton", primary=True)
        self.submit_button.clicked.connect(self.submit_requested)
        self.form2_button = button(self.tr("审定表（附件2）"), "approvalFormButton")
        self.form2_button.clicked.connect(self.approval_form_requested)
        self.rx_lines = QtWidgets.QTableWidget(1, 5, objectName="rxLines")
        self.rx_lines.setHorizontalHeaderLabels([self.tr("药品"), self.tr("规格"), self.tr("数量"), self.tr("用法"), self.tr("天数")])
        self.rx_lines.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.rx_lines.verticalHeader().hide()
        self.rx_lines.setMaximumHeight(int(theme.base_size() * 6))
        self.form3_button = button(self.tr("连续处方（附件3）"), "rxFormButton")
        self.form3_button.clicked.connect(self._rx_form)
        cur_box = QtWidgets.QGroupBox(self.tr("当前申请"))
        cb = QtWidgets.QVBoxLayout(cur_box)
        cb.addWidget(self.app_label)
        cb.addWidget(self.evidence)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.add_file)
        row.addStretch(1)
        row.addWidget(self.form2_button)
        row.addWidget(self.submit_button)
        cb.addLayout(row)
        cb.addWidget(QtWidgets.QLabel(self.tr("连续处方用药（每行一种药，天数为每次配取的用药天数）")))
        cb.addWidget(self.rx_lines)
        cb.addWidget(self.form3_button, 0, Qt.AlignmentFlag.AlignRight)
        self.notice = Notice("applyNotice")
        left = QtWidgets.QVBoxLayout()
        left.addWidget(title(self.tr("办理 · 认定备案")))
        left.addWidget(self.scan)
        left.addWidget(self.person_label)
        left.addWidget(self.person_detail)
        left.addWidget(QtWidgets.QLabel(self.tr("已有备案")))
        left.addWidget(self.regs)
        left.addWidget(QtWidgets.QLabel(self.tr("申请记录（参保人在自助机可查看进度）")))
        left.addWidget(self.apps)
        left.addWidget(new_box)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(cur_box)
        right.addWidget(self.notice)
        right.addStretch(1)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self._scheme_changed()
        self.show_application(None)

    # ---- rendering -----------------------------------------------------------------------------------------------
    def _scheme_changed(self) -> None:
        while self.disease_grid.count():
            w = self.disease_grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.checks.clear()
        names = LB_DISEASES if self.scheme.currentData() == "LB" else MT_DISEASES
        for i, (code, name) in enumerate(names.items()):
            check = QtWidgets.QCheckBox(name, objectName=f"check_{code}")
            dx = QtWidgets.QLineEdit(DEFAULT_DX.get(code, ""), objectName=f"dx_{code}")
            dx.setMaximumWidth(int(theme.base_size() * 8))
            self.disease_grid.addWidget(check, i // 2, (i % 2) * 2)
            self.disease_grid.addWidget(dx, i // 2, (i % 2) * 2 + 1)
            self.checks[code] = (check, dx)
        lb = self.scheme.currentData() == "LB"
        for w in (self.doctor_code, self.doctor_name, self.doctor_facility):
            w.setEnabled(lb)

    def show_person(self, p: PersonView | None, today=None) -> None:
        if p is None:
            self.person_label.setText(self.tr("请先识别参保人"))
            self.person_detail.clear()
            fill(self.regs, [])
            fill(self.apps, [])
            return
        age = p.age(today) if today else ""
        self.person_label.setText(f"{p.name}　{p.sex_name}　{age}{self.tr('岁')}　{p.masked}")
        warn = f"　⚠ {self.tr('死亡日期')} {p.death_date}" if p.death_date else ""
        self.person_detail.setText(f"{p.psn_no} · {p.insutype_name} · {p.status}{warn}")
        scheme = {"LB": self.tr("两病"), "MT": self.tr("门诊慢特病")}
        fill(self.regs, [[scheme.get(r.get("scheme"), r.get("scheme")), r.get("opsp_dise_name") or r["opsp_dise_code"],
                          r["begndate"], r.get("enddate") or self.tr("长期")] for r in p.registrations])
        fill(self.apps, [[a["app_no"], scheme.get(a["scheme"], a["scheme"]), "、".join(d["name"] for d in a["diseases"]),
                          a["status_name"], a.get("effective_from") or ""] for a in p.applications],
             [STATUS_TONE.get(a["status"], "") for a in p.applications])
        if p.applications:
            self.tel.setText(self.tel.text() or p.applications[0].get("tel", ""))
            self.addr.setText(self.addr.text() or p.applications[0].get("addr", ""))

    def show_application(self, app: dict | None) -> None:
        has = app is not None
        for w in (self.add_file, self.submit_button, self.form2_button, self.form3_button):
            w.setEnabled(has)
        if not has:
            self.app_label.setText(self.tr("（尚无申请：登记申请后可上传材料、提交审核）"))
            fill(self.evidence, [])
            return
        self.submit_button.setEnabled(app["status"] == "draft")
        self.add_file.setEnabled(app["status"] in ("draft", "expert_review", "clerk_review"))
        diseases = "、".join(f"{d['name']}（{d.get('diag_code') or '-'}）" for d in app["diseases"])
        eff = f"　{self.tr('生效')} {app['effective_from']}" if app.get("effective_from") else ""
        self.app_label.setText(f"{app['app_no']}　{app['psn_name']}　{diseases}\n{self.tr('状态')}：{app['status_name']}{eff}")
        fill(self.evidence, [[e["filename"], f"{e['size']:,} B", e["sha256"][:16] + "…"] for e in app.get("evidence", [])])

    # ---- asking --------------------------------------------------------------------------------------------------
    def request(self) -> dict:
        diseases = [(code, dx.text().strip(), DX_NAMES.get(dx.text().strip().upper()[:3], ""))
                    for code, (check, dx) in self.checks.items() if check.isChecked()]
        return {"scheme": self.scheme.currentData(), "diseases": diseases, "tel": self.tel.text().strip(),
                "addr": self.addr.text().strip(),
                "doctor": (self.doctor_code.text().strip(), self.doctor_name.text().strip()),
                "doctor_facility": self.doctor_facility.text().strip()}

    def _start(self) -> None:
        self.start_requested.emit(self.request())

    def _pick_file(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, self.tr("选择材料（病历、检查检验报告、照片）"), "",
                                                        self.tr("图片或文档 (*.png *.jpg *.jpeg *.pdf *.tif);;所有文件 (*)"))
        if path:
            self.evidence_requested.emit(path)

    def rx_rows(self) -> list[tuple[str, str, str, str, int]]:
        rows = []
        for r in range(self.rx_lines.rowCount()):
            cells = [(self.rx_lines.item(r, c).text().strip() if self.rx_lines.item(r, c) else "") for c in range(5)]
            if cells[0]:
                days = int(cells[4]) if cells[4].isdigit() else 28
                rows.append((cells[0], cells[1], cells[2] or "1盒", cells[3], days))
        return rows

    def set_rx_row(self, row: int, values: list[str]) -> None:
        if row >= self.rx_lines.rowCount():
            self.rx_lines.setRowCount(row + 1)
        for c, v in enumerate(values):
            self.rx_lines.setItem(row, c, QtWidgets.QTableWidgetItem(v))

    def _rx_form(self) -> None:
        self.rx_form_requested.emit(self.rx_rows())


__all__ = ["ApplyScreen"]
