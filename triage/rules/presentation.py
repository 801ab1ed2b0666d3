"""The engine's input: a presentation in the contract's canonical form (triage.contract) as an immutable value.

No defaults here: the contract fills them in. Collections are kept in vocabulary order, so two
presentations that differ only in the order their lists were sent in are equal and score identically.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .measurements import Measurement
from .vocabulary import HISTORY, LOCATIONS, SYMPTOMS


@dataclass(frozen=True, slots=True)
class Symptom:
    code: str
    onset: str
    resolved: bool


@dataclass(frozen=True, slots=True)
class Twitch:
    locations: tuple[str, ...]
    side: str
    duration_days: int
    onset: str
    pattern: str | None
    spreading: bool
    worsening: bool
    interferes_with_vision: bool
    loss_of_facial_control: bool


@dataclass(frozen=True, slots=True)
class Context:
    poor_sleep: bool
    high_stress: bool
    low_fluid_intake: bool
    stopped_heavy_drinking: bool


@dataclass(frozen=True, slots=True)
class Presentation:
    age_years: int
    sex: str
    twitch: Twitch
    symptoms: tuple[Symptom, ...]
    history: tuple[str, ...]
    measurements: Mapping[str, Measurement]
    context: Context

    def symptom(self, code: str) -> Symptom | None:
        for s in self.symptoms:  # a plain loop: a generator costs more than the few symptoms sent
            if s.code == code:
                return s
        return None


# Each vocabulary's order, computed once: the engine input is built on every POST.
LOCATION_ORDER = {code: index for index, code in enumerate(LOCATIONS)}
SYMPTOM_ORDER = {code: index for index, code in enumerate(SYMPTOMS)}
HISTORY_ORDER = {code: index for index, code in enumerate(HISTORY)}


def _in_vocabulary_order(codes: Iterable[str], order: Mapping[str, int]) -> tuple[str, ...]:
    return tuple(sorted(set(codes), key=order.__getitem__))


def presentation_from_payload(payload: Mapping[str, Any]) -> Presentation:
    """Build the engine input from a presentation's canonical form (`triage.contract.canonical`)."""
    twitch = dict(payload["twitch"])
    twitch["locations"] = _in_vocabulary_order(twitch["locations"], LOCATION_ORDER)
    symptoms = sorted((Symptom(**s) for s in payload["symptoms"]), key=lambda symptom: SYMPTOM_ORDER[symptom.code])
    measurements = {name: Measurement(name=name, **values) for name, values in sorted(payload["measurements"].items())}
    patient = payload["patient"]
    return Presentation(
        age_years=patient["age_years"],
        sex=patient["sex"],
        twitch=Twitch(**twitch),
        symptoms=tuple(symptoms),
        history=_in_vocabulary_order(payload["history"], HISTORY_ORDER),
        measurements=measurements,
        context=Context(**payload["context"]),
    )
