from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.base import BaseModel, meta


class Company(BaseModel):
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
