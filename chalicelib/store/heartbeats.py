from pynamodb.attributes import ListAttribute, UnicodeAttribute
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
    # Native list of maps so a wakeup can join the queued run with one list_append.
    wakeups = ListAttribute(default=list)
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
