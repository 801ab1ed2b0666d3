"""The engine's input: a validated presentation as an immutable value.

Collections are kept in vocabulary order, so two presentations that differ
only in the order their lists were sent in are equal and score identically.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .measurements import Measurement
from .vocabulary import HISTORY, LOCATIONS, SYMPTOMS


@dataclass(frozen=True, slots=True)
class Symptom:
    code: str
    onset: str
    resolved: bool = False


@dataclass(frozen=True, slots=True)
class Twitch:
    locations: tuple[str, ...]
    side: str
    duration_days: int
    onset: str = "unknown"
    pattern: str | None = None
    spreading: bool = False
    worsening: bool = False
    interferes_with_vision: bool = False
    loss_of_facial_control: bool = False


@dataclass(frozen=True, slots=True)
class Context:
    poor_sleep: bool = False
    high_stress: bool = False
    low_fluid_intake: bool = False


@dataclass(frozen=True, slots=True)
class Presentation:
    age_years: int
    twitch: Twitch
    sex: str = "unknown"
    symptoms: tuple[Symptom, ...] = ()
    history: tuple[str, ...] = ()
    measurements: Mapping[str, Measurement] = field(default_factory=dict)
    context: Context = Context()

    def symptom(self, code: str) -> Symptom | None:
        return next((s for s in self.symptoms if s.code == code), None)


# Each vocabulary's order, computed once: the engine input is built on every POST.
LOCATION_ORDER = {code: index for index, code in enumerate(LOCATIONS)}
SYMPTOM_ORDER = {code: index for index, code in enumerate(SYMPTOMS)}
HISTORY_ORDER = {code: index for index, code in enumerate(HISTORY)}


def _in_vocabulary_order(codes: Iterable[str], order: Mapping[str, int]) -> tuple[str, ...]:
    return tuple(sorted(set(codes), key=order.__getitem__))


def presentation_from_payload(payload: Mapping[str, Any]) -> Presentation:
    """Build the engine input from a request body that has passed validation.

    Optional fields take the contract's defaults; unknown codes raise KeyError.
    """
    twitch = dict(payload["twitch"])
    twitch["locations"] = _in_vocabulary_order(twitch["locations"], LOCATION_ORDER)
    symptoms = sorted(
        (Symptom(s["code"], s["onset"], s.get("resolved", False)) for s in payload.get("symptoms", ())),
        key=lambda symptom: SYMPTOM_ORDER[symptom.code],
    )
    measurements = {
        name: Measurement(name=name, **values) for name, values in sorted(payload.get("measurements", {}).items())
    }
    patient = payload["patient"]
    return Presentation(
        age_years=patient["age_years"],
        sex=patient.get("sex", "unknown"),
        twitch=Twitch(**twitch),
        symptoms=tuple(symptoms),
        history=_in_vocabulary_order(payload.get("history", ()), HISTORY_ORDER),
        measurements=measurements,
        context=Context(**payload.get("context", {})),
    )
