from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta

# `live_until` of a queued run: it stays live until it is started or finished.
QUEUED_LIVE_UNTIL = "9999-12-31T23:59:59.999Z"


class RunsByAgent(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-agent"
        projection = AllProjection()

    agent_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RunsByCompany(GlobalSecondaryIndex):
    """A company's runs, newest first (GET /companies/{companyId}/heartbeat-runs)."""

    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RunsByIssue(GlobalSecondaryIndex):
    """Sparse: runs woken for an issue (the first wakeup naming one), newest first (GET /issues/{id}/runs)."""

    class Meta:
        index_name = "by-issue"
        projection = AllProjection()

    issue_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class LiveRuns(GlobalSecondaryIndex):
    """Sparse: a company's queued and running runs. The range key is when the run stops being live
    (a running run's token expiry; far in the future while queued), so the Query `live_until > now`
    reads only live runs, however many runs were abandoned running and timed out."""

    class Meta:
        index_name = "live"
        projection = AllProjection()

    live_company_id = UnicodeAttribute(hash_key=True)
    live_until = UnicodeAttribute(range_key=True)


class HeartbeatRun(BaseModel):
    Meta = meta("heartbeat-runs")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    status = UnicodeAttribute()  # queued|running|succeeded|failed|cancelled|timed_out
    # Legacy: runs written before wakeups became items of their own (RunWakeup) kept every wakeup in
    # this list, and each append rewrote the item until it outgrew 400 KB. Read, never written.
    wakeups = ListAttribute(default=list)
    # The run's summary of its wakeups (RunWakeup holds each one): how many, the first one (it decides
    # invocationSource / triggerDetail), the first payload and the first value of each context key
    # (contextSnapshot), and the latest wakeup's time (updatedAt). Each is set by the wakeup's own
    # update with if_not_exists or ADD, so the item stays a few KB however many wakeups join it.
    wakeup_count = NumberAttribute(null=True)
    first_wakeup = JSONAttribute(null=True)
    first_payload_json = UnicodeAttribute(null=True)
    # the first value of each contextSnapshot key a wakeup carried (services/runtime/run_shapes.py)
    context_issue_id = JSONAttribute(null=True)
    context_comment_id = JSONAttribute(null=True)
    context_routine_run_id = JSONAttribute(null=True)
    context_force_fresh_session = JSONAttribute(null=True)
    last_wakeup_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    issue_id = UnicodeAttribute(null=True)  # the issue of the first wakeup that named one (upstream contextSnapshot.issueId)
    retry_of_run_id = UnicodeAttribute(null=True)  # a wakeup's failedRunId (an exact retry of that run)
    result_json = JSONAttribute(null=True)  # upstream resultJson: who cancelled it, for now
    live_company_id = UnicodeAttribute(null=True)  # set while queued or running (the `live` index)
    live_until = UnicodeAttribute(null=True)

    by_agent = RunsByAgent()
    by_company = RunsByCompany()
    by_issue = RunsByIssue()
    live = LiveRuns()


class RunWakeup(BaseModel):
    """One wakeup of a heartbeat run: an item per wakeup, so a run woken 10,000 times while its agent
    is paused is 10,000 small items and one small run item (issue 11). Read with one Query per page.

    `seq` orders a run's wakeups: the wakeup's time, then a wall-clock nanosecond stamp of the writer,
    then a random suffix (ties within one injected-clock instant keep their write order in one process).
    `record` is the wakeup entry as services/runtime/heartbeats.wakeup_record builds it (≤ ~5 KB: the
    payload is bounded to 4 KiB by the wakeup route)."""

    Meta = meta("heartbeat-run-wakeups")

    run_id = UnicodeAttribute(hash_key=True)
    seq = UnicodeAttribute(range_key=True)
    company_id = UnicodeAttribute()
    record = JSONAttribute()
