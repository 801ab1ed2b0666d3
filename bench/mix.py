"""A realistic, seeded mix of presentations built from the rule set's vocabularies."""

import random
from typing import Any

from triage.contract import canonical
from triage.rules import NEWEST, RULESETS, Level, assess, presentation_from_payload
from triage.rules.measurements import LIMITS
from triage.rules.vocabulary import HISTORY, LOCATIONS, SIDES, SYMPTOM_ONSETS, SYMPTOMS


def random_payload(rng: random.Random, external_id: str) -> dict[str, Any]:
    """One intake: mostly simple twitches, some with symptoms, history and measurements."""
    payload: dict[str, Any] = {
        "external_id": external_id,
        "patient": {"reference": f"pt-{rng.getrandbits(32):08x}", "age_years": rng.randint(18, 90)},
        "twitch": {
            "locations": rng.sample(list(LOCATIONS), k=rng.choice([1, 1, 1, 2, 3])),
            "side": rng.choice(SIDES),
            "duration_days": rng.choice([1, 3, 7, 14, 30, 90, 365]),
            "spreading": rng.random() < 0.1,
            "worsening": rng.random() < 0.15,
        },
        "context": {"poor_sleep": rng.random() < 0.4, "high_stress": rng.random() < 0.4},
        "notes": "Reported through the intake form." if rng.random() < 0.3 else "",
    }
    if rng.random() < 0.5:
        codes = rng.sample(list(SYMPTOMS), k=rng.choice([1, 1, 2, 3]))
        payload["symptoms"] = [
            {"code": code, "onset": rng.choice(list(SYMPTOM_ONSETS)), "resolved": rng.random() < 0.2} for code in codes
        ]
    if rng.random() < 0.25:
        payload["history"] = rng.sample(list(HISTORY), k=1)
    if rng.random() < 0.2:
        name = rng.choice(list(LIMITS))
        unit = rng.choice(list(LIMITS[name]))
        limits = LIMITS[name][unit]
        value = round(rng.uniform(limits.severe_low * 0.9, limits.low * 1.4), 2)
        payload["measurements"] = {name: {"value": value, "unit": unit}}
    return payload


def presentation_mix(size: int, seed: int = 2026) -> list[dict[str, Any]]:
    """`size` distinct payloads, guaranteed to cover every level."""
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not security)
    mix = [random_payload(rng, f"mix-{n}") for n in range(size)]
    levels = {assess(presentation_from_payload(canonical(p)), RULESETS[NEWEST]).level for p in mix}
    missing = set(Level) - levels
    if missing:
        raise RuntimeError(f"the mix misses levels {missing}; choose another seed or size")
    return mix
