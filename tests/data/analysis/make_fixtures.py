"""Write the synthetic conversations in this folder and their ground truth (run from the repository root).

    .venv/bin/python tests/data/analysis/make_fixtures.py

Four invented couples, written as WhatsApp (Android, day-first) exports, each with a ``.truth.json``:

* ``cycle.txt``: Riley (the user) and Casey. Love bombing in February 2025, then seven harm -> reinforcement
  cycles from 22 March, escalating in intensity and coming closer together, with an attempt to leave
  (Riley blocks Casey on 4 May) and a return on 14 May.
* ``healthy.txt``: Jamie and Morgan. Affection, ordinary arguments (chores, lateness, money, in-laws) with
  fair apologies on both sides, and a holiday with no messages.
* ``mutual.txt``: Dana and Lee. Six fights in which both insult and blame, and both apologise the next day.
* ``one_sided.txt``: Robin and Drew. Repeated insults, control and threats from Drew, never an apology or
  any affection: harm without the reconciliation half.

The scenes that matter are written by hand below, each message with the labels it is meant to carry
(``labels`` in the truth file, by source line) so tests can check the analysis on exact findings; the
ordinary days between scenes are filled from a pool of everyday exchanges with a fixed seed. The output is
deterministic and committed; ``tests/analysis/test_fixtures.py`` checks it is up to date with this script.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

Line = tuple[str, str, str, tuple[str, ...]]  # ("HH:MM", "me" or "them", text, intended labels)

NEUTRAL = [
    ("Morning! Sleep ok?", "Not bad, you?"),
    ("Can you grab milk on the way home?", "Will do"),
    ("What do you fancy for dinner?", "Pasta? I can cook"),
    ("Running a bit late, the bus is crawling", "No worries, see you soon"),
    ("Work was so long today", "Ugh. Tea when you're back?"),
    ("Did you see the match last night?", "Missed it, who won?"),
    ("Bins go out tonight", "On it"),
    ("Just finished the report finally", "Nice one!"),
    ("Shall we get a takeaway?", "Yes please, Thai?"),
    ("The heating's making that noise again", "I'll call the landlord tomorrow"),
    ("Home in 20", "Ok, kettle's on"),
    ("Have you seen my blue charger?", "Kitchen drawer I think"),
    ("Rain all day tomorrow apparently", "Umbrella then"),
    ("Watching the new series tonight?", "Yes, episode 3"),
    ("Gym after work", "Ok, see you after"),
    ("Parcel came for you", "Oh that's the book I ordered"),
    ("Traffic is mad", "Take your time"),
    ("Booked the dentist for Thursday", "Thanks for reminding me"),
    ("We're out of coffee", "Adding it to the list"),
    ("Did you pay the electric?", "Yes, this morning"),
    ("The washing machine finished", "I'll hang it up when I'm back"),
    ("Train's cancelled, getting the next one", "Ok, text me when you're on it"),
    ("Lunch was rubbish today", "Sandwich from the corner place again?"),
    ("Can you record the quiz show?", "Done"),
]
AFFECTION = [
    ("Love you", "Love you too"),
    ("Thinking of you today x", "Aw, you too x"),
    ("Can't wait to see you tonight", "Same ❤️"),
    ("Night, sleep well x", "Night x"),
]


@dataclass
class Chat:
    name: str
    me: str
    them: str
    start: date
    end: date
    seed: int
    scenes: dict[date, list[Line]]
    silent: set[date] = field(default_factory=set)
    them_affectionate: bool = True
    me_affectionate: bool = True

    def lines(self) -> list[tuple[datetime, str, str, tuple[str, ...]]]:
        rng = random.Random(self.seed)
        out: list[tuple[datetime, str, str, tuple[str, ...]]] = []
        day = self.start
        while day <= self.end:
            if day in self.silent:
                day += timedelta(days=1)
                continue
            if day in self.scenes:
                for hhmm, who, text, labels in self.scenes[day]:
                    hour, minute = map(int, hhmm.split(":"))
                    out.append((datetime(day.year, day.month, day.day, hour, minute), who, text, labels))
            else:
                for exchange in self._filler(rng):
                    out.append((datetime(day.year, day.month, day.day) + exchange[0], *exchange[1:]))
            day += timedelta(days=1)
        out.sort(key=lambda item: item[0])
        return out

    def _filler(self, rng: random.Random) -> list[tuple[timedelta, str, str, tuple[str, ...]]]:
        exchanges: list[tuple[timedelta, str, str, tuple[str, ...]]] = []
        hours = sorted(rng.sample(range(8, 22), rng.choice((1, 1, 2, 2, 3))))
        for hour in hours:
            first, second = rng.choice(NEUTRAL)
            opener = rng.choice(("me", "them"))
            affectionate = self.them_affectionate and self.me_affectionate
            if affectionate and rng.random() < 0.25:
                first, second = rng.choice(AFFECTION)
            if first.startswith("Morning"):
                hour = 7
            elif first.startswith("Night"):
                hour = 22
            at = timedelta(hours=hour, minutes=rng.randint(0, 45))
            other = "them" if opener == "me" else "me"
            exchanges.append((at, opener, first, ()))
            exchanges.append((at + timedelta(minutes=rng.randint(1, 9)), other, second, ()))
        return exchanges

    def write(self, truth: dict[str, object], out: Path) -> None:
        names = {"me": self.me, "them": self.them}
        first = datetime(self.start.year, self.start.month, self.start.day, 6, 0)
        text = [
            f"{first:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted. No one outside of this "
            "chat, including WhatsApp, can read or listen to them. Tap to learn more."
        ]
        labels = []
        for when, who, body, intended in self.lines():
            text.append(f"{when:%d/%m/%Y, %H:%M} - {names[who]}: {body}")
            if intended:
                labels.append({"line": len(text), "labels": list(intended)})
        (out / f"{self.name}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
        record = {"file": f"{self.name}.txt", "me": self.me, "them": self.them, **truth, "labels": labels}
        (out / f"{self.name}.truth.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


def d(text: str) -> date:
    return date.fromisoformat(text)


# ---------------------------------------------------------------------------------------------- cycle
R, EA, BL, ISO, DC, FIN, INT, CT = (
    "reinforcement",
    "emotional_abuse",
    "blame_minimise_deny",
    "isolation",
    "decision_control",
    "financial_abuse",
    "intimidation",
    "coercion_threats",
)
CYCLE_SCENES: dict[date, list[Line]] = {
    d("2025-02-01"): [
        ("20:10", "them", "I can't stop thinking about last night. You're incredible", (R,)),
        ("20:15", "me", "Haha you're sweet. I had a really nice time", ()),
        ("20:16", "them", "I've never felt this way about anyone. Honestly, you're my soulmate", (R,)),
        ("20:30", "me", "It's early to say that 😅 but I like you a lot", ()),
    ],
    d("2025-02-04"): [
        ("08:00", "them", "Good morning gorgeous. You're the first thing I think about", (R,)),
        ("08:20", "me", "Morning! You're making me blush", ()),
    ],
    d("2025-02-08"): [
        ("12:30", "them", "Sent something to your work 🌹", ()),
        ("12:45", "me", "Casey!! Flowers?! Everyone's asking who they're from", ()),
        ("12:46", "them", "You deserve flowers every day. You're perfect", (R,)),
    ],
    d("2025-02-14"): [
        ("09:00", "them", "Happy Valentine's to the love of my life. Nobody has ever made me this happy", (R,)),
        ("09:10", "me", "Happy Valentine's ❤️ I'm so lucky", ()),
    ],
    d("2025-02-20"): [
        ("21:00", "them", "I want to spend every minute with you. You're everything to me", (R,)),
        ("21:05", "me", "Me too. I can't believe how fast this is going", ()),
        ("21:06", "them", "When it's right, it's right. No one will ever love you like I do", (R,)),
    ],
    d("2025-02-26"): [
        ("19:00", "them", "Move in with me. I want to wake up next to you every single day", (R,)),
        ("19:20", "me", "Are you serious? That's huge", ()),
        ("19:21", "them", "Never been more serious. You're my soulmate", (R,)),
        ("19:30", "me", "Ok. Yes. Let's do it ❤️", ()),
    ],
    d("2025-03-05"): [
        ("21:00", "me", "Honestly I don't know what I'd do without you", ()),
        ("21:02", "them", "You'll never have to find out", ()),
    ],
    d("2025-03-09"): [
        ("18:00", "them", "Wear the black dress tonight, not the red one", (DC,)),
        ("18:05", "me", "Ok 😊", ()),
    ],
    d("2025-03-14"): [
        ("17:00", "me", "Is it ok if I see Jess on Saturday? I'll be back by 10", ("appeasing",)),
        ("17:10", "them", "Saturday is our day. But fine, go", ()),
    ],
    d("2025-03-22"): [
        ("19:00", "me", "Heading to Jess's birthday drinks, back by 11", ()),
        ("22:40", "them", "Where are you? It's nearly 11", ()),
        ("22:45", "me", "Still at the bar, leaving soon", ()),
        ("23:30", "them", "You're pathetic. Flirting with everyone for attention", (EA,)),
        ("23:31", "them", "You embarrassed me in front of everyone. You're an embarrassment", (EA,)),
        ("23:35", "me", "What? I was just talking to Jess's friends", ()),
        ("23:36", "them", "Don't lie to me. You're a liar and everyone can see it", (EA,)),
        ("23:50", "me", "I'm coming home now", ()),
    ],
    d("2025-03-23"): [
        ("09:00", "me", "I'm sorry about last night. I should have come home earlier", ("self_blame",)),
        ("10:30", "them", "I'm so sorry about what I said. I was jealous and stupid. It will never happen again", (R,)),
        ("10:31", "them", "I love you so much. You're my whole world", (R,)),
        ("10:40", "me", "Ok. It really hurt though", ()),
        ("10:41", "them", "I know. I promise I'll be better. Flowers are on the way", (R,)),
    ],
    d("2025-04-08"): [
        ("12:30", "them", "I checked your bank app. 70 on lunches this week?", (FIN,)),
        ("12:35", "me", "You went into my bank app?", ()),
        ("12:36", "them", "From now on you send me the receipts for everything. I'll handle the money", (FIN,)),
        ("12:40", "me", "That's my salary", ()),
        ("12:41", "them", "After everything I do for you, you attack me? You made me do this by wasting money", (BL,)),
        ("12:45", "me", "I'm not attacking you. Sorry", ("appeasing",)),
    ],
    d("2025-04-09"): [
        ("08:00", "them", "I was harsh yesterday, I'm sorry. I just want us to be secure", (R,)),
        ("08:01", "them", "I love you. Dinner tonight, my treat", (R,)),
        ("08:10", "me", "Ok. Thank you", ()),
    ],
    d("2025-04-22"): [
        ("18:00", "me", "Jess says you messaged her telling her to stay away from me?", ()),
        ("18:05", "them", "That never happened. You're imagining things again", (EA,)),
        ("18:06", "me", "She showed me the message", ()),
        ("18:07", "them", "You're crazy, you know that? You twist everything", (EA,)),
        ("18:10", "them", "Jess is poisoning you against me. You don't need her, you have me", (ISO,)),
        ("18:15", "me", "She's my best friend", ()),
        ("18:16", "them", "It's her or me. You're not seeing her again", (ISO, DC)),
        ("18:30", "me", "Ok. I'm sorry. Maybe I remembered it wrong", ("self_blame",)),
        ("18:31", "them", "You did. It wasn't that bad anyway, you always overreact", (BL,)),
    ],
    d("2025-04-23"): [
        ("08:30", "them", "I'm sorry about yesterday. I just get scared of losing you", (R,)),
        ("08:31", "them", "I promise I'll change. I bought you those earrings you liked", (R,)),
        ("08:45", "me", "Thank you. That's so kind of you, you're too good to me", ("gratitude_small_kindness",)),
    ],
    d("2025-05-03"): [
        ("20:00", "them", "Who were you texting at dinner", ()),
        ("20:05", "me", "My mum", ()),
        ("20:06", "them", "Give me your phone. Now. You don't get to have secrets", (DC,)),
        ("20:10", "me", "No, that's private", ()),
        ("21:30", "me", "My phone is in pieces on the floor. I'm shaking", ()),
        ("21:31", "them", "You know what happens when you make me angry. Don't push me", (INT,)),
        ("21:32", "them", "Next time it won't be the phone", (INT,)),
        ("21:40", "me", "I'm scared of you right now", ()),
        ("21:41", "them", "Stop being so dramatic. You made me do it", (BL,)),
    ],
    d("2025-05-04"): [
        ("07:30", "them", "I'm so sorry about last night. I hate myself. I'll get help, I promise", (R,)),
        ("07:31", "them", "It will never happen again. I'll buy you a new phone today. I love you", (R,)),
        ("07:45", "me", "I need to think", ()),
        ("13:00", "me", "I'm going to my mum's for a few days. I need some space", ()),
        ("13:01", "them", "What? Don't leave me. Please", ()),
        ("13:05", "me", "Please don't message me for a while", ()),
        ("13:06", "them", "If you leave I don't know what I'll do to myself", (CT,)),
        ("13:30", "me", "I'm blocking you for a bit. I'm sorry", ()),
    ],
    d("2025-05-14"): [
        ("20:00", "me", "I unblocked you. I don't know why. I miss you", ("returning_after_leaving",)),
        ("20:01", "them", "Riley. Oh my god. I've missed you so much. I've been going out of my mind", (R,)),
        ("20:03", "them", "I've changed. I'm seeing someone about my anger. Nobody will ever love you like I do", (R,)),
        ("20:10", "me", "I miss you too. I don't know what to do", ()),
        ("20:11", "them", "Come home. Please. I'll make it up to you every day", (R,)),
    ],
    d("2025-05-15"): [
        ("12:00", "me", "I'm coming home tonight", ("returning_after_leaving",)),
        ("12:01", "them", "Best news of my life. I love you", (R,)),
    ],
    d("2025-05-20"): [
        ("19:00", "me", "Jess asked if I want to get coffee this week", ()),
        ("19:05", "them", "You're not seeing her. She's the one who told you to leave me", (ISO,)),
        ("19:06", "me", "She's my friend", ()),
        ("19:07", "them", "If you go I'll kill myself. I mean it. Then you'll see what you've done", (CT,)),
        ("19:10", "me", "Please don't say that. I won't go", ("appeasing",)),
        ("19:11", "them", "You're worthless without me. No one else would ever want you", (EA,)),
        ("19:12", "them", "You're staying in tonight. And every night this week", (DC,)),
        ("19:15", "me", "I know. I'm sorry, it's my fault", ("self_blame",)),
    ],
    d("2025-05-21"): [
        ("08:00", "them", "I'm sorry about last night. I just can't lose you again", (R,)),
        ("08:01", "them", "You're my everything. I love you", (R,)),
        ("08:05", "me", "Love you too", ()),
    ],
    d("2025-05-27"): [
        ("18:30", "them", "Where's the receipt from the shop. I want every receipt", (FIN,)),
        ("18:35", "me", "I lost it, sorry", ()),
        ("18:36", "them", "You're useless. You can't do anything right", (EA,)),
        ("18:37", "them", "You know what happens when you make me angry", (INT,)),
        ("18:50", "me", "Please calm down, you're scaring me", ()),
        ("18:51", "them", "I'm going to smash every plate in this kitchen if you keep talking", (INT,)),
        ("18:52", "them", "And don't even think about calling your mum. She's not part of this", (ISO,)),
        ("19:00", "me", "Ok. I'm sorry. It's my fault", ("self_blame",)),
    ],
    d("2025-05-28"): [
        ("07:45", "them", "Sorry about last night. It won't happen again. I promise this time", (R,)),
        ("07:46", "them", "I love you more than anything", (R,)),
        ("08:00", "me", "I know. I'm sorry too", ()),
    ],
    d("2025-06-02"): [
        ("20:00", "them", "Why is your location off. Turn it back on now", (DC,)),
        ("20:02", "me", "It must have switched off, sorry", ()),
        ("20:03", "them", "Don't lie to me. You're a pathetic liar", (EA,)),
        (
            "20:04",
            "them",
            "If you ever leave me again I'll make sure you regret it. I know where your mum lives",
            (CT, INT),
        ),
        ("20:05", "them", "Your mum and Jess are poisoning you against me", (ISO,)),
        ("20:10", "me", "Please don't. I'm not going anywhere", ()),
        ("20:11", "them", "Good. It's your own fault I get like this", (BL,)),
        ("20:20", "me", "I'm scared of what you'll do if I ever try to leave", ("fear_of_retaliation",)),
    ],
    d("2025-06-03"): [
        ("09:00", "them", "I'm sorry baby. I went too far. I love you, you know that", (R,)),
        ("09:05", "me", "I know. I love you too. I don't know who I am without you anymore", ("loss_of_self",)),
    ],
    d("2025-06-05"): [
        ("19:00", "me", "I don't even know what I like anymore", ("loss_of_self",)),
        ("19:05", "them", "You like us. That's enough", ()),
        (
            "19:30",
            "me",
            "Jess messaged again saying she's worried. She just wants to split us up",
            ("helpers_as_enemies",),
        ),
    ],
}
CYCLE_TRUTH: dict[str, object] = {
    "status": "cycle",
    "cycles": [
        {"harm": "2025-03-22", "reinforcement": "2025-03-23"},
        {"harm": "2025-04-08", "reinforcement": "2025-04-09"},
        {"harm": "2025-04-22", "reinforcement": "2025-04-23"},
        {"harm": "2025-05-03", "reinforcement": "2025-05-04"},
        {"harm": "2025-05-20", "reinforcement": "2025-05-21"},
        {"harm": "2025-05-27", "reinforcement": "2025-05-28"},
        {"harm": "2025-06-02", "reinforcement": "2025-06-03"},
    ],
    "intensity": "escalating",
    "frequency": "escalating",
    "gaps": [{"start": "2025-05-04", "end": "2025-05-14", "kind": "leave_and_return"}],
    "asymmetry": "mostly_them",
    "stages": {
        "2025-02": ["love_bombing"],
        "2025-03": ["trust_dependency", "criticism"],
        "2025-04": ["gaslighting", "control"],
        "2025-05": ["control", "addiction"],
        "2025-06": ["control", "resignation", "addiction"],
    },
}

# ---------------------------------------------------------------------------------------------- healthy
HEALTHY_SCENES: dict[date, list[Line]] = {
    d("2025-01-18"): [
        ("18:30", "them", "The kitchen's a mess again. I'm really frustrated, I cleaned it yesterday", ()),
        ("18:40", "me", "Sorry, I know. I was in a rush this morning", ()),
        ("18:41", "them", "I just feel like I'm always the one cleaning up", ()),
        ("18:45", "me", "That's fair. I'll do it tonight, and shall we make a rota?", ()),
        ("18:46", "them", "Ok. Thanks for hearing me", ()),
    ],
    d("2025-02-07"): [
        ("19:50", "me", "You said you'd be here at 7, it's nearly 8. I'm annoyed, the food's cold", ()),
        ("19:55", "them", "I'm so sorry, the meeting overran and my phone died", ()),
        ("19:56", "me", "Could you have called from someone else's phone? I was worried", ()),
        ("19:58", "them", "You're right. I should have. I'm sorry", ()),
        ("20:00", "me", "It's ok. Just come home, I'll heat it up", ()),
    ],
    d("2025-02-26"): [
        ("20:10", "them", "We spent 400 on eating out this month. That's a lot, we said we'd save for Portugal", ()),
        ("20:15", "me", "Hmm, yeah. Some of that was your birthday dinner though 😅", ()),
        ("20:16", "them", "True. Let's both cut back a bit?", ()),
        ("20:20", "me", "Deal. Sit down with the budget on Sunday?", ()),
        ("20:21", "them", "Yes. Sorry if I sounded snippy", ()),
        ("20:25", "me", "You didn't, it's fine", ()),
    ],
    d("2025-03-15"): [
        ("11:00", "me", "I don't want to spend the whole Easter weekend at your parents' again", ()),
        ("11:05", "them", "They'll be disappointed though", ()),
        ("11:10", "me", "I know, but I'd like one day for us. Saturday there and Sunday at home?", ()),
        ("11:12", "them", "That's fair. I'll tell them", ()),
        ("11:15", "me", "Thank you. I love your parents, I just need a break too", ()),
    ],
    d("2025-04-10"): [
        ("17:00", "them", "You forgot to book the hire car. Now it's twice the price", ()),
        ("17:05", "me", "Oh no. I'm sorry, I completely forgot. That's on me", ()),
        ("17:06", "them", "I'm really annoyed. We talked about it three times", ()),
        ("17:10", "me", "I know. I'll pay the difference", ()),
        ("17:12", "them", "No, we'll split it. I'm just frustrated. Sorry I snapped", ()),
        ("17:15", "me", "It's ok. I'd be annoyed too", ()),
    ],
    d("2025-04-16"): [
        ("21:00", "me", "Can't wait for Portugal tomorrow!", ()),
        ("21:02", "them", "Passports are in the drawer. Taxi at 5am 😴", ()),
    ],
    d("2025-04-23"): [
        ("08:30", "them", "Back to work, boo. Best holiday ever", ()),
        ("08:35", "me", "Agreed ❤️ Already missing the beach", ()),
    ],
}
HEALTHY_TRUTH: dict[str, object] = {
    "status": "no_cycle",
    "cycles": [],
    "gaps": [{"start": "2025-04-16", "end": "2025-04-23", "kind": "quiet"}],
    "asymmetry": "little_harm",
}

# ---------------------------------------------------------------------------------------------- mutual
MUTUAL_SCENES: dict[date, list[Line]] = {
    d("2025-01-15"): [
        ("19:00", "them", "You forgot the rent again. You're so useless", (EA,)),
        ("19:02", "me", "Me? You're the useless one. You haven't paid a bill in months", (EA,)),
        ("19:03", "them", "Shut up. You're pathetic", (EA,)),
        ("19:04", "me", "No, you're pathetic. Honestly you're an idiot", (EA,)),
        ("19:10", "them", "Whatever", ()),
    ],
    d("2025-01-16"): [
        ("08:00", "me", "I'm sorry I called you an idiot. That was nasty", (R,)),
        ("08:10", "them", "I'm sorry too. I shouldn't have called you useless", (R,)),
    ],
    d("2025-02-02"): [
        ("22:00", "me", "You humiliated me at dinner with your stupid jokes about me", (EA,)),
        ("22:02", "them", "Oh please, you're so dramatic. It wasn't that bad", (BL,)),
        ("22:03", "me", "Don't tell me how to feel. You're a selfish jerk", (EA,)),
        ("22:04", "them", "And you're a nightmare to live with. You're pathetic", (EA,)),
        ("22:05", "me", "You're the pathetic one. Sleep on the sofa", (EA,)),
    ],
    d("2025-02-03"): [
        ("08:30", "them", "Sorry about last night. I went too far", (R,)),
        ("08:35", "me", "Me too. I'm sorry I called you selfish", (R,)),
    ],
    d("2025-02-20"): [
        ("08:40", "them", "You made me late again. This is all your fault", (BL,)),
        ("08:41", "me", "My fault? You took an hour in the shower. Stop blaming me, it's your fault", (BL,)),
        ("08:42", "them", "Because it's always you. You're a liar", (EA,)),
        ("08:43", "me", "You're the liar. You're pathetic", (EA,)),
    ],
    d("2025-02-21"): [
        ("07:50", "me", "Sorry. I hate when we fight", (R,)),
        ("08:00", "them", "Me too. I'm sorry, I was horrible", (R,)),
    ],
    d("2025-03-08"): [
        ("13:00", "me", "You spent 300 on that game without telling me? You're so selfish. You're an idiot", (EA,)),
        ("13:02", "them", "It's my money. You spent more on shoes, you hypocrite. You're a joke", (EA,)),
        ("13:03", "me", "Don't call me a hypocrite, you idiot", (EA,)),
        ("13:04", "them", "Idiot? Look who's talking. You're pathetic", (EA,)),
    ],
    d("2025-03-09"): [
        ("10:00", "them", "I'm sorry. Can we talk about money calmly?", (R,)),
        ("10:05", "me", "Yes. Sorry I called you an idiot", (R,)),
    ],
    d("2025-03-25"): [
        ("21:00", "them", "You never listen. You're impossible. You're crazy, you know that?", (EA,)),
        ("21:02", "me", "I'm crazy? You're the crazy one, screaming at me over nothing", (EA,)),
        ("21:03", "them", "Shut up. You're a joke", (EA,)),
        ("21:04", "me", "You're a joke. You're pathetic", (EA,)),
    ],
    d("2025-03-26"): [
        ("07:30", "me", "I didn't mean it. I'm sorry", (R,)),
        ("07:40", "them", "I didn't either. Sorry love", (R,)),
    ],
    d("2025-04-09"): [
        ("19:00", "me", "You ate my leftovers AGAIN. You're so selfish. You're a pig", (EA,)),
        ("19:02", "them", "Oh grow up. You're pathetic. You're such a child", (EA,)),
        ("19:03", "me", "And you're a useless slob", (EA,)),
        ("19:04", "them", "Whatever, you're an idiot", (EA,)),
    ],
    d("2025-04-10"): [
        ("08:00", "them", "Sorry for calling you an idiot", (R,)),
        ("08:05", "me", "Sorry for calling you a pig 😅", (R,)),
    ],
}
MUTUAL_TRUTH: dict[str, object] = {"status": "no_cycle", "cycles": [], "gaps": [], "asymmetry": "mutual"}

# ---------------------------------------------------------------------------------------------- one-sided
ONE_SIDED_SCENES: dict[date, list[Line]] = {
    d("2025-01-14"): [
        ("19:00", "them", "Why is there nothing for dinner. You're useless", (EA,)),
        ("19:05", "me", "Sorry, I'll make something now", ("appeasing",)),
        ("19:06", "them", "Don't bother. You can't even cook properly. You're pathetic", (EA,)),
        ("19:10", "me", "I'm sorry", ()),
    ],
    d("2025-01-27"): [
        ("12:00", "them", "You're not going to your sister's this weekend", (ISO, DC)),
        ("12:05", "me", "But it's her birthday", ()),
        ("12:06", "them", "I said no. She's poisoning you against me", (ISO,)),
        ("12:10", "me", "Ok", ()),
    ],
    d("2025-02-08"): [
        ("18:00", "them", "Send me the receipts for everything you spent this week", (FIN,)),
        ("18:05", "me", "Ok, I'll send them tonight", ("appeasing",)),
        ("18:06", "them", "And you don't need your own bank account. I'll handle the money", (FIN,)),
    ],
    d("2025-02-21"): [
        ("21:00", "them", "You're pathetic. Look at the state of you", (EA,)),
        ("21:01", "them", "No wonder nobody likes you", (EA,)),
        ("21:05", "me", "Why would you say that", ()),
        ("21:06", "them", "Because it's true. Stop crying, you're embarrassing", (EA,)),
    ],
    d("2025-03-06"): [
        ("20:00", "them", "You know what happens when you make me angry", (INT,)),
        ("20:02", "me", "Please, I'm sorry", ()),
        ("20:03", "them", "Then do as you're told. You don't get a say", (DC,)),
    ],
    d("2025-03-19"): [
        ("22:00", "them", "If you ever leave, I'll make you regret it", (CT,)),
        ("22:05", "me", "I'm not going anywhere", ()),
        ("22:06", "them", "Good. You're nothing without me", (EA,)),
    ],
    d("2025-04-02"): [
        ("09:00", "them", "It wasn't that bad. You're overreacting as usual", (BL,)),
        ("09:01", "them", "You made me do it. If you'd listened it wouldn't have happened", (BL,)),
        ("09:10", "me", "It's my fault, I shouldn't have said anything", ("self_blame",)),
    ],
    d("2025-04-12"): [
        ("18:00", "them", "Wear what I told you. You're not leaving the house in that", (DC,)),
        ("18:01", "them", "You look ridiculous. Pathetic", (EA,)),
        ("18:05", "me", "Ok, I'll change", ("appeasing",)),
    ],
}
ONE_SIDED_TRUTH: dict[str, object] = {
    "status": "harm_without_reconciliation",
    "cycles": [],
    "harm_episodes": [
        "2025-01-14",
        "2025-01-27",
        "2025-02-08",
        "2025-02-21",
        "2025-03-06",
        "2025-03-19",
        "2025-04-02",
        "2025-04-12",
    ],
    "gaps": [],
    "asymmetry": "mostly_them",
}


def main(out: Path = HERE) -> None:
    leave_gap = {d("2025-05-05") + timedelta(days=i) for i in range(9)}  # 5..13 May: blocked, no messages
    Chat("cycle", "Riley", "Casey", d("2025-02-01"), d("2025-06-06"), 11, CYCLE_SCENES, leave_gap).write(
        CYCLE_TRUTH, out
    )
    holiday = {d("2025-04-17") + timedelta(days=i) for i in range(6)}  # 17..22 April: together on holiday
    Chat("healthy", "Jamie", "Morgan", d("2025-01-06"), d("2025-04-30"), 12, HEALTHY_SCENES, holiday).write(
        HEALTHY_TRUTH, out
    )
    Chat("mutual", "Dana", "Lee", d("2025-01-06"), d("2025-04-15"), 13, MUTUAL_SCENES).write(MUTUAL_TRUTH, out)
    Chat(
        "one_sided",
        "Robin",
        "Drew",
        d("2025-01-06"),
        d("2025-04-15"),
        14,
        ONE_SIDED_SCENES,
        them_affectionate=False,
    ).write(ONE_SIDED_TRUTH, out)


if __name__ == "__main__":
    main()
