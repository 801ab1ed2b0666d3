"""triage.db: a batch is one transaction, committed whole or not at all, inside or outside a caller's transaction."""

import uuid

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from triage.db import insert_new, one_round_trip
from triage.models import Presentation


def unsaved(external_id: str = "batch-1") -> Presentation:
    return Presentation(
        id=uuid.uuid4(), client=None, external_id=external_id, patient_reference="pt-batch", age_years=40,
        sex="unknown", payload={}, received_at=timezone.now(), level=0, flagged=False, score=0, queue_rank=3100,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_batch_outside_a_transaction_commits_its_statements_together():
    with one_round_trip():
        insert_new(unsaved("batch-1"))
        insert_new(unsaved("batch-2"))

    assert sorted(Presentation.objects.values_list("external_id", flat=True)) == ["batch-1", "batch-2"]


@pytest.mark.django_db(transaction=True)
def test_a_python_error_in_a_batch_commits_nothing_already_sent():
    with pytest.raises(RuntimeError), one_round_trip():
        insert_new(unsaved())
        raise RuntimeError("fails after the INSERT was sent")

    assert not Presentation.objects.exists()
    assert connection.connection.pgconn.transaction_status == 0  # idle: the connection is fit for the next request


@pytest.mark.django_db(transaction=True)
def test_a_failing_statement_rolls_back_the_whole_batch():
    insert_new(unsaved("taken"))

    with pytest.raises(IntegrityError), one_round_trip():
        insert_new(unsaved("new-one"))
        insert_new(unsaved("taken"))  # the unique (client, external_id) constraint

    assert list(Presentation.objects.values_list("external_id", flat=True)) == ["taken"]


@pytest.mark.django_db
def test_inside_a_transaction_a_failing_batch_rolls_back_only_itself():
    insert_new(unsaved("taken"))

    with pytest.raises(IntegrityError), one_round_trip():
        insert_new(unsaved("new-one"))
        insert_new(unsaved("taken"))

    # The caller's transaction goes on: the row before the batch is there, the batch's rows are not.
    assert list(Presentation.objects.values_list("external_id", flat=True)) == ["taken"]


@pytest.mark.django_db(transaction=True)
def test_a_nested_batch_joins_the_outer_one_and_fails_with_it():
    with pytest.raises(RuntimeError), one_round_trip():
        insert_new(unsaved("outer"))
        with one_round_trip():
            insert_new(unsaved("inner"))
        raise RuntimeError("the outer batch fails after the inner one ended")

    assert not Presentation.objects.exists()
