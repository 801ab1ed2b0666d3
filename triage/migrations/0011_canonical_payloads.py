"""Stored presentations in the contract's canonical form: every field, defaults filled in (triage.contract).

Until now a presentation was stored as submitted and its defaults were filled in on every read and retry.
The defaults of that contract are written out here as they were, so that this migration never changes with
the application's code.
"""

from django.db import migrations

TWITCH_FLAGS = ("spreading", "worsening", "interferes_with_vision", "loss_of_facial_control")
CONTEXT_FLAGS = ("poor_sleep", "high_stress", "low_fluid_intake")


def with_defaults(payload):
    patient, twitch = payload["patient"], payload["twitch"]
    return {
        "external_id": payload["external_id"],
        "patient": {
            "reference": patient["reference"],
            "age_years": patient["age_years"],
            "sex": patient.get("sex", "unknown"),
        },
        "twitch": {
            "locations": list(twitch["locations"]),
            "side": twitch["side"],
            "onset": twitch.get("onset", "unknown"),
            "duration_days": twitch["duration_days"],
            "pattern": twitch.get("pattern"),
            **{flag: twitch.get(flag, False) for flag in TWITCH_FLAGS},
        },
        "symptoms": [
            {"code": s["code"], "onset": s["onset"], "resolved": s.get("resolved", False)}
            for s in payload.get("symptoms", ())
        ],
        "history": list(payload.get("history", ())),
        "measurements": {
            name: {**({"kind": "total"} if name == "serum_calcium" else {}), **measurement}
            for name, measurement in payload.get("measurements", {}).items()
        },
        "context": {flag: payload.get("context", {}).get(flag, False) for flag in CONTEXT_FLAGS},
        "notes": payload.get("notes"),
    }


def fill_in_defaults(apps, schema_editor):
    Presentation = apps.get_model("triage", "Presentation")
    batch = []
    for presentation in Presentation.objects.only("id", "payload").iterator(chunk_size=2000):
        canonical = with_defaults(presentation.payload)
        if canonical != presentation.payload:
            presentation.payload = canonical
            batch.append(presentation)
        if len(batch) == 2000:
            Presentation.objects.bulk_update(batch, ["payload"])
            batch = []
    Presentation.objects.bulk_update(batch, ["payload"])


class Migration(migrations.Migration):
    dependencies = [("triage", "0010_api_key_confirm_function")]

    operations = [migrations.RunPython(fill_in_defaults, migrations.RunPython.noop)]
