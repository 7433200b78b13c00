"""The lifestyle prescription library (library.json), loaded and validated by core.care.lifestyle."""
