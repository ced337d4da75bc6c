"""Projects and goals: the company's planning entities that issues and routines point at."""
from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta


class ProjectsByCompany(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-company"
        projection = AllProjection()

    company_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ProjectsByUrlKey(GlobalSecondaryIndex):
    """`/projects/{urlKey}?companyId=`: one Query (upstream resolves url keys per company, §9.5)."""

    class Meta:
        index_name = "by-url-key"
        projection = AllProjection()

    company_url_key = UnicodeAttribute(hash_key=True)  # "{companyId}#{urlKey}"
    created_at = UnicodeAttribute(range_key=True)


def company_url_key(company_id: str, url_key: str) -> str:
    return f"{company_id}#{url_key}"


class Project(BaseModel):
    """Fields from `lead_agent_id` on are upstream's, stored and returned as given (validators.md §3)."""

    Meta = meta("projects")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    name = UnicodeAttribute()
    url_key = UnicodeAttribute(null=True)  # derived from the name (upstream deriveProjectUrlKey)
    company_url_key = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")
    goal_ids = ListAttribute(of=UnicodeAttribute, default=list)
    paused_at = UnicodeAttribute(null=True)
    archived_at = UnicodeAttribute(null=True)  # set: hidden from the list unless includeArchived=true
    # Set while DELETE checks references (services/org/planning_deletion.py): reads as gone meanwhile.
    deleting_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    lead_agent_id = UnicodeAttribute(null=True)
    target_date = UnicodeAttribute(null=True)
    color = UnicodeAttribute(null=True)
    icon = UnicodeAttribute(null=True)
    env = JSONAttribute(null=True)
    execution_workspace_policy = JSONAttribute(null=True)
    workspace = JSONAttribute(null=True)
    repository_ids = JSONAttribute(null=True)
    repository_urls = JSONAttribute(null=True)

    by_company = ProjectsByCompany()
    by_url_key = ProjectsByUrlKey()


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
    level = UnicodeAttribute(default="task")
    parent_id = UnicodeAttribute(null=True)
    owner_agent_id = UnicodeAttribute(null=True)
    deleting_at = UnicodeAttribute(null=True)  # as Project.deleting_at
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_company = GoalsByCompany()
