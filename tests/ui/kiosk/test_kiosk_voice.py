"""Kiosk voice: prompts recorded with espeak-ng's Mandarin voice and played, or "语音 关" when nothing can speak."""
from __future__ import annotations

import os
import stat
import sys
import wave

import pytest

from desktop.kiosk import voice as kv
from desktop.kiosk.voice import PROMPTS, PrerecordedVoice, Voice, make_voice, record_prompts, voice_status


def _fake_player(tmp_path, monkeypatch):
    """An `aplay` on PATH that writes the file it was given into played.txt (no sound card in CI)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "played.txt"
    player = bin_dir / "aplay"
    player.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(kv, "PLAYERS", ("aplay",))
    monkeypatch.setattr(kv, "_qt_speech", lambda: None)
    return log


def test_silence_is_said_and_cannot_be_switched_on():
    v = Voice()
    assert not v.can_speak and not v.enabled
    v.set_enabled(True)
    v.say("home")
    assert not v.enabled and v.spoken == []


def test_no_prompts_no_speech_module_means_off(tmp_path, monkeypatch):
    monkeypatch.setattr(kv, "_qt_speech", lambda: None)
    backend, note = voice_status("auto", str(tmp_path / "empty"))
    assert backend == "off" and "silent" in note and "record-voice" in note
    assert make_voice("auto", str(tmp_path / "empty")).can_speak is False


def test_recording_needs_espeak(tmp_path, monkeypatch):
    monkeypatch.setattr(kv, "espeak", lambda: None)
    with pytest.raises(FileNotFoundError, match="espeak-ng 未安装"):
        record_prompts(tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.skipif(kv.espeak() is None, reason="espeak-ng not installed (.ci/run installs it)")
def test_prompts_recorded_in_mandarin_and_played(tmp_path, monkeypatch):
    folder = tmp_path / "voice"
    files = record_prompts(folder)
    assert sorted(p.stem for p in files) == sorted(PROMPTS)
    for path in files:
        with wave.open(str(path)) as w:  # a real WAV with speech in it: a Chinese sentence lasts over a second
            assert w.getnframes() / w.getframerate() > 1.0, path
    # recording again keeps what did not change; a changed prompt is recorded again
    before = {p.name: p.stat().st_mtime_ns for p in files}
    monkeypatch.setitem(kv.PROMPTS, "home", "您好")
    record_prompts(folder)
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.wav")}
    assert [n for n in before if before[n] != after[n]] == ["home.wav"]

    log = _fake_player(tmp_path, monkeypatch)
    backend, note = voice_status("auto", str(folder))
    assert backend == "prerecorded" and "aplay" in note
    v = make_voice("auto", str(folder))
    assert isinstance(v, PrerecordedVoice) and v.can_speak and v.enabled
    v.say("menu")
    v._proc.wait(timeout=30)
    assert log.read_text().split() == [str(folder / "menu.wav")]
    v.set_enabled(False)
    v.say("home")
    assert log.read_text().split() == [str(folder / "menu.wav")]


@pytest.mark.ui
def test_the_header_tells_the_truth(kiosk):
    win = kiosk.window
    assert win.voice_button.text() == "语音 开" and win.voice_button.isEnabled()  # the kiosk's voice can speak
    win.voice = Voice()  # a machine where nothing can speak
    win.apply_theme()
    assert win.voice_button.text() == "语音 关" and not win.voice_button.isEnabled()
    win.toggle_voice()
    assert win.voice_button.text() == "语音 关"
