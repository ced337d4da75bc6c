from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.base import BaseModel, JSONAttribute, meta


class Company(BaseModel):
    """A company (tenant). Fields after `updated_at` are upstream Paperclip's company fields that carry
    no behaviour here (validators.md §2.1): stored and returned as given."""

    Meta = meta("companies")

    id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")
    issue_prefix = UnicodeAttribute()
    # Per-company issue number source: an atomic ADD hands each new issue its n.
    issue_counter = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # Set by DELETE before the cascade starts: from then on the company reads as gone (404) and a
    # repeated DELETE finishes the cascade (services/org/company_deletion.py).
    deleting_at = UnicodeAttribute(null=True)
    budget_monthly_cents = NumberAttribute(default=0)
    spent_monthly_cents = NumberAttribute(default=0)
    default_responsible_user_id = UnicodeAttribute(null=True)
    require_board_approval_for_new_agents = BooleanAttribute(default=False)
    interaction_resolver_governance = JSONAttribute(null=True)
    feedback_data_sharing_enabled = BooleanAttribute(default=False)
    feedback_data_sharing_consent_at = UnicodeAttribute(null=True)
    feedback_data_sharing_consent_by_user_id = UnicodeAttribute(null=True)
    feedback_data_sharing_terms_version = UnicodeAttribute(null=True)
    logo_asset_id = UnicodeAttribute(null=True)
