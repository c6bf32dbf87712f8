"""Generates ACLED-like synthetic data in our ontology (events, actors, places, sources, claims) at any size.

The proportions follow what ACLED exports look like: a few dozen countries, each with first-
and second-level regions and many towns and villages; about one actor per 150 events with a
long-tailed (Zipf) share of events; mostly day-precise dates, some part-of-day and month-precise
ones; battles with two combatants, attacks with a perpetrator and a target (often civilians);
one to three casualty claims per event from different media outlets (killed, wounded, captured,
missing), most reported, some corroborated by another outlet, disputed, uncorroborated or "not
reported"; year-long campaigns that some events are part of; and a few actors known under a
second IRI joined by `owl:sameAs` (as after merging two data sets). Output conforms to the
shipped shapes. The same seed gives the same bytes.

Triples are written as N-Triples/N-Quads lines directly (fast enough for millions of events);
other formats are converted with pyoxigraph. A `.gz` suffix compresses. `.csv` writes the
events as an ACLED export instead (for the importer's benchmark).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from conflictkg.errors import UsageError

CKG = "https://w3id.org/conflictkg/ontology#"
KID = "https://w3id.org/conflictkg/id/"
CKV = "https://w3id.org/conflictkg/vocab/"
KGR = "https://w3id.org/conflictkg/graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"

GRAPH = KGR + "synthetic"
FIRST_DAY = dt.date(2018, 1, 1)
DAYS = (dt.date(2024, 12, 31) - FIRST_DAY).days + 1

COUNTRY_NAMES = [
    "Mali", "Burkina Faso", "Niger", "Nigeria", "Chad", "Cameroon", "Sudan", "South Sudan", "Ethiopia",
    "Somalia", "Kenya", "Mozambique", "Democratic Republic of Congo", "Central African Republic", "Libya",
    "Yemen", "Syria", "Iraq", "Afghanistan", "Pakistan", "Myanmar", "Philippines", "Colombia", "Mexico",
    "Haiti", "Ukraine", "Lebanon", "Palestine", "Benin", "Togo", "Mauritania", "Algeria", "Egypt", "Uganda",
    "Burundi", "Rwanda", "Tanzania", "Ghana", "Cote d'Ivoire", "Guinea",
]
SYLLABLES = ["ka", "ba", "ma", "ni", "so", "to", "ga", "ko", "la", "di", "wa", "ra", "se", "mo", "du", "fa",
             "na", "ti", "yo", "bu", "ke", "za", "lo", "sa", "ha", "ju", "pe", "ro", "gu", "me"]
GROUP_WORDS = ["Front", "Movement", "Brigade", "Army", "Militia", "Coalition", "Group", "Forces", "Union", "Council"]
GROUP_ADJECTIVES = ["Liberation", "Patriotic", "Popular", "Islamic", "National", "Revolutionary", "Democratic",
                    "United", "Free", "Northern", "Southern", "Eastern", "Western", "Defence", "Salvation"]
OUTLET_WORDS = ["Times", "Herald", "Radio", "News", "Post", "Observer", "Tribune", "Agency", "Daily", "Voice"]

# (share, our event-type concept, class, ACLED event type, ACLED sub-event type, role pattern)
EVENT_KINDS = [
    (0.30, "attack", "Attack", "Battles", "Armed clash", "battle"),
    (0.18, "attack", "Attack", "Violence against civilians", "Attack", "against-civilians"),
    (0.12, "attack", "Attack", "Explosions/Remote violence", "Shelling/artillery/missile attack", "one-sided"),
    (0.05, "attack", "Attack", "Explosions/Remote violence", "Remote explosive/landmine/IED", "one-sided"),
    (0.08, "raid", "Raid", "Battles", "Armed clash", "battle"),
    (0.05, "seizure-of-position", "SeizureOfPosition", "Battles", "Non-state actor overtakes territory", "battle"),
    (0.03, "recapture-of-position", "RecaptureOfPosition", "Battles", "Government regains territory", "battle"),
    (0.06, "destruction-of-property", "DestructionOfProperty", "Strategic developments", "Looting/property destruction", "one-sided"),
    (0.04, "looting", "Looting", "Strategic developments", "Looting/property destruction", "one-sided"),
    (0.03, "taking-of-prisoners", "TakingOfPrisoners", "Violence against civilians", "Abduction/forced disappearance", "against-civilians"),
    (0.02, "pursuit", "Pursuit", "Battles", "Armed clash", "battle"),
    (0.01, "suicide-vehicle-bombing", "SuicideVehicleBombing", "Explosions/Remote violence", "Suicide bomb", "one-sided"),
    (0.01, "suicide-bombing", "Attack", "Explosions/Remote violence", "Suicide bomb", "one-sided"),
    (0.02, "statement", "Statement", "Strategic developments", "Other", "statement"),
]
CASUALTY_KINDS = [(0.72, "killed"), (0.18, "wounded"), (0.05, "captured"), (0.05, "missing")]
PARTS_OF_DAY = ["early morning", "morning", "afternoon", "evening", "night"]
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
         10: "ten", 12: "twelve", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty"}


@dataclass
class Place:
    iri: str
    label: str
    country: int


@dataclass
class Actor:
    iri: str
    label: str
    country: int
    alias: str | None = None


@dataclass
class World:
    """The fixed cast: countries, regions, places, actors, outlets, campaigns."""

    countries: list[Place] = field(default_factory=list)
    locations: list[Place] = field(default_factory=list)
    locations_by_country: list[list[Place]] = field(default_factory=list)
    forces: list[Actor] = field(default_factory=list)
    civilians: list[Actor] = field(default_factory=list)
    groups_by_country: list[list[Actor]] = field(default_factory=list)
    outlets: list[Actor] = field(default_factory=list)
    anonymous: list[Actor] = field(default_factory=list)
    campaigns: dict[tuple[int, int], str] = field(default_factory=dict)


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, value)))


class _Lines:
    """Collects N-Triples (or N-Quads) lines and hands them to `write` in big chunks."""

    def __init__(self, write: Callable[[bytes], None], graph: str | None) -> None:
        self.write = write
        self.suffix = f" <{graph}> .\n" if graph else " .\n"
        self.buffer: list[str] = []
        self.count = 0

    def iri(self, s: str, p: str, o: str) -> None:
        self.buffer.append(f"<{s}> <{p}> <{o}>{self.suffix}")
        self._maybe_flush()

    def lit(self, s: str, p: str, value: str, lang: str | None = "en", datatype: str | None = None) -> None:
        text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if datatype:
            tail = f"^^<{datatype}>"
        elif lang:
            tail = f"@{lang}"
        else:
            tail = ""
        self.buffer.append(f'<{s}> <{p}> "{text}"{tail}{self.suffix}')
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.buffer) >= 20000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.count += len(self.buffer)
            self.write("".join(self.buffer).encode("utf-8"))
            self.buffer = []


def _name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


def _pick(rng: random.Random, weighted: list[tuple[float, object]]):
    x = rng.random()
    for share, item in weighted:
        x -= share
        if x <= 0:
            return item
    return weighted[-1][1]


def _zipf_index(rng: random.Random, n: int) -> int:
    """An index in [0, n) with a long-tailed preference for small indexes."""
    return min(n - 1, int(n ** rng.random()) - 1)


def build_world(events: int, rng: random.Random, out: _Lines | None) -> World:
    """Countries, regions, places, actors and outlets sized for `events`; their triples go to `out`."""
    world = World()
    n_countries = _clamp(events / 2500, 5, len(COUNTRY_NAMES))
    n_locations = _clamp(events / 8, 30, 250_000)
    n_groups = _clamp(events / 150, 12, 20_000)
    n_outlets = _clamp(events / 500, 8, 3_000)
    t = out

    for c in range(n_countries):
        name = COUNTRY_NAMES[c]
        slug = name.lower().replace(" ", "-").replace("'", "")
        country = Place(f"{KID}place/syn/{slug}", name, c)
        world.countries.append(country)
        world.locations_by_country.append([])
        state = Actor(f"{KID}actor/syn/government-of-{slug}", f"Government of {name}", c)
        force = Actor(f"{KID}actor/syn/military-forces-of-{slug}", f"Military Forces of {name}", c)
        civilians = Actor(f"{KID}actor/syn/civilians-{slug}", f"Civilians ({name})", c)
        world.forces.append(force)
        world.civilians.append(civilians)
        world.groups_by_country.append([])
        if t:
            t.iri(country.iri, RDF_TYPE, CKG + "Country")
            t.lit(country.iri, RDFS_LABEL, name)
            t.iri(state.iri, RDF_TYPE, CKG + "State")
            t.lit(state.iri, RDFS_LABEL, state.label)
            t.iri(force.iri, RDF_TYPE, CKG + "StateArmedForce")
            t.lit(force.iri, RDFS_LABEL, force.label)
            t.iri(force.iri, CKG + "armedForcesOf", state.iri)
            t.iri(force.iri, CKG + "operatesIn", country.iri)
            t.iri(civilians.iri, RDF_TYPE, CKG + "Actor")
            t.lit(civilians.iri, RDFS_LABEL, civilians.label)

    # regions: up to 8 first-level regions per country, up to 4 second-level ones in each
    n_regions = _clamp(events / 1500, 2, 8)
    n_districts = _clamp(events / 5000, 2, 4)
    regions: list[list[Place]] = []
    for country in world.countries:
        seconds = []
        for r in range(n_regions):
            region_name = _name(rng, 3) + " Region"
            region = Place(f"{country.iri}/r{r}", region_name, country.country)
            if t:
                t.iri(region.iri, RDF_TYPE, CKG + "Region")
                t.lit(region.iri, RDFS_LABEL, region_name)
                t.iri(region.iri, CKG + "containedIn", country.iri)
            for s in range(n_districts):
                name = _name(rng, 2) + " District"
                district = Place(f"{region.iri}/d{s}", name, country.country)
                seconds.append(district)
                if t:
                    t.iri(district.iri, RDF_TYPE, CKG + "Region")
                    t.lit(district.iri, RDFS_LABEL, name)
                    t.iri(district.iri, CKG + "containedIn", region.iri)
        regions.append(seconds)

    for i in range(n_locations):
        c = _zipf_index(rng, n_countries)
        district = rng.choice(regions[c])
        kind = "Town" if rng.random() < 0.3 else "Village"
        name = _name(rng, rng.choice((2, 3)))
        place = Place(f"{KID}place/syn/l{i}", name, c)
        neighbours = world.locations_by_country[c]
        if t:
            t.iri(place.iri, RDF_TYPE, CKG + kind)
            t.lit(place.iri, RDFS_LABEL, name)
            t.iri(place.iri, CKG + "containedIn", district.iri)
            if neighbours and (rng.random() < 0.05 or len(neighbours) == 1):
                t.iri(place.iri, CKG + "near", rng.choice(neighbours).iri)
        world.locations.append(place)
        neighbours.append(place)
    for c, places in enumerate(world.locations_by_country):
        if not places:  # every country gets at least one place
            place = Place(f"{KID}place/syn/capital-{c}", _name(rng, 3), c)
            places.append(place)
            world.locations.append(place)
            if t:
                t.iri(place.iri, RDF_TYPE, CKG + "Town")
                t.lit(place.iri, RDFS_LABEL, place.label)
                t.iri(place.iri, CKG + "containedIn", regions[c][0].iri)

    groups: list[Actor] = []
    for g in range(n_groups):
        c = _zipf_index(rng, n_countries)
        label = f"{rng.choice(GROUP_ADJECTIVES)} {rng.choice(GROUP_WORDS)} of {_name(rng, 2)}"
        kind = "PrivateMilitaryCompany" if g % 400 == 7 else "NonStateArmedGroup"
        actor = Actor(f"{KID}actor/syn/g{g}", label, c)
        groups.append(actor)
        world.groups_by_country[c].append(actor)
        if t:
            t.iri(actor.iri, RDF_TYPE, CKG + kind)
            t.lit(actor.iri, RDFS_LABEL, label)
            t.lit(actor.iri, SKOS_ALT, "".join(w[0] for w in label.split() if w[0].isupper()))
            t.iri(actor.iri, CKG + "operatesIn", world.countries[c].iri)
            if g > 0 and rng.random() < 0.1:
                t.iri(actor.iri, CKG + "affiliateOf", groups[rng.randrange(g)].iri)
            if g == 2 or (g > 0 and rng.random() < 0.03):
                t.iri(actor.iri, CKG + "affiliatedWith", groups[rng.randrange(g)].iri)
        if g == 1 or rng.random() < 0.01:  # known under a second IRI too, as after a merge
            actor.alias = f"{KID}actor/syn-merged/g{g}"
            if t:
                t.iri(actor.alias, RDF_TYPE, CKG + "Actor")
                t.lit(actor.alias, RDFS_LABEL, label)
                t.iri(actor.alias, OWL_SAME_AS, actor.iri)
    for c, members in enumerate(world.groups_by_country):
        if not members:
            members.append(groups[rng.randrange(len(groups))])

    for o in range(n_outlets):
        label = f"{_name(rng, 2)} {rng.choice(OUTLET_WORDS)}"
        outlet = Actor(f"{KID}actor/syn-outlet/o{o}", label, -1)
        world.outlets.append(outlet)
        if t:
            t.iri(outlet.iri, RDF_TYPE, CKG + "MediaOutlet")
            t.lit(outlet.iri, RDFS_LABEL, label)
    for c, country in enumerate(world.countries):
        anonymous = Actor(f"{KID}actor/syn/local-sources-{c}", f"local sources in {country.label}", c)
        world.anonymous.append(anonymous)
        if t:
            t.iri(anonymous.iri, RDF_TYPE, CKG + "AnonymousLocalSource")
            t.lit(anonymous.iri, RDFS_LABEL, anonymous.label)
    return world


def _campaign(world: World, c: int, year: int, t: _Lines | None) -> str:
    key = (c, year)
    if key not in world.campaigns:
        iri = f"{KID}event/syn/campaign-{c}-{year}"
        world.campaigns[key] = iri
        if t:
            t.iri(iri, RDF_TYPE, CKG + "Campaign")
            t.iri(iri, CKG + "eventType", CKV + "event-type/campaign")
            t.lit(iri, RDFS_LABEL, f"{year} campaign in {world.countries[c].label}")
            t.iri(iri, CKG + "timePrecision", CKV + "precision/year")
            t.lit(iri, CKG + "earliestBegin", f"{year}-01-01", None, XSD + "date")
            t.lit(iri, CKG + "latestEnd", f"{year}-12-31", None, XSD + "date")
            t.iri(iri, CKG + "hasPlace", world.countries[c].iri)
    return world.campaigns[key]


@dataclass
class Event:
    """One generated event, with what an ACLED row needs."""

    number: int
    day: dt.date
    precision: str
    kind: tuple
    country: int
    place: Place
    actor1: Actor
    actor2: Actor | None
    fatalities: int
    outlets: list[Actor]


def _events(world: World, events: int, rng: random.Random, t: _Lines | None) -> Iterator[Event]:
    kinds = [(k[0], k) for k in EVENT_KINDS]
    n_outlets = len(world.outlets)
    for n in range(events):
        kind = _pick(rng, kinds)
        _share, concept, cls, _acled, _sub, roles = kind
        place = world.locations[rng.randrange(len(world.locations))]
        c = place.country
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        groups = world.groups_by_country[c]
        actor1 = groups[_zipf_index(rng, len(groups))]
        if roles == "battle":
            actor2 = world.forces[c] if rng.random() < 0.6 else groups[_zipf_index(rng, len(groups))]
        elif roles == "against-civilians":
            actor2 = world.civilians[c]
        elif roles == "one-sided":
            actor2 = world.forces[c] if rng.random() < 0.5 else None
        else:
            actor2 = None
        x = rng.random()
        precision = "day" if x < 0.88 else "part-of-day" if x < 0.97 else "month"
        fatalities = 0 if rng.random() < 0.4 else int(rng.paretovariate(1.3))
        outlets = rng.sample(world.outlets, k=min(n_outlets, _pick(rng, [(0.6, 1), (0.3, 2), (0.1, 3)])))
        event = Event(n, day, precision, kind, c, place, actor1, actor2, fatalities, outlets)
        if t:
            _event_triples(world, event, rng, t)
        yield event


def _event_triples(world: World, event: Event, rng: random.Random, t: _Lines) -> None:
    _share, concept, cls, _acled, sub, roles = event.kind
    iri = f"{KID}event/syn/e{event.number}"
    t.iri(iri, RDF_TYPE, CKG + cls)
    t.iri(iri, CKG + "eventType", f"{CKV}event-type/{concept}")
    day = event.day.isoformat()
    t.lit(iri, RDFS_LABEL, f"{sub}: {event.actor1.label}, {event.place.label} ({day})")
    t.iri(iri, CKG + "timePrecision", f"{CKV}precision/{event.precision}")
    if event.precision == "month":
        first = event.day.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        t.lit(iri, CKG + "earliestBegin", first.isoformat(), None, XSD + "date")
        t.lit(iri, CKG + "latestEnd", last.isoformat(), None, XSD + "date")
    else:
        t.lit(iri, CKG + "beginDate", day, None, XSD + "date")
        t.lit(iri, CKG + "endDate", day, None, XSD + "date")
        if event.precision == "part-of-day":
            t.lit(iri, CKG + "timeDescription", rng.choice(PARTS_OF_DAY))
    t.iri(iri, CKG + "hasPlace", event.place.iri)
    actor1 = event.actor1.alias if event.actor1.alias and rng.random() < 0.5 else event.actor1.iri
    if roles == "battle":
        t.iri(iri, CKG + "combatant", actor1)
        if event.actor2:
            t.iri(iri, CKG + "combatant", event.actor2.iri)
    elif roles in ("against-civilians", "one-sided"):
        t.iri(iri, CKG + "perpetrator", actor1)
        if event.actor2:
            t.iri(iri, CKG + "target", event.actor2.iri)
    else:
        t.iri(iri, CKG + "hasActor", actor1)
    if rng.random() < 0.2:
        t.iri(iri, CKG + "partOfCampaign", _campaign(world, event.country, event.day.year, t))
    if roles == "statement":
        return
    claims = []
    for k, outlet in enumerate(event.outlets):
        claim = f"{KID}claim/syn/e{event.number}-{k}"
        casualty = _pick(rng, CASUALTY_KINDS)
        x = rng.random()
        status = "reported" if x < 0.85 else "uncorroborated" if x < 0.93 else "disputed" if x < 0.98 else "not-reported"
        figure = event.fatalities if casualty == "killed" else int(rng.paretovariate(1.2))
        t.iri(claim, RDF_TYPE, CKG + "Claim")
        t.iri(claim, PROV + "wasAttributedTo", outlet.iri)
        t.iri(claim, SCHEMA + "about", iri)
        t.iri(claim, CKG + "claimKind", CKV + "claim-kind/casualties")
        t.iri(claim, CKG + "casualtyKind", f"{CKV}casualty/{casualty}")
        t.lit(claim, CKG + "articleLocation", "lead" if rng.random() < 0.8 else "Aftermath", None)
        if status == "not-reported":
            wording = f"did not report any {casualty}"
            t.lit(claim, RDFS_LABEL, f"{outlet.label}: no {casualty} figure")
        else:
            y = rng.random()
            if y < 0.65:
                low = high = figure
                wording = f"{WORDS.get(figure, str(figure))} {casualty}"
            elif y < 0.85:
                low, high = figure, figure + rng.randint(1, 5)
                wording = f"between {low} and {high} {casualty}"
            elif y < 0.95:
                low, high = figure + 1, None
                wording = f"over {figure} {casualty}"
            else:
                low = high = None
                wording = f"several dozen {casualty}"
            if low is not None:
                t.lit(claim, SCHEMA + "minValue", str(low), None, XSD + "integer")
            if high is not None:
                t.lit(claim, SCHEMA + "maxValue", str(high), None, XSD + "integer")
            t.lit(claim, RDFS_LABEL, f"{outlet.label}: {wording}")
        t.lit(claim, CKG + "wording", wording)
        if rng.random() < 0.15:
            t.iri(claim, CKG + "citesSource", world.anonymous[event.country].iri)
        concerned = event.actor2 or event.actor1
        t.iri(claim, CKG + "concernsActor", concerned.iri)
        claims.append((claim, status))
    # a second outlet sometimes corroborates the first outlet's claim
    if len(claims) >= 2 and claims[0][1] != "not-reported" and rng.random() < 0.3:
        t.iri(claims[1][0], CKG + "corroborates", claims[0][0])
        claims[0] = (claims[0][0], "corroborated")
    for claim, status in claims:
        t.iri(claim, CKG + "claimStatus", f"{CKV}status/{status}")


# ---------------------------------------------------------------------------------------------
# Writing


def generate(events: int, seed: int, write: Callable[[bytes], None], graph: str | None = None) -> int:
    """Write the N-Triples (or, with `graph`, N-Quads) of a synthetic data set; return the triple count."""
    if events < 1:
        raise UsageError("--events must be at least 1")
    rng = random.Random(seed)
    lines = _Lines(write, graph)
    world = build_world(events, rng, lines)
    for _event in _events(world, events, rng, lines):
        pass
    lines.flush()
    return lines.count


ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]


def generate_acled_csv(events: int, seed: int, write: Callable[[bytes], None]) -> int:
    """Write the synthetic events as an ACLED export (CSV with ACLED's columns); return the row count."""
    rng = random.Random(seed)
    world = build_world(events, rng, None)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ACLED_COLUMNS)
    count = 0
    for event in _events(world, events, rng, None):
        _share, _concept, _cls, acled_type, sub, roles = event.kind
        country = world.countries[event.country].label
        precision = {"day": "1", "part-of-day": "1", "month": "3"}[event.precision]
        inter1 = "2"
        inter2 = "" if event.actor2 is None else ("7" if event.actor2 in world.civilians else "1" if event.actor2 in world.forces else "2")
        writer.writerow([
            f"SYN{event.number}", event.day.isoformat(), event.day.year, precision, "Political violence", acled_type, sub,
            event.actor1.label, "", inter1, event.actor2.label if event.actor2 else "", "", inter2, "", "",
            "", "Synthetic", country, f"{_name(rng, 2)} Region", "", "", event.place.label,
            f"{rng.uniform(-30, 30):.4f}", f"{rng.uniform(-20, 50):.4f}", "1",
            "; ".join(o.label for o in event.outlets), "National", "", event.fatalities, "", "1700000000",
        ])
        count += 1
        if buffer.tell() > 1 << 20:
            write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    write(buffer.getvalue().encode("utf-8"))
    return count


def write_generated(path: str | Path, events: int, seed: int = 1) -> int:
    """Generate into `path` (format from the extension: .nt, .nq, .ttl, .trig, .jsonld, .csv; optional .gz).

    Returns the number of triples (or CSV rows). Written atomically.
    """
    from conflictkg.guard.files import write_atomic
    from conflictkg.graph.formats import RdfFormat, format_for_path

    name = Path(path).name.lower()
    compressed = name.endswith(".gz")
    base = name[:-3] if compressed else name
    count = 0

    def open_output(out: BinaryIO) -> tuple[BinaryIO, Callable[[], None]]:
        if compressed:
            zipped = gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0)
            return zipped, zipped.close  # type: ignore[return-value]
        return out, lambda: None

    if base.endswith(".csv"):
        def writer(out: BinaryIO) -> None:
            nonlocal count
            target, finish = open_output(out)
            count = generate_acled_csv(events, seed, target.write)
            finish()

        write_atomic(path, writer)
        return count
    fmt = format_for_path(base)
    if fmt is None:
        raise UsageError(f"{path}: cannot tell the format from the extension; use .nt, .nq, .ttl, .trig, .jsonld or .csv (optionally .gz)")

    def writer(out: BinaryIO) -> None:
        nonlocal count
        target, finish = open_output(out)
        if fmt in (RdfFormat.NTRIPLES, RdfFormat.NQUADS):
            count = generate(events, seed, target.write, GRAPH if fmt is RdfFormat.NQUADS else None)
        else:
            from conflictkg.graph.namespaces import PREFIXES
            from conflictkg.graph.oxigraph import convert

            chunks: list[bytes] = []
            graph = GRAPH if fmt.has_graphs else None
            count = generate(events, seed, chunks.append, graph)
            prefixes = {p: str(ns) for p, ns in PREFIXES.items()} if fmt is not RdfFormat.JSONLD else None
            convert(b"".join(chunks), graph is not None, target, fmt, prefixes)
        finish()

    write_atomic(path, writer)
    return count


__all__ = ["GRAPH", "generate", "generate_acled_csv", "write_generated"]
