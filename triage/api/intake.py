"""Validating a submitted presentation: a compiled fast path for valid bodies, the serializer for the rest.

`PresentationInputSerializer` defines what is valid and writes every error message.
The msgspec types below are its compiled twin for the common case, a valid body,
checked in microseconds instead of a millisecond of nested DRF fields. The twin may
only be stricter: a body it accepts, the serializer accepts unchanged (a property test
holds it to that); anything it refuses goes to the serializer, which then accepts it
(38.0 as an integer, say) or names every bad field.
"""

import contextlib
from typing import Annotated, Any, Literal

import msgspec

from triage.api.serializers import PresentationInputSerializer
from triage.rules.measurements import LIMITS
from triage.rules.vocabulary import (
    CALCIUM_KINDS,
    HISTORY,
    LOCATIONS,
    PATTERNS,
    SEXES,
    SIDES,
    SYMPTOM_ONSETS,
    SYMPTOMS,
    TWITCH_ONSETS,
)
from triage.text import refused_character_class

UNSET = msgspec.UNSET


def validated_presentation(data: Any) -> dict[str, Any]:
    """The body as it will be stored, or a ValidationError (400) naming every bad field."""
    if _certainly_valid(data):
        return data
    serializer = PresentationInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.submitted_payload()


def _certainly_valid(data: Any) -> bool:
    try:
        body = msgspec.convert(data, PresentationBody)
    except ValueError:  # msgspec.ValidationError, or a lone surrogate msgspec cannot encode
        return False
    return body.codes_unique() and body.measurements_plausible()


# Text as StrictCharField takes it (triage.text), lone surrogates included; \Z, as $ would allow a final \n.
_NO_CONTROL = rf"\A[^{refused_character_class(allow_line_breaks=False, surrogates=True)}]*\Z"
_NO_CONTROL_BUT_LINE_BREAKS = rf"\A[^{refused_character_class(allow_line_breaks=True, surrogates=True)}]*\Z"

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_CONTROL)]
Notes = Annotated[str, msgspec.Meta(max_length=2000, pattern=_NO_CONTROL_BUT_LINE_BREAKS)]
Location = Literal[tuple(LOCATIONS)]
History = Literal[tuple(HISTORY)]


class _Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class Patient(_Strict):
    reference: Id
    age_years: Annotated[int, msgspec.Meta(ge=0, le=120)]
    sex: Literal[SEXES] = "unknown"


class Twitch(_Strict):
    locations: Annotated[list[Location], msgspec.Meta(min_length=1)]
    side: Literal[SIDES]
    duration_days: Annotated[int, msgspec.Meta(ge=0, le=36500)]
    onset: Literal[TWITCH_ONSETS] = "unknown"
    pattern: Literal[PATTERNS] | msgspec.UnsetType = UNSET
    spreading: bool = False
    worsening: bool = False
    interferes_with_vision: bool = False
    loss_of_facial_control: bool = False


class Symptom(_Strict):
    code: Literal[tuple(SYMPTOMS)]
    onset: Literal[tuple(SYMPTOM_ONSETS)]
    resolved: bool = False


class SerumCalcium(_Strict):
    value: float
    unit: Literal["mmol/L", "mg/dL"]
    kind: Literal[CALCIUM_KINDS] = "total"


class BloodGlucose(_Strict):
    value: float
    unit: Literal["mmol/L", "mg/dL"]


class Measurements(_Strict):
    serum_calcium: SerumCalcium | msgspec.UnsetType = UNSET
    blood_glucose: BloodGlucose | msgspec.UnsetType = UNSET


class Context(_Strict):
    poor_sleep: bool = False
    high_stress: bool = False
    low_fluid_intake: bool = False


class PresentationBody(_Strict):
    external_id: Id
    patient: Patient
    twitch: Twitch
    symptoms: list[Symptom] | msgspec.UnsetType = UNSET
    history: list[History] | msgspec.UnsetType = UNSET
    measurements: Measurements | msgspec.UnsetType = UNSET
    context: Context | msgspec.UnsetType = UNSET
    notes: Notes | msgspec.UnsetType = UNSET

    def codes_unique(self) -> bool:
        lists = [self.twitch.locations, self.history or [], [symptom.code for symptom in self.symptoms or []]]
        return all(len(set(codes)) == len(codes) for codes in lists)

    def measurements_plausible(self) -> bool:
        """The plausible range depends on the unit, which a type cannot say: checked here, as the serializer does."""
        if not self.measurements:
            return True
        for name in ("serum_calcium", "blood_glucose"):
            measurement = getattr(self.measurements, name)
            if measurement is not UNSET:
                limits = LIMITS[name][measurement.unit]
                if not limits.plausible_min <= measurement.value <= limits.plausible_max:
                    return False
        return True


def _compile() -> None:
    """Have msgspec compile PresentationBody's validator now, while one thread imports this module.

    msgspec (0.22) compiles a type's validator on its first use, and two threads doing that at once
    can crash the process with a segmentation fault (seen under gunicorn's threads, and reproduced
    outside it). Any conversion compiles the whole type, nested types included.
    """
    with contextlib.suppress(msgspec.ValidationError):
        msgspec.convert({}, PresentationBody)


_compile()
