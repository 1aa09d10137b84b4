"""The HTML report: self-contained, every turn and interruption, and it renders in headless Chromium."""

import os
import re
import shutil
import struct
import subprocess
import wave
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from listening_coach.report.html import audio_link, render_html

from builders import build, sample, scored

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


class Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def having(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.found if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def test_every_turn_interruption_and_evidence_link_is_on_the_page():
    analysis = sample()
    page = render_html(analysis, None)
    elements = Elements(page)
    ids = {a.get("id") for _, a in elements.found}
    assert all(f"turn-{t.index}" in ids for t in analysis.turns)
    assert len(elements.having("rect", **{"class": "bar"})) == len(analysis.turns)
    assert len(elements.having("g", **{"class": "interruption"})) == len(analysis.interruptions)
    assert "Alex interrupted Sam at 00:13" in page
    links = {a["href"] for a in elements.having("a") if a.get("href", "").startswith("#turn-")}
    for score in analysis.scores.values():
        for technique in score.techniques.values():
            assert {f"#turn-{i}" for i in technique.evidence} <= links
    assert not elements.having("audio"), "no player without audio"


def test_the_page_loads_nothing_from_the_network():
    page = render_html(sample(), "talk.wav")
    assert not re.search(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page
    assert "default-src 'none'" in page  # the browser refuses any other load too


def test_text_is_escaped():
    analysis = scored(build([("A", 0.0, 3.0, "<script>alert(1)</script> & <b>you</b>")],
                            names={"A": "<i>Sam</i>"}))
    page = render_html(analysis, None)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<i>Sam</i>" not in page


def test_audio_link_is_relative_when_the_recording_is_at_hand(tmp_path):
    (tmp_path / "audio").mkdir()
    recording = tmp_path / "audio" / "our talk.wav"
    recording.write_bytes(b"RIFF")
    assert audio_link(recording, tmp_path / "reports" / "talk.html") == "../audio/our%20talk.wav"
    assert audio_link(tmp_path / "missing.wav", tmp_path / "talk.html") is None


@pytest.fixture(scope="module")
def chromium():
    """Path of Chromium; skipped when absent, but a failure when CI=true."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the browser tests")
        pytest.skip(reason)
    return path


def _browse(chromium, tmp_path, page, *args):
    result = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args,
                             page.as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _write_silence(path, seconds):
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(struct.pack("<h", 0) * int(8000 * seconds))


def test_renders_in_chromium_without_errors(chromium, tmp_path):
    analysis = sample()
    analysis = replace(analysis, audio=replace(analysis.audio, path=str(tmp_path / "talk.wav")))
    _write_silence(tmp_path / "talk.wav", analysis.audio.duration)
    page = tmp_path / "report.html"
    page.write_text(render_html(analysis, audio_link(analysis.audio.path, page)), encoding="utf-8")

    result = _browse(chromium, tmp_path, page, "--dump-dom")
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    dom = Elements(result.stdout)
    root = dom.having("html")[0]
    assert root.get("data-ready") == "1", "the page's scripts ran to the end"
    assert not root.get("data-errors"), root.get("data-errors")
    for turn in analysis.turns:
        assert dom.having("li", id=f"turn-{turn.index}"), f"turn {turn.index} missing"
    assert len(dom.having("rect", **{"class": "bar"})) == len(analysis.turns)
    assert dom.having("audio", id="player")[0]["src"] == "talk.wav"

    for name, size in (("desktop", "1000,1600"), ("phone", "390,1600")):
        shot = tmp_path / f"report-{name}.png"
        _browse(chromium, tmp_path, page, f"--screenshot={shot}", f"--window-size={size}")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_a_recording_that_is_missing_is_reported_by_the_page(chromium, tmp_path):
    """The error catcher the test above relies on does catch failures (here: a missing recording)."""
    page = tmp_path / "report.html"
    html = render_html(sample(), "missing.wav").replace('preload="none"', 'preload="auto"')
    page.write_text(html, encoding="utf-8")
    dom = Elements(_browse(chromium, tmp_path, page, "--virtual-time-budget=2000", "--dump-dom").stdout)
    assert "missing.wav" in dom.having("html")[0].get("data-errors", "")


def test_a_caveat_is_a_visible_note():
    page = render_html(replace(sample(), voices_heard=3), None)
    notes = Elements(page).having("p", **{"class": "doubt"})
    assert len(notes) == 1 and "3 different voices were heard" in page
    assert not Elements(render_html(sample(), None)).having("p", **{"class": "doubt"})


def test_an_unsure_reflection_is_tagged_as_possible():
    analysis = scored(build([("A", 0.0, 3.0, "work has been so busy"),
                             ("B", 3.5, 6.0, "a lot on your plate?", "possible reflection")]))
    tags = Elements(render_html(analysis, None)).having("span", **{"class": "tag possible-reflection"})
    assert len(tags) == 1
    assert not Elements(render_html(sample(), None)).having("span", **{"class": "tag possible-reflection"})
