"""Settings of an installation: the folders (paths), every setting declared once (options), the one site file
with its versioned upgrades (site, upgrade), secrets by reference (secrets). Pure Python: no Qt, no HTTP.

    from core.settings import SiteSettings
    settings = SiteSettings.load()
"""
from core.settings.options import OPTIONS, Option, SettingError, default_of, option
from core.settings.site import Effective, SiteSettings

__all__ = ["Effective", "OPTIONS", "Option", "SettingError", "SiteSettings", "default_of", "option"]
