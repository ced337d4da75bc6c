"""Issue comments: one partition per issue, sorted by time, so listing them is one Query per page.

The `by-id` index finds a comment by its id alone (GET one comment, the `after` anchor of a listing,
`wakeCommentId`). It is eventually consistent, as every DynamoDB index: a comment can be missing from it
for a moment after it is written (services/issues/issue_comments.py documents what that means).
"""
from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, JSONAttribute, meta


def comment_sort_key(created_at: str, comment_id: str) -> str:
    return f"{created_at}#{comment_id}"


class CommentsById(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-id"
        projection = AllProjection()

    id = UnicodeAttribute(hash_key=True)


class IssueComment(BaseModel):
    Meta = meta("issue-comments")

    issue_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # "{createdAt}#{id}": ascending time order
    id = UnicodeAttribute()
    company_id = UnicodeAttribute()
    author_type = UnicodeAttribute()  # "agent" | "board", or the `authorType` a board user gave ("user", "system")
    author_agent_id = UnicodeAttribute(null=True)
    author_user_id = UnicodeAttribute(null=True)
    body = UnicodeAttribute()  # at most 65,536 characters: < 260 KB even in 4-byte UTF-8
    created_at = UnicodeAttribute()
    # Upstream's comment fields (validators.md §5.5, §11). Absent on comments written before them.
    created_by_run_id = UnicodeAttribute(null=True)
    client_request_id = UnicodeAttribute(null=True)
    on_behalf_of_user_id = UnicodeAttribute(null=True)
    presentation = JSONAttribute(null=True)
    metadata = JSONAttribute(null=True)
    follow_up_requested = BooleanAttribute(null=True)  # posted with `resume: true`

    by_id = CommentsById()
