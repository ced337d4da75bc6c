"""A cancelled transaction leaves every item exactly as it was, on the suite's DynamoDB engine.

On DynamoDB Local (the default) this is DynamoDB's own all-or-nothing rule, which our code relies on.
With PAPERCLIP_DYNAMODB_ENGINE=moto it pins our moto server's item-level rollback
(infra/local/aws.py), which saves and restores only the items a transaction names instead of copying
whole tables: tables with and without a range key, other items written before it staying.
"""
import pytest

from chalicelib.store.documents import IssueDocument
from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey


def document(key, title, revision=1):
    return IssueDocument(issue_id="issue-1", key=key, id=f"doc-{key}", company_id="c", title=title, format="markdown",
                         body="x", body_bytes=1, latest_revision_id="r", latest_revision_number=revision,
                         created_at="2026-03-01T12:00:00.000Z", updated_at="2026-03-01T12:00:00.000Z")


def test_a_cancelled_transaction_undoes_its_own_writes_and_nothing_else(aws):
    UniqueKey(key="bystander", ref="before").save()
    UniqueKey(key="updated", ref="old").save()
    document("plan", "Old plan").save()
    tx = Transaction()
    # PynamoDB sends deletes, then puts, then updates: every op before the last one is applied by
    # moto before the failing condition is reached, so each must be rolled back.
    tx.delete(UniqueKey(key="bystander-2"))
    tx.save(UniqueKey(key="fresh", ref="new"), condition=UniqueKey.key.does_not_exist())
    tx.save(document("plan", "New plan", revision=2))
    tx.save(document("notes", "Fresh notes"))
    tx.update(UniqueKey(key="updated"), actions=[UniqueKey.ref.set("new")])
    tx.update(UniqueKey(key="bystander"), actions=[UniqueKey.ref.set("after")],
              condition=UniqueKey.ref == "not-this", tag="fails")
    UniqueKey(key="bystander-2", ref="kept").save()
    with pytest.raises(TransactionConflict) as caught:
        tx.commit()
    assert caught.value.tags == ["fails"]
    assert UniqueKey.get("bystander").ref == "before" and UniqueKey.get("updated").ref == "old"
    assert UniqueKey.get("bystander-2").ref == "kept"
    with pytest.raises(UniqueKey.DoesNotExist):
        UniqueKey.get("fresh")
    assert IssueDocument.get("issue-1", "plan").title == "Old plan"
    assert IssueDocument.get("issue-1", "plan").latest_revision_number == 1
    assert [d.key for d in IssueDocument.query("issue-1")] == ["plan"]


def test_a_committed_transaction_writes_everything(aws):
    tx = Transaction()
    tx.save(UniqueKey(key="a", ref="1"), condition=UniqueKey.key.does_not_exist())
    tx.save(document("plan", "Plan"))
    tx.commit()
    assert UniqueKey.get("a").ref == "1" and IssueDocument.get("issue-1", "plan").title == "Plan"
