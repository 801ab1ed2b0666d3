"""Laboratory thresholds and plausible ranges, per measurement and unit.

Values are compared in the unit they were given in, never converted, so a
value exactly at a threshold is never pushed across it by rounding.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    severe_low: float
    low: float
    plausible_min: float
    plausible_max: float


MEASUREMENT_TITLES: dict[str, str] = {
    "serum_calcium": "Serum calcium",
    "blood_glucose": "Blood glucose",
    "serum_magnesium": "Serum magnesium",
}

UNITS = ("mmol/L", "mg/dL")  # every measurement takes either; its limits are per unit

LIMITS: dict[str, dict[str, Limits]] = {
    "serum_calcium": {
        "mmol/L": Limits(severe_low=1.90, low=2.20, plausible_min=0.5, plausible_max=5.0),
        "mg/dL": Limits(severe_low=7.6, low=8.8, plausible_min=2.0, plausible_max=20.0),
    },
    "blood_glucose": {
        "mmol/L": Limits(severe_low=3.0, low=3.9, plausible_min=0.5, plausible_max=50.0),
        "mg/dL": Limits(severe_low=54.0, low=70.0, plausible_min=9.0, plausible_max=900.0),
    },
    "serum_magnesium": {
        "mmol/L": Limits(severe_low=0.50, low=0.70, plausible_min=0.1, plausible_max=5.0),
        "mg/dL": Limits(severe_low=1.2, low=1.7, plausible_min=0.2, plausible_max=12.0),
    },
}


@dataclass(frozen=True, slots=True)
class Measurement:
    name: str
    value: float
    unit: str
    kind: str | None = None  # serum calcium only

    @property
    def limits(self) -> Limits:
        return LIMITS[self.name][self.unit]

    @property
    def is_low(self) -> bool:
        """Below the low threshold; a value equal to it is not low."""
        return self.value < self.limits.low

    @property
    def is_severe_low(self) -> bool:
        return self.value < self.limits.severe_low
