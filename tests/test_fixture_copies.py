"""The repository's copies of the shared material stay equal to ../shared, when it sits beside the checkout.

A fresh clone (CI) has no ../shared: the copies are then the source, and this test has nothing to compare.
"""

from pathlib import Path

import pytest

from tests.factories import VIGNETTE_FILES
from triage.evidence import PASSAGES_FILE

SHARED = Path(__file__).resolve().parents[2] / "shared"
COPIES = {
    SHARED / "vignettes" / "public.jsonl": VIGNETTE_FILES["2027.01"],
    SHARED / "vignettes" / "public-2026.11.jsonl": VIGNETTE_FILES["2026.11"],
    SHARED / "evidence" / "passages.json": PASSAGES_FILE,
}


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared beside this checkout: the copies are the source")
@pytest.mark.parametrize(("shared", "copy"), COPIES.items(), ids=lambda p: p.name)
def test_the_copy_equals_the_shared_file(shared, copy):
    assert copy.read_bytes() == shared.read_bytes()
