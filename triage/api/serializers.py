"""Request and response shapes of the v1 API.

Input serializers validate strictly (unknown fields, codes, units and
implausible values are 400s); output serializers describe what the views
return, for the OpenAPI schema. Class names become the schema's component names.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from triage.api.fields import (
    CodeField,
    QueryBooleanField,
    QueryDateTimeField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictNumberField,
)
from triage.models import AuditEvent, Review, ReviewStatus
from triage.rules.measurements import LIMITS, UNITS
from triage.rules.vocabulary import (
    CALCIUM_KINDS,
    HISTORY,
    LEVEL_CODES,
    LOCATIONS,
    PATTERNS,
    RECOMMENDATIONS,
    SEXES,
    SIDES,
    SYMPTOM_ONSETS,
    SYMPTOMS,
    TWITCH_ONSETS,
)

NON_FIELD_ERRORS = serializers.api_settings.NON_FIELD_ERRORS_KEY
LEVELS = list(LEVEL_CODES.values())  # the level codes, least urgent first


class StrictSerializer(serializers.Serializer):
    # Rejects fields it does not know, alongside every other error in the same body.
    # (A comment, not a docstring: the schema would show a docstring on every subclass.)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({serializers.api_settings.NON_FIELD_ERRORS_KEY: ["Must be an object."]})
        errors: dict[str, Any] = {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail)
        errors.update({name: ["Unknown field."] for name in data if name not in self.fields})
        if errors:
            raise serializers.ValidationError(errors)
        return value


class UniqueCodeListField(serializers.ListField):
    """A list of vocabulary codes, each at most once."""

    def __init__(self, *, choices: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(child=CodeField(choices=list(choices)), **kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str | Mapping) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        try:
            codes, errors = super().to_internal_value(data), {}
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, Mapping):
                raise  # about the list as a whole
            codes, errors = list(data), dict(exc.detail)  # by index: the bad codes
        # Repeats are named beside bad codes. A repeat of a bad code is bad itself, so already named.
        repeats = {i: ["Repeated code."] for i, code in enumerate(codes) if i not in errors and code in codes[:i]}
        if errors or repeats:
            raise serializers.ValidationError({i: errors.get(i) or repeats[i] for i in sorted({*errors, *repeats})})
        return codes


# --- input ------------------------------------------------------------------------


class PatientInputSerializer(StrictSerializer):
    reference = StrictCharField(min_length=1, max_length=64, help_text="A pseudonymous id; never a name.")
    age_years = StrictIntegerField(min_value=0, max_value=120)
    sex = CodeField(choices=SEXES, required=False, default="unknown")


class TwitchInputSerializer(StrictSerializer):
    locations = UniqueCodeListField(choices=LOCATIONS, min_length=1)
    side = CodeField(choices=SIDES, help_text="`unknown` is read as possibly one-sided.")
    onset = CodeField(choices=TWITCH_ONSETS, required=False, default="unknown")
    duration_days = StrictIntegerField(min_value=0, max_value=36500)
    pattern = CodeField(choices=PATTERNS, required=False)
    spreading = StrictBooleanField(required=False, default=False)
    worsening = StrictBooleanField(required=False, default=False)
    interferes_with_vision = StrictBooleanField(required=False, default=False)
    loss_of_facial_control = StrictBooleanField(required=False, default=False)


class SymptomInputSerializer(StrictSerializer):
    code = CodeField(choices=list(SYMPTOMS))
    onset = CodeField(choices=list(SYMPTOM_ONSETS), help_text="Required: sudden, gradual, longstanding or unknown.")
    resolved = StrictBooleanField(required=False, default=False, help_text="True if the symptom has gone.")


class SymptomListSerializer(serializers.ListSerializer):
    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        try:
            symptoms, errors = super().to_internal_value(data), {}
        except serializers.ValidationError as exc:
            if NON_FIELD_ERRORS in exc.detail:
                raise  # about the list as a whole
            symptoms, errors = data, dict(exc.detail)  # by index: the bad items
        # Repeats are named beside other errors, among the items whose code is valid.
        codes = [
            item.get("code") if isinstance(item, Mapping) and "code" not in errors.get(i, {}) else None
            for i, item in enumerate(symptoms)
        ]
        repeats = {i for i, code in enumerate(codes) if code is not None and code in codes[:i]}
        if errors or repeats:
            repeated = {"code": ["Repeated symptom."]}
            raise serializers.ValidationError(
                # A repeat is an object whose code is valid; other items' errors may be lists (a null item).
                {
                    i: {**errors.get(i, {}), **repeated} if i in repeats else errors[i]
                    for i in sorted({*errors, *repeats})
                }
            )
        return symptoms


class MeasurementInputSerializer(StrictSerializer):
    measurement = ""  # set by subclasses: a key of LIMITS

    value = StrictNumberField()
    unit = CodeField(choices=list(UNITS))

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        try:
            return super().to_internal_value(data)  # validate() checks the range next
        except serializers.ValidationError as exc:
            errors = dict(exc.detail)
            # An implausible value is named beside the object's other errors, if value and unit are valid.
            if isinstance(data, Mapping) and not errors.keys() & {"value", "unit", NON_FIELD_ERRORS}:
                value, unit = (self.fields[name].run_validation(data[name]) for name in ("value", "unit"))
                errors.update(self._range_errors(value, unit))
            raise serializers.ValidationError(errors) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if errors := self._range_errors(attrs["value"], attrs["unit"]):
            raise serializers.ValidationError(errors)
        return attrs

    def _range_errors(self, value: float, unit: str) -> dict[str, list[str]]:
        limits = LIMITS[self.measurement][unit]
        if limits.plausible_min <= value <= limits.plausible_max:
            return {}
        return {"value": [f"Implausible: must be {limits.plausible_min:g}-{limits.plausible_max:g} {unit}."]}


class SerumCalciumInputSerializer(MeasurementInputSerializer):
    measurement = "serum_calcium"
    kind = CodeField(
        choices=CALCIUM_KINDS, required=False, default="total", help_text="Ionised calcium has other ranges: rejected."
    )


class BloodGlucoseInputSerializer(MeasurementInputSerializer):
    measurement = "blood_glucose"


class MeasurementsInputSerializer(StrictSerializer):
    serum_calcium = SerumCalciumInputSerializer(required=False, help_text="Taken within the last 24 hours.")
    blood_glucose = BloodGlucoseInputSerializer(required=False, help_text="Taken within the last 24 hours.")


class ContextInputSerializer(StrictSerializer):
    poor_sleep = StrictBooleanField(required=False, default=False)
    high_stress = StrictBooleanField(required=False, default=False)
    low_fluid_intake = StrictBooleanField(required=False, default=False)


class PresentationInputSerializer(StrictSerializer):
    external_id = StrictCharField(min_length=1, max_length=64, help_text="Idempotency key, unique per API client.")
    patient = PatientInputSerializer()
    twitch = TwitchInputSerializer()
    symptoms = SymptomListSerializer(
        child=SymptomInputSerializer(), required=False, help_text="Every symptom of the last 7 days, each code once."
    )
    history = UniqueCodeListField(choices=HISTORY, required=False)
    measurements = MeasurementsInputSerializer(required=False)
    context = ContextInputSerializer(required=False)
    notes = StrictCharField(
        max_length=2000, required=False, allow_blank=True, allow_line_breaks=True,
        help_text="Stored, never used for scoring, never logged.",
    )  # fmt: skip

    def submitted_payload(self) -> dict[str, Any]:
        """The body as submitted (no defaults added), with whole numbers sent as 38.0 stored as 38."""
        body, valid = self.initial_data, self.validated_data
        return {
            **body,
            "patient": {**body["patient"], "age_years": valid["patient"]["age_years"]},
            "twitch": {**body["twitch"], "duration_days": valid["twitch"]["duration_days"]},
        }


class PresentationQuerySerializer(serializers.Serializer):
    # The queue's filters, as query parameters; each one given narrows the list.
    level = serializers.ChoiceField(choices=LEVELS, required=False)
    flagged = QueryBooleanField(required=False)
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    received_after = QueryDateTimeField(required=False, help_text="Received at or after this time.")
    received_before = QueryDateTimeField(required=False, help_text="Received before this time, not at it.")


class ReviewInputSerializer(StrictSerializer):
    status = CodeField(choices=Review.Status.choices)
    disposition = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="", allow_line_breaks=True)


# --- output -----------------------------------------------------------------------


class PatientSerializer(serializers.Serializer):
    reference = serializers.CharField()
    age_years = serializers.IntegerField()
    sex = serializers.ChoiceField(choices=SEXES)


class TwitchSerializer(serializers.Serializer):
    locations = serializers.ListField(child=serializers.ChoiceField(choices=list(LOCATIONS)))
    side = serializers.ChoiceField(choices=SIDES)
    onset = serializers.ChoiceField(choices=TWITCH_ONSETS)
    duration_days = serializers.IntegerField()
    pattern = serializers.ChoiceField(choices=PATTERNS, allow_null=True)
    spreading = serializers.BooleanField()
    worsening = serializers.BooleanField()
    interferes_with_vision = serializers.BooleanField()
    loss_of_facial_control = serializers.BooleanField()


class SymptomSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(SYMPTOMS))
    onset = serializers.ChoiceField(choices=list(SYMPTOM_ONSETS))
    resolved = serializers.BooleanField()


class BloodGlucoseSerializer(serializers.Serializer):
    value = serializers.FloatField()
    unit = serializers.ChoiceField(choices=list(UNITS))


class SerumCalciumSerializer(BloodGlucoseSerializer):
    kind = serializers.ChoiceField(choices=CALCIUM_KINDS)


class MeasurementsSerializer(serializers.Serializer):
    serum_calcium = SerumCalciumSerializer(required=False)
    blood_glucose = BloodGlucoseSerializer(required=False)


class ContextSerializer(serializers.Serializer):
    poor_sleep = serializers.BooleanField()
    high_stress = serializers.BooleanField()
    low_fluid_intake = serializers.BooleanField()


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A rule code from GET /api/v1/rules/.")
    title = serializers.CharField()
    category = serializers.CharField()
    level = serializers.ChoiceField(choices=LEVELS)
    points = serializers.IntegerField()
    triggered_by = serializers.ListField(
        child=serializers.CharField(), help_text="Input paths that fired the rule, e.g. `symptoms.slurred_speech`."
    )
    rationale = serializers.CharField(help_text="One sentence for the clinician.")
    sources = serializers.ListField(child=serializers.CharField(), help_text="Evidence passage ids, e.g. `S06`.")


class AssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    level = serializers.ChoiceField(choices=LEVELS)
    flagged = serializers.BooleanField(help_text="True exactly when the level is urgent or emergency.")
    score = serializers.IntegerField(min_value=0, max_value=100)
    ruleset_version = serializers.CharField()
    assessed_at = serializers.DateTimeField()
    findings = FindingSerializer(many=True)
    recommendations = serializers.ListField(child=serializers.ChoiceField(choices=list(RECOMMENDATIONS)))


class PresentationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    external_id = serializers.CharField()
    received_at = serializers.DateTimeField()
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices)
    patient = PatientSerializer()
    twitch = TwitchSerializer()
    symptoms = SymptomSerializer(many=True)
    history = serializers.ListField(child=serializers.ChoiceField(choices=list(HISTORY)))
    measurements = MeasurementsSerializer()
    context = ContextSerializer()
    notes = serializers.CharField(allow_null=True)
    assessment = AssessmentSerializer()


class ReviewSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    presentation_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Review.Status.choices)
    disposition = serializers.CharField()
    note = serializers.CharField()
    reviewer = serializers.CharField(help_text="The reviewing user's name or API key's name.")
    reviewed_at = serializers.DateTimeField()


class AuditEventSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="sequence", help_text="The event's sequence number in the chain.")

    class Meta:
        model = AuditEvent
        fields = [
            "id", "recorded", "action", "event_type", "outcome", "status", "agent_type", "agent_name", "agent_role",
            "client_ip", "user_agent", "entity_type", "entity_id", "patient_reference", "request_id", "detail",
            "prev_hash", "hash",
        ]  # fmt: skip


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path of the bad field, e.g. `symptoms.0.onset`.")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


class ValidationProblemSerializer(ProblemSerializer):
    errors = FieldErrorSerializer(many=True)


# --- the rule catalogue --------------------------------------------------------------


class CodeTitleSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


class SourcePassageSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Passage id: S01-S24 (seed passages) or G01-G06 (guideline summaries).")
    text = serializers.CharField()


class CatalogueRuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    level = serializers.ChoiceField(choices=LEVELS)
    points = serializers.IntegerField()
    recommendations = serializers.ListField(child=serializers.ChoiceField(choices=list(RECOMMENDATIONS)))
    sources = SourcePassageSerializer(many=True)


class VocabulariesSerializer(serializers.Serializer):
    symptoms = CodeTitleSerializer(many=True)
    history = CodeTitleSerializer(many=True)
    locations = CodeTitleSerializer(many=True)


class RuleCatalogueSerializer(serializers.Serializer):
    ruleset_version = serializers.CharField()
    levels = serializers.ListField(child=serializers.CharField(), help_text="Levels, lowest first.")
    rules = CatalogueRuleSerializer(many=True)
    recommendations = CodeTitleSerializer(many=True)
    vocabularies = VocabulariesSerializer()
