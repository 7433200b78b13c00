"""Voice prompts for the kiosk: Qt text-to-speech when the module is installed, else prerecorded prompt
files, else silence — and the shell works the same in all three.

QtTextToSpeech ships in the PySide6-Addons wheel, which OneWindow does not require (PySide6-Essentials
only); QtMultimedia is in Addons too. So:

- "qt"           PySide6.QtTextToSpeech importable (Addons installed): the prompt text is spoken, zh_CN voice
                 when the engine has one.
- "prerecorded"  a folder of <key>.wav files (KioskConfig.voice_dir, default resources/kiosk/voice): played by
                 winsound on Windows, by the first of pw-play / paplay / aplay / afplay found elsewhere. None
                 ship with the project yet (they are recorded per site, in the local dialect if wanted).
- "off"          nothing is played; `spoken` still records what would have been said (tests, selftest).

    voice = make_voice(config)
    voice.say("home", "请出示医保电子凭证二维码，或将身份证放在读卡区")
    voice_status(config) -> ("off", "no Qt speech module (PySide6-Addons) and no prompt files in …")
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("onewindow.gui.kiosk.voice")

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "kiosk" / "voice"
PLAYERS = ("pw-play", "paplay", "aplay", "afplay")

# The prompts, by key (the prerecorded files are named after the keys). No personal data is ever spoken:
# a kiosk stands in a hall.
PROMPTS = {
    "home": "您好，请出示医保电子凭证二维码，或将身份证、社保卡放在读卡区",
    "scan": "请将手机上的医保电子凭证二维码对准屏幕下方的摄像头",
    "card": "请将身份证或社保卡放在读卡区",
    "menu": "识别成功，请选择要办理的业务",
    "printing": "正在打印，请稍候",
    "printed": "打印完成，请取走您的结算单",
    "countdown": "您还在使用吗？如需继续，请点击屏幕",
    "wiped": "您的信息已清除，谢谢使用",
    "unavailable": "服务暂不可用，请到人工窗口办理",
    "error": "没有办成，请看屏幕上的提示",
}


class Voice:
    backend = "off"

    def __init__(self) -> None:
        self.enabled = True
        self.spoken: list[str] = []  # keys, newest last (tests and the supervisor screen read it)

    def say(self, key: str, text: str | None = None) -> None:
        if not self.enabled:
            return
        self.spoken.append(key)
        del self.spoken[:-50]
        self._play(key, text or PROMPTS.get(key, ""))

    def _play(self, key: str, text: str) -> None:
        pass

    def stop(self) -> None:
        pass


class QtSpeechVoice(Voice):
    backend = "qt"

    def __init__(self, engine) -> None:
        super().__init__()
        self.engine = engine

    def _play(self, key: str, text: str) -> None:
        if text:
            self.engine.stop()
            self.engine.say(text)

    def stop(self) -> None:
        self.engine.stop()


class PrerecordedVoice(Voice):
    backend = "prerecorded"

    def __init__(self, folder: Path, player: str | None) -> None:
        super().__init__()
        self.folder, self.player = folder, player
        self._proc: subprocess.Popen | None = None

    def _play(self, key: str, text: str) -> None:
        path = self.folder / f"{key}.wav"
        if not path.exists():
            return
        self.stop()
        if sys.platform.startswith("win"):
            import winsound

            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)
        elif self.player:
            self._proc = subprocess.Popen([self.player, str(path)], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = None


def _qt_speech():
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech  # Addons only
    except ImportError:
        return None
    return QTextToSpeech


def _prompt_dir(voice_dir: str) -> Path:
    return Path(voice_dir) if voice_dir else DEFAULT_DIR


def _player() -> str | None:
    if sys.platform.startswith("win"):
        return "winsound"
    return next((p for p in PLAYERS if shutil.which(p)), None)


def voice_status(voice: str = "auto", voice_dir: str = "") -> tuple[str, str]:
    """(backend, note) for selftest and the supervisor screen."""
    if voice == "off":
        return "off", "voice prompts switched off in kiosk.json"
    if voice == "auto" and _qt_speech() is not None:
        return "qt", "Qt text-to-speech (PySide6.QtTextToSpeech)"
    folder = _prompt_dir(voice_dir)
    files = sorted(folder.glob("*.wav")) if folder.is_dir() else []
    player = _player()
    if files and player:
        return "prerecorded", f"{len(files)} prompt files in {folder}, played with {player}"
    why = "no Qt speech module (it is in PySide6-Addons, not installed)"
    if not files:
        return "off", f"{why} and no prerecorded prompts (<key>.wav) in {folder}: the kiosk is silent"
    return "off", f"{why}; prompt files found but no audio player ({', '.join(PLAYERS)}): the kiosk is silent"


def make_voice(voice: str = "auto", voice_dir: str = "") -> Voice:
    backend, note = voice_status(voice, voice_dir)
    log.info("kiosk voice: %s (%s)", backend, note)
    if backend == "qt":
        from PySide6.QtCore import QLocale

        engine = _qt_speech()()
        for v in engine.availableLocales():
            if v.language() == QLocale.Language.Chinese:
                engine.setLocale(v)
                break
        return QtSpeechVoice(engine)
    if backend == "prerecorded":
        return PrerecordedVoice(_prompt_dir(voice_dir), _player())
    return Voice()


__all__ = ["PROMPTS", "PrerecordedVoice", "QtSpeechVoice", "Voice", "make_voice", "voice_status"]
