"""PySide6 6.12.0 on Python 3.11 drops a reference to None/True/False on every void Qt call and the interpreter
aborts after some thousands (pyproject excludes that version on 3.11). This guards the installed binding."""
from __future__ import annotations

import subprocess
import sys

CHILD = r"""
import threading
from desktop.qt import QObject, QtCore, Signal, application
app = application()
class R(QObject):
    fired = Signal(int, object)
r = R()
got = []
r.fired.connect(lambda a, b: got.append(a))
pool = QtCore.QThreadPool()
for i in range(30000):
    r.fired.emit(i, None)
    app.processEvents()
    QtCore.QTimer.singleShot(0, lambda: None)
t = threading.Thread(target=lambda: [r.fired.emit(i, True) for i in range(20000)])
t.start(); t.join()
for i in range(3000):
    pool.start(lambda: None)
pool.waitForDone()
app.processEvents()
print(len(got))
"""


def test_many_qt_calls_do_not_exhaust_none_true_false():
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "50000"
