"""One table of claimed names and keys, written in the same transaction as the thing they guard.

A uniqueness rule (issue prefix, agent name per company, issue identifier, idempotency key, a schedule
tick) becomes a put of `key` with `attribute_not_exists(key)`: DynamoDB arbitrates races, never a
read followed by a write. Short-lived keys (idempotency, webhook ids, rate-limit windows) carry a TTL.
"""
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.store.base import BaseModel, JSONAttribute, meta


class UniqueKey(BaseModel):
    Meta = meta("uniques")

    key = UnicodeAttribute(hash_key=True)
    ref = UnicodeAttribute(null=True)  # the id of the entity that owns the key
    data = JSONAttribute(null=True)
    counter = NumberAttribute(null=True)  # rate-limit windows
    expires_at = TTLAttribute(null=True)


def issue_prefix_key(prefix: str) -> str:
    return f"issue-prefix#{prefix}"


def agent_name_key(company_id: str, name: str) -> str:
    return f"agent-name#{company_id}#{name.casefold()}"


def agent_url_key(company_id: str, url_key: str) -> str:
    """A live agent's url key ("shortname", logic/agent_url_key.py) in its company: unique, and how
    `/agents/{shortname}?companyId=` finds the agent with one read. Freed when the agent is terminated."""
    return f"agent-url-key#{company_id}#{url_key}"


def agent_wakeup_key(agent_id: str, idempotency_key: str) -> str:
    """A wakeup request's idempotency key (POST /agents/{agentId}/wakeup), naming the run it queued."""
    return f"agent-wakeup#{agent_id}#{idempotency_key}"


def issue_identifier_key(identifier: str) -> str:
    return f"issue-identifier#{identifier.upper()}"
