"""Device settings screen shared by the counter, pharmacy and kiosk shells (desktop.devices.settings_panel)."""
