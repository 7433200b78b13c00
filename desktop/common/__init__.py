"""Widgets and helpers the shells share: login dialog, patient card, verdict panel, status line, the scan
route, the worker (service calls off the UI thread with a typed result), theme, translations, receipt PDFs."""
