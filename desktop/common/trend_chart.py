"""A small trend chart drawn with QPainter (no chart library): blood pressure (systolic and diastolic, mmHg, left
axis) and glucose (mmol/L, right axis) over the visits, with the usual target lines (140/90 mmHg, 7.0 mmol/L).

    chart.set_points([{"date": "2026-03-02", "sbp": 150, "dbp": 95, "fpg": "7.8"}, …])
"""
from __future__ import annotations

from desktop.common import theme
from desktop.qt import Qt, QtCore, QtGui, QtWidgets

SERIES = (("sbp", "收缩压", "#c62828", "bp"), ("dbp", "舒张压", "#ef6c00", "bp"), ("glu", "血糖", "#1565c0", "glu"))
BP_RANGE, GLU_RANGE = (50.0, 200.0), (3.0, 15.0)
BP_SHARE = 0.6  # the upper part of the plot is blood pressure, the lower glucose: the two never overlap
TARGETS = ((140.0, "bp"), (90.0, "bp"), (7.0, "glu"))


class TrendChart(QtWidgets.QWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trendChart")
        self.points: list[dict] = []
        self.setMinimumSize(360, 200)

    def set_points(self, points: list[dict]) -> None:
        self.points = []
        for p in points:
            glu = p.get("fpg") if p.get("fpg") not in (None, "") else p.get("rpg")
            self.points.append({"date": p["date"], "sbp": p.get("sbp"), "dbp": p.get("dbp"),
                                "glu": float(glu) if glu not in (None, "") else None})
        self.update()

    def _area(self) -> QtCore.QRectF:
        return QtCore.QRectF(48, 28, max(self.width() - 96, 10), max(self.height() - 64, 10))

    @staticmethod
    def _band(area: QtCore.QRectF, axis: str) -> QtCore.QRectF:
        top_h = area.height() * BP_SHARE
        if axis == "bp":
            return QtCore.QRectF(area.left(), area.top(), area.width(), top_h - 6)
        return QtCore.QRectF(area.left(), area.top() + top_h + 6, area.width(), area.height() - top_h - 6)

    def _y(self, area: QtCore.QRectF, value: float, axis: str) -> float:
        low, high = BP_RANGE if axis == "bp" else GLU_RANGE
        band = self._band(area, axis)
        value = min(max(value, low), high)
        return band.bottom() - (value - low) / (high - low) * band.height()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QtGui.QColor("#ffffff"))
        p.setFont(theme.font(-2))
        area = self._area()
        p.setPen(QtGui.QPen(QtGui.QColor("#9e9e9e"), 1))
        p.drawRect(self._band(area, "bp"))
        p.drawRect(self._band(area, "glu"))
        for value, axis in TARGETS:  # target lines, dashed
            y = self._y(area, value, axis)
            p.setPen(QtGui.QPen(QtGui.QColor("#bdbdbd"), 1, Qt.PenStyle.DashLine))
            p.drawLine(QtCore.QPointF(area.left(), y), QtCore.QPointF(area.right(), y))
            p.setPen(QtGui.QColor("#616161"))
            text = f"{value:g}"
            if axis == "bp":
                p.drawText(QtCore.QRectF(0, y - 8, area.left() - 4, 16), Qt.AlignmentFlag.AlignRight, text)
            else:
                p.drawText(QtCore.QRectF(area.right() + 4, y - 8, 44, 16), Qt.AlignmentFlag.AlignLeft, text)
        p.setPen(QtGui.QColor("#424242"))
        p.drawText(QtCore.QRectF(0, 4, 120, 18), Qt.AlignmentFlag.AlignLeft, "mmHg")
        p.drawText(QtCore.QRectF(self.width() - 70, 4, 66, 18), Qt.AlignmentFlag.AlignRight, "mmol/L")
        x_legend = 130.0
        for _key, label, color, _axis in SERIES:
            p.setPen(QtGui.QPen(QtGui.QColor(color), 3))
            p.drawLine(QtCore.QPointF(x_legend, 13), QtCore.QPointF(x_legend + 16, 13))
            p.setPen(QtGui.QColor("#212121"))
            p.drawText(QtCore.QPointF(x_legend + 20, 18), label)
            x_legend += 80
        n = len(self.points)
        if n == 0:
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, "暂无随访测量值 / no measurements yet")
            p.end()
            return
        step = area.width() / max(n - 1, 1)
        xs = [area.left() + (i * step if n > 1 else area.width() / 2) for i in range(n)]
        for i, pt in enumerate(self.points):
            p.setPen(QtGui.QColor("#616161"))
            p.drawText(QtCore.QRectF(xs[i] - 40, area.bottom() + 4, 80, 16), Qt.AlignmentFlag.AlignCenter, pt["date"][5:])
        for key, _label, color, axis in SERIES:
            dots = [(xs[i], self._y(area, float(pt[key]), axis)) for i, pt in enumerate(self.points) if pt[key] is not None]
            p.setPen(QtGui.QPen(QtGui.QColor(color), 2))
            for a, b in zip(dots, dots[1:]):
                p.drawLine(QtCore.QPointF(*a), QtCore.QPointF(*b))
            p.setBrush(QtGui.QColor(color))
            for x, y in dots:
                p.drawEllipse(QtCore.QPointF(x, y), 3.5, 3.5)
            p.setBrush(Qt.BrushStyle.NoBrush)
        p.end()


__all__ = ["TrendChart"]
