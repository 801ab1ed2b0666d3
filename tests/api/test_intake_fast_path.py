"""The compiled fast path for POST bodies may only be stricter than the serializer, never more lenient.

Its one promise: a body it accepts is a body PresentationInputSerializer accepts, stored unchanged.
Generated bodies start valid and are then broken in the ways intake forms break them.
"""

import copy
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import invalid_vignettes, make_payload, symptom, valid_vignettes
from tests.rules.test_properties import payloads
from triage.api.intake import _certainly_valid, validated_presentation
from triage.api.serializers import PresentationInputSerializer

# Values that sit on, or just across, the edges the serializer draws: types, lengths, characters, ranges.
AWKWARD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 1, 120, 121, 36500, 36501, 38.0, 38.5, 1e300, 2**63, "38", "", [], {}]),
    st.sampled_from(["a" * 64, "a" * 65, "é" * 64, "😀" * 64, "😀" * 65, "x" * 2000, "x" * 2001]),
    st.sampled_from(["ok\n", "ok\r\n", "tab\there", "nul\x00", "del\x7f", "c1\x85", "lone\ud800", "\u2028"]),
    st.sampled_from(["rlo\u202e", "lri\u2066", "zw\u200b", "bom\ufeff", "shy\xad", "tag\U000e0041"]),
    st.sampled_from(["eyelid", "headache", "sudden", "left", "mmol/L", "mg/dL", "total", "adjusted", "unknown"]),
    st.sampled_from([0.5, 0.49, 5.0, 5.01, 2.0, 1.99, 20.0, 20.01, 50.0, 50.01, 9.0, 8.99, 900.0, 900.01]),
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
)


def _paths(value, prefix=()):
    """Every path to a value inside a JSON document, the document itself included."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


# Limits the serializer draws, as numbers: ages, durations and every plausible range of a measurement.
NUMBER_EDGES = [-1, 0, 120, 121, 36500, 36501, 0.5, 5.0, 2.0, 20.0, 50.0, 9.0, 900.0]


def near_values(value):
    """Values just across an edge from `value`: the off-by-one and wrong-type mistakes."""
    if isinstance(value, bool):
        return [0, 1, "true", None]
    if isinstance(value, int | float):
        return [e + d for e in NUMBER_EDGES for d in (-0.01, 0, 0.01)] + [value - 1, value + 1, float(value), True]
    if isinstance(value, str):
        return [value + "\n", value * 65, value[:0], value + "\x85", value + "\x1f", "😀" * 64, "x" * 2000, "x" * 2001]
    if isinstance(value, list):
        return [[], value + value, [None], value[:1] * 2]
    return [None, [], "x", {}]


def near(value):
    return st.sampled_from(near_values(value))


@st.composite
def broken_payloads(draw):
    """A valid body with one to three edits: values pushed across an edge, keys dropped or added, items repeated."""
    body = copy.deepcopy(draw(payloads()))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(body))[1:]))
        *parent_path, last = path
        parent = body
        for step in parent_path:
            parent = parent[step]
        edit = draw(st.sampled_from(["near", "near", "replace", "drop", "add", "repeat"]))
        if edit == "near":
            parent[last] = draw(near(parent[last]))
        elif edit == "replace":
            parent[last] = draw(AWKWARD_VALUES)
        elif edit == "drop":
            del parent[last]
        elif edit == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "sex", "kind", "pattern", "notes", "resolved"]))] = draw(
                AWKWARD_VALUES
            )
        elif edit == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return body


def _serializer_payload(body):
    serializer = PresentationInputSerializer(data=body)
    assert serializer.is_valid(), f"the fast path accepted what the serializer refuses: {serializer.errors}"
    return serializer.submitted_payload()


@settings(max_examples=2000, deadline=None)
@given(body=st.one_of(payloads(), broken_payloads()))
def test_whatever_the_fast_path_accepts_the_serializer_accepts_unchanged(body):
    if _certainly_valid(body):
        assert _serializer_payload(body) == body


def test_no_single_edge_crossing_slips_through_the_fast_path():
    """Every leaf of a body with every part present, pushed to each value near an edge, one at a time."""
    full = make_payload(
        symptoms=[{"code": "headache", "onset": "gradual", "resolved": False}],
        history=["diabetes_treated"],
        measurements={
            "serum_calcium": {"value": 2.3, "unit": "mmol/L", "kind": "total"},
            "blood_glucose": {"value": 100, "unit": "mg/dL"},
        },
        context={"poor_sleep": True},
        notes="Seen twice.",
        onset="gradual",
        pattern="intermittent",
        spreading=False,
        interferes_with_vision=True,
    )
    assert _certainly_valid(full)
    checked = 0
    for *parent_path, last in [path for path in _paths(full) if path]:
        for value in near_values(_at(full, [*parent_path, last])):
            body = copy.deepcopy(full)
            _at(body, parent_path)[last] = value
            if _certainly_valid(body):
                assert _serializer_payload(body) == body, (parent_path, last, value)
            checked += 1
    assert checked > 300


def _at(document, path):
    for step in path:
        document = document[step]
    return document


@settings(max_examples=300, deadline=None)
@given(body=payloads())
def test_the_fast_path_accepts_generated_valid_bodies(body):
    assert _certainly_valid(body)


@pytest.mark.parametrize("vignette", valid_vignettes(), ids=lambda v: v["id"])
def test_every_valid_vignette_takes_the_fast_path(vignette):
    body = vignette["request"]

    assert _certainly_valid(body)
    assert _serializer_payload(body) == body


@pytest.mark.parametrize("vignette", invalid_vignettes(), ids=lambda v: v["id"])
def test_no_invalid_vignette_takes_the_fast_path(vignette):
    assert not _certainly_valid(vignette["request"])


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: b["patient"].update(age_years=38.0),  # the serializer accepts it, as the integer 38
        lambda b: b.update(notes="Seen twice.\n"),
        lambda b: b["twitch"].update(duration_days=7.0),
    ],
)
def test_bodies_the_fast_path_leaves_to_the_serializer_are_still_accepted(edit):
    body = make_payload()
    edit(body)

    assert validated_presentation(body) == _serializer_payload(body)


@pytest.mark.parametrize(
    ("edit", "expected_valid"),
    [
        (lambda b: b.update(external_id="id\n"), False),  # $ would let a final newline through; \Z does not
        (lambda b: b.update(notes="line one\nline two\ttab"), True),
        (lambda b: b["patient"].update(reference="😀" * 64), True),  # lengths count characters, as Python does
        (lambda b: b["patient"].update(reference="😀" * 65), False),
        (lambda b: b["twitch"].update(locations=["eyelid", "eyelid"]), False),
        (lambda b: b.update(measurements={"blood_glucose": {"value": 0.49, "unit": "mmol/L"}}), False),
        (lambda b: b.update(measurements={"blood_glucose": {"value": 900, "unit": "mg/dL"}}), True),
        (lambda b: b["twitch"].update(spreading=1), False),
    ],
)
def test_the_fast_path_draws_the_serializers_edges(edit, expected_valid):
    body = make_payload()
    edit(body)

    assert _certainly_valid(body) is expected_valid
    assert PresentationInputSerializer(data=body).is_valid() is expected_valid


def test_threads_validating_their_first_bodies_at_once_do_not_crash_the_process():
    # msgspec compiles a type on its first use, and threads doing that at once crash the process (gunicorn runs two
    # threads a worker): triage.api.intake compiles at import. Without that, eight threads crash it in most runs.
    body = make_payload(
        symptoms=[symptom("headache", "sudden")],
        history=["diabetes_treated"],
        measurements={"blood_glucose": {"value": 5.0, "unit": "mmol/L"}},
        context={"poor_sleep": True},
    )
    script = textwrap.dedent(f"""
        import sys, threading
        import django
        sys.setswitchinterval(1e-6)
        django.setup()
        from triage.api.intake import validated_presentation
        barrier, validated = threading.Barrier(8), []
        def validate():
            barrier.wait()
            validated.append(validated_presentation({body!r}))
        threads = [threading.Thread(target=validate) for _ in range(8)]
        [thread.start() for thread in threads]
        [thread.join() for thread in threads]
        sys.exit(0 if len(validated) == 8 else 1)
    """)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "not-a-secret-only-imports",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/never-connected",
    }
    repo = Path(__file__).resolve().parents[2]

    result = subprocess.run([sys.executable, "-c", script], cwd=repo, env=env, capture_output=True, timeout=120)

    assert result.returncode == 0, result.stderr.decode()[-2000:]
