from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, meta


class ByCompany(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Agent(BaseModel):
    Meta = meta("agents")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute(default="general")
    title = UnicodeAttribute(null=True)
    reports_to = UnicodeAttribute(null=True)
    capabilities = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="idle")
    # The id the agent's next queued heartbeat run will have. A wakeup upserts that run; starting it
    # swaps in a fresh id with a conditional write. This is what keeps "one queued run per agent"
    # true under concurrency without a read-then-write.
    next_wake_run_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_company = ByCompany()
