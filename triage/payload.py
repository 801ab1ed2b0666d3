"""The intake payload with the contract's defaults filled in.

Presentations are stored exactly as submitted; this is how they are read back
and how a retried request is compared with the stored one, so that spelling
out a default (`"resolved": false`) is not a different request.
"""

from collections.abc import Mapping
from typing import Any

from triage.rules.vocabulary import CONTEXT_FLAGS, TWITCH_FLAGS


def with_defaults(payload: Mapping[str, Any]) -> dict[str, Any]:
    patient = payload["patient"]
    twitch = payload["twitch"]
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
