"""OneWindow (一窗通): composition root (root.py) and command line (cli.py). Domain code lives in core/."""
from __future__ import annotations

import sys

__version__ = "0.1.0"


def self_command(*args: str) -> list[str]:
    """This program again, with `args`: the frozen build (PyInstaller) is the onewindow executable itself and
    knows no `-m`; from source it is this Python with the onewindow package."""
    head = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "onewindow"]
    return [*head, *args]
