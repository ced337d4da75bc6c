"""The append-only audit trail. Nothing in the code base updates these items; deleting a company deletes its log
(services/org/company_deletion.py)."""
from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta


class ActivityByEntity(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-entity"
        projection = AllProjection()

    entity_key = UnicodeAttribute(hash_key=True)  # "{entityType}#{entityId}"
    sort_key = UnicodeAttribute(range_key=True)


class ActivityByEntityId(GlobalSecondaryIndex):
    """An entity's entries whatever its type (`?entityId=` alone; ids are UUIDs, so one entity)."""

    class Meta:
        index_name = "by-entity-id"
        projection = AllProjection()

    entity_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class Activity(BaseModel):
    Meta = meta("activity")

    company_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # "{createdAt}#{write order}#{id}": time order within a company
    id = UnicodeAttribute()
    actor_type = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    run_id = UnicodeAttribute(null=True)
    action = UnicodeAttribute()
    entity_type = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    entity_key = UnicodeAttribute()
    details = JSONAttribute(null=True)
    created_at = UnicodeAttribute()

    by_entity = ActivityByEntity()
    by_entity_id = ActivityByEntityId()
