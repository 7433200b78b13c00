"""Pure-Python domain: no Qt, no HTTP, no SQL outside core/store and core/sync."""
