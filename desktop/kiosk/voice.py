"""Voice prompts for the kiosk: Qt text-to-speech when the module is installed, else prerecorded prompt
files, else silence — and the shell works the same in all three, and says which it is: the header's button
reads "语音 关" (and cannot be switched on) when nothing can speak.

QtTextToSpeech and QtMultimedia ship in the PySide6-Addons wheel, which OneWindow does not require
(PySide6-Essentials only). So:

- "qt"           PySide6.QtTextToSpeech importable (Addons installed): the prompt text is spoken, zh_CN voice
                 when the engine has one.
- "prerecorded"  a folder of <key>.wav files: KioskConfig.voice_dir, else resources/kiosk/voice (filled by
                 installer/build), else <data folder>/kiosk-voice. They are recorded from PROMPTS with
                 espeak-ng's Mandarin voice (`python -m desktop.kiosk record-voice`; Debian package espeak-ng),
                 or by the site in the local dialect. Played by QtMultimedia's QSoundEffect when present, by
                 winsound on Windows, else by the first of pw-play / paplay / aplay / afplay.
- "off"          nothing can speak: `can_speak` is False and the voice stays switched off.

    voice = make_voice(config.voice, config.voice_dir)
    voice.say("home")
    voice_status(config.voice, config.voice_dir) -> ("off", "… no prompt files in …: the kiosk is silent")
    record_prompts(folder) -> [folder/home.wav, …]
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("onewindow.gui.kiosk.voice")

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "kiosk" / "voice"
PLAYERS = ("pw-play", "paplay", "aplay", "afplay")
ESPEAK = ("espeak-ng", "espeak")
MANIFEST = "prompts.json"  # the texts the files were recorded from: a changed prompt is recorded again

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
    """Silence: nothing on this machine can speak, so the voice is off and stays off."""

    backend = "off"
    can_speak = False

    def __init__(self, note: str = "") -> None:
        self.note = note  # why this backend (voice_status's note), for the supervisor's screen
        self.enabled = self.can_speak
        self.spoken: list[str] = []  # keys, newest last (tests and the supervisor screen read it)

    def set_enabled(self, on: bool) -> None:
        self.enabled = on and self.can_speak
        if not self.enabled:
            self.stop()

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
    can_speak = True

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
    can_speak = True

    def __init__(self, folder: Path, player: str | None) -> None:
        super().__init__()
        self.folder, self.player = folder, player
        self._proc: subprocess.Popen | None = None
        self._effect = None  # QSoundEffect when QtMultimedia is installed
        self.played: list[Path] = []  # files handed to the player, newest last (selftest, tests)

    def _play(self, key: str, text: str) -> None:
        path = self.folder / f"{key}.wav"
        if not path.exists():
            return
        self.stop()
        self.played.append(path)
        del self.played[:-50]
        if self.player == "qtmultimedia":
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect  # Addons only: _player() checked it imports

            self._effect = QSoundEffect()
            self._effect.setSource(QUrl.fromLocalFile(str(path)))
            self._effect.play()
        elif self.player == "winsound":
            import winsound

            winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)
        elif self.player:
            try:
                self._proc = subprocess.Popen([self.player, str(path)], stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)
            except OSError as exc:  # the player went away: the prompt is lost, the kiosk goes on
                log.info("voice prompt %s not played: %s", key, exc)

    def stop(self) -> None:
        if self._effect is not None:
            self._effect.stop()
            self._effect = None
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = None


def _qt_speech():
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech  # Addons only
    except ImportError:
        return None
    return QTextToSpeech


def user_dir() -> Path:
    """Where `record-voice` puts the prompts when the program's own folder is read-only (an installed build)."""
    from core.settings.paths import app_home

    return app_home() / "kiosk-voice"


def _prompt_dir(voice_dir: str) -> Path:
    if voice_dir:
        return Path(voice_dir)
    if any(DEFAULT_DIR.glob("*.wav")):
        return DEFAULT_DIR
    return user_dir()


def _player() -> str | None:
    try:
        from PySide6.QtMultimedia import QSoundEffect  # noqa: F401 (Addons only)

        return "qtmultimedia"
    except ImportError:
        pass
    if sys.platform.startswith("win"):
        return "winsound"
    return next((p for p in PLAYERS if shutil.which(p)), None)


def espeak() -> str | None:
    return next((p for p in ESPEAK if shutil.which(p)), None)


def record_prompts(folder: Path | None = None, *, program: str | None = None, voice: str = "cmn",
                   speed: int = 150) -> list[Path]:
    """Record PROMPTS into folder/<key>.wav with espeak-ng's Mandarin voice (installer/build, or
    `python -m desktop.kiosk record-voice`). Prompts whose text is unchanged since the last recording are kept.
    Raises FileNotFoundError when espeak-ng is not installed, OSError/CalledProcessError when it fails."""
    program = program or espeak()
    if program is None:
        raise FileNotFoundError("espeak-ng 未安装，无法录制语音提示 / espeak-ng is not installed "
                                "(Debian: apt-get install espeak-ng)")
    folder = Path(folder) if folder is not None else (DEFAULT_DIR if os.access(DEFAULT_DIR.parent, os.W_OK)
                                                      else user_dir())
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / MANIFEST
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    out = []
    for key, text in PROMPTS.items():
        path = folder / f"{key}.wav"
        if recorded.get(key) != text or not path.exists():
            tmp = path.with_suffix(".tmp.wav")
            subprocess.run([program, "-v", voice, "-s", str(speed), "-w", str(tmp), text], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
            os.replace(tmp, path)  # a half-written prompt is never played
            recorded[key] = text
        out.append(path)
    manifest.write_text(json.dumps(recorded, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


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
        how = ("record them: python -m desktop.kiosk record-voice" if espeak()
               else "install espeak-ng and run: python -m desktop.kiosk record-voice")
        return "off", f"{why} and no prerecorded prompts (<key>.wav) in {folder} ({how}): the kiosk is silent"
    return "off", (f"{why}; prompt files found but no audio player (QtMultimedia, {', '.join(PLAYERS)}; "
                   "Debian: apt-get install alsa-utils): the kiosk is silent")


def make_voice(voice: str = "auto", voice_dir: str = "") -> Voice:
    backend, note = voice_status(voice, voice_dir)
    log.info("kiosk voice: %s (%s)", backend, note)
    made = _make(backend, voice_dir)
    made.note = note
    return made


def _make(backend: str, voice_dir: str) -> Voice:
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


__all__ = ["PROMPTS", "PrerecordedVoice", "QtSpeechVoice", "Voice", "espeak", "make_voice", "record_prompts",
           "user_dir", "voice_status"]
