"""The language detectors on small, named example sentences (our own writing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from listening_coach.detectors import label_turn
from listening_coach.detectors.text import normalise, parse
from listening_coach.types import Labels

OPEN_QUESTIONS = {
    "wh": "What happened at work today?",
    "wh_no_mark": "so how did that make you feel",
    "why": "Why do you think she said that?",
    "tell_me": "Tell me more about the weekend.",
    "polite_request": "could you tell me what you need from me",
    "embedded": "I wonder what would make evenings easier for you.",
    "asr_fillers": "um so like what do you you know want to do about it",
    "what_about": "And what about your sister?",
    "any_thoughts": "Do you have any thoughts about what might help?",
    "given_thought": "Have you given any thought to how you'd tell your sister?",
    "how_so": "How so?",
    "in_what_way": "In what way did it change things for you?",
    "go_from_here": "Where do you want to go from here?",
    "leave_you": "So where does that leave you?",
    "contraction_did": "what'd you do after that",
    "contraction_why": "Why'd she leave?",
}
CLOSED_QUESTIONS = {
    "yes_no": "Do you want me to take over the laundry?",
    "yes_no_no_mark": "are you still mad at me",
    "either_or": "Is the plumber coming tomorrow or Friday?",
    "fact_time": "what time does the film start",
    "fact_amount": "How many nights were you away?",
    "who": "who's picking up the kids",
    "which_choice_no_mark": "which is better the train or the car",
    "tag": "You talked to her already, didn't you",
    "declarative_mark": "You think it's that bad?",
    "embedded_if": "I was wondering if you called your mum",
    "anything_else_yes_no": "Have you tried anything else yet?",
}
NOT_QUESTIONS = {
    "statement": "I got home late and the sink was full.",
    "pseudo_cleft": "what you're saying is you want more time",
    "when_clause": "when i got home the dog had eaten the cake",
    "thanks": "Thanks, that helps.",
    "backchannel_mark": "Yeah?",
    "imperative": "do the dishes before you go to bed",
    "anything_else_list": "Bring snacks, drinks or anything else.",
    "go_from_here_statement": "You seem at a loss about where to go from here.",
    "rising_reflection_feel": "You feel like nobody listens to you?",
    "rising_reflection_sounds": "So it sounds like the move was harder than you expected?",
    "which_relative": "We only see them at Christmas. Which is why it matters so much.",
    "which_means": "which means we'd have to leave at six",
}


@pytest.mark.parametrize("text", OPEN_QUESTIONS.values(), ids=OPEN_QUESTIONS.keys())
def test_open_questions(text):
    assert label_turn(text, None).question == "open"


@pytest.mark.parametrize("text", CLOSED_QUESTIONS.values(), ids=CLOSED_QUESTIONS.keys())
def test_closed_questions(text):
    assert label_turn(text, None).question == "closed"


@pytest.mark.parametrize("text", NOT_QUESTIONS.values(), ids=NOT_QUESTIONS.keys())
def test_not_questions(text):
    assert label_turn(text, None).question is None


def test_one_open_question_makes_the_turn_open():
    assert label_turn("Is that okay? What would you like to do first?", None).question == "open"


REFLECTIONS = {
    "long_affirming_reflection": ("You're a very busy student and it's really adding to your worries.",
                                  "Between exams and my job I barely sleep."),
    "sounds_like": ("It sounds like the lunch money is what's squeezing you.",
                    "I never have any money left for lunch."),
    "so_you_felt": ("so you felt like she was judging us", "she rearranged the whole kitchen again"),
    "you_want": ("You want dinner to be our time, without screens.", "You're on your phone all through dinner."),
    "what_im_hearing": ("What I'm hearing is that the mornings are the hardest part.",
                        "Mornings are a nightmare, everything goes wrong before eight."),
    "restatement": ("three years of extra hours and it still went to someone else",
                    "Three years of extra hours and they gave it to someone else."),
    "asked_reflection": ("You were worried something had happened?", "I was waiting and you didn't call."),
    "rising_frame": ("You feel like nobody listens to you?", "Nobody in this house hears a word I say."),
    "so_summary": ("So, a quiet weekend at your parents' place.",
                   "We just stayed in with my folks, nothing much happened."),
    "so_gist": ("So it's not the bins, it's that nobody notices.",
                "I take the bins out every week and no one says a word."),
    "so_hardest_part": ("So the waiting is the hardest part.", "The results take three weeks."),
    "past_with_feeling": ("You put so much into it and it felt like nobody noticed.",
                          "I worked every weekend on that project."),
    "missing": ("You're missing the way things were before the baby.", "We never go out anymore."),
    "said_youd_like": ("So you said you'd like more time to yourself.",
                       "I just want an evening off now and then."),
    "contrast_gist": ("So it's the silence that gets to you, more than the row itself.",
                      "After we fight you go quiet for days and I hate it."),
    "about_gist": ("So it was about the promise, not the money.", "You promised we'd save for the trip."),
    "speaker_as_seen": ("So when I go quiet, you feel like I've left.", "When you stop talking I feel abandoned."),
}
NOT_REFLECTIONS = {
    "question": ("What did you do after that?", "He yelled at me in front of everyone."),
    "pet_name": ("You're such a softie.", "I cried at the dog food advert again."),
    "label_for_partner": ("You old romantic.", "I booked the garden centre for our anniversary."),
    "advice": ("You should talk to your manager.", "He yelled at me in front of everyone."),
    "own_story": ("I had a long day too.", "I'm exhausted."),
    "accusation": ("You booked the holiday without asking me.", "What did I do?"),
    "criticism": ("You never listen to me.", "I was listening."),
    "thanks": ("Thank you.", "I'll do the dishes."),
    "so_plan_with_we": ("So we'll meet your parents on Sunday.", "My parents want to see us."),
    "plan_with_us": ("You're coming with us on Sunday.", "I don't want to stay home alone."),
    "apology": ("You're right, I should have called when you said.", "You said you'd call at six."),
    "own_gist": ("So the main thing for me is sleep, not the money.", "What matters most to you?"),
    # accusations: the partner's past doings held against them
    "broken_promise": ("you said you'd pick up the kids and i got a call at four", "I was busy."),
    "said_nothing": ("And you said nothing, not one word.", "What was I supposed to say?"),
    "didnt_even": ("You didn't even look up when I came in.", "I was tired."),
    "past_action": ("You left the back door open again.", "I didn't."),
    "say_that_but": ("You say that, but last week you forgot twice.", "I'll remember this time."),
    "sound_like_me": ("That does sound like me.", "You always hum when you cook."),
    "as_it_sounds": ("Odd as it sounds.", "So the quiet is what you miss about the old flat."),
    "own_view": ("I feel like I'm the strict one and you get to be the fun one.", "That's not true."),
    "takes_up_proposal": ("Fifty each sounds good.", "Let's each keep fifty a month for hobbies."),
    "takes_up_can_we": ("Yes, every Sunday.", "Can we agree to call your mum every Sunday?"),
    "said_it_times": ("You've said that four times today.", "I was only kidding."),
    "said_that_and_then": ("You said that, and then you went out anyway.", "I told you I'd stay in."),
    "were_out": ("You were out till one on a school night.", "I had a work thing."),
    "didnt_act": ("You didn't call me back once.", "I was in meetings."),
    "motive": ("You only say that because your sister does.", "I think we should sell the car."),
    "right_to_be": ("You're right to be upset about it.", "I'm upset about the party."),
    "not_a_failure": ("You're not a fraud.", "I feel like a fraud at work."),
}


@pytest.mark.parametrize("text, previous", REFLECTIONS.values(), ids=REFLECTIONS.keys())
def test_reflections(text, previous):
    assert label_turn(text, previous).reflection


@pytest.mark.parametrize("text, previous", NOT_REFLECTIONS.values(), ids=NOT_REFLECTIONS.keys())
def test_not_reflections(text, previous):
    assert not label_turn(text, previous).reflection


POSSIBLE_REFLECTIONS = {
    "asked_aside": ("The kids are a handful for you?", "The kids never stop from six in the morning."),
    "asked_echo": ("A lot of pressure at work?", "There is so much pressure at work right now."),
}


@pytest.mark.parametrize("text, previous", POSSIBLE_REFLECTIONS.values(), ids=POSSIBLE_REFLECTIONS.keys())
def test_one_weak_cue_said_as_a_question_is_only_a_possible_reflection(text, previous):
    asked = label_turn(text, previous)
    assert not asked.reflection and asked.possible == ("reflection",)
    stated = label_turn(text.replace("?", "."), previous)
    assert stated.reflection and stated.possible == ()


def test_confident_labels_carry_no_doubt():
    labels = label_turn("So it sounds like you felt left out.", "Nobody asked me what I wanted.")
    assert labels.reflection and labels.possible == ()
    assert label_turn("Pass the salt.", "Dinner is ready.").possible == ()


def _cases(groups: dict[tuple[str, bool], dict[str, str]]):
    """(label, expected, text) triples with readable ids."""
    return [pytest.param(label, expected, text, id=f"{label}-{expected}-{name}")
            for (label, expected), examples in groups.items() for name, text in examples.items()]


VALIDATION = {
    "makes_sense": "That makes sense, I'd be annoyed too.",
    "can_see_why": "I can see why you'd feel that way.",
    "of_course": "of course you were worried anyone would be",
    "every_right": "You have every right to be angry.",
    "sounds_hard": "that sounds really hard",
    "normal": "It's normal to be nervous about that.",
    "agreement": "yeah that's fair",
    "fair_thing": "That's a perfectly reasonable thing to worry about.",
    "same_here": "honestly i'd be furious too",
    "anyone_in_your_shoes": "Anyone in your shoes would want a break.",
    "not_overreacting": "You're not overreacting, it was a lot.",
    "of_course_it": "Of course it got to you, it was your first big pitch.",
    "hard_spot": "What an awful spot to be stuck in.",
    "a_lot_to_carry": "That's so much to carry on your own.",
    "hard_for_you": "I know Sundays are really lonely for you.",
    "intensified_normal": "What you're feeling is totally normal.",
    "fair_point": "Fair point, I hadn't thought of that.",
    "i_hear_how": "I hear how much that scared you.",
    "not_silly": "It's not silly at all.",
    "wear_anybody_down": "Three nights in a row would wear anybody down.",
    "such_a_feeling": "That must be such a lonely feeling.",
    "more_than_fair": "That's more than fair.",
    "lot_of_sense": "That makes a lot of sense.",
    "know_it_gets_to_you": "I know it gets under your skin.",
    "unbearable": "It must be unbearable.",
    "feelings_make_sense": "Those feelings make total sense.",
    "fair_that_you_after_sorry": "Sorry I was late. It's completely fair that you were worried.",
    "id_have_been_too": "Yeah, okay. I'd have been gutted too.",
    "id_hate_that_too": "I'd hate that too.",
    "asr_id_be_too": "thats totally reasonable id be fed up too",
    "bare_course_youre": "Ah, babe. Course you're on edge then.",
    "of_course_you_do": "Of course you do. It's your only son's wedding.",
    "asr_of_course_its": "of course its scary you were there eight years",
    "youve_every_right": "You've every right to be furious with her.",
    "right_to_be_despite_apology": "You're right to be annoyed. I'm sorry.",
    "feeling_is_fair": "No, honestly, annoyed is fair.",
    "feeling_left_out_is_fair": "Feeling left out is fair, after that weekend.",
    "normal_thing_to_want": "Wanting a night to yourself is a totally normal thing to want.",
    "not_weird_at_all": "Not weird at all. I'd want that too.",
    "would_have_freaked_me_too": "I bet. That would've freaked me out too.",
}
NOT_VALIDATION = {
    "sarcastic_course_you_were": "Course you were. Just like last time.",
    "own_protest_unfair": "That's so unfair. I've stayed up with you loads of times.",
    "disagreement": "That doesn't make any sense to me.",
    "concession_with_apology": "You're right, I dropped the ball. I'm sorry.",
    "plain": "I'll call her this weekend.",
    "intensified_concession": "That's totally fair, I forgot again. Sorry.",
    "health_advice": "Sugary drinks are really bad for you.",
    "plain_normal": "The test results came back normal.",
    "own_view_i_know": "I know it's her birthday, but it's a Tuesday.",
    "own_words_unfair": "Sorry, that was unfair of me.",
    "concession_should_have": "You're right, I should have checked first.",
    "concession_harsh": "You're right, that was harsh.",
    "fair_game": "Being late is fair game for jokes.",
    "plan_suits_me_too": "That would suit me too.",
}
CRITICISM = {
    "you_always": "You're late again. You always do this.",
    "you_never": "you never clean up after yourself",
    "name_calling": "You are so selfish.",
    "slob": "oh my god you're such a slob",
    "contempt_opening": "Oh come on, that's ridiculous, I did them on Monday.",
    "whatever": "Whatever. There's always some excuse with you.",
    "why_cant_you_ever": "why can't you ever just listen to me",
    "every_single_day": "You lose them every single day.",
    "always_with_you": "It's always something with you.",
    "lazy_about": "You're so lazy about the garden.",
    "behaviour_addressed": "Stop sighing at your phone when I talk, that's so condescending.",
    "parting_shot": "Fine, I've cancelled it. Happy now?",
    "such_a_noun": "you're such a princess about camping",
    "sweeping": "You turn every dinner into a lecture.",
    "sweeping_say": "You say that about everything.",
    "treat_like": "you treat everything i say like a joke",
    "something_always_with_you": "Some crisis always comes up with you.",
    "dismissal_mid_turn": "It was a joke. Get a grip.",
    "for_heavens_sake": "For heaven's sake, it's one evening.",
    "seriously_still": "Are you seriously still in bed?",
    "rather_than_anything": "You'd rather stay at the office than help with anything here.",
    "glued_to": "you're glued to that laptop all weekend",
    "oh_please": "Oh please. You didn't even call.",
    "oh_please_asr": "oh please you were out all night",
    "sound_like_mother": "Honestly, you sound just like my mother.",
    "acting_like_child": "You're acting like a toddler about the car.",
    "you_grow_up": "No, you grow up.",
    "do_this_every_time": "You do that every time we have people over.",
    "nothing_your_fault": "Nothing is ever your fault, is it?",
    "for_once": "Could you back me up for once?",
    "rich_coming_from_you": "That's rich coming from you.",
    "another_one_of_your": "Great, another one of your brilliant plans.",
    "mock_echo": "You? You can't boil an egg.",
    "closing_happy": "Fine. Done. Happy?",
    "happy_now_asr": "fine its done happy now",
    "what_you_do": "And this is what you do, you walk off mid-sentence.",
    "fuss_over_everything": "You fuss over everything.",
    "into_a_catastrophe": "You turn one late bus into a catastrophe.",
    "care_more_than": "You care more about the car than us.",
    "favourite_word": "Tomorrow is your favourite word.",
    "when_it_suits_you": "You only remember the rules when it suits you.",
    "be_like_that": "Why do you have to act like this?",
    "cant_believe_you": "I can't believe anything you tell me.",
    "blame_back": "Me? You're the one shouting.",
    "say_that_every": "You say that every summer.",
    "calm_down": "It's one text. Calm down.",
    "boo_hoo": "Boo hoo, the coffee was cold.",
    "sarcastic_because": "Sure, because you're so perfect.",
    "your_little": "Your little rants are getting old.",
    "dismissive": "don't shush me that's so dismissive",
    "lecture_with_you": "It's always a lecture with you.",
}
NOT_CRITICISM = {
    "positive_absolute": "You always make me laugh when I'm down.",
    "never_fail": "You never fail to cheer me up.",
    "idiom": "You never know with that shop.",
    "self_absolute": "I always forget to check the date.",
    "external_ridiculous": "The parking ticket was eighty pounds, that's ridiculous.",
    "grow_up_literal": "You want the kids to grow up near their grandparents.",
    "crazy_about": "You're crazy about that dog.",
    "state_about": "You're hopeless about the future right now, and that's heavy.",
    "third_party_rude": "The waiter was so rude, that's so rude.",
    "own_happiness": "I'm happy now.",
    "always_fun_with_you": "It's always fun with you.",
    "such_a_kind_noun": "You're such a star for doing that.",
    "sweeping_kind": "You make every Sunday feel special.",
    "treat_kindly": "You treat everyone like family.",
    "rather_preference": "You'd rather have the window seat, right?",
    "seriously_sympathy": "Seriously? That's awful.",
    "grow_up_mid_sentence": "I hope the kids grow up near the sea.",
    "for_once_about_a_thing": "The bus was on time for once.",
    "for_once_agree": "For once I agree with the weather forecast.",
    "sound_like_fun": "You sound like you had a great time.",
    "surprised_you": "You? You got the job?",
    "happy_now_asr_own": "i'm so happy now",
    "sincere_happy": "Are you happy?",
    "one_act": "You didn't even ask me first.",
    "not_that_you_dont": "It's not that you don't care, you're just busy.",
    "cold_literal": "You're cold, take my jumper.",
    "little_one": "Your little one is asleep.",
    "the_one_praise": "You're the one keeping us going.",
    "sincere_because": "Yeah, because you'll sleep better.",
}
APOLOGY = {
    "sorry": "I'm sorry, I should have texted.",
    "on_me": "That's on me.",
    "responsibility": "i take full responsibility for that",
    "came_out_wrong": "Yeah, sorry, that came out wrong.",
    "apologise": "You're right, I dropped the ball. I apologize.",
    "concession_cheap_shot": "You're right, that was a cheap shot.",
}
NOT_APOLOGY = {
    "sympathy": "I'm so sorry to hear that.",
    "sorry_what": "Sorry?",
    "blame": "That was your fault, not mine.",
    "partner_was_harsh": "That was harsh.",
}
FEELING = {
    "i_feel": "I feel like I'm carrying the house on my own.",
    "im_emotion": "I'm so frustrated right now.",
    "makes_me": "it makes me feel invisible",
    "hurt": "Wow. That really hurt.",
    "bare_answer": "scared honestly",
    "asr": "um i've been feeling kind of lonely lately",
    "adverb": "I just felt small in that meeting.",
    "body": "My heart sank when I read the message.",
    "list_answer": "Nervous, and excited, if I'm honest.",
    "new_emotion_word": "I'm honestly a bit rattled after that call.",
    "bare_sentence": "Thrilled. Also a bit scared of the commute.",
    "keep_worrying": "I keep worrying about the results.",
    "panicked": "I just panicked.",
    "starting_to_resent": "I'm starting to resent the commute.",
    "started_to_dread": "I've started to dread Sundays.",
    "part_of_me": "Part of me worries we're drifting apart.",
    "shaken_me": "The call has really shaken me.",
    "cant_bear": "I can't bear the thought of moving.",
    "heart_going": "My heart's still going.",
    "sometimes_feel": "I sometimes feel invisible here.",
    "scares_me": "Driving at night scares me.",
    "state_and_emotion": "I'm so tired and so lonely.",
    "already_dreading": "I was already dreading the drive.",
    "wobbly": "Honestly, a bit wobbly.",
}
NOT_FEELING = {
    "partner_feeling": "I didn't know you felt that way.",
    "hypothetical": "I'd be annoyed too.",
    "tired_body": "I'm exhausted by the time the kids are asleep.",
    "feel_free": "Feel free to call me.",
    "fact": "The train was stuck for forty minutes.",
    "asked_bare_word": "Fine. It's done. Happy?",
    "stuck_in_traffic": "I'm stuck in traffic, back at six.",
    "hear_that_it_hurt": "I hear that it hurt you.",
    "me_too_alone": "Me too.",
}


@pytest.mark.parametrize("label, expected, text", _cases(
    {("validation", True): VALIDATION, ("validation", False): NOT_VALIDATION,
       ("criticism", True): CRITICISM, ("criticism", False): NOT_CRITICISM,
       ("apology", True): APOLOGY, ("apology", False): NOT_APOLOGY,
       ("feeling", True): FEELING, ("feeling", False): NOT_FEELING}
))
def test_behaviour_labels(label, expected, text):
    assert getattr(label_turn(text, None), label) is expected


def test_me_too_shares_a_feeling_only_after_one():
    assert label_turn("Me too, honestly.", "I'm so nervous about Friday.").feeling
    assert not label_turn("Me too, honestly.", "I'm going to the shop.").feeling


def test_a_turn_can_carry_several_labels():
    labels = label_turn("I'm sorry. I feel awful about it. What can I do to make it right?", None)
    assert labels == Labels(question="open", apology=True, feeling=True)


@pytest.mark.parametrize("text", ["", "   ", "um uh", "?!"])
def test_empty_or_filler_text_gets_empty_labels(text):
    assert label_turn(text, None) == Labels()


def test_normaliser_strips_fillers_but_keeps_meaning():
    assert normalise("Um, so you know, I was like, really upset") == "so i was really upset"
    assert normalise("do you know what i mean") == "do you know what i mean"
    assert normalise("It sounds like you like him") == "it sounds like you like him"


def test_parse_splits_sentences_and_marks_questions():
    utterance = parse("I get it. Do you want to talk?")
    assert [s.asked for s in utterance.sentences] == [False, True]
    assert utterance.tokens == ("i", "get", "it", "do", "you", "want", "to", "talk")


ANNOMI_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "annomi" / "dev.jsonl"


def test_annomi_dev_every_record_labelled_and_open_questions_found():
    if not ANNOMI_DEV.exists():
        pytest.skip(f"{ANNOMI_DEV} not present")
    with ANNOMI_DEV.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    tp = fp = fn = 0
    for record in records:
        context = record["context"]
        labels = label_turn(record["text"], context[-1]["text"] if context else None)
        assert isinstance(labels, Labels)
        if record["speaker"] != "therapist":
            continue
        gold, found = record["labels"]["question"] == "open", labels.question == "open"
        tp, fp, fn = tp + (gold and found), fp + (found and not gold), fn + (gold and not found)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 > 0.65
