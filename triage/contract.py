"""The intake contract, declared once: what a presentation may hold, its defaults, and its JSON Schema.

Everything else derives from these models: the API's validation and its OpenAPI request schema, the
stored body (`canonical`: every field, defaults filled in), the retry comparison (stored body against
stored body) and the engine's input (`triage.rules.presentation_from_payload`). A field added here
reaches all of them; `tests/api/test_contract.py` walks every field to hold that.

Strict as a clinical intake must be: unknown fields at any level, wrong types (`"forty"`, `38.5` or
`true` for an integer), non-finite numbers, repeated codes, control and invisible formatting characters
are all refused, each named by its dotted path (`triage.api.errors`). A whole number written as a float
(`38.0`) is that integer, as JSON Schema counts it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from triage.models import Review
from triage.rules.measurements import LIMITS, UNITS
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
from triage.text import REFUSED_MESSAGE, has_refused_characters, refused_character_class

# Validation context for a body read back from storage, which passed every check when it was stored: what runs in
# Python (hidden characters, repeats, plausible ranges) is not run again for each presentation a page shows.
STORED = {"stored": True}


def _stored(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


class Strict(BaseModel):
    """No field it does not declare, no coercion, immutable."""

    # Every field is in a body the service answers, defaults filled in: required in the response schemas.
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, json_schema_serialization_defaults_required=True
    )


# --- field types ---------------------------------------------------------------------


def _whole_number(value: Any) -> Any:
    # JSON has one number type: 38.0 is the integer 38 (as JSON Schema agrees); 38.5 and "38" stay refused.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _text_check(*, allow_line_breaks: bool) -> Callable[[str, ValidationInfo], str]:
    def refuse_hidden_characters(text: str, info: ValidationInfo) -> str:
        if not _stored(info) and has_refused_characters(text, allow_line_breaks=allow_line_breaks):
            raise PydanticCustomError("refused_characters", REFUSED_MESSAGE)
        return text

    return refuse_hidden_characters


def _text(*, max_length: int, min_length: int = 0, allow_line_breaks: bool = False, **field: Any) -> Any:
    """Text as triage.text takes it; the same rule as a JSON Schema pattern for integrators."""
    pattern = f"^[^{refused_character_class(allow_line_breaks=allow_line_breaks)}]*$"
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length, json_schema_extra={"pattern": pattern}, **field),
        AfterValidator(_text_check(allow_line_breaks=allow_line_breaks)),
    ]


def _each_once(message: str, *, by_code: bool = False) -> WrapValidator:
    """A list in which each code (each item's `code`, `by_code`) appears once: a repeat is named by its index
    (`twitch.locations.2`, `symptoms.1.code`) beside the list's other errors."""

    def code_of(item: Any) -> Any:
        if not by_code:
            return item
        return item.get("code") if isinstance(item, dict) else getattr(item, "code", None)

    def validate(items: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        if _stored(info):
            return handler(items)
        errors: list[Any] = []
        try:
            valid = handler(items)
        except ValidationError as exc:
            errors, valid = exc.errors(), items
            if not isinstance(items, list) or any(not error["loc"] for error in errors):
                raise  # about the list as a whole
        # Among the items whose code is valid: a repeat of a bad code is bad itself, and named already.
        bad = {error["loc"][0] for error in errors if error["loc"][1:] in ((), ("code",))}
        codes = [None if index in bad else code_of(item) for index, item in enumerate(valid)]
        repeats = [index for index, code in enumerate(codes) if code is not None and code in codes[:index]]
        if not errors and not repeats:
            return valid
        found = [(index, "code") if by_code else (index,) for index in repeats]
        _raise_all("list", errors, [(loc, message) for loc in found])

    return WrapValidator(validate)


def _raise_all(title: str, raised: list[Any], found: list[tuple[tuple, str]]) -> None:
    """One ValidationError with the errors pydantic raised and those found beside them, so that every bad field
    is named at once."""
    line_errors = [  # as raised, their messages kept (a custom error's type alone cannot rebuild it)
        InitErrorDetails(
            type=PydanticCustomError(error["type"], error["msg"], error.get("ctx")),
            loc=error["loc"],
            input=error["input"],
        )
        for error in raised
    ]
    line_errors += [
        InitErrorDetails(type=PydanticCustomError("invalid", message), loc=loc, input=None) for loc, message in found
    ]
    raise ValidationError.from_exception_data(
        title, sorted(line_errors, key=lambda error: tuple(map(str, error["loc"])))
    )


Id = _text(min_length=1, max_length=64)

# A pseudonymous id: letters, digits and `._:-` only, so a name or a date of birth with spaces or slashes is refused.
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


def _pseudonymous(reference: str, info: ValidationInfo) -> str:
    # Checked at intake only: references stored before rule set 2027.01 made this stricter are kept as they were.
    if not _stored(info) and not re.fullmatch(REFERENCE_PATTERN, reference):
        raise PydanticCustomError(
            "reference", "Must be 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit."
        )
    return reference


Reference = Annotated[
    str,
    Field(min_length=1, max_length=64, json_schema_extra={"pattern": REFERENCE_PATTERN}),
    AfterValidator(_pseudonymous),
]


def _whole_number_in(minimum: int, maximum: int) -> Any:
    # The range on the integer itself (so that the JSON Schema says minimum and maximum), 38.0 read as 38 before.
    return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_whole_number)]


@dataclass(frozen=True)
class CodeTitles:
    """The titles of a code field's codes, carried beside its type for what renders the contract as a form (the
    FHIR Questionnaire's answer options, triage.fhir): a vocabulary's own titles, else the code in words."""

    titles: tuple[tuple[str, str], ...]


def _in_words(code: str) -> str:
    return code.replace("_", " ").capitalize() if code.islower() else code  # a unit ("mmol/L") as written


def _codes(vocabulary: dict[str, str] | tuple[str, ...]) -> Any:
    titles = vocabulary.items() if isinstance(vocabulary, dict) else ((code, _in_words(code)) for code in vocabulary)
    return Annotated[Literal[tuple(vocabulary)], CodeTitles(tuple(titles))]


def _code_list(vocabulary: dict[str, str], *, min_length: int = 0) -> Any:
    """A list of codes, each at most once (and so said in the schema)."""
    return Annotated[
        list[_codes(vocabulary)],
        Field(min_length=min_length, json_schema_extra={"uniqueItems": True}),
        _each_once("Repeated code."),
    ]


# --- the presentation --------------------------------------------------------------------


class Patient(Strict):
    reference: Reference = Field(
        description="A pseudonymous id; never a name, a date of birth or a health-service number."
    )
    age_years: _whole_number_in(0, 120)
    sex: _codes(SEXES) = "unknown"


class Twitch(Strict):
    locations: _code_list(LOCATIONS, min_length=1)
    side: _codes(SIDES) = Field(description="`unknown` is read as possibly one-sided.")
    onset: _codes(TWITCH_ONSETS) = "unknown"
    duration_days: _whole_number_in(0, 36500)
    pattern: _codes(PATTERNS) | None = None
    spreading: bool = False
    worsening: bool = False
    interferes_with_vision: bool = False
    loss_of_facial_control: bool = False


class Symptom(Strict):
    code: _codes(SYMPTOMS)
    onset: _codes(SYMPTOM_ONSETS) = Field(description="Required: sudden, gradual, longstanding or unknown.")
    resolved: bool = Field(False, description="True if the symptom has gone.")


def _ranges_per_unit(schema: dict[str, Any], model: type["_Measurement"]) -> None:
    """The plausible ranges in the JSON Schema too, so that clients can know them before sending."""
    schema["allOf"] = [
        {
            "if": {"properties": {"unit": {"const": unit}}, "required": ["unit"]},
            "then": {"properties": {"value": {"minimum": limits.plausible_min, "maximum": limits.plausible_max}}},
        }
        for unit, limits in LIMITS[model.measurement()].items()
    ]


class _Measurement(Strict):
    """A laboratory value, plausible for its unit (declared before the value, so the value's check can read it)."""

    model_config = ConfigDict(json_schema_extra=_ranges_per_unit)

    unit: _codes(UNITS)
    value: Annotated[float, Field(allow_inf_nan=False)]

    @field_validator("value")
    @classmethod
    def _plausible(cls, value: float, info: ValidationInfo) -> float:
        unit = info.data.get("unit")
        if unit is not None and not _stored(info):
            limits = LIMITS[cls.measurement()][unit]
            if not limits.plausible_min <= value <= limits.plausible_max:
                raise PydanticCustomError(
                    "implausible", f"Implausible: must be {limits.plausible_min:g}-{limits.plausible_max:g} {unit}."
                )
        return value

    @classmethod
    def measurement(cls) -> str:
        raise NotImplementedError


class SerumCalcium(_Measurement):
    kind: _codes(CALCIUM_KINDS) = Field("total", description="Ionised calcium has other ranges: rejected.")

    @field_validator("kind", mode="before")
    @classmethod
    def _not_ionised(cls, kind: object) -> object:
        # The likeliest wrong code gets a reason, not just "Unknown code": the rules' thresholds are total calcium's.
        if isinstance(kind, str) and kind.strip().lower() in ("ionised", "ionized"):
            raise PydanticCustomError(
                "ionised_calcium",
                "Ionised calcium is not accepted: its normal range differs from total calcium's, which the rules use. "
                "Send a total or albumin-adjusted serum calcium.",
            )
        return kind

    @classmethod
    def measurement(cls) -> str:
        return "serum_calcium"


class BloodGlucose(_Measurement):
    @classmethod
    def measurement(cls) -> str:
        return "blood_glucose"


class SerumMagnesium(_Measurement):
    @classmethod
    def measurement(cls) -> str:
        return "serum_magnesium"


TAKEN_RECENTLY = "Taken within the last 24 hours; where several were taken, the lowest."


def _not_given(value: Any) -> bool:
    return value is None


class Measurements(Strict):
    """Only the measurements given are stored and shown: a missing one is unknown, never normal."""

    serum_calcium: SerumCalcium | None = Field(None, description=TAKEN_RECENTLY, exclude_if=_not_given)
    blood_glucose: BloodGlucose | None = Field(None, description=TAKEN_RECENTLY, exclude_if=_not_given)
    serum_magnesium: SerumMagnesium | None = Field(None, description=TAKEN_RECENTLY, exclude_if=_not_given)


class Context(Strict):
    poor_sleep: bool = False
    high_stress: bool = False
    low_fluid_intake: bool = False
    stopped_heavy_drinking: bool = Field(
        False, description="Stopped or sharply cut down regular heavy drinking in the last 7 days."
    )


def _each_code_once(vocabulary: dict[str, str]) -> dict[str, Any]:
    """JSON Schema for "at most one item per code" (it has no uniqueness by property): for each code, between
    zero and one items that contain it."""
    return {
        "allOf": [
            {
                "contains": {"properties": {"code": {"const": code}}, "required": ["code"]},
                "minContains": 0,
                "maxContains": 1,
            }
            for code in vocabulary
        ]
    }


# RFC 3339: a date, a time and a UTC offset; a date alone or a time without an offset is refused.
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
CLOCK_SKEW = timedelta(minutes=5)
LAST_KNOWN_WELL_WINDOW = timedelta(days=7)


def _last_known_well(value: str, info: ValidationInfo) -> str:
    """Kept as submitted; at intake it must be a real time between 7 days before receipt and 5 minutes after."""
    if _stored(info):
        return value
    try:
        # RFC 3339 allows a lower-case "t" and "z"; Python reads only upper case.
        when = datetime.fromisoformat(value.upper()) if re.fullmatch(RFC3339, value) else None
    except ValueError:
        when = None
    if when is None:
        raise PydanticCustomError("date_time", "Must be an RFC 3339 date-time with a UTC offset.")
    received = (info.context or {}).get("received_at") or datetime.now().astimezone()
    if when > received + CLOCK_SKEW:
        raise PydanticCustomError("future", "Must not be later than the time of receipt.")
    if when < received - LAST_KNOWN_WELL_WINDOW:
        raise PydanticCustomError("too_old", "Must not be more than 7 days before the time of receipt.")
    return value


LastKnownWell = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time", "pattern": RFC3339},
        description="When the patient was last known to be at their usual self, before any current symptom began: "
        "an RFC 3339 date-time with a UTC offset, within the 7 days before receipt. Stored and shown, never scored.",
    ),
    AfterValidator(_last_known_well),
]


class PresentationInput(Strict):
    external_id: Id = Field(description="Idempotency key, unique per API client.")
    patient: Patient
    twitch: Twitch
    symptoms: Annotated[list[Symptom], _each_once("Repeated symptom.", by_code=True)] = Field(
        [], description="Every symptom of the last 7 days, each code once.", json_schema_extra=_each_code_once(SYMPTOMS)
    )
    history: _code_list(HISTORY) = []
    measurements: Measurements = Measurements()
    context: Context = Context()
    last_known_well: LastKnownWell | None = None
    notes: _text(max_length=2000, allow_line_breaks=True) | None = Field(
        None, description="Stored, never used for scoring, never logged."
    )

    def canonical(self) -> dict[str, Any]:
        """The body as stored and shown: every field of the contract, defaults filled in."""
        return self.model_dump(mode="json")


class InvalidBody(ValueError):
    """A request body the contract refuses: `errors` are pydantic's, each with its location (a 400)."""

    def __init__(self, exc: ValidationError) -> None:
        super().__init__(str(exc))
        self.errors = exc.errors()


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], body: Any, *, received_at: datetime | None = None) -> Model:
    """`body` as `model`, or InvalidBody naming every bad field (times checked against `received_at`, else now)."""
    try:
        return model.model_validate(body, context={"received_at": received_at})
    except ValidationError as exc:
        raise InvalidBody(exc) from exc


def canonical(body: Any, *, received_at: datetime | None = None) -> dict[str, Any]:
    """A request body's canonical form (PresentationInput.canonical), or InvalidBody."""
    return validated(PresentationInput, body, received_at=received_at).canonical()


def stored_canonical(payload: Any) -> dict[str, Any]:
    """A stored body in today's canonical form (a field added since it was stored: at its default)."""
    return PresentationInput.model_validate(payload, context=STORED).canonical()


# --- a clinician's review ------------------------------------------------------------------


REVIEW_STATUSES = tuple(Review.Status.values)
DISPOSITIONS = tuple(Review.Disposition.values)
# A flagged case is never closed without a reason on record.
NOTE_REQUIRED_WITH = frozenset({Review.Disposition.UNABLE_TO_CONTACT, Review.Disposition.NO_ACTION_NEEDED})


def _reasons_in_the_schema(schema: dict[str, Any]) -> None:
    """The rules of `_reasons_on_record`, as JSON Schema states them, for integrators and their tools."""
    schema["allOf"] = [
        {
            "if": {"properties": {"status": {"const": Review.Status.REVIEWED}}, "required": ["status"]},
            "then": {"properties": {"disposition": {"type": "string"}}, "required": ["disposition"]},
        },
        {
            "if": {"properties": {"disposition": {"enum": sorted(NOTE_REQUIRED_WITH)}}, "required": ["disposition"]},
            "then": {"properties": {"note": {"pattern": r"\S"}}, "required": ["note"]},
        },
    ]


class ReviewDecision(Strict):
    """A clinician's review as the admin takes it (the logged-in user is the reviewer)."""

    model_config = ConfigDict(json_schema_extra=_reasons_in_the_schema)

    status: _codes(REVIEW_STATUSES)
    disposition: _codes(DISPOSITIONS) | None = Field(
        None, description="What was done (a code from the catalogue's `dispositions`); required when `reviewed`."
    )
    note: _text(max_length=2000, allow_line_breaks=True) = Field(
        "", description="Required (not blank) with `unable_to_contact` and `no_action_needed`."
    )

    @model_validator(mode="wrap")
    @classmethod
    def _reasons_on_record(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        raised: list[Any] = []
        try:
            review = handler(data)
        except ValidationError as exc:
            raised, review = exc.errors(), None
        given = data if isinstance(data, dict) else {}
        status, disposition, note = given.get("status"), given.get("disposition"), given.get("note")
        found = []
        if status == Review.Status.REVIEWED and disposition is None:
            found.append((("disposition",), "Required when the status is reviewed."))
        if (
            isinstance(disposition, str)
            and disposition in NOTE_REQUIRED_WITH
            and not (isinstance(note, str) and note.strip())
        ):
            found.append((("note",), f"Required with the disposition {disposition}: say what was done, or why."))
        named = {error["loc"][:1] for error in raised}
        found = [(loc, message) for loc, message in found if loc not in named]
        if raised or found:
            _raise_all(cls.__name__, raised, found)
        return review


class ReviewInput(ReviewDecision):
    """A review recorded with an API key (a clinician's tool): it names the person who decided."""

    reviewed_by: Reference = Field(
        description="The person who made the decision: a staff identifier of the tool's own directory."
    )
