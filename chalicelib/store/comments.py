"""Issue comments: one partition per issue, sorted by time, so listing them is one Query per page."""
from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.base import BaseModel, meta


def comment_sort_key(created_at: str, comment_id: str) -> str:
    return f"{created_at}#{comment_id}"


class IssueComment(BaseModel):
    Meta = meta("issue-comments")

    issue_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # "{createdAt}#{id}": ascending time order
    id = UnicodeAttribute()
    company_id = UnicodeAttribute()
    author_type = UnicodeAttribute()  # "agent" | "board"
    author_agent_id = UnicodeAttribute(null=True)
    author_user_id = UnicodeAttribute(null=True)
    body = UnicodeAttribute()  # at most 65,536 characters: < 260 KB even in 4-byte UTF-8
    created_at = UnicodeAttribute()
