"""The HTML report: self-contained, every turn and interruption, and it renders in headless Chromium."""

import json
import os
import re
import shutil
import struct
import subprocess
import wave
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from listening_coach.report.html import EVIDENCE_SHOWN, audio_link, render_html

from builders import build, long_talk, sample, scored

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


def test_an_unsure_interruption_is_flagged_as_possible_and_not_counted():
    analysis = scored(build([("A", 0.0, 3.0, "work has been so busy lately"),
                             ("B", 2.5, 6.0, "you say that every single week")], mics="shared"))
    page = render_html(analysis, None)
    flags = Elements(page).having("span", **{"class": "flag soft",
                                             "title": "heard with too little overlap of both voices to be sure"})
    assert len(flags) == 1 and "possibly interrupts Sam" in page
    assert "0 interruptions (+1 possible)" in page and "No one was interrupted" not in page
    assert len(Elements(page).having("p", **{"class": "unsure"})) == 1
    assert not Elements(render_html(sample(), None)).having("p", **{"class": "unsure"})


@pytest.fixture(scope="module")
def hour():
    """A synthetic 60-minute talk (about 1000 turns) and its report page."""
    analysis = long_talk(60)
    return analysis, render_html(analysis, None)


def test_a_long_talk_folds_its_evidence_lists_after_the_first_few(hour):
    analysis, page = hour
    lists = re.findall(r'<div class="evidence[^"]*"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert len(lists) > 10
    folded = 0
    for chips in lists:
        head, _, rest = chips.partition("<details")
        assert head.count("<a ") <= EVIDENCE_SHOWN
        if rest:
            folded += 1
            assert f"and {rest.count('<a ')} more" in rest
    assert folded > 10, "a 60-minute talk has long evidence lists"
    scores = analysis.scores["A"].techniques["balanced_talk"]
    assert len(scores.evidence) > 60 and all(f'href="#turn-{n}"' in page for n in scores.evidence)


def test_only_a_long_talk_gets_an_overview(hour):
    assert len(Elements(hour[1]).having("svg", **{"class": "ov"})) == 1
    assert not Elements(render_html(sample(), None)).having("svg", **{"class": "ov"})


ZOOM_DRIVER = """<script>
/* Drives the page like a reader: zoom in, click 3/4 along the overview, back to the whole talk,
   open a folded evidence list; the outcome goes on <html data-driven>. */
(function () {
  var out = {}, svg = document.querySelector("svg.timeline"), box = document.getElementById("detail");
  var range = document.querySelector(".zoom .range"), left = parseFloat(svg.dataset.left);
  function pps() {
    var bar = svg.querySelector("rect.bar[data-turn='1']");
    return (parseFloat(bar.getAttribute("x")) - left) / parseFloat(bar.dataset.s);
  }
  out.pps0 = pps();
  document.querySelector('[data-zoom="in"]').click();
  out.pps1 = pps();
  var overview = document.querySelector("svg.ov"), r = overview.getBoundingClientRect();
  overview.dispatchEvent(new MouseEvent("click", { clientX: r.left + 0.75 * r.width, clientY: r.top + 4, bubbles: true }));
  out.range = range.textContent;
  var frame = overview.querySelector(".window");
  out.frame = parseFloat(frame.getAttribute("x"));
  out.view = [(box.scrollLeft - left) / pps(), (box.scrollLeft + box.clientWidth - left) / pps()];
  document.querySelector('[data-zoom="all"]').click();
  out.whole = [svg.width.baseVal.value, box.clientWidth, range.textContent];
  var folded = document.querySelector("#scores details"), chip = folded.querySelector("a");
  out.closed = chip.checkVisibility();
  folded.open = true;
  out.opened = chip.checkVisibility();
  document.documentElement.setAttribute("data-driven", JSON.stringify(out));
})();
</script>
"""


def test_a_long_talk_renders_and_zooms_in_chromium(chromium, tmp_path, hour):
    analysis, html = hour
    page = tmp_path / "report.html"
    page.write_text(html.replace("</body>", ZOOM_DRIVER + "</body>"), encoding="utf-8")
    result = _browse(chromium, tmp_path, page, "--dump-dom")
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    dom = Elements(result.stdout)
    root = dom.having("html")[0]
    assert root.get("data-ready") == "1" and not root.get("data-errors"), root.get("data-errors")
    assert len(dom.having("li", **{"class": "turn"})) == len(analysis.turns)
    driven = json.loads(root["data-driven"])
    assert driven["pps1"] == pytest.approx(2 * driven["pps0"], rel=0.02), "zoomed in twofold"
    assert driven["view"][0] < 45 * 60 < driven["view"][1], "the overview click shows minute 45"
    assert driven["frame"] == pytest.approx(driven["view"][0], abs=1), "the overview frames what is shown"
    assert re.fullmatch(r"showing 4\d:\d\d–4\d:\d\d of 1:00:00", driven["range"]), driven["range"]
    width, box, words = driven["whole"]
    assert width <= box + 1 and words == "showing the whole talk (1:00:00)"
    assert driven["closed"] is False and driven["opened"] is True

    for name, size in (("desktop", "1000,1600"), ("phone", "390,1600")):
        shot = tmp_path / f"long-{name}.png"
        _browse(chromium, tmp_path, tmp_path / "report.html", f"--screenshot={shot}", f"--window-size={size}")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_a_link_to_a_late_turn_of_a_long_talk_lands_on_it(chromium, tmp_path, hour):
    """Turns off screen are not laid out (content-visibility), yet a jump to one shows it at the top."""
    analysis, html = hour
    late = analysis.turns[-50].index
    probe = """<script>setTimeout(function () {
      var r = document.getElementById("turn-%d").getBoundingClientRect();
      document.documentElement.setAttribute("data-landed", JSON.stringify([r.top, r.height]));
    }, 500);</script>""" % late
    page = tmp_path / "report.html"
    page.write_text(html.replace("</body>", probe + "</body>"), encoding="utf-8")
    result = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                             "--virtual-time-budget=3000", "--window-size=1000,700", "--dump-dom",
                             page.as_uri() + f"#turn-{late}"], capture_output=True, text=True, timeout=120)
    top, height = json.loads(Elements(result.stdout).having("html")[0]["data-landed"])
    assert 0 <= top < 40 and height > 30, "the turn is at the top of the window, laid out"
