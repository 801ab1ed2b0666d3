"""The worker's tasks (procrastinate, on this PostgreSQL): `python manage.py procrastinate worker`.

Procrastinate's Django app closes each job's stale connections as Django does around a request (CONN_MAX_AGE)."""

from datetime import UTC, datetime

from django.conf import settings
from procrastinate import BaseRetryStrategy, JobContext, RetryDecision, builtin_tasks
from procrastinate.contrib.django import app
from procrastinate.manager import JobManager

from triage.alerts import DELIVERY_TASK, QUEUE, alert_deliver, alerts_escalate, alerts_sweep
from triage.counters import counters_prune


class NotDelivered(Exception):
    """An attempt failed and the alert may be tried again."""


class DoublingWait(BaseRetryStrategy):
    """Retry a failed delivery after ALERT_RETRY_BASE_SECONDS, doubling each time; alert_deliver dead-letters it
    after ALERT_MAX_ATTEMPTS (counted on the alert, which the admin's retry starts afresh)."""

    def get_retry_decision(self, *, exception: BaseException, job: object) -> RetryDecision | None:
        if not isinstance(exception, NotDelivered):
            return None
        return RetryDecision(retry_in={"seconds": settings.ALERT_RETRY_BASE_SECONDS * 2**job.attempts})


@app.periodic(cron="* * * * * */2")  # every 2 seconds (croniter's sixth field)
@app.task(queue=QUEUE, queueing_lock="sweep")
def sweep_alerts(timestamp: int) -> None:
    """Fan out the alerts that changes made due since the last sweep, a batch at a time, until none is left."""
    while alerts_sweep():
        pass


@app.task(name=DELIVERY_TASK, queue=QUEUE, retry=DoublingWait())
def deliver_alert(alert_id: str) -> None:
    if not alert_deliver(alert_id):
        raise NotDelivered(alert_id)


@app.periodic(cron="* * * * *")  # every minute
@app.task(queue=QUEUE, queueing_lock="escalate", lock="escalate")  # one waiting, and one running at a time
def escalate(timestamp: int) -> None:
    """Escalate flagged cases still pending past their threshold, as of the minute the job was scheduled for."""
    alerts_escalate(datetime.fromtimestamp(timestamp, tz=UTC))


@app.periodic(cron="* * * * *")
@app.task(queue=QUEUE, queueing_lock="retry_stalled", pass_context=True)
async def retry_stalled_deliveries(context: JobContext, timestamp: int) -> None:
    """A delivery whose worker stopped reporting (killed mid-attempt) is tried again (procrastinate's documented
    way): the alert is still pending, and keeps its message id, so a receiver can tell a repeat."""
    await deliveries_retry_stalled(context.app.job_manager)


async def deliveries_retry_stalled(job_manager: JobManager, seconds_since_heartbeat: float = 30) -> int:
    stalled = await job_manager.get_stalled_jobs(
        queue=QUEUE, task_name=deliver_alert.name, seconds_since_heartbeat=seconds_since_heartbeat
    )
    for job in stalled:
        await job_manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="17 * * * *")  # hourly
@app.task(queue=QUEUE, queueing_lock="remove_old_jobs", pass_context=True)
async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
    """Procrastinate keeps every finished job: the sweep alone leaves 43,200 a day. Succeeded ones go after a day
    (the alerts and the audit trail keep what happened); failed ones stay, for a person to read."""
    await builtin_tasks.remove_old_jobs(context, max_hours=24)


@app.periodic(cron="41 * * * *")  # hourly
@app.task(queue=QUEUE, queueing_lock="prune_rate_counters")
def prune_rate_counters(timestamp: int) -> None:
    """Forget the rate counts of windows that have ended: one row per key and address ever counted, else."""
    counters_prune()
