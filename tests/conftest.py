import pytest

from tests.factories import make_api_key


@pytest.fixture
def intake_key(db):
    return make_api_key("intake-test")
