#!/usr/bin/env python3
"""Generate a synthetic data set of product reviews for the seed sentiment model.

    python3 seed/data/generate_reviews.py --rows 6000 --seed 20261126 --out seed/data/reviews.csv

Every sentence comes from the templates and word banks in this file (written for Slipway; no review text is
copied from anywhere). The data is meant to be learnable but not trivially so:

* the star rating is drawn first and the text is composed to fit it: 5 and 1 stars are emphatic, 4 and 2 stars
  mostly one-sided with a caveat, 3 stars ambivalent (praise *and* complaints, or lukewarm wording), so neutral
  is the hardest class, as it is in real review data;
* negation ("not flimsy at all", "can't complain"), intensifiers, product-specific aspects per category, context
  sentences that carry no sentiment, typos, lower-case and shouting, HTML line breaks and multi-line texts;
* label noise: a few percent of ratings disagree with their text (a glowing review with one star);
* a few malformed rows (empty text, missing or non-numeric or out-of-range rating) that preprocessing must skip.

Same arguments, same bytes: seeded `random.Random` streams (one for the texts, one for label noise, one for
malformed rows) drive everything, and only lists (never sets or hashes) are iterated.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

DEFAULT_ROWS = 6000
DEFAULT_SEED = 20261126
DEFAULT_LABEL_NOISE = 0.05
DEFAULT_DIRTY_FRACTION = 0.005
COLUMNS = ["review_id", "product_category", "review_text", "star_rating"]

# Share of each star rating, roughly the skew of real marketplaces (many 5s, fewer 2s and 3s).
RATING_WEIGHTS = {1: 0.15, 2: 0.10, 3: 0.17, 4: 0.23, 5: 0.35}


class Aspect(NamedTuple):
    """One thing reviewers talk about, said well, badly or lukewarmly.

    Each phrase is a full clause that reads after "I noticed that ..."; `{very}` is an optional intensifier slot.
    """

    good: Sequence[str]
    bad: Sequence[str]
    meh: Sequence[str]


class Group(NamedTuple):
    """Products that share what reviewers talk about (every aspect phrase must fit every product)."""

    products: Sequence[str]
    aspects: Sequence[Aspect]
    purposes: Sequence[str]  # fits "I needed a <product> for <purpose>."
    durable: bool = True  # replaces an old one that wore out (not true of books or litter)


class Category(NamedTuple):
    groups: Sequence[Group]
    aspects: Sequence[Aspect]  # fit every product of the category


def A(good: Sequence[str], bad: Sequence[str], meh: Sequence[str]) -> Aspect:
    return Aspect(good, bad, meh)


# Aspects that fit any product at all.
GLOBAL_ASPECTS = [
    A(good=["it's a bargain for what you get", "the price was {very}fair", "it costs half what the big brands charge"],
      bad=["it's way overpriced for what you get", "it cost twice as much as it's worth",
           "the price went up right after I ordered"],
      meh=["the price is about right", "it's a little pricey but not outrageous"]),
    A(good=["it arrived quickly and well packed", "the packaging was {very}neat"],
      bad=["it arrived scratched and dented", "the box was soaked and falling apart", "it showed up a week late"],
      meh=["shipping took about a week", "the box was a bit beaten up but the contents were fine"]),
    A(good=["customer service answered my question within an hour", "the seller replaced a part for free"],
      bad=["customer service never answered my emails", "the seller refused to take it back"],
      meh=["customer service was polite but slow", "I had to email the seller twice to get an answer"]),
]

CATEGORIES: Dict[str, Category] = {
    "electronics": Category(
        groups=[
            Group(
                products=["bluetooth speaker", "pair of wireless earbuds", "pair of noise-cancelling headphones"],
                aspects=[
                    A(good=["the sound is {very}crisp and clear", "the bass is surprisingly deep",
                            "the noise cancelling blocks out the whole train"],
                      bad=["the audio crackles at higher volume", "the sound is tinny and flat",
                           "there is a constant hiss in the background"],
                      meh=["the sound quality is about what you'd expect at this price",
                           "it sounds decent for podcasts but flat for music"]),
                    A(good=["it pairs instantly with my phone", "the connection never drops"],
                      bad=["the bluetooth keeps disconnecting", "pairing is a nightmare every single time",
                           "it randomly cuts out in the middle of a song"],
                      meh=["pairing took a couple of tries the first time",
                           "the connection drops once in a while if I leave the room"]),
                    A(good=["the battery easily lasts a full day", "it holds a charge for days"],
                      bad=["the battery barely makes it through the afternoon",
                           "it stopped holding a charge after two weeks"],
                      meh=["battery life is roughly what the listing claims",
                           "the battery gets me through a normal day, more or less"]),
                ],
                purposes=["the gym", "long flights", "my commute", "the beach"]),
            Group(
                products=["portable power bank", "phone charger", "USB-C hub"],
                aspects=[
                    A(good=["it charges my phone {very}fast", "every port works at full speed",
                            "it charges my laptop and phone at the same time"],
                      bad=["it charges slower than the cable that came with my phone",
                           "two of the ports stopped working", "my laptop doesn't recognize it half the time"],
                      meh=["charging speed is okay but not as fast as advertised",
                           "it works fine with my phone but not with my tablet"]),
                    A(good=["it stays cool even under load", "it is small enough for a pocket"],
                      bad=["it gets alarmingly hot", "it is heavy as a brick"],
                      meh=["it gets warm but not worryingly so", "it's a bit bulkier than I hoped"]),
                ],
                purposes=["travel", "working from home", "camping trips", "my desk at work"]),
            Group(
                products=["webcam", "doorbell camera", "dash cam"],
                aspects=[
                    A(good=["the picture is sharp even in low light", "the video is {very}smooth"],
                      bad=["the image is grainy no matter what settings I use", "the video freezes every few seconds"],
                      meh=["the picture is acceptable, not sharp", "night video is a bit blurry"]),
                    A(good=["the microphone picks up my voice clearly", "the motion alerts are accurate"],
                      bad=["people say I sound like I'm underwater", "it sends motion alerts for every passing leaf"],
                      meh=["the microphone is usable in a quiet room", "alerts arrive a few seconds late"]),
                    A(good=["setup took less than five minutes", "the app is clean and easy to use"],
                      bad=["the app is buggy and crashes constantly",
                           "it needed three firmware updates before it worked at all"],
                      meh=["the app is basic but does what it needs to", "setup was a little fiddly but I got there"]),
                ],
                purposes=["video calls", "the front door", "my car", "streaming"]),
            Group(
                products=["smartwatch", "fitness tracker"],
                aspects=[
                    A(good=["the step count matches my phone exactly", "the heart rate readings are {very}accurate"],
                      bad=["it counts steps when I'm sitting in the car", "the heart rate jumps around randomly"],
                      meh=["the sleep tracking is hit or miss", "the step count is a little generous"]),
                    A(good=["the battery lasts almost a week", "it charges fully in under an hour"],
                      bad=["it needs charging every night", "the battery drains even when the screen is off"],
                      meh=["the battery lasts about two days", "charging takes a couple of hours"]),
                    A(good=["the strap is comfortable enough to sleep in"],
                      bad=["the strap gave me a rash", "the strap snapped after a month"],
                      meh=["the strap is a little stiff", "the clasp takes some getting used to"]),
                ],
                purposes=["running", "tracking my sleep", "my workouts", "counting steps"]),
        ],
        aspects=[
            A(good=["it feels solid and well built", "the buttons have a satisfying click"],
              bad=["the plastic casing cracked within a week", "the buttons feel cheap and rattle",
                   "the cable frayed almost immediately"],
              meh=["the casing is plastic but seems sturdy enough", "the buttons are a little stiff"]),
        ],
    ),
    "kitchen": Category(
        groups=[
            Group(
                products=["blender", "stand mixer", "food processor"],
                aspects=[
                    A(good=["it crushes ice without any trouble", "it handles thick dough with ease",
                            "the motor is {very}powerful"],
                      bad=["it struggles with anything thicker than a smoothie", "the motor smells like it's burning",
                           "it leaks from the bottom of the jar"],
                      meh=["it handles everyday tasks but nothing heavy", "it needs a little help with frozen fruit"]),
                    A(good=["it runs {very}quietly", "it doesn't take up much counter space"],
                      bad=["it is loud enough to wake the whole house", "it walks across the counter when it runs"],
                      meh=["it is about as loud as any other", "it's a little big for a small kitchen"]),
                ],
                purposes=["smoothies", "baking", "meal prep", "making baby food"]),
            Group(
                products=["air fryer", "toaster oven", "electric kettle", "rice cooker"],
                aspects=[
                    A(good=["it cooks evenly every time", "it heats up {very}fast", "the rice comes out perfect"],
                      bad=["it burns the edges and leaves the middle raw", "it takes forever to heat up",
                           "it shut itself off halfway through cooking"],
                      meh=["results are consistent enough for weeknight cooking",
                           "it takes a little longer than my old one"]),
                    A(good=["the controls are simple and intuitive", "the timer is accurate"],
                      bad=["the display died after a month", "the buttons stopped responding"],
                      meh=["the controls take some getting used to", "the beeping is a bit loud"]),
                ],
                purposes=["quick dinners", "a small apartment", "cooking for a family of five", "the office kitchen"]),
            Group(
                products=["nonstick frying pan", "cast iron skillet", "stock pot"],
                aspects=[
                    A(good=["it heats evenly with no hot spots", "nothing sticks to it"],
                      bad=["there are hot spots that burn everything in the middle",
                           "the nonstick coating started peeling after a month", "eggs weld themselves to it"],
                      meh=["it heats a little unevenly on my stove", "the coating shows a few scratches already"]),
                    A(good=["the handle stays cool and feels secure", "it is {very}heavy in a good way"],
                      bad=["the handle came loose", "the bottom warped the first time I used it"],
                      meh=["the handle gets warm", "it's heavier than I expected"]),
                ],
                purposes=["everyday cooking", "searing steaks", "a camping kitchen", "big batches of soup"]),
            Group(
                products=["chef's knife", "set of steak knives", "pair of kitchen shears"],
                aspects=[
                    A(good=["the edge stays {very}sharp", "it slices tomatoes paper thin"],
                      bad=["the blade went dull within weeks", "it crushes tomatoes instead of cutting them",
                           "rust spots appeared after the first wash"],
                      meh=["it's sharp enough for most jobs", "it needs honing more often than I'd like"]),
                    A(good=["the handle is comfortable and well balanced"],
                      bad=["the handle is slippery when wet", "the handle cracked along the rivets"],
                      meh=["the handle is a bit light for my taste"]),
                ],
                purposes=["meal prep", "a cooking class", "a new kitchen", "carving the holiday roast"]),
            Group(
                products=["coffee grinder", "french press", "espresso machine"],
                aspects=[
                    A(good=["it makes {very}good coffee", "the grind is perfectly consistent"],
                      bad=["the coffee always tastes burnt", "the grind is all over the place",
                           "grounds end up in every cup"],
                      meh=["the coffee is fine, nothing special", "the grind is a bit uneven on the coarse setting"]),
                ],
                purposes=["my morning coffee", "the office", "weekend brunch", "a coffee-obsessed partner"]),
        ],
        aspects=[
            A(good=["it cleans up in seconds", "everything goes straight in the dishwasher"],
              bad=["food gets stuck in every crevice", "it's a pain to clean", "it stained after the first use"],
              meh=["cleaning takes a bit of effort", "you have to wash some parts by hand"]),
            A(good=["it is still going strong after months of daily use"],
              bad=["it broke the second time I used it", "a part snapped off within a week"],
              meh=["there is some wear after a few months, nothing serious"]),
        ],
    ),
    "books": Category(
        groups=[
            Group(
                products=["novel", "mystery novel", "fantasy novel", "graphic novel", "romance novel"],
                aspects=[
                    A(good=["the plot kept me guessing until the last chapter", "the story is {very}gripping"],
                      bad=["the plot drags and goes nowhere", "the story is a mess of loose ends",
                           "I guessed the twist by chapter two"],
                      meh=["the story is fairly predictable but readable",
                           "some chapters are much stronger than others"]),
                    A(good=["the characters feel real", "I cared about every one of the characters"],
                      bad=["the characters are flat and forgettable", "the dialogue is painful to read"],
                      meh=["the main character grew on me eventually", "the side characters are a bit thin"]),
                    A(good=["the ending is {very}satisfying", "I finished it in one weekend"],
                      bad=["the ending felt rushed and lazy", "it took me a month to force my way through it"],
                      meh=["the middle section drags a little", "the ending was fine, if a little obvious"]),
                ],
                purposes=["a long vacation", "my book club", "the beach", "my commute"], durable=False),
            Group(
                products=["biography", "history book", "self-help book", "travel guide"],
                aspects=[
                    A(good=["the author clearly knows the subject", "every chapter taught me something new"],
                      bad=["the author gets basic facts wrong", "the advice is recycled common sense",
                           "half the information is out of date"],
                      meh=["the research is solid if a bit dry", "some chapters are more useful than others"]),
                    A(good=["the writing is sharp and funny", "it reads like a novel"],
                      bad=["the prose is clumsy and repetitive", "it reads like a textbook from the seventies"],
                      meh=["the writing is serviceable", "the style is a little dry"]),
                ],
                purposes=["a history class", "a trip to Portugal", "my book club", "a long flight"], durable=False),
            Group(
                products=["cookbook", "baking book"],
                aspects=[
                    A(good=["the recipes actually work as written", "every recipe I tried was a hit"],
                      bad=["half the recipes don't work", "the measurements are wrong in several recipes"],
                      meh=["a few of the recipes are worth keeping", "the recipes are fine but nothing new"]),
                    A(good=["the photos are {very}beautiful", "the instructions are easy to follow"],
                      bad=["there are hardly any photos", "the steps skip important details"],
                      meh=["the photos are simple but fine", "some steps could be explained better"]),
                ],
                purposes=["weeknight dinners", "holiday baking", "a new cook", "learning to bake bread"], durable=False),
            Group(
                products=["children's picture book", "bedtime story book"],
                aspects=[
                    A(good=["my kids ask for it every night", "my daughter laughs on every page"],
                      bad=["my kids lost interest by page three", "the story is a bit scary for little ones"],
                      meh=["my son likes it well enough", "it's cute but a bit long for a toddler"]),
                    A(good=["the illustrations are {very}beautiful", "the pictures are bright and charming"],
                      bad=["the illustrations are blurry", "the pictures look rushed"],
                      meh=["the illustrations are simple but fine"]),
                ],
                purposes=["bedtime reading", "my niece's birthday", "a preschool class", "rainy afternoons"],
                durable=False),
        ],
        aspects=[
            A(good=["the print quality is lovely", "the binding is sturdy"],
              bad=["pages started falling out", "the print is faded and crooked", "it arrived with a torn cover"],
              meh=["the font is a bit small", "the paper is thin but it's a paperback, so fine"]),
        ],
    ),
    "clothing": Category(
        groups=[
            Group(
                products=["t-shirt", "hoodie", "wool sweater", "summer dress", "pair of jeans"],
                aspects=[
                    A(good=["it fits true to size", "the fit is {very}flattering"],
                      bad=["the sizing is way off", "it is two sizes smaller than the chart says",
                           "the sleeves are absurdly long"],
                      meh=["it runs slightly large, so consider sizing down", "the fit is fine but a little boxy"]),
                    A(good=["the fabric is soft and breathable", "the material feels {very}high quality"],
                      bad=["the fabric is scratchy and thin", "it started pilling after one wear"],
                      meh=["the material is thinner than I expected", "the fabric is okay, not luxurious"]),
                    A(good=["it held up perfectly after several washes", "the color hasn't faded at all"],
                      bad=["it shrank a full size after one wash", "the seams split the first week"],
                      meh=["there's a little fading after a few washes", "one loose thread, otherwise holding up"]),
                ],
                purposes=["everyday wear", "a wedding", "the office", "lounging at home"]),
            Group(
                products=["rain jacket", "winter coat", "fleece vest"],
                aspects=[
                    A(good=["it keeps me warm without being bulky", "it kept me completely dry in a downpour"],
                      bad=["it doesn't keep out the cold at all", "it soaked through in light drizzle"],
                      meh=["it's warm enough for fall, not for real winter", "it's fine in light rain"]),
                    A(good=["the zipper is {very}smooth", "the pockets are deep and well placed"],
                      bad=["the zipper broke within a week", "the pockets are too small for a phone"],
                      meh=["the zipper sticks now and then", "the hood is a little small"]),
                ],
                purposes=["dog walks", "a trip to Scotland", "commuting by bike", "ski trips"]),
            Group(
                products=["pair of running shoes", "pair of winter boots", "pair of sandals"],
                aspects=[
                    A(good=["they are comfortable enough to wear all day", "there was no break-in period at all"],
                      bad=["my feet were covered in blisters", "the insoles flattened in a week"],
                      meh=["they're comfortable once you break them in", "the arch support is just okay"]),
                    A(good=["the sole grips well even on ice", "the stitching is {very}solid"],
                      bad=["the sole started peeling off", "they squeak with every step"],
                      meh=["the sole is wearing faster than I'd like", "there's a small scuff already"]),
                ],
                purposes=["running", "hiking trips", "standing all day at work", "the summer"]),
        ],
        aspects=[
            A(good=["the color is exactly as pictured", "it looks {very}sharp"],
              bad=["the color looks nothing like the photos", "it looks cheap in person"],
              meh=["the color is a shade darker than pictured", "it looks fine, a bit plain"]),
        ],
    ),
    "toys_games": Category(
        groups=[
            Group(
                products=["board game", "card game", "party game"],
                aspects=[
                    A(good=["the rules are easy to learn", "it's a hit at every game night"],
                      bad=["the rules contradict each other", "nobody wanted to play it a second time"],
                      meh=["the rules take a game or two to click", "it's fun the first few times"]),
                    A(good=["the cards are thick and well printed", "the components are {very}nice"],
                      bad=["the cards bend if you look at them", "the board is warped"],
                      meh=["the components are a bit cheap but usable", "the box insert is useless"]),
                ],
                purposes=["family game night", "a long car ride", "the holidays", "a party"]),
            Group(
                products=["building block set", "wooden train set", "jigsaw puzzle", "marble run"],
                aspects=[
                    A(good=["every piece was there", "the pieces fit together perfectly"],
                      bad=["several pieces were missing from the box", "the pieces don't snap together properly"],
                      meh=["one piece was missing but the company sent a replacement",
                           "some pieces are a bit loose"]),
                    A(good=["my kids play with it every day", "it kept my son busy for hours"],
                      bad=["the kids lost interest after ten minutes", "it was boring even for a five year old"],
                      meh=["it keeps them busy for a while", "the kids play with it now and then"]),
                ],
                purposes=["a birthday present", "rainy afternoons", "a playroom", "the holidays"]),
            Group(
                products=["remote control car", "toy drone"],
                aspects=[
                    A(good=["the battery lasts a good hour of play", "it is {very}fast"],
                      bad=["it eats batteries", "the remote stops working beyond a few feet"],
                      meh=["the battery gives about twenty minutes of play", "it's slower than the video suggests"]),
                    A(good=["it survived being crashed into every wall", "the controls are easy for kids"],
                      bad=["a wheel snapped off on the first day", "the controls are twitchy and hard to learn"],
                      meh=["it has a few scratches from crashes", "the controls take some practice"]),
                ],
                purposes=["a birthday present", "the backyard", "my nephew", "the holidays"]),
            Group(
                products=["plush toy", "baby doll"],
                aspects=[
                    A(good=["it is {very}soft and cuddly", "my toddler sleeps with it every night"],
                      bad=["the stitching came apart in a day", "an eye fell off almost immediately"],
                      meh=["it's a bit smaller than it looks in the photos", "it's cute, though not very soft"]),
                ],
                purposes=["a baby shower", "my niece", "a hospital visit", "a first birthday"]),
        ],
        aspects=[
            A(good=["it looks {very}well made", "the paint hasn't chipped at all"],
              bad=["small parts broke off almost immediately", "the paint chips if you look at it"],
              meh=["some of the paint is uneven", "the plastic feels a bit thin"]),
        ],
    ),
    "beauty": Category(
        groups=[
            Group(
                products=["moisturizer", "face serum", "body lotion", "sunscreen"],
                aspects=[
                    A(good=["my skin feels softer after a week", "my skin has never looked {very}clear"],
                      bad=["it broke me out within two days", "it gave me a rash", "it stings when I put it on"],
                      meh=["I haven't noticed much difference yet", "it works about as well as the drugstore brand"]),
                    A(good=["it absorbs quickly without feeling greasy", "the texture is silky"],
                      bad=["it leaves a sticky film", "it pills under my makeup"],
                      meh=["the texture is a bit thick", "it takes a minute to sink in"]),
                    A(good=["the scent is light and pleasant"],
                      bad=["the smell is overpowering and chemical"],
                      meh=["the scent fades quickly", "the smell is nothing special"]),
                ],
                purposes=["dry winter skin", "sensitive skin", "a beach trip", "my daily routine"], durable=False),
            Group(
                products=["shampoo", "conditioner", "hair oil"],
                aspects=[
                    A(good=["my hair has never looked {very}healthy", "my curls are finally defined"],
                      bad=["it left my hair greasy and flat", "my scalp itched for days"],
                      meh=["my hair feels about the same as before", "it works on some days and not others"]),
                    A(good=["it smells {very}fresh", "a little goes a long way"],
                      bad=["it smells like old crayons", "the bottle was half empty when it arrived"],
                      meh=["the scent is nothing special", "the bottle lasts about a month"]),
                ],
                purposes=["curly hair", "color treated hair", "my daily routine", "a swimmer's dry hair"],
                durable=False),
            Group(
                products=["lipstick", "nail polish", "mascara"],
                aspects=[
                    A(good=["the color stays on all day", "it goes on smoothly in one coat"],
                      bad=["the color wore off before lunch", "it's chalky and cakes up", "it smudges within an hour"],
                      meh=["the color lasts a few hours", "it needs two coats to look even"]),
                    A(good=["the shade is {very}pretty", "the shade matches the photo perfectly"],
                      bad=["the shade is nothing like the photo"],
                      meh=["the shade is a bit darker than I expected"]),
                ],
                purposes=["a wedding", "everyday wear", "date night", "work"], durable=False),
            Group(
                products=["hair dryer", "makeup brush set", "hair straightener"],
                aspects=[
                    A(good=["it dries my hair in half the time", "it heats up in seconds",
                            "the bristles are {very}soft"],
                      bad=["it pulls on my hair", "the brushes shed like crazy", "it overheats and shuts off"],
                      meh=["it takes a while to get hot", "a few bristles came out in the first wash"]),
                    A(good=["the cord is long and swivels", "it feels {very}solid in the hand"],
                      bad=["the switch broke within a month", "the handle came off"],
                      meh=["the cord is a little short", "it's a bit heavy to hold for long"]),
                ],
                purposes=["thick hair", "travel", "my daughter", "everyday use"]),
        ],
        aspects=[
            A(good=["the packaging is {very}pretty", "the cap seals tightly"],
              bad=["the cap leaked all over my bag", "it arrived with a cracked cap"],
              meh=["the packaging is plain", "the cap is a little stiff"]),
        ],
    ),
    "home_garden": Category(
        groups=[
            Group(
                products=["vacuum cleaner", "robot vacuum", "cordless stick vacuum"],
                aspects=[
                    A(good=["it picks up pet hair with ease", "the suction is {very}strong"],
                      bad=["the suction is pathetic", "it gets stuck under the couch every single day"],
                      meh=["it does an adequate job on hard floors", "it misses the corners"]),
                    A(good=["it is quieter than I expected", "the battery lasts for the whole house"],
                      bad=["it is deafeningly loud", "the battery dies halfway through the living room"],
                      meh=["it's loud but tolerable", "the battery covers two rooms at a time"]),
                ],
                purposes=["a house with two dogs", "a small apartment", "the stairs", "quick cleanups"]),
            Group(
                products=["storage shelf", "bookcase", "computer desk"],
                aspects=[
                    A(good=["assembly took ten minutes with no tools", "the instructions were clear"],
                      bad=["the holes didn't line up and half the screws were missing",
                           "assembly took three hours and two arguments"],
                      meh=["assembly took about an hour", "the instructions were readable enough"]),
                    A(good=["it is sturdy and doesn't wobble", "it holds a surprising amount of weight"],
                      bad=["it wobbles and feels flimsy", "the shelves sag under a few books"],
                      meh=["it's sturdy enough for light use", "it wobbles a little on carpet"]),
                ],
                purposes=["my home office", "the garage", "a kid's room", "a new apartment"]),
            Group(
                products=["set of bed sheets", "pair of curtains", "throw pillow", "shower curtain"],
                aspects=[
                    A(good=["the fabric is thick and soft", "the sheets stay {very}cool at night",
                            "they block out almost all the light"],
                      bad=["the fabric tore at the seams", "it feels like sandpaper",
                           "they let in so much light they're pointless"],
                      meh=["the fabric is thinner than I'd like", "they block some light but not all"]),
                    A(good=["it washes beautifully", "it came out of the dryer without a wrinkle"],
                      bad=["the color ran all over my other laundry", "it shrank in the first wash"],
                      meh=["it wrinkles a lot after washing", "it faded slightly after a few washes"]),
                ],
                purposes=["the guest room", "our bedroom", "a new apartment", "the living room"]),
            Group(
                products=["garden hose", "set of plant pots", "watering can", "patio umbrella"],
                aspects=[
                    A(good=["it survived a whole summer outdoors", "it doesn't leak at all"],
                      bad=["it kinks every few feet", "it leaks from the connector", "it rusted after one rain",
                           "it cracked after the first frost"],
                      meh=["it kinks now and then", "it faded a bit in the sun"]),
                    A(good=["it is {very}light and easy to move around", "the drainage holes work perfectly"],
                      bad=["it is far too heavy to move", "water pools in the bottom"],
                      meh=["it's a little heavy when full", "the drainage is okay"]),
                ],
                purposes=["the backyard", "my balcony garden", "the vegetable patch", "the patio"]),
        ],
        aspects=[
            A(good=["it looks great in our home", "the color goes with everything"],
              bad=["it looks cheap in person", "the color is a sickly shade of green"],
              meh=["it looks fine, a bit plain", "it's not the prettiest but it blends in"]),
        ],
    ),
    "sports_outdoors": Category(
        groups=[
            Group(
                products=["camping tent", "sleeping bag", "hiking backpack"],
                aspects=[
                    A(good=["it kept us completely dry during a downpour", "it kept me warm on a freezing night"],
                      bad=["it leaked the first time it rained", "I shivered all night in it"],
                      meh=["it's fine in light rain", "it's warm enough for summer camping"]),
                    A(good=["it packs down small and light", "it sets up in minutes"],
                      bad=["it's far too heavy to carry any distance",
                           "setting it up takes two people and an hour"],
                      meh=["it's a bit bulky but manageable", "setup takes a little practice"]),
                    A(good=["the zippers are {very}smooth", "the straps are padded and comfortable"],
                      bad=["the zipper broke on the first trip", "the straps dig into my shoulders"],
                      meh=["the zipper snags now and then", "the padding is thin but okay for short trips"]),
                ],
                purposes=["weekend camping", "a long hike", "a music festival", "a scout trip"]),
            Group(
                products=["yoga mat", "exercise mat", "foam roller"],
                aspects=[
                    A(good=["it doesn't slip at all", "it grips the floor {very}well"],
                      bad=["it slides around on the floor", "it gets slippery as soon as I sweat"],
                      meh=["it's a bit slippery until you break it in", "it slips a little on hardwood"]),
                    A(good=["it cushions my knees {very}well", "it is firm without being hard"],
                      bad=["it's too thin to protect my knees", "it went flat within a month"],
                      meh=["it's a little thin but fine on carpet", "it's softer than I'd like"]),
                    A(good=["it still looks new after a year of daily use"],
                      bad=["it started flaking after a month", "it tore along the edge in the first week"],
                      meh=["it shows some wear after a few months", "the edges are curling a little"]),
                ],
                purposes=["my morning workouts", "hot yoga", "physical therapy", "stretching after runs"]),
            Group(
                products=["set of resistance bands", "dumbbell set", "kettlebell"],
                aspects=[
                    A(good=["the handles are {very}comfortable", "the grip feels secure even with sweaty hands"],
                      bad=["the handles gave me blisters", "the grip is slippery and uncomfortable"],
                      meh=["the handles are okay with gloves", "the grip is a bit rough"]),
                    A(good=["nothing has broken after a year of daily use", "it is {very}tough"],
                      bad=["one of the bands snapped in the first week", "the coating chipped the first time I set it down"],
                      meh=["it shows some wear after a few months", "the coating has a few chips"]),
                ],
                purposes=["a home gym", "physical therapy", "training for a race", "working out while traveling"]),
            Group(
                products=["water bottle", "insulated tumbler", "travel mug"],
                aspects=[
                    A(good=["it keeps water cold all day", "my coffee is still hot at lunch"],
                      bad=["my water is warm by noon", "my coffee is cold within an hour"],
                      meh=["it keeps drinks cool for a few hours", "it keeps coffee warm, not hot"]),
                    A(good=["the lid seals {very}tightly", "it doesn't leak even upside down in my bag"],
                      bad=["the lid leaks all over my bag", "the paint chipped off the first week"],
                      meh=["the lid drips a little if you tip it", "the paint has a few scuffs"]),
                ],
                purposes=["the gym", "a long hike", "my commute", "the office"]),
            Group(
                products=["bike helmet", "pair of cycling gloves", "bike light"],
                aspects=[
                    A(good=["it fits snugly and feels safe", "it is {very}bright even in daylight"],
                      bad=["it sits crooked no matter how I adjust it", "the mount broke on the first bumpy road"],
                      meh=["the fit is okay once you adjust it", "it's bright enough for city streets"]),
                    A(good=["it stays comfortable on long rides"],
                      bad=["it gets unbearably hot on long rides", "the strap rubs my skin raw"],
                      meh=["it's a little warm on hot days"]),
                ],
                purposes=["commuting by bike", "mountain biking", "my son", "night rides"]),
        ],
        aspects=[],
    ),
    "pet_supplies": Category(
        groups=[
            Group(
                products=["dog bed", "chew toy", "dog leash", "dog harness"],
                aspects=[
                    A(good=["my dog {really}loves it", "my dog carries it around all day"],
                      bad=["the dog ignores it completely", "my dog won't even sniff it"],
                      meh=["the dog likes it well enough", "my dog uses it now and then"]),
                    A(good=["it has survived months of chewing", "it is {very}well made"],
                      bad=["my puppy destroyed it in an afternoon", "the clip snapped on our second walk"],
                      meh=["there are a few chew marks but it's holding up",
                           "the stitching is coming loose in one spot"]),
                ],
                purposes=["our new puppy", "a senior dog", "road trips with the dog", "a big lab"]),
            Group(
                products=["cat scratching post", "cat tree", "cat tunnel"],
                aspects=[
                    A(good=["the cats fight over it", "my cat naps on it every afternoon"],
                      bad=["my cat won't go near it", "the cats still prefer the couch"],
                      meh=["the cat uses it now and then", "one of my cats likes it, the other doesn't"]),
                    A(good=["it is {very}stable even with two cats on it"],
                      bad=["it tips over when the cat jumps on it", "the sisal came unraveled in a week"],
                      meh=["it wobbles a little at the top", "the carpet is already a bit worn"]),
                ],
                purposes=["an older cat", "two kittens", "a small apartment", "an indoor cat"]),
            Group(
                products=["bag of cat litter", "box of puppy pads"],
                aspects=[
                    A(good=["it clumps really well", "it absorbs everything"],
                      bad=["it tracks all over the house", "it leaks straight through"],
                      meh=["it clumps okay but not great", "it absorbs most of it"]),
                    A(good=["it controls the smell completely"],
                      bad=["the smell is unbearable after a day", "the dust is awful"],
                      meh=["it controls the smell for a few days", "there's a bit of dust when you pour it"]),
                ],
                purposes=["a multi-cat home", "a new puppy", "a small apartment", "an older cat"], durable=False),
            Group(
                products=["automatic feeder", "pet water fountain", "fish tank filter"],
                aspects=[
                    A(good=["it dispenses right on schedule", "it keeps the water crystal clear"],
                      bad=["it jams every couple of days", "the water turned cloudy within a week"],
                      meh=["it works most days", "the water stays clear for a few days"]),
                    A(good=["it runs {very}quietly", "it takes two minutes to clean"],
                      bad=["the pump hums loudly all night", "it smells after a few days no matter what"],
                      meh=["there's a faint hum", "it's okay to clean if you're patient"]),
                ],
                purposes=["when we travel", "a twenty gallon tank", "two cats", "a busy household"]),
        ],
        aspects=[],
    ),
}

# Words and sentences that carry sentiment without being tied to one category.
# `{very}` goes before adjectives and adverbs, `{really}` before verbs ("I really love it", never "I very love it").
INTENSIFIERS = ["really", "very", "extremely", "super", "incredibly", "so", "truly", "remarkably"]
VERB_INTENSIFIERS = ["really", "absolutely", "truly", "seriously", "honestly"]
GOOD_ADJECTIVES = ["great", "excellent", "reliable", "well made", "fantastic", "solid", "impressive", "wonderful",
                   "awesome", "good", "nice", "sturdy"]
BAD_ADJECTIVES = ["flimsy", "disappointing", "cheap", "terrible", "awful", "poorly made", "useless", "overpriced",
                  "frustrating", "bad", "junky", "defective"]
MEH_ADJECTIVES = ["fine", "okay", "decent", "average", "alright", "passable", "ordinary", "acceptable", "so-so",
                  "reasonable", "mediocre"]

GOOD_GENERAL = [
    "The {product} is {very}{good}.", "I {really}love this {product}.", "Exactly what I was looking for.",
    "Worth every penny.", "Best {product} I have owned so far.", "It exceeded my expectations.",
    "Can't complain about anything.", "It's not {bad} at all.", "No regrets buying it.",
    "Quality is {very}good for the price.", "I couldn't be happier with it.", "It's {very}{good}, honestly.",
    "I didn't expect much, but it's {very}{good}.", "It does exactly what it promises.",
]
BAD_GENERAL = [
    "The {product} is {very}{bad}.", "What a waste of money.", "It doesn't work as advertised.",
    "It is not worth the price.", "I regret buying this {product}.", "Complete junk.", "Not what I expected at all.",
    "Honestly it's not {good}, it's {bad}.", "I would not recommend it to anyone.", "Save your money.",
    "It's {very}{bad}.", "I can't believe how {bad} it is.", "Nothing about it works the way it should.",
    "It never worked properly.",
]
MEH_GENERAL = [
    "It's {meh}.", "It does the job, nothing more.", "Not great, not terrible.", "It's fine for the price.",
    "It works, I guess.", "Nothing special, but nothing wrong with it either.", "It's an average {product}.",
    "Meh.", "I'm on the fence about it.", "It's okay for occasional use.", "Decent, but I expected a bit more.",
    "It gets the job done.", "Neither impressed nor disappointed.", "It's not bad, just not good either.",
    "It's \"fine\", I suppose.", "Pretty {meh} overall.", "It's {meh}, nothing to write home about.",
]

CONTEXT_OPENERS = [
    "I bought this {product} for my {person}.",
    "Picked this up on sale.", "Bought it as a gift.", "It arrived {delivery}.", "I needed {a_product} for {purpose}.",
    "My {person} recommended this {product}.", "Got this for {purpose}.", "I've had it for {duration}.",
    "I compared a few options before choosing this one.",
]
# Only for things that wear out and get replaced.
DURABLE_OPENERS = ["I've been using this {product} for {duration} now.",
                   "Ordered this {product} after my old one gave out.", "This is my second {product} from this brand.",
                   "Bought this to replace a {product} that lasted ten years."]
GOOD_OPENERS = ["Love this {product}!", "Really happy with this purchase.", "Wow.", "What a great find."]
BAD_OPENERS = ["Very disappointed.", "Ugh.", "Where do I even start.", "Buyer beware."]
MEH_OPENERS = ["Mixed feelings.", "This one is hard to rate.", "So, it's complicated.", "Well, it's okay."]

PEOPLE = ["husband", "wife", "son", "daughter", "mom", "dad", "roommate", "best friend", "sister", "brother",
          "grandmother", "coworker", "neighbor"]
DURATIONS = ["two weeks", "a month", "three months", "half a year", "a few days", "a year", "six weeks"]
DELIVERIES = ["a day early", "on time", "two days late", "in a crushed box", "well packaged", "quickly"]

GOOD_CLOSERS = ["Would buy again.", "Highly recommend.", "I'll be ordering another one.",
                "Already recommended it to my friends.", "Buy it, you won't regret it."]
MILD_GOOD_CLOSERS = ["Overall I'm happy with it.", "Good value overall.", "Would recommend with that caveat.",
                     "I'd still buy it again.", "Four stars because nothing is perfect."]
BAD_CLOSERS = ["Returning it.", "Avoid.", "I want my money back.", "Never buying from this brand again.",
               "Sending it back tomorrow."]
# Star counts named in the text only where they match the rating the text was written for.
EXTREME_GOOD_CLOSERS = GOOD_CLOSERS + ["Five stars from me."]
EXTREME_BAD_CLOSERS = BAD_CLOSERS + ["One star is generous."]
MILD_BAD_CLOSERS = ["Probably won't buy again.", "Not terrible, but not worth the money.", "I expected better.",
                    "I'd look elsewhere.", "Two stars because it sort of works."]
MEH_CLOSERS = ["Maybe it's worth it on sale.", "Might work for someone less picky.",
               "I'll keep it, but I won't rave about it.", "Would I buy it again? Maybe.",
               "Three stars feels about right.", "Your mileage may vary."]

GOOD_FRAMES = ["{Clause}.", "I love that {clause}.", "I was happy to see that {clause}.", "Best part: {clause}.",
               "{Clause}, which is great.", "Honestly, {clause}."]
BAD_FRAMES = ["{Clause}.", "Unfortunately {clause}.", "I was annoyed that {clause}.", "Worst part: {clause}.",
              "{Clause}, which is a real problem.", "Honestly, {clause}."]
MEH_FRAMES = ["{Clause}.", "As far as I can tell, {clause}.", "{Clause}, which is fine.", "Also, {clause}."]
CAVEAT_FRAMES = ["My only complaint is that {clause}.", "One small gripe: {clause}.",
                 "The only downside is that {clause}.", "It's not perfect, since {clause}."]
CONCESSION_FRAMES = ["To be fair, {clause}.", "The one good thing is that {clause}.",
                     "I'll admit {clause}, but that's it.", "Sure, {clause}, but it doesn't make up for the rest."]
MIXED_FRAMES = ["{Good}, but {bad}.", "{Bad}, although {good}.", "On one hand {good}; on the other hand {bad}.",
                "While {good}, {bad}.", "{Good}. Then again, {bad}.", "I like that {good}, but {bad}."]

# Whole reviews of a few words. The shared ones carry no sentiment at all, so the star rating alone decides.
TERSE = {
    "good": ["Works great.", "Love it.", "Perfect.", "Does the job well.", "Great {product}.", "Very happy.",
             "Excellent, thanks."],
    "bad": ["Broke.", "Junk.", "Doesn't work.", "Don't bother.", "Terrible {product}.", "Returned it."],
    "meh": ["It's ok.", "Fine.", "Meh.", "Average.", "Could be better.", "Okay I guess."],
}
TERSE_SHARED = ["As described.", "Arrived on time.", "Works.", "It's {a_product}.", "Does what it says.",
                "Bought it for {purpose}."]
TERSE_CHANCE = 0.07

EMOJI = {"good": ["\U0001F44D", "\U0001F60D", "\u2764\ufe0f"], "bad": ["\U0001F44E", "\U0001F621"], "meh": ["\U0001F937"]}
POLARITY_OF_RATING = {1: "bad", 2: "bad", 3: "meh", 4: "good", 5: "good"}


def sentiment_class(rating: int) -> str:
    """The class the text of a review with this rating expresses (the mapping preprocessing applies)."""
    return {"bad": "negative", "meh": "neutral", "good": "positive"}[POLARITY_OF_RATING[rating]]


def with_article(noun: str) -> str:
    return ("an " if noun[0].lower() in "aeiou" else "a ") + noun


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


class Composer:
    """Builds the text of one review from the word banks, drawing every choice from one random stream."""

    def __init__(self, rng: random.Random, category: Category, strong: bool) -> None:
        self.rng = rng
        group = rng.choice(category.groups)
        self.group = group
        self.product = rng.choice(group.products)
        self.strong = strong  # 1- and 5-star reviews lean on intensifiers
        self.aspects = list(group.aspects) + list(category.aspects) + [rng.choice(GLOBAL_ASPECTS)]
        self.context_openers = CONTEXT_OPENERS + (DURABLE_OPENERS if group.durable else [])
        self.unused_aspects: List[Aspect] = []

    def fill(self, template: str, **extra: str) -> str:
        rng = self.rng
        very_chance = 0.6 if self.strong else 0.25
        values = {
            "product": self.product,
            "a_product": with_article(self.product),
            "person": rng.choice(PEOPLE),
            "duration": rng.choice(DURATIONS),
            "delivery": rng.choice(DELIVERIES),
            "purpose": rng.choice(self.group.purposes),
            "good": rng.choice(GOOD_ADJECTIVES),
            "bad": rng.choice(BAD_ADJECTIVES),
            "meh": rng.choice(MEH_ADJECTIVES),
            "very": rng.choice(INTENSIFIERS) + " " if rng.random() < very_chance else "",
            "really": rng.choice(VERB_INTENSIFIERS) + " " if rng.random() < very_chance else "",
        }
        values.update(extra)
        values.update({key[:1].upper() + key[1:]: capitalize_first(value) for key, value in list(values.items())})
        return template.format(**values)

    def clause(self, polarity: str) -> str:
        """A clause about an aspect of the product not talked about yet in this review (until all have been)."""
        if not self.unused_aspects:
            self.unused_aspects = list(self.aspects)
            self.rng.shuffle(self.unused_aspects)
        aspect = self.unused_aspects.pop()
        phrases = {"good": aspect.good, "bad": aspect.bad, "meh": aspect.meh}[polarity]
        return self.fill(self.rng.choice(phrases))

    def aspect_sentence(self, polarity: str) -> str:
        frames = {"good": GOOD_FRAMES, "bad": BAD_FRAMES, "meh": MEH_FRAMES}[polarity]
        return self.fill(self.rng.choice(frames), clause=self.clause(polarity))

    def framed(self, frames: Sequence[str], polarity: str) -> str:
        return self.fill(self.rng.choice(frames), clause=self.clause(polarity))

    def mixed_sentence(self) -> str:
        return self.fill(self.rng.choice(MIXED_FRAMES), good=self.clause("good"), bad=self.clause("bad"))

    def general(self, polarity: str) -> str:
        bank = {"good": GOOD_GENERAL, "bad": BAD_GENERAL, "meh": MEH_GENERAL}[polarity]
        return self.fill(self.rng.choice(bank))

    def pick(self, bank: Sequence[str]) -> str:
        return self.fill(self.rng.choice(bank))


class Plan(NamedTuple):
    """The sentences of a review before they are put in order."""

    points: List[str]  # aspect sentences, in any order
    remarks: List[str]  # general remarks, slotted in anywhere among the points
    caveat: Optional[str]  # a word for the other side, after the points
    openers: Sequence[str]
    opener_chance: float
    closers: Sequence[str]
    closer_chance: float


def plan_extreme(c: Composer, polarity: str) -> Plan:
    """5 stars (good) or 1 star (bad): one-sided, emphatic, rarely a word for the other side."""
    rng = c.rng
    good = polarity == "good"
    points = [c.aspect_sentence(polarity) for _ in range(rng.choice([1, 1, 2, 2, 3]))]
    remarks = [c.general(polarity)] if rng.random() < 0.45 else []
    caveat = None
    if rng.random() < 0.12:
        caveat = c.framed(CAVEAT_FRAMES, "bad") if good else c.framed(CONCESSION_FRAMES, "good")
    return Plan(points, remarks, caveat, GOOD_OPENERS if good else BAD_OPENERS, 0.25,
                EXTREME_GOOD_CLOSERS if good else EXTREME_BAD_CLOSERS, 0.6)


def plan_leaning(c: Composer, polarity: str) -> Plan:
    """4 stars (good) or 2 stars (bad): mostly one-sided, often with a caveat or a lukewarm remark."""
    rng = c.rng
    good = polarity == "good"
    points = [c.aspect_sentence(polarity) for _ in range(rng.choice([1, 1, 2]))]
    remarks = [c.general(polarity)] if rng.random() < 0.3 else []
    caveat = None
    roll = rng.random()
    if roll < 0.45:
        caveat = c.framed(CAVEAT_FRAMES, "bad") if good else c.framed(CONCESSION_FRAMES, "good")
    elif roll < 0.65:
        remarks.append(c.general("meh"))
    elif roll < 0.85:
        points.append(c.aspect_sentence("meh"))
    mild, strong = (MILD_GOOD_CLOSERS, GOOD_CLOSERS) if good else (MILD_BAD_CLOSERS, BAD_CLOSERS)
    return Plan(points, remarks, caveat, GOOD_OPENERS if good else BAD_OPENERS, 0.1,
                mild if rng.random() < 0.65 else strong, 0.5)


def plan_ambivalent(c: Composer) -> Plan:
    """3 stars: praise and complaints side by side, or lukewarm throughout."""
    rng = c.rng
    roll = rng.random()
    if roll < 0.4:
        points = [c.mixed_sentence()]
    elif roll < 0.6:
        points = [c.aspect_sentence("meh") for _ in range(rng.choice([1, 2]))]
    elif roll < 0.8:
        points = [c.aspect_sentence("good"), c.aspect_sentence("bad")]
    else:
        # Leans one way but the reviewer still only gives three stars: the cases a model gets wrong.
        points = [c.aspect_sentence(rng.choice(["good", "bad"])), c.aspect_sentence("meh")]
    if rng.random() < 0.2:
        points.append(c.aspect_sentence(rng.choice(["good", "bad", "meh"])))
    remarks = [c.general("meh")] if rng.random() < 0.65 else []
    return Plan(points, remarks, None, MEH_OPENERS, 0.15, MEH_CLOSERS, 0.5)


def arrange(c: Composer, plan: Plan) -> List[str]:
    """Order the plan: an opener (emotional or context) maybe, the points with remarks among them, the caveat,
    a closer maybe."""
    rng = c.rng
    sentences = list(plan.points)
    rng.shuffle(sentences)
    for remark in plan.remarks:
        sentences.insert(rng.randrange(len(sentences) + 1), remark)
    if plan.caveat is not None:
        sentences.append(plan.caveat)
    roll = rng.random()
    if roll < plan.opener_chance:
        sentences.insert(0, c.pick(plan.openers))
    elif roll < plan.opener_chance + 0.5:
        sentences.insert(0, c.pick(c.context_openers))
    if rng.random() < plan.closer_chance:
        sentences.append(c.pick(plan.closers))
    return sentences


def compose_text(rng: random.Random, rating: int, category: Category) -> str:
    composer = Composer(rng, category, strong=rating in (1, 5))
    polarity = POLARITY_OF_RATING[rating]
    if rng.random() < TERSE_CHANCE:
        bank = TERSE_SHARED if rng.random() < 0.4 else TERSE[polarity]
        return roughen(rng, [composer.pick(bank)], polarity)
    if rating in (1, 5):
        plan = plan_extreme(composer, polarity)
    elif rating in (2, 4):
        plan = plan_leaning(composer, polarity)
    else:
        plan = plan_ambivalent(composer)
    return roughen(rng, arrange(composer, plan), polarity)


def roughen(rng: random.Random, sentences: List[str], polarity: str) -> str:
    """Make the text look typed by people: joins, HTML breaks, case, shouting, emoji and typos."""
    roll = rng.random()
    if roll < 0.06:
        text = "<br /><br />".join(sentences)
    elif roll < 0.09:
        text = "\n\n".join(sentences)
    else:
        text = " ".join(sentences)
    if rng.random() < 0.08:
        text = text.lower()
    if polarity != "meh" and rng.random() < 0.07:
        text = text[:-1] + "!!!" if text.endswith(".") else text + "!!"
    if rng.random() < 0.04:
        text += " " + rng.choice(EMOJI[polarity])
    if rng.random() < 0.2:
        text = add_typos(rng, text, rate=0.04)
    return text


def add_typos(rng: random.Random, text: str, rate: float) -> str:
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) < 4 or not word.isalpha() or rng.random() >= rate:
            continue
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(["swap", "drop", "double"])
        if kind == "swap":
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif kind == "drop":
            word = word[:i] + word[i + 1:]
        else:
            word = word[:i] + word[i] + word[i:]
        words[index] = word
    return " ".join(words)


# Malformed rows as they turn up in exported review data; preprocessing must skip and count each.
DIRTY_ROWS: List[Callable[[random.Random, str, str], List[str]]] = [
    lambda rng, text, rating: ["", rating],
    lambda rng, text, rating: ["   ", rating],
    lambda rng, text, rating: ["<br />", rating],
    lambda rng, text, rating: [text, ""],
    lambda rng, text, rating: [text, rng.choice(["N/A", "five", "4 stars", "?"])],
    lambda rng, text, rating: [text, rng.choice(["0", "6", "10", "-1", "4.5"])],
]


def generate_rows(rows: int, seed: int, label_noise: float = DEFAULT_LABEL_NOISE,
                  dirty_fraction: float = DEFAULT_DIRTY_FRACTION) -> List[List[str]]:
    """The data rows (without the header), in `COLUMNS` order."""
    # One stream per concern, so changing the noise or dirt rate leaves every text as it was.
    rng = random.Random(seed)
    noise_rng = random.Random("%d:label-noise" % seed)
    dirt_rng = random.Random("%d:dirty-rows" % seed)
    ratings = list(RATING_WEIGHTS)
    weights = [RATING_WEIGHTS[r] for r in ratings]
    category_names = list(CATEGORIES)
    out: List[List[str]] = []
    for index in range(rows):
        text_rating = rng.choices(ratings, weights)[0]
        category_name = rng.choice(category_names)
        text = compose_text(rng, text_rating, CATEGORIES[category_name])
        rating = text_rating
        if noise_rng.random() < label_noise:
            rating = noise_rng.choice([r for r in ratings if sentiment_class(r) != sentiment_class(text_rating)])
        fields = [text, str(rating)]
        if dirt_rng.random() < dirty_fraction:
            fields = dirt_rng.choice(DIRTY_ROWS)(dirt_rng, text, str(rating))
        out.append(["R%07d" % (index + 1), category_name] + fields)
    return out


def render_csv(rows: List[List[str]]) -> bytes:
    """UTF-8, RFC 4180 quoting (only where needed), LF line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def fraction(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1, got %s" % value)
    return number


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1, got %s" % value)
    return number


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Generate synthetic product reviews (deterministic).")
    parser.add_argument("--rows", type=positive_int, default=DEFAULT_ROWS, help="number of reviews")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed; same seed, same bytes")
    parser.add_argument("--label-noise", type=fraction, default=DEFAULT_LABEL_NOISE,
                        help="share of ratings that contradict their text")
    parser.add_argument("--dirty-fraction", type=fraction, default=DEFAULT_DIRTY_FRACTION,
                        help="share of malformed rows (empty text, bad rating)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "reviews.csv"),
                        help="output CSV path, or - for stdout")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    data = render_csv(generate_rows(args.rows, args.seed, args.label_noise, args.dirty_fraction))
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        directory = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(directory, exist_ok=True)
        with open(args.out, "wb") as handle:
            handle.write(data)
        print("wrote %d reviews to %s" % (args.rows, args.out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
