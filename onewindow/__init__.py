"""OneWindow (一窗通): composition root and command line. Domain code lives in core/."""

__version__ = "0.1.0"
