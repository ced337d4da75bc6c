from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta


class ByCompany(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Agent(BaseModel):
    """One agent. Authentication reads this item on every request, so the free-form JSON fields
    upstream defines (adapter and runtime config, metadata, …) are size-bounded where they are accepted
    (http/schemas/runtime.py; docs/compatibility.md "Agents and keys")."""

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

    # Upstream's agent fields (validators.md §2.2), stored as given; services/runtime/agent_fields.py
    # maps them to and from the wire.
    icon = UnicodeAttribute(null=True)
    adapter_type = UnicodeAttribute(null=True)  # null on agents created before it existed: "process"
    adapter_config = JSONAttribute(null=True)
    # Bumped by every write of adapter_config, which is conditioned on the value it read: a PATCH that
    # merges into the stored config cannot lose another PATCH's keys.
    adapter_config_revision = NumberAttribute(null=True)
    runtime_config = JSONAttribute(null=True)
    budget_monthly_cents = NumberAttribute(null=True)
    spent_monthly_cents = NumberAttribute(null=True)
    default_environment_id = UnicodeAttribute(null=True)
    desired_skills = JSONAttribute(null=True)
    instructions_bundle = JSONAttribute(null=True)
    permissions = JSONAttribute(null=True)
    metadata = JSONAttribute(null=True)
    stored_session_id = UnicodeAttribute(null=True)
    apply_stored_claude_login = BooleanAttribute(null=True)
    onboarding_first_agent = BooleanAttribute(null=True)
    pause_reason = UnicodeAttribute(null=True)
    paused_at = UnicodeAttribute(null=True)
    last_heartbeat_at = UnicodeAttribute(null=True)

    by_company = ByCompany()
