#!/usr/bin/env python3
"""Generate data-samples/sample.txt: an original, English-like toy corpus.

The text is produced by a small stochastic grammar of "ship's log",
"almanac" and "dialogue" entries (names, places, weather, numbers,
punctuation, capitalisation and line structure) so that a character-level
language model has real structure to learn.  A few lines carry non-ASCII
characters (é, —, “ ”, an emoji roughly every 200 lines of output) so that Unicode
handling is exercised.

Standard library only; deterministic (fixed seed).  Running it twice gives
byte-identical output.  All text is composed by this script (project's own).

Usage:  python3 data-samples/generate_sample.py [OUTPUT]
        (default OUTPUT: sample.txt next to this script)
"""

import os
import random
import sys

SEED = 20240611
MIN_BYTES = 200_000
TARGET_BYTES = 240_000
MAX_BYTES = 280_000

# ---------------------------------------------------------------------------
# Vocabulary.  Proper names are composed from syllables by the script itself,
# which adds a few hundred distinct invented words to the common English ones.
# ---------------------------------------------------------------------------

NAME_START = ["Al", "Bran", "Cor", "Dar", "El", "Fen", "Gal", "Har", "Is",
              "Jor", "Kel", "Lor", "Mar", "Nel", "Or", "Per", "Ros", "Sel",
              "Tam", "Ul", "Ver", "Wyn", "Ys", "Zan"]
NAME_END = ["a", "ric", "wen", "do", "ith", "mer", "ra", "on", "el", "ys",
            "and", "ette", "ius", "an", "ora", "ek"]
PLACE_START = ["Ash", "Black", "Cold", "Deep", "East", "Fair", "Grey", "High",
               "Iron", "Long", "Mill", "North", "Oak", "Red", "Salt", "Stone",
               "Thorn", "West", "White", "Wolf"]
PLACE_END = ["haven", "ford", "mouth", "wick", "port", "stead", "more",
             "cliff", "holm", "bury", "ness", "water", "field", "gate"]
SHIP_ADJ = ["Brave", "Silver", "Patient", "Restless", "Golden", "Quiet",
            "Swift", "Faithful", "Wandering", "Bright", "Stubborn", "Merry"]
SHIP_NOUN = ["Heron", "Gull", "Lantern", "Anchor", "Otter", "Promise",
             "Compass", "Swallow", "Petrel", "Falcon", "Morning", "Tide"]

RANKS = ["the captain", "the mate", "the bosun", "the cook", "the pilot",
         "the carpenter", "the surgeon", "the cabin boy", "the navigator",
         "the lookout", "the purser", "the gunner"]
CREW_WORDS = ["men", "hands", "sailors", "passengers", "fishermen",
              "merchants", "children", "pilgrims", "soldiers", "traders"]
WINDS = ["north", "north-east", "east", "south-east", "south", "south-west",
         "west", "north-west"]
WIND_STRENGTH = ["light", "gentle", "moderate", "fresh", "strong", "gusting",
                 "steady", "fitful", "rising", "falling"]
SKY = ["clear", "overcast", "hazy", "cloudy", "grey", "bright", "stormy",
       "misty", "dark", "pale"]
WEATHER = ["rain", "drizzle", "fog", "hail", "sleet", "snow", "sunshine",
           "thunder", "squalls", "showers", "frost", "calm"]
SEA = ["calm", "choppy", "rough", "heavy", "smooth", "confused", "long",
       "short", "glassy", "swelling"]
CARGO = ["barrels of salt fish", "bales of wool", "casks of wine",
         "sacks of barley", "crates of lemons", "bolts of linen",
         "chests of tea", "coils of rope", "jars of honey", "loads of timber",
         "baskets of apples", "tins of oil", "bundles of hides",
         "boxes of candles", "kegs of nails"]
ANIMALS = ["whales", "dolphins", "seals", "gulls", "terns", "porpoises",
           "cormorants", "albatrosses", "herring", "mackerel", "puffins",
           "geese"]
ACTIONS = ["mended the mainsail", "scrubbed the deck", "hauled the nets",
           "pumped the bilge", "tarred the rigging", "counted the stores",
           "checked the lamps", "stowed the cargo", "took a sounding",
           "repaired the rudder", "patched the hull", "lowered the boat",
           "raised the jib", "coiled the lines", "cleaned the guns",
           "baked fresh bread", "wrote letters home", "sang old songs",
           "played at cards", "slept below"]
FEELINGS = ["cheerful", "weary", "restless", "hopeful", "quiet", "uneasy",
            "content", "hungry", "sleepy", "anxious", "proud", "merry"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
            "Saturday", "Sunday"]
PLANTS = ["barley", "wheat", "beans", "turnips", "cabbages", "onions",
          "peas", "oats", "potatoes", "carrots", "leeks", "rye"]
GARDEN_ACTS = ["Sow", "Plant", "Harvest", "Weed", "Water", "Gather",
               "Thin out", "Lift", "Cover"]
SAYINGS = [
    "A red sky at night is a sailor's delight.",
    "When the wind is in the east, it is good for neither man nor beast.",
    "Mackerel sky and mares' tails make tall ships carry low sails.",
    "If the geese fly low, expect the snow.",
    "Rain before seven, fine before eleven.",
    "When the dew is on the grass, rain will never come to pass.",
    "A ring around the moon brings rain soon.",
    "Long foretold, long last; short notice, soon past.",
    "Frost on the pane, no rain again.",
    "When the swallows fly high, the weather will be dry.",
]
GREETINGS = ["Good morning", "Good evening", "Well met", "Hello",
             "Ahoy", "Hail", "Greetings"]
QUESTIONS = ["Where are you bound?", "Have you seen the harbour lights?",
             "What news from the coast?", "Is the tide turning?",
             "Did the boats come home?", "How fares the crew?",
             "Will the weather hold?", "Who keeps the watch tonight?",
             "What did the market bring?", "Can you read the stars?"]
ANSWERS = ["Not yet, but soon.", "Aye, and not a moment too soon.",
           "I cannot say for certain.", "The sea will tell us by morning.",
           "Only the old pilot knows.", "Yes, all of them, thank heaven.",
           "No, and I fear the worst.", "Ask me again at dawn.",
           "It holds for now.", "Better than we hoped."]

NON_ASCII_LINES = [
    "Note: the café by the quay serves coffee — strong and black.",
    "The pilot said, “Mind the shoals off the point.”",
    "Passengers included a fiancée and her naïve young cousin.",
    "Fair winds — fair fortune — fair return.",
    "The cook made a purée of peas; the mate called it “soup”.",
    "Our guest, a retired attaché, told stories until midnight.",
    "The old résumé of the voyage reads: east, then west — then home.",
    "A sign above the door read “Rooms to let — ask within”.",
]
EMOJI = ["⚓", "🌊", "⛵", "🐟", "🌙", "⭐"]


def make_names(rng, start, end, count, sep=""):
    out = set()
    while len(out) < count:
        out.add(rng.choice(start) + sep + rng.choice(end))
    return sorted(out)


class Corpus:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        r = self.rng
        self.people = make_names(r, NAME_START, NAME_END, 120)
        self.places = make_names(r, PLACE_START, PLACE_END, 110)
        self.ships = ["the " + s for s in
                      make_names(r, SHIP_ADJ, SHIP_NOUN, 40, sep=" ")]
        self.lines_written = 0
        self.day = 1
        self.month = 2
        self.year = 1791

    # -- small helpers ----------------------------------------------------
    def c(self, seq):
        return self.rng.choice(seq)

    def num(self, lo, hi):
        return self.rng.randint(lo, hi)

    def person(self):
        return self.c(self.people)

    def place(self):
        return self.c(self.places)

    def ship(self):
        return self.c(self.ships)

    def advance_date(self):
        self.day += self.num(1, 3)
        if self.day > 28:
            self.day -= 28
            self.month += 1
            if self.month >= 12:
                self.month = 0
                self.year += 1

    def date(self):
        return "%s %d %s %d" % (WEEKDAYS[(self.day + self.month) % 7],
                                self.day, MONTHS[self.month], self.year)

    def position(self):
        return "%d°%02d' N, %d°%02d' W" % (self.num(40, 61), self.num(0, 59),
                                          self.num(1, 30), self.num(0, 59))

    def position_ascii(self):
        return "lat. %d.%d N, long. %d.%d W" % (
            self.num(40, 61), self.num(0, 9), self.num(1, 30), self.num(0, 9))

    # -- sentence templates -------------------------------------------------
    def weather_sentence(self):
        t = self.num(0, 4)
        if t == 0:
            return "Wind %s from the %s, sky %s, sea %s." % (
                self.c(WIND_STRENGTH), self.c(WINDS), self.c(SKY), self.c(SEA))
        if t == 1:
            return "%s in the morning, %s by the afternoon watch." % (
                self.c(WEATHER).capitalize(), self.c(WEATHER))
        if t == 2:
            return "The glass stood at %d.%02d and was %s." % (
                self.num(28, 30), self.num(0, 99),
                self.c(["rising", "falling", "steady"]))
        if t == 3:
            return "A %s %s wind, with %s at times." % (
                self.c(WIND_STRENGTH), self.c(WINDS), self.c(WEATHER))
        return "Temperature %d degrees at noon; the sky was %s." % (
            self.num(31, 79), self.c(SKY))

    def event_sentence(self):
        t = self.num(0, 9)
        if t == 0:
            return "%s and %s %s." % (self.person(), self.person(),
                                      self.c(ACTIONS))
        if t == 1:
            return "At %d bells %s %s." % (self.num(1, 8),
                                           self.c(RANKS), self.c(ACTIONS))
        if t == 2:
            return "Sighted %s off %s, bearing %s." % (
                self.ship(), self.place(), self.c(WINDS))
        if t == 3:
            return "Took on %d %s at %s." % (self.num(3, 140),
                                             self.c(CARGO), self.place())
        if t == 4:
            return "Saw %d %s to %s." % (self.num(2, 60), self.c(ANIMALS),
                                         self.c(["port", "starboard"]))
        if t == 5:
            return "The %s were %s; %s kept them busy." % (
                self.c(CREW_WORDS), self.c(FEELINGS), self.c(RANKS))
        if t == 6:
            return "%s fell ill and was sent below." % self.person()
        if t == 7:
            return "Made %d miles since yesterday, by the log." % (
                self.num(12, 210))
        if t == 8:
            return "Passed %s at %d in the %s." % (
                self.place(), self.num(1, 12),
                self.c(["morning", "afternoon", "evening", "night"]))
        return "%s, %s, reports all well." % (self.person(), self.c(RANKS))

    def log_entry(self):
        self.advance_date()
        out = ["%s. Aboard %s, %s." % (
            self.date(), self.ship(),
            self.position() if self.num(0, 3) == 0 else self.position_ascii())]
        out.append(self.weather_sentence())
        for _ in range(self.num(1, 4)):
            s = self.event_sentence()
            if self.num(0, 2) == 0:
                s = s + " " + self.event_sentence()
            out.append(s)
        if self.num(0, 4) == 0:
            out.append("Signed, %s." % self.person())
        return out

    def almanac_entry(self):
        self.advance_date()
        m = MONTHS[self.month]
        out = ["ALMANAC FOR %s %d" % (m.upper(), self.year)]
        out.append("Sunrise %d:%02d, sunset %d:%02d. Moon %s." % (
            self.num(4, 8), self.num(0, 59), self.num(16, 21),
            self.num(0, 59), self.c(["new", "waxing", "full", "waning",
                                     "in its first quarter",
                                     "in its last quarter"])))
        out.append("High water at %s: %d:%02d and %d:%02d." % (
            self.place(), self.num(0, 11), self.num(0, 59),
            self.num(12, 23), self.num(0, 59)))
        out.append("%s the %s; %s the %s." % (
            self.c(GARDEN_ACTS), self.c(PLANTS),
            self.c(GARDEN_ACTS).lower(), self.c(PLANTS)))
        out.append("Expect %s weather, with %s and %s winds." % (
            self.c(SKY), self.c(WEATHER), self.c(WINDS)))
        if self.num(0, 1) == 0:
            out.append("Saying: " + self.c(SAYINGS))
        return out

    def dialogue_entry(self):
        a, b = self.person(), self.person()
        while b == a:
            b = self.person()
        out = ["AT %s" % self.place().upper()]
        out.append("%s: %s, %s! %s" % (a.upper(), self.c(GREETINGS), b,
                                       self.c(QUESTIONS)))
        out.append("%s: %s" % (b.upper(), self.c(ANSWERS)))
        for _ in range(self.num(0, 3)):
            spk = a if self.num(0, 1) == 0 else b
            if self.num(0, 1) == 0:
                line = "%s %s" % (self.c(QUESTIONS), self.c(ANSWERS))
            else:
                line = "I heard %s %s near %s." % (
                    self.c(RANKS), self.c(ACTIONS), self.place())
            out.append("%s: %s" % (spk.upper(), line))
        return out

    def entry(self):
        t = self.num(0, 9)
        if t < 5:
            lines = self.log_entry()
        elif t < 7:
            lines = self.almanac_entry()
        else:
            lines = self.dialogue_entry()
        result = []
        for line in lines:
            self.lines_written += 1
            if self.lines_written % 37 == 0:
                result.append(self.c(NON_ASCII_LINES))
                self.lines_written += 1
            if self.lines_written % 160 == 0:
                line = line + " " + self.c(EMOJI)
            result.append(line)
        return "\n".join(result) + "\n\n"


def generate():
    corpus = Corpus(SEED)
    parts = ["THE LOGS AND ALMANACS OF THE NORTHERN COAST\n\n"]
    size = len(parts[0].encode("utf-8"))
    while size < TARGET_BYTES:
        e = corpus.entry()
        parts.append(e)
        size += len(e.encode("utf-8"))
    text = "".join(parts)
    data = text.encode("utf-8")
    assert MIN_BYTES <= len(data) <= MAX_BYTES, len(data)
    assert b"\r" not in data
    return data


def main():
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "sample.txt")
    out = sys.argv[1] if len(sys.argv) > 1 else default
    data = generate()
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out)
    print("%s: %d bytes" % (out, len(data)))


if __name__ == "__main__":
    main()
