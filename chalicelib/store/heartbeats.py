from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, meta


class RunsByAgent(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-agent"
        projection = AllProjection()

    agent_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


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

    by_agent = RunsByAgent()
