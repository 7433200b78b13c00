"""Kiosk shell fixtures (tests/ui/kiosk/fixtures.py; tests/e2e/test_kiosk_*.py import them too)."""
from tests.ui.kiosk.fixtures import _data_key, _templates, centre, history, kiosk, kiosk_service  # noqa: F401
