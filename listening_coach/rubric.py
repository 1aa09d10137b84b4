"""The guide's techniques as 0-100 scores per partner, each with the turns behind it.

Every formula, its published anchors and the tip texts are written out in docs/rubric.md. Scores
coach: a technique there was no occasion for (no question asked, no feeling to validate) gets the
`NEUTRAL` score, says so, and is left out of the overall score, the strength and the tip.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from .types import Analysis, PartnerScore, TechniqueScore, Turn

NEUTRAL = 75
"""Score of a technique there was no occasion for: neither a strength nor something to fix."""

FAIR, GOOD = 70, 100
"""Scores given at a published "fair" and "good" threshold (MITI); linear in between and below."""

INTERRUPTIONS_HALF = 4.0
"""Interruptions per 10 minutes that halve the dont_interrupt score."""

RATE_MIN_MINUTES = 5.0
"""Shortest time (min) a rate is taken over, so one slip in a short talk is not read as a habit."""

NATURAL_GAP = 0.2
"""Typical silence (s) between one speaker stopping and the next starting (Stivers et al. 2009)."""

BALANCE_BAND = 0.10
"""Talk share this close to an equal share still scores 100."""

FEELING_EVERY = 4
"""One feeling statement in this many of one's own turns scores 100."""

WARMTH_PER_CRITICISM = 5
"""Warm responses per criticism that keep avoid_judgment at its best (Gottman's 5:1)."""

BACKCHANNELS_PER_MINUTE = 2.0
"""Backchannels per minute of the partner's speech that score 100."""

GENERAL_TIP = ("Take a few turns each next time: share something that matters to you, then let your "
               "partner answer. That gives the coach more to go on.")


@dataclass(frozen=True)
class Technique:
    """One technique of the guide: its key, plain label, the guide's section and the tip for it."""

    name: str
    label: str
    guide: str
    tip: str


TECHNIQUES: dict[str, Technique] = {t.name: t for t in (
    Technique("dont_interrupt", "Don't interrupt", "Practise active listening: give full attention",
              "Let your partner finish their thought before you speak. If something comes up, hold on "
              "to it; a nod or a \"mm-hmm\" keeps you with them until it's your turn."),
    Technique("pause_before_replying", "Pause before replying", "Practise active listening: give full attention",
              "When your partner stops, take a breath before you answer. A short pause shows you heard "
              "all of it, not just the part you wanted to reply to."),
    Technique("reflect_back", "Reflect back", "Practise active listening: reflect back what you heard",
              "Before you reply, say back what you heard in your own words: \"So what you're saying "
              "is...\" or \"It sounds like you felt...\". Then ask if you got it right."),
    Technique("open_questions", "Open questions", "Practise active listening: ask open-ended questions",
              "Swap a yes-or-no question for an open one: \"How did that feel?\", \"What was that like "
              "for you?\" or simply \"Tell me more.\""),
    Technique("validate_emotions", "Validate feelings", "Practise active listening: validate emotions",
              "When your partner shares a feeling, tell them it makes sense: \"I can see why you'd "
              "feel that way.\" You can understand without agreeing."),
    Technique("share_vulnerability", "Share feelings", "Share vulnerability",
              "Say what is going on inside you, starting with \"I feel...\". \"I feel worried "
              "when...\" is easier to hear than a complaint, and lets your partner come closer."),
    Technique("balanced_talk", "Balanced talk", "Share vulnerability: communicate openly",
              "Leave more room for your partner: make your point in a few sentences, then ask "
              "\"What do you think?\" and listen."),
    Technique("build_trust", "Build trust", "Cultivate trust: apologise and take responsibility",
              "If you cut in or said something sharp, name it and own it: \"Sorry, I interrupted "
              "you. Go on.\" Owning your part helps your partner feel safe."),
    Technique("avoid_judgment", "No judgment", "Practise empathy and compassion: no judgment or criticism",
              "Talk about the situation and how you feel, not about who your partner is: try \"I felt "
              "alone when...\" instead of \"You never...\"."),
    Technique("listening_ear", "Listening ear", "Be a listening ear",
              "Show you are there while your partner talks: a quiet \"mm-hmm\", \"right\" or \"I "
              "see\" tells them to keep going."),
)}

QUIET_TIP = ("Your view matters too: when something is on your mind, say it, even if it takes a "
             "moment to find the words.")
"""The balanced_talk tip for a partner who spoke less than an equal share."""


@dataclass(frozen=True)
class _Found:
    """A scorer's result: `score` None means there was no occasion for the technique."""

    score: float | None
    evidence: tuple[int, ...]
    explanation: str
    tip: str | None = None


@dataclass(frozen=True)
class _Partner:
    """What the scorers need to know about one partner in one analysis."""

    analysis: Analysis
    id: str
    name: str
    other: str
    own: tuple[Turn, ...]
    others: tuple[Turn, ...]
    minutes: float

    @property
    def replies(self) -> tuple[Turn, ...]:
        """Own turns that answer a partner's turn."""
        return tuple(t for t in self.own if t.reply_to is not None)


def score_partners(analysis: Analysis) -> dict[str, PartnerScore]:
    """Score every partner of `analysis` on each technique of the guide.

    Returns {speaker id: PartnerScore}; technique keys are those of `TECHNIQUES`, in guide order.
    """
    names = {s.id: s.name for s in analysis.speakers}
    ends = [t.end for t in analysis.turns] + [b.end for b in analysis.backchannels]
    minutes = max([analysis.audio.duration, *ends]) / 60
    return {sid: _score_partner(_partner(analysis, sid, names, minutes)) for sid in names}


def _partner(analysis: Analysis, sid: str, names: dict[str, str], minutes: float) -> _Partner:
    others = [name for other, name in names.items() if other != sid]
    return _Partner(
        analysis=analysis, id=sid, name=names[sid],
        other=others[0] if len(others) == 1 else "your partner",
        own=tuple(t for t in analysis.turns if t.speaker == sid),
        others=tuple(t for t in analysis.turns if t.speaker != sid),
        minutes=minutes,
    )


def _score_partner(p: _Partner) -> PartnerScore:
    found = {name: _SCORERS[name](p) for name in TECHNIQUES}
    techniques = {
        name: TechniqueScore(NEUTRAL if f.score is None else round(f.score), f.evidence, f.explanation)
        for name, f in found.items()
    }
    scored = [name for name, f in found.items() if f.score is not None]
    if not scored:
        return PartnerScore(NEUTRAL, techniques, max(techniques, key=lambda n: techniques[n].score),
                            GENERAL_TIP)
    overall = round(statistics.fmean(techniques[n].score for n in scored))
    strength = max(scored, key=lambda n: techniques[n].score)  # ties: the first in guide order
    weakest = min([n for n in scored if n != strength] or scored, key=lambda n: techniques[n].score)
    return PartnerScore(overall, techniques, strength, found[weakest].tip or TECHNIQUES[weakest].tip)


def _dont_interrupt(p: _Partner) -> _Found:
    if not p.own:
        return _Found(None, (), f"{p.name} didn't take a turn, so there was nothing to interrupt.")
    made = tuple(i.turn for i in p.analysis.interruptions if i.interrupter == p.id)
    if not made:
        return _Found(100, _indices(p.own), f"{p.name} let {p.other} finish every time.")
    per_10 = len(made) * 10 / max(p.minutes, RATE_MIN_MINUTES)
    return _Found(100 / (1 + per_10 / INTERRUPTIONS_HALF), made,
                  f"{p.name} cut in on {p.other} {_times(len(made))} (about {per_10:.1f} per 10 minutes).")


def _pause_before_replying(p: _Partner) -> _Found:
    replies = tuple(t for t in p.own if t.latency is not None)
    if not replies:
        return _Found(None, _indices(p.own),
                      f"{p.name} didn't reply to {p.other}, so there were no replies to time.")
    early = tuple(t for t in replies if t.latency < 0)
    typical = statistics.median(t.latency for t in replies)
    pause = (f"a typical pause was {typical:.1f} s" if typical >= 0
             else f"typically {-typical:.1f} s before {p.other} finished")
    waited = len(replies) - len(early)
    return _Found(100 * waited / len(replies), _indices(early or replies),
                  f"{p.name} waited for {p.other} to finish before {waited} of {_n(len(replies), 'reply')}; "
                  f"{pause} (people usually leave about {NATURAL_GAP:.1f} s).")


def _reflect_back(p: _Partner) -> _Found:
    if not p.replies:
        return _Found(None, _indices(p.own), f"{p.name} had no turn of {p.other}'s to reflect back this time.")
    reflections = tuple(t for t in p.own if t.labels.reflection)
    questions = tuple(t for t in p.own if t.labels.question)
    if not reflections:
        return _Found(0, _indices(questions or p.replies),
                      f"{p.name} didn't say back what {p.other} said this time.")
    ratio = len(reflections) / len(questions) if questions else float("inf")
    said = f"{p.name} reflected back what {p.other} said {_times(len(reflections))}"
    if not questions:
        return _Found(GOOD, _indices(reflections), f"{said} and asked no questions.")
    return _Found(_anchored(ratio, 1, 2), _indices(reflections),
                  f"{said} and asked {_n(len(questions), 'question')}: {ratio:.1f} reflections per question "
                  "(counsellors aim for at least 1, ideally 2).")


def _open_questions(p: _Partner) -> _Found:
    questions = tuple(t for t in p.own if t.labels.question)
    if not questions:
        return _Found(None, _indices(p.own),
                      f"{p.name} asked no questions this time, so there is nothing to score here.")
    open_ = tuple(t for t in questions if t.labels.question == "open")
    share = len(open_) / len(questions)
    return _Found(_anchored(share, 0.5, 0.7), _indices(open_ or questions),
                  f"{p.name} asked {_n(len(questions), 'question')}; {len(open_)} invited more than a yes "
                  "or no (counsellors aim for half, ideally 70%).")


def _validate_emotions(p: _Partner) -> _Found:
    feelings = tuple(t for t in p.others if t.labels.feeling)
    validations = tuple(t for t in p.own if t.labels.validation)
    if not feelings:
        if validations:
            return _Found(100, _indices(validations),
                          f"{p.name} told {p.other} their view made sense {_times(len(validations))}.")
        return _Found(None, _indices(p.others),
                      f"{p.other} didn't share a feeling this time, so there was nothing to validate.")
    answers = {f.index: _next_own_turn(p, f.index) for f in feelings}
    answered = {i: t for i, t in answers.items()
                if t is not None and (t.labels.validation or t.labels.reflection)}
    evidence = sorted({*answers, *(t.index for t in answered.values())})
    if len(feelings) == 1:
        done = "acknowledged it right after" if answered else "didn't acknowledge it right after this time"
    else:
        done = f"acknowledged {len(answered)} of them right after"
    return _Found(100 * len(answered) / len(feelings), tuple(evidence),
                  f"{p.other} shared a feeling {_times(len(feelings))}; {p.name} {done}.")


def _share_vulnerability(p: _Partner) -> _Found:
    if not p.own:
        return _Found(None, (), f"{p.name} didn't take a turn this time.")
    feelings = tuple(t for t in p.own if t.labels.feeling)
    if not feelings:
        return _Found(0, _indices(p.own), f"{p.name} didn't name a feeling of their own this time.")
    return _Found(100 * min(1.0, len(feelings) * FEELING_EVERY / len(p.own)), _indices(feelings),
                  f"{p.name} said how they felt in {len(feelings)} of {_n(len(p.own), 'turn')}.")


def _balanced_talk(p: _Partner) -> _Found:
    stats = p.analysis.stats
    share = next((s.talk_share for s in stats if s.id == p.id), 0.0)
    if len(stats) < 2 or not p.own:
        return _Found(None, _indices(p.own), f"{p.name} had no partner speaking to share the time with.")
    equal = 1 / len(stats)
    off = abs(share - equal)
    score = 100 * min(1.0, max(0.0, 1 - (off - BALANCE_BAND) / (equal - BALANCE_BAND)))
    said = f"{p.name} did {share:.0%} of the talking"
    if off <= BALANCE_BAND:
        return _Found(score, _indices(p.own), f"{said}: a good balance.")
    more = share > equal
    return _Found(score, _indices(p.own),
                  f"{said}, {'more' if more else 'less'} than an equal share of {equal:.0%}.",
                  tip=None if more else QUIET_TIP)


def _build_trust(p: _Partner) -> _Found:
    apologies = tuple(t for t in p.own if t.labels.apology)
    interrupting = {i.turn for i in p.analysis.interruptions if i.interrupter == p.id}
    ruptures = tuple(t for t in p.own if t.labels.criticism or t.index in interrupting)
    if not apologies and not ruptures:
        return _Found(None, _indices(p.own),
                      f"Nothing needed mending this time: {p.name} neither cut in nor criticised.")
    evidence = _indices(sorted({*apologies, *ruptures}, key=lambda t: t.index))
    if not ruptures:
        return _Found(100, evidence, f"{p.name} apologised or took responsibility {_times(len(apologies))}.")
    return _Found(100 * min(1.0, len(apologies) / len(ruptures)), evidence,
                  f"{p.name} cut in or criticised {_times(len(ruptures))} and "
                  + (f"apologised or took responsibility {_times(len(apologies))}." if apologies
                     else "there was no apology yet."))


def _avoid_judgment(p: _Partner) -> _Found:
    if not p.own:
        return _Found(None, (), f"{p.name} didn't take a turn this time.")
    criticisms = tuple(t for t in p.own if t.labels.criticism)
    if not criticisms:
        return _Found(100, _indices(p.own), f"{p.name} kept criticism of {p.other} out of every turn.")
    warm = sum(t.labels.validation or t.labels.reflection or t.labels.apology for t in p.own)
    warm += sum(b.speaker == p.id for b in p.analysis.backchannels)
    ratio = warm / len(criticisms)
    return _Found(90 * min(1.0, ratio / WARMTH_PER_CRITICISM), _indices(criticisms),
                  f"{p.name} criticised {p.other} {_times(len(criticisms))} against {_n(warm, 'warm response')} "
                  f"such as validating, reflecting or \"mm-hmm\" (happy couples keep about 5 to 1).")


def _listening_ear(p: _Partner) -> _Found:
    listened = sum(t.duration for t in p.others) / 60
    if not listened:
        return _Found(None, (), f"{p.name} had no partner speech to listen to this time.")
    own = [b for b in p.analysis.backchannels if b.speaker == p.id]
    during = tuple(t.index for t in p.others if any(t.start <= b.start < t.end for b in own))
    rate = len(own) / listened
    if not own:
        return _Found(0, _indices(p.others),
                      f"{p.name} listened quietly, without \"mm-hmm\"s, while {p.other} talked.")
    return _Found(100 * min(1.0, rate / BACKCHANNELS_PER_MINUTE), during or _indices(p.others),
                  f"{p.name} gave {_n(len(own), 'little sign')} of listening such as \"mm-hmm\" while "
                  f"{p.other} talked, about {rate:.1f} a minute.")


_SCORERS: dict[str, Callable[[_Partner], _Found]] = {
    "dont_interrupt": _dont_interrupt,
    "pause_before_replying": _pause_before_replying,
    "reflect_back": _reflect_back,
    "open_questions": _open_questions,
    "validate_emotions": _validate_emotions,
    "share_vulnerability": _share_vulnerability,
    "balanced_talk": _balanced_talk,
    "build_trust": _build_trust,
    "avoid_judgment": _avoid_judgment,
    "listening_ear": _listening_ear,
}


def _anchored(value: float, fair: float, good: float) -> float:
    """0 at 0, `FAIR` at `fair`, `GOOD` at `good` and above, linear in between."""
    if value <= fair:
        return FAIR * value / fair
    return min(GOOD, FAIR + (GOOD - FAIR) * (value - fair) / (good - fair))


def _next_own_turn(p: _Partner, index: int) -> Turn | None:
    return next((t for t in p.own if t.index > index), None)


def _indices(turns) -> tuple[int, ...]:
    return tuple(t.index for t in turns)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _n(n: int, noun: str) -> str:
    """'1 reply', '3 replies', '2 questions'."""
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") else f"{n} {noun}s"
