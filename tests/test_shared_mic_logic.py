"""The shared-mic stages after the models: linking windows into people, one timeline, words to voices.

These run on hand-made model outputs (activity and embeddings), so each rule is checked alone.
"""

import numpy as np
import pytest

from listening_coach.attribution.shared.aggregate import voice_frames
from listening_coach.attribution.shared.clusters import (
    MIN_PERSON_SECONDS, People, _assign, _centroids, _other_voices, _two_voices_apart,
)
from listening_coach.attribution.shared.local import (
    STEP_FRAMES, LocalActivity, frame_centre, frame_of, frames_to_spans,
)
from listening_coach.attribution.shared.words import attribute_words
from listening_coach.models.segmentation import FRAME_STEP, FRAMES
from listening_coach.types import Span, Word

RNG = np.random.default_rng(7)


def voice(direction, n, spread=0.15):
    """`n` unit embeddings scattered around `direction`."""
    vectors = direction + spread / np.sqrt(direction.size) * RNG.standard_normal((n, direction.size))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def directions(k, dim=192):
    basis = np.linalg.qr(RNG.standard_normal((dim, k)))[0].T
    return basis.astype(np.float32)


def windows(*rows):
    """Embeddings (windows, 3, dim) from rows of up to three vectors (None: no embedding)."""
    dim = next(v for row in rows for v in row if v is not None).size
    out = np.full((len(rows), 3, dim), np.nan, dtype=np.float32)
    for w, row in enumerate(rows):
        for k, vector in enumerate(row):
            if vector is not None:
                out[w, k] = vector
    return out


def test_two_people_are_heard_only_where_one_window_holds_two_distant_voices():
    sam, alex = directions(2)
    a, b = voice(sam, 6), voice(alex, 2)
    monologue = windows([a[0]], [a[1]], [a[2], None], [a[3]])
    assert not _two_voices_apart(monologue, ~np.isnan(monologue[..., 0]))
    same_voice_twice = windows([a[0], a[1]], [a[2]])  # the model split one voice in a window
    assert not _two_voices_apart(same_voice_twice, ~np.isnan(same_voice_twice[..., 0]))
    talk = windows([a[0]], [a[1], b[0]], [b[1]])
    assert _two_voices_apart(talk, ~np.isnan(talk[..., 0]))


def test_constrained_two_means_finds_each_voice_whatever_the_local_numbering():
    sam, alex = directions(2)
    a, b = voice(sam, 8), voice(alex, 8)
    talk = windows([a[0], b[0]], [b[1], a[1]], [None, a[2], b[2]], [a[3]], [b[3]], [a[4], b[4]],
                   [b[5], None, a[5]], [a[6]], [b[6], a[7]], [b[7]])
    usable = ~np.isnan(talk[..., 0])
    centroids = _centroids(talk, np.where(usable, 2.0, 0.0), usable, 2)
    assert sorted(np.argmax(centroids @ np.stack([sam, alex]).T, axis=1)) == [0, 1]
    assert len(_centroids(talk, np.where(usable, 2.0, 0.0), usable, 1)) == 1


def test_a_third_voice_is_counted_only_with_enough_speech():
    sam, alex, stranger = directions(3)
    talk = windows([sam, alex], [stranger], [sam])
    usable = ~np.isnan(talk[..., 0])
    centroids = np.stack([sam, alex])
    seconds = np.full((3, 3), 2.0)
    seconds[1, 0] = MIN_PERSON_SECONDS / 2
    assert _other_voices(talk, seconds, usable, centroids) == 0
    seconds[1, 0] = MIN_PERSON_SECONDS
    assert _other_voices(talk, seconds, usable, centroids) == 1


def test_two_local_speakers_of_one_window_go_to_two_people():
    sam, alex = directions(2)
    centroids = np.stack([sam, alex])
    embeddings = np.full((3, 3, sam.size), np.nan, dtype=np.float32)
    embeddings[0, 0], embeddings[0, 1] = alex, sam
    embeddings[1, 0] = sam  # local speaker 1 is too short for an embedding
    embeddings[2, 2] = alex
    active = np.array([[True, True, False], [True, True, False], [False, False, True]])
    assignment = _assign(embeddings, active, centroids)
    assert assignment.tolist() == [[1, 0, -1], [0, 1, -1], [-1, -1, 1]]


def test_windows_vote_each_persons_voice_onto_one_timeline():
    """Person 0 talks throughout; person 1 joins in the middle; the windows number them differently."""
    n_windows = 4
    n_frames = (n_windows - 1) * STEP_FRAMES + FRAMES
    truth = np.zeros((n_frames, 2), dtype=bool)
    truth[:, 0] = True
    joins, leaves = frame_of(12.0), frame_of(14.0)
    truth[joins:leaves, 1] = True
    activity = np.zeros((n_windows, FRAMES, 3), dtype=bool)
    assignment = np.full((n_windows, 3), -1)
    for w in range(n_windows):
        local_of = [w % 3, (w + 1) % 3]  # person p is local speaker local_of[p] in window w
        span = slice(w * STEP_FRAMES, w * STEP_FRAMES + FRAMES)
        for person, k in enumerate(local_of):
            activity[w, :, k] = truth[span, person]
            if truth[span, person].any():
                assignment[w, k] = person
    local = LocalActivity(activity=activity, n_frames=n_frames)
    on = voice_frames(local, People(assignment=assignment, centroids=np.eye(2), voices_heard=2))
    spans = [frames_to_spans(on[:, person]) for person in range(2)]
    assert len(spans[0]) == 1 and spans[0][0].start < 0.05
    assert abs(spans[0][0].end - frame_centre(n_frames - 1)) < 0.05
    assert len(spans[1]) == 1
    assert abs(spans[1][0].start - 12.0) < 0.05 and abs(spans[1][0].end - 14.0) < 0.05


def words(speaker_text_times):
    return [Word(text, start, end, 0.9, None) for text, start, end in speaker_text_times]


def test_words_go_to_the_only_voice_heard_and_turn_edges_follow_the_voices():
    activity = {"A": (Span(0.0, 3.1),), "B": (Span(2.2, 6.0),)}
    said = words([("so", 0.3, 0.5), ("I", 0.6, 0.7), ("think", 0.8, 1.2), ("we", 1.3, 1.5),
                  ("should", 1.6, 2.0), ("go", 2.4, 2.8), ("no", 3.4, 3.6), ("wait", 3.7, 4.0)])
    given = attribute_words(said, activity)
    speaker_of = {w.text: w.speaker for w in given}
    assert [speaker_of[w.text] for w in said] == ["A"] * 6 + ["B"] * 2
    assert given[0].start == 0.0  # first word starts where the voice does
    a_last = [w for w in given if w.speaker == "A"][-1]
    assert a_last.text == "go" and a_last.end == 3.1  # the interrupted voice went on to 3.1 s
    b_first = next(w for w in given if w.speaker == "B")
    assert b_first.start == 2.2  # the interrupter's voice began before Whisper wrote a word


def test_a_word_in_nobodys_voice_goes_to_the_nearest():
    given = attribute_words(words([("hm", 5.0, 5.2)]), {"A": (Span(0.0, 1.0),), "B": (Span(5.5, 6.0),)})
    assert given[0].speaker == "B"


def test_a_shared_mic_turn_runs_on_over_voice_whisper_did_not_write():
    """A's last words under B's were not transcribed, but A's voice went on: B interrupted."""
    from listening_coach.interaction import find_overlaps
    from listening_coach.turns import build_turns
    from listening_coach.types import Transcript

    said = [Word(t, 0.5 * i, 0.5 * i + 0.4, 0.9, "A") for i, t in enumerate("I was going to say".split())]
    said += [Word(t, 2.4 + 0.5 * i, 2.8 + 0.5 * i, 0.9, "B") for i, t in enumerate("no listen to me now".split())]
    voice = {"A": (Span(0.0, 3.4), Span(3.6, 4.0)), "B": (Span(2.4, 5.0),)}
    turns, backchannels = build_turns(Transcript(tuple(said), voice, "shared"))
    a_turn = next(t for t in turns if t.speaker == "A")
    assert a_turn.end == 4.0 and not backchannels  # the voice after a short pause is still A's turn
    _, interruptions, _ = find_overlaps(turns)
    assert [(i.interrupter, i.time) for i in interruptions] == [("B", 2.4)]
    per_partner, _ = build_turns(Transcript(tuple(said), voice, "per-partner"))
    assert next(t for t in per_partner if t.speaker == "A").end == said[4].end


def test_a_local_speaker_takes_its_voice_only_from_pieces_it_holds():
    """Window 0: A then B; a piece that straddles the change is nobody's voice."""
    from listening_coach.attribution.shared.clusters import _local_embeddings
    from listening_coach.attribution.shared.pieces import Piece

    sam, alex, blend = directions(3)
    activity = np.zeros((1, FRAMES, 3), dtype=bool)
    change = FRAMES // 2
    activity[0, :change, 0] = activity[0, change:, 1] = True
    local = LocalActivity(activity=activity, n_frames=FRAMES)
    span = 90  # frames per piece (about 1.5 s)
    pieces = [Piece(np.arange(0, span), sam), Piece(np.arange(span, 2 * span), sam),
              Piece(np.arange(change - span // 2, change + span // 2), blend),
              Piece(np.arange(change + span, change + 2 * span), alex)]
    embeddings, seconds = _local_embeddings(pieces, np.zeros(0, np.float32), local)
    assert float(embeddings[0, 0] @ sam) > 0.999 and float(embeddings[0, 1] @ alex) > 0.999
    assert seconds[0, 0] == pytest.approx(change * FRAME_STEP)  # its one-voice speech, held or not
    assert seconds[0, 1] == pytest.approx((FRAMES - change) * FRAME_STEP)
    assert np.isnan(embeddings[0, 2]).all() and seconds[0, 2] == 0


def test_enrolled_voices_start_the_two_means_and_keep_their_order():
    sam, alex = directions(2)
    a, b = voice(sam, 6), voice(alex, 6)
    talk = windows([a[0], b[0]], [b[1], a[1]], [a[2]], [b[2], a[3]], [a[4], b[3]], [b[4]], [a[5], b[5]])
    usable = ~np.isnan(talk[..., 0])
    seconds = np.where(usable, 2.0, 0.0)
    for order in ([alex, sam], [sam, alex]):  # the enrolled voices, a little off this recording's
        start = np.stack([voice(v, 1, spread=0.6)[0] for v in order])
        centroids = _centroids(talk, seconds, usable, 2, start=start)
        assert np.argmax(centroids @ np.stack(order).T, axis=1).tolist() == [0, 1]
        fitted = [float(c @ v) for c, v in zip(centroids, order)]
        enrolled = [float(s @ v) for s, v in zip(start, order)]
        assert min(np.subtract(fitted, enrolled)) > 0  # adapted towards this recording's voices


def test_a_listeners_burst_after_the_partner_took_over_is_a_backchannel_not_more_of_their_turn():
    """B stopped, A took over, then B said "mm" without a word written: B did not talk over A."""
    from listening_coach.interaction import find_overlaps
    from listening_coach.turns import build_turns
    from listening_coach.types import Transcript

    said = [Word(t, 0.5 * i, 0.5 * i + 0.4, 0.9, "B") for i, t in enumerate("that is what I think".split())]
    said += [Word(t, 2.5 + 0.5 * i, 2.9 + 0.5 * i, 0.9, "A") for i, t in enumerate("well I see it another way".split())]
    voice = {"B": (Span(0.0, 2.4), Span(3.0, 3.5)), "A": (Span(2.5, 5.4),)}
    turns, backchannels = build_turns(Transcript(tuple(said), voice, "shared"))
    assert next(t for t in turns if t.speaker == "B").end == 2.4
    assert [(b.speaker, b.start) for b in backchannels] == [("B", 3.0)]
    _, interruptions, _ = find_overlaps(turns)
    assert interruptions == []


def test_a_stretch_that_changes_hands_starts_at_the_pause_not_on_the_piece_grid():
    """The windows gave both stretches to Sam; the pieces from frame 90 sound like Alex, who
    starts after the pause at frames 100-109: Alex takes over there, not at the piece's edge."""
    from listening_coach.attribution.shared.pieces import Piece
    from listening_coach.attribution.shared.refine import reattribute

    sam, alex = directions(2)
    on = np.zeros((200, 2), dtype=bool)
    on[:100, 0] = on[110:, 0] = True
    pieces = [Piece(np.arange(0, 90), sam), Piece(np.arange(90, 180), alex), Piece(np.arange(180, 200), alex)]
    refined = reattribute(on, np.stack([sam, alex]), pieces)
    assert refined[:100, 0].all() and not refined[:100, 1].any()  # Sam up to the pause
    assert not refined[100:110].any()  # the pause stays silent
    assert refined[110:, 1].all() and not refined[110:, 0].any()  # Alex after it


def test_a_stretch_that_changes_hands_keeps_the_piece_edge_where_there_is_no_pause():
    from listening_coach.attribution.shared.pieces import Piece
    from listening_coach.attribution.shared.refine import reattribute

    sam, alex = directions(2)
    on = np.zeros((200, 2), dtype=bool)
    on[:, 0] = True
    pieces = [Piece(np.arange(0, 90), sam), Piece(np.arange(90, 200), alex)]
    refined = reattribute(on, np.stack([sam, alex]), pieces)
    assert refined[:90, 0].all() and refined[90:, 1].all() and not refined[90:, 0].any()
