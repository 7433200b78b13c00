"""The screenshot comparison (tests/screenshots.py): anti-aliasing noise passes, a visible change fails with a
diff picture, a missing reference fails until accepted, accepting writes only what changed."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests import screenshots


def screen(text: str = "Total 14.00 yuan", *, dx: int = 0, size=(400, 800), colour=(30, 30, 30)) -> np.ndarray:
    img = np.full((*size, 3), 245, np.uint8)
    cv2.rectangle(img, (20, 20), (size[1] - 20, 60), (160, 90, 20), -1)  # a header bar
    for row in range(5):
        cv2.putText(img, f"{text} {row}", (40 + dx, 120 + 50 * row), cv2.FONT_HERSHEY_SIMPLEX, 0.8, colour, 2,
                    cv2.LINE_AA)
    return img


@pytest.fixture
def refs(tmp_path, monkeypatch):
    monkeypatch.setattr(screenshots, "REFERENCES", tmp_path / "refs")
    monkeypatch.setitem(screenshots._state, "out", tmp_path / "out")
    monkeypatch.setitem(screenshots._state, "accept", False)
    monkeypatch.delenv("ONEWINDOW_ACCEPT_SCREENSHOTS", raising=False)
    monkeypatch.setattr(screenshots, "_taken", {})
    (tmp_path / "refs").mkdir()
    yield tmp_path
    screenshots.take_failures()


def take(refs, img, name="s"):
    path = screenshots.out_dir() / f"{name}.png"
    cv2.imwrite(str(path), img)
    return screenshots.check_file(path, name)


def test_antialiasing_noise_and_a_pixel_shift_pass(refs):
    cv2.imwrite(str(refs / "refs" / "s.png"), screen())
    noisy = np.clip(screen(dx=1).astype(int) + np.random.default_rng(1).integers(-12, 13, (400, 800, 3)), 0, 255)
    take(refs, noisy.astype(np.uint8))
    assert screenshots.take_failures() == []


@pytest.mark.parametrize("changed", [screen("Total 19.00 yuan, refund"), screen(colour=(20, 20, 200))],
                         ids=["text", "colour"])
def test_a_visible_change_fails_with_a_diff_picture(refs, changed):
    cv2.imwrite(str(refs / "refs" / "s.png"), screen())
    take(refs, changed)
    failures = screenshots.take_failures()
    assert len(failures) == 1 and "s differs from its reference" in failures[0]
    diff = cv2.imread(str(refs / "out" / "s.diff.png"))
    assert diff.shape == (400, 2400, 3)  # reference | new | changes
    red = (diff[:, 1600:, 2] > 200) & (diff[:, 1600:, 1] < 50)
    assert red.any()


def test_a_size_change_fails(refs):
    cv2.imwrite(str(refs / "refs" / "s.png"), screen())
    take(refs, screen(size=(420, 800)))
    assert "size 800x400 -> 800x420" in screenshots.take_failures()[0]


def test_no_reference_fails_until_accepted_and_accepting_keeps_unchanged_files(refs, monkeypatch):
    with pytest.raises(AssertionError, match="no reference screenshot"):
        take(refs, screen(), "new_screen")
    monkeypatch.setitem(screenshots._state, "accept", True)
    monkeypatch.setattr(screenshots, "_taken", {})
    take(refs, screen(), "new_screen")
    ref = refs / "refs" / "new_screen.png"
    assert ref.exists()
    before = ref.stat().st_mtime_ns, ref.read_bytes()
    monkeypatch.setattr(screenshots, "_taken", {})
    take(refs, screen(dx=1), "new_screen")  # not a visible change: the committed file stays as it was
    assert (ref.stat().st_mtime_ns, ref.read_bytes()) == before
    monkeypatch.setattr(screenshots, "_taken", {})
    take(refs, screen("Another text entirely"), "new_screen")
    assert ref.read_bytes() != before[1]


def test_two_tests_taking_one_name_fail(refs, monkeypatch):
    cv2.imwrite(str(refs / "refs" / "s.png"), screen())
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/a.py::test_one (call)")
    take(refs, screen())
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/b.py::test_two (call)")
    with pytest.raises(AssertionError, match="taken twice"):
        take(refs, screen())
