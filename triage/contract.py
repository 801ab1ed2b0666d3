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

from collections.abc import Callable
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
        line_errors = [  # as raised, their messages kept (a custom error's type alone cannot rebuild it)
            InitErrorDetails(
                type=PydanticCustomError(error["type"], error["msg"], error.get("ctx")),
                loc=error["loc"],
                input=error["input"],
            )
            for error in errors
        ]
        line_errors += [
            InitErrorDetails(
                type=PydanticCustomError("repeated", message),
                loc=(index, "code") if by_code else (index,),
                input=valid[index],
            )
            for index in repeats
        ]
        raise ValidationError.from_exception_data("list", sorted(line_errors, key=lambda error: error["loc"]))

    return WrapValidator(validate)


Id = _text(min_length=1, max_length=64)


def _whole_number_in(minimum: int, maximum: int) -> Any:
    # The range on the integer itself (so that the JSON Schema says minimum and maximum), 38.0 read as 38 before.
    return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_whole_number)]


def _codes(vocabulary: dict[str, str] | tuple[str, ...]) -> Any:
    return Literal[tuple(vocabulary)]


def _code_list(vocabulary: dict[str, str], *, min_length: int = 0) -> Any:
    """A list of codes, each at most once (and so said in the schema)."""
    return Annotated[
        list[_codes(vocabulary)],
        Field(min_length=min_length, json_schema_extra={"uniqueItems": True}),
        _each_once("Repeated code."),
    ]


# --- the presentation --------------------------------------------------------------------


class Patient(Strict):
    reference: Id = Field(description="A pseudonymous id; never a name.")
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

    @classmethod
    def measurement(cls) -> str:
        return "serum_calcium"


class BloodGlucose(_Measurement):
    @classmethod
    def measurement(cls) -> str:
        return "blood_glucose"


TAKEN_RECENTLY = "Taken within the last 24 hours."


def _not_given(value: Any) -> bool:
    return value is None


class Measurements(Strict):
    """Only the measurements given are stored and shown: a missing one is unknown, never normal."""

    serum_calcium: SerumCalcium | None = Field(None, description=TAKEN_RECENTLY, exclude_if=_not_given)
    blood_glucose: BloodGlucose | None = Field(None, description=TAKEN_RECENTLY, exclude_if=_not_given)


class Context(Strict):
    poor_sleep: bool = False
    high_stress: bool = False
    low_fluid_intake: bool = False


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


def validated(model: type[Model], body: Any) -> Model:
    """`body` as `model`, or InvalidBody naming every bad field."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InvalidBody(exc) from exc


def canonical(body: Any) -> dict[str, Any]:
    """A request body's canonical form (PresentationInput.canonical), or InvalidBody."""
    return validated(PresentationInput, body).canonical()


def stored_canonical(payload: Any) -> dict[str, Any]:
    """A stored body in today's canonical form (a field added since it was stored: at its default)."""
    return PresentationInput.model_validate(payload, context=STORED).canonical()


# --- a clinician's review ------------------------------------------------------------------


REVIEW_STATUSES = tuple(Review.Status.values)


class ReviewInput(Strict):
    status: _codes(REVIEW_STATUSES)
    disposition: _text(max_length=200) = ""
    note: _text(max_length=2000, allow_line_breaks=True) = ""
