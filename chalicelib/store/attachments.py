"""Issue attachments: one record per uploaded file; the bytes live in S3 under the company and issue.

Records are keyed by attachment id so downloads and deletes right after an upload read consistently;
listing an issue's attachments goes through the by-issue index (eventually consistent in DynamoDB).
"""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, meta


class AttachmentsByIssue(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-issue"
        projection = AllProjection()

    issue_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # "{createdAt}#{id}": upload order


class Attachment(BaseModel):
    Meta = meta("attachments")

    id = UnicodeAttribute(hash_key=True)
    company_id = UnicodeAttribute()
    issue_id = UnicodeAttribute()
    sort_key = UnicodeAttribute()
    content_type = UnicodeAttribute()
    byte_size = NumberAttribute()
    sha256 = UnicodeAttribute()
    original_filename = UnicodeAttribute(null=True)
    blob_key = UnicodeAttribute()
    actor_type = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    run_id = UnicodeAttribute(null=True)  # upstream's originatingRunId
    created_at = UnicodeAttribute()
    # The comment the file belongs to (upload's `issueCommentId`, or a comment's `attachmentIds`): set
    # once, conditionally, so a file is never bound to two comments.
    issue_comment_id = UnicodeAttribute(null=True)

    by_issue = AttachmentsByIssue()


def blob_key(company_id: str, issue_id: str, attachment_id: str) -> str:
    return f"attachments/{company_id}/{issue_id}/{attachment_id}"
