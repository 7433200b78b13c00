"""`onewindow report monthly` on both databases: JSON equal to what the centre answers (2550), and the XLSX and
PDF files carry every cell of it, laid out like the forms of seed 001."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from onewindow.cli import main
from tests.server.test_reports import clocked, run_month  # noqa: F401 (fixture)
from tests.server.helpers import AGY


def _cli(capsys, *args) -> tuple[int, str, str]:
    code = main(["report", "monthly", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is needed to read the PDF back (apt-get install poppler-utils)", pytrace=False)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_report_monthly_command(clocked, centre_db, tmp_path, capsys):
    client, now = clocked
    run_month(client, now)
    from openpyxl import load_workbook

    for form in ("4", "5", "6"):
        centre = client.call("2550", {"data": {"month": "2026-03", "form": form}}, AGY)["output"]["report"]
        code, out, err = _cli(capsys, "--db", centre_db.url, "--month", "2026-03", "--form", form, "--format", "json")
        assert code == 0, err
        assert json.loads(out) == centre
        xlsx = tmp_path / f"f{form}.xlsx"
        code, out, err = _cli(capsys, "--db", centre_db.url, "--month", "2026-03", "--form", form, "--format", "xlsx",
                              "--out", str(xlsx), "--unit", "鄂州市医疗保障服务中心", "--preparer", "王经办")
        assert code == 0 and out.strip() == str(xlsx), err
        ws = load_workbook(xlsx).active
        assert ws["A1"].value == f"附件{form}" and ws["A2"].value == centre["title"]
        if form == "6":
            assert [ws.cell(4, c).value for c in range(1, 6)][:2] == ["序号", "填报单位"]
            for i, row in enumerate(centre["rows"]):
                assert [ws.cell(5 + i, c).value for c in range(1, 6)] == [row["no"], row["unit"], row["htn"], row["dm"],
                                                                           row["total"]]
        else:
            assert [ws.cell(4, c).value for c in (1, 2, 3, 4, 6, 8, 10, 12)] == [
                "疾病病种", "参保人数", "备案人数", "一级及以下医疗机构", "二级医疗机构", "三级医疗机构", "定点药店", "合计"]
            assert [ws.cell(5, c).value for c in range(4, 14)] == ["医疗费", "报销额"] * 5
            for i, row in enumerate(centre["rows"]):
                cells = [ws.cell(6 + i, c).value for c in range(1, 14)]
                want = [row["disease"], row["insured"], row["registered"]]
                for lv in ("level1", "level2", "level3", "pharmacy", "total"):
                    want += [float(row[lv]["medfee"]), float(row[lv]["reimbursed"])]
                assert cells[:3] + [float(x) for x in cells[3:]] == want, (form, row["disease"])
        assert "填报人：王经办" in ws.cell(ws.max_row, 1).value
        pdf = tmp_path / f"f{form}.pdf"
        code, out, err = _cli(capsys, "--db", centre_db.url, "--month", "2026-03", "--form", form, "--format", "pdf",
                              "--out", str(pdf))
        assert code == 0, err
        text = pdf_text(pdf)
        assert centre["title"].replace("“", "").replace("”", "")[:8] in text.replace("“", "").replace("”", "")
        lines = text.splitlines()
        for row in centre["rows"]:
            if form == "6":  # a long unit name wraps: the numbers' line starts with the row number
                label, cells = str(row["no"]), [str(row["htn"]), str(row["dm"]), str(row["total"])]
            else:
                label = row["disease"]
                cells = [str(row["insured"]), str(row["registered"])]
                for lv in ("level1", "level2", "level3", "pharmacy", "total"):
                    cells += [row[lv]["medfee"], row[lv]["reimbursed"]]
            line = next(ln for ln in lines if ln.split()[:1] == [label] and ln.split()[-1] == cells[-1])
            assert line.split()[-len(cells):] == cells, (form, line)


def test_report_monthly_bad_input(capsys, tmp_path):
    code, _, err = _cli(capsys, "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}", "--month", "2026-03", "--form", "4")
    assert code == 2 and "no centre database" in err
    code, _, err = _cli(capsys, "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}", "--month", "2026-3", "--form", "4")
    assert code == 2 and "YYYY-MM" in err
