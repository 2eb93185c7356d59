"""English heuristics for sticky names: is an event in past tense, is a command an instruction.

Event Storming names follow two shapes: events say what happened, subject first ("Order Placed",
"Stock Ran Out", "Item Added To Cart"); commands say what to do, verb first ("Place Order").
Nothing here needs a dictionary of every word: we know the irregular verbs and the few words that
look like a regular past form but are not, and read the rest from word shape and word position.
"""

import re
from functools import lru_cache

# base, simple past, past participle ("/" separates accepted variants).
_IRREGULAR_VERBS = """
arise arose arisen | awake awoke awoken | be was/were been | bear bore borne/born
beat beat beaten | become became become | begin began begun | bend bent bent | bet bet bet
bid bid bid | bind bound bound | bite bit bitten | bleed bled bled | blow blew blown
break broke broken | breed bred bred | bring brought brought | broadcast broadcast broadcast
build built built | burn burnt/burned burnt/burned | burst burst burst | buy bought bought
cast cast cast | catch caught caught | choose chose chosen | cling clung clung | come came come
cost cost cost | creep crept crept | cut cut cut | deal dealt dealt | dig dug dug | dive dove/dived dived
do did done | draw drew drawn | dream dreamt/dreamed dreamt/dreamed | drink drank drunk
drive drove driven | eat ate eaten | fall fell fallen | feed fed fed | feel felt felt
fight fought fought | find found found | flee fled fled | fling flung flung | fly flew flown
forbid forbade forbidden | forecast forecast forecast | forget forgot forgotten
forgive forgave forgiven | freeze froze frozen | get got got/gotten | give gave given | go went gone
grind ground ground | grow grew grown | hang hung hung | have had had | hear heard heard
hide hid hidden | hit hit hit | hold held held | hurt hurt hurt | keep kept kept | kneel knelt knelt
know knew known | lay laid laid | lead led led | lean leant/leaned leant/leaned | leap leapt leapt
learn learnt/learned learnt/learned | leave left left | lend lent lent | let let let | lie lay lain
light lit lit | lose lost lost | make made made | mean meant meant | meet met met
mislay mislaid mislaid | mislead misled misled | mistake mistook mistaken | misunderstand
misunderstood misunderstood | overcome overcame overcome | overdo overdid overdone
overpay overpaid overpaid | override overrode overridden | oversee oversaw overseen
overtake overtook overtaken | overthrow overthrew overthrown | pay paid paid | prepay prepaid prepaid
prove proved proven/proved | put put put | quit quit quit | read read read | rebuild rebuilt rebuilt
redo redid redone | remake remade remade | repay repaid repaid | reset reset reset
resell resold resold | resend resent resent | retake retook retaken | rethink rethought rethought
rewrite rewrote rewritten | rid rid rid | ride rode ridden | ring rang rung | rise rose risen
run ran run | saw sawed sawn | say said said | see saw seen | seek sought sought | sell sold sold
send sent sent | set set set | sew sewed sewn | shake shook shaken | shed shed shed
shine shone shone | shoot shot shot | show showed shown | shrink shrank shrunk | shut shut shut
sing sang sung | sink sank sunk | sit sat sat | sleep slept slept | slide slid slid
sling slung slung | slit slit slit | speak spoke spoken | speed sped sped | spend spent spent
spill spilt/spilled spilt/spilled | spin spun spun | spit spat spat | split split split
spoil spoilt/spoiled spoilt/spoiled | spread spread spread | spring sprang sprung
stand stood stood | steal stole stolen | stick stuck stuck | sting stung stung | stink stank stunk
stride strode stridden | strike struck struck | string strung strung | strive strove striven
swear swore sworn | sweep swept swept | swell swelled swollen | swim swam swum | swing swung swung
take took taken | teach taught taught | tear tore torn | tell told told | think thought thought
throw threw thrown | thrust thrust thrust | tread trod trodden | undergo underwent undergone
understand understood understood | undertake undertook undertaken | undo undid undone
unwind unwound unwound | uphold upheld upheld | upset upset upset | wake woke woken | wear wore worn
weave wove woven | wed wed wed | weep wept wept | win won won | wind wound wound
withdraw withdrew withdrawn | withhold withheld withheld | withstand withstood withstood
wring wrung wrung | write wrote written | input input input | output output output
offset offset offset | outrun outran outrun | outsell outsold outsold
"""


def _parse_irregular(table: str) -> tuple[frozenset[str], frozenset[str]]:
    forms = table.replace("|", " ").split()
    assert len(forms) % 3 == 0, "every irregular verb needs base, past and participle"
    bases, pasts = set(), set()
    for i in range(0, len(forms), 3):
        bases.add(forms[i])
        pasts.update(forms[i + 1].split("/") + forms[i + 2].split("/"))
    return frozenset(bases), frozenset(pasts)


IRREGULAR_BASES, IRREGULAR_PAST_FORMS = _parse_irregular(_IRREGULAR_VERBS)

# Words ending in "ed" that are not a past form ("Speed Limit", "Red Flag", "Seed Data").
_NOT_PAST_ED = frozenset(
    """
    bed red need seed feed speed weed deed heed breed bleed greed steed reed creed tweed
    proceed exceed succeed indeed shred sled bobsled embed imbed infrared hundred kindred
    sacred naked wicked wretched rugged ragged jagged seabed flatbed hotbed sickbed roadbed
    riverbed
    """.split()
)
# "-eed" words that are a verb ending in "ee" plus "d" ("Terms Agreed").
_PAST_EED = frozenset("agreed disagreed freed guaranteed decreed refereed emceed".split())

# Words that may follow the verb of an event: particles, prepositions, adverbs of manner or time
# ("Stock Ran Out", "Item Added To Cart", "Order Shipped Late").
_AFTER_VERB = frozenset(
    """
    out up down off in on over away back through about around along aside apart together
    to from for by at into onto with without within of via per before after during until
    again twice late early today now successfully and or but not as than
    """.split()
)
# Words before the verb that make it not a past event ("Order Is Shipped", "Will Be Paid").
_NOT_PAST_MARKERS = frozenset("is are am be being get gets getting will shall should must can may might".split())

# Endings of nouns made from verbs ("Payment", "Registration", "Approval", "Delivery").
_NOUN_ENDINGS = (
    "tion", "sion", "ment", "ness", "ity", "ance", "ence", "ancy", "ency", "hood", "ism",
    "val", "sal", "wal", "rral", "ery", "ory",
)  # fmt: skip

# Verbs that look like nouns by their ending ("Implement Feature", "Query Stock").
_VERBS_WITH_NOUN_ENDINGS = frozenset(
    """
    implement document comment augment supplement complement experiment cement ferment segment
    torment increment lament mention question position function auction station sanction
    partition caution condition commission provision petition ration query
    """.split()
)

# Words that begin a noun phrase, never an instruction ("New Order", "Customer Places Order").
_NOT_VERBS = frozenset(
    """
    a an the new old all every each some any my our your their his her its this that these those
    no customer user client cart basket item product goods account parcel money card system
    warehouse courier admin manager catalogue catalog shop coupon voucher buyer seller supplier
    vendor merchant driver clerk team company website app
    """.split()
)

# Auxiliaries that make a statement with a subject, which an instruction never has.
_FINITE_AUXILIARIES = frozenset("is are am was were has have had will shall".split())

# Verbs whose object is followed by its new state ("Mark Order Paid", "Keep Item Reserved").
_COMPLEMENT_VERBS = frozenset("mark set flag tag label keep leave make get declare consider treat".split())

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """The lower-case words of a sticky's text; hyphenated parts count as separate words."""
    return _WORD.findall(text.lower())


def normalise_name(text: str) -> str:
    """The form under which two names count as the same ("Order  placed." == "order placed")."""
    return " ".join(words(text))


def _is_past_form(word: str) -> bool:
    if word in IRREGULAR_PAST_FORMS:
        return True
    if len(word) <= 3 or not word.endswith("ed") or word in _NOT_PAST_ED:
        return False
    if word.endswith("eed"):
        return word in _PAST_EED
    return True


def _past_verb_index(ws: list[str]) -> int | None:
    """Index of the past form that sits where the verb of an event sits, or None.

    That is last, or before a particle, preposition or adverb. Elsewhere a past form describes
    a noun ("Send Email To Registered Customer").
    """
    for i, word in enumerate(ws):
        if not _is_past_form(word):
            continue
        if i + 1 < len(ws) and ws[i + 1] not in _AFTER_VERB and not ws[i + 1].endswith("ly"):
            continue
        if any(w in _NOT_PAST_MARKERS for w in ws[:i]):
            return None  # "Order Is Shipped", "Payment Will Be Taken"
        return i
    return None


def _reads_as_instruction(ws: list[str], verb: int) -> bool:
    """A past form that completes an instruction rather than ending an event."""
    if verb == 0:
        # "Set Up Account": a verb whose past looks like its base, with more words after it.
        return len(ws) > 1 and ws[0] in IRREGULAR_BASES
    # "Mark Order As Paid", "Set Order Shipped": the past form is the object's new state.
    return ws[verb - 1] == "as" or (verb >= 2 and ws[0] in _COMPLEMENT_VERBS)


@lru_cache(maxsize=8192)
def is_past_tense(text: str) -> bool:
    """True when the text names something that happened: "Order Placed", "Stock Ran Out"."""
    ws = words(text)
    verb = _past_verb_index(ws)
    return verb is not None and not _reads_as_instruction(ws, verb)


def _looks_like_noun(word: str) -> bool:
    if word in _VERBS_WITH_NOUN_ENDINGS:
        return False
    return word in _NOT_VERBS or word.endswith(_NOUN_ENDINGS)


def _is_gerund(word: str) -> bool:
    # "Placing" but not "Ping" or "Bring": a gerund keeps a vowel before its "-ing".
    return word.endswith("ing") and any(v in word[:-3] for v in "aeiouy")


def _could_be_base_verb(word: str) -> bool:
    if word in IRREGULAR_BASES or word in _VERBS_WITH_NOUN_ENDINGS:
        return True
    if _looks_like_noun(word) or _is_gerund(word) or _is_past_form(word):
        return False  # "Payment", "Placing Order", "Placed Order", "Sent Email"
    if word.endswith("s") and not word.endswith(("ss", "us")):
        return False  # "Places Order" (third person) or a plural noun ("Goods")
    return len(word) > 1


@lru_cache(maxsize=8192)
def is_imperative(text: str) -> bool:
    """True when the text is an instruction, verb first: "Place Order", "Check Out Cart"."""
    ws = words(text)
    if not ws or not _could_be_base_verb(ws[0]):
        return False
    if any(w in _FINITE_AUXILIARIES for w in ws[1:]):
        return False  # "Order Is Shipped", "Order Will Be Paid": a statement about the order
    # "Order Placed" starts with a verb too, but its verb comes later: it is an event.
    verb = _past_verb_index(ws)
    return verb is None or verb == 0 or _reads_as_instruction(ws, verb)


def starts_with_whenever(text: str) -> bool:
    """Policies read "Whenever <event>, then <command>"."""
    ws = words(text)
    return bool(ws) and ws[0] == "whenever"


def starts_with_gerund(text: str) -> bool:
    """True for names of ongoing activity ("Placing Order")."""
    ws = words(text)
    return bool(ws) and _is_gerund(ws[0])


def looks_like_noun_phrase(text: str) -> bool:
    """True for names of things rather than of happenings ("Payment", "Order Placement")."""
    ws = words(text)
    return bool(ws) and _looks_like_noun(ws[-1])
