"""Projects and goals: the company's planning entities that issues and routines point at."""
from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, meta


class ProjectsByCompany(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Project(BaseModel):
    Meta = meta("projects")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")
    goal_ids = ListAttribute(of=UnicodeAttribute, default=list)
    paused_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_company = ProjectsByCompany()


class GoalsByCompany(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Goal(BaseModel):
    Meta = meta("goals")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="planned")
    level = UnicodeAttribute(default="company")
    parent_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_company = GoalsByCompany()
