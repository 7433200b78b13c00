"""Pharmacy shell fixtures (tests/ui/pharmacy/fixtures.py; tests/e2e/test_pharmacy_*.py import them too)."""
from tests.ui.pharmacy.fixtures import _data_key, _templates, centre, desk, window  # noqa: F401
