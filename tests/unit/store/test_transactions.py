"""Transaction conflicts name the op whose condition failed, whatever order the ops were added in.

PynamoDB sends ops grouped by kind (condition checks, deletes, puts, updates), so DynamoDB's
cancellation reasons come back in that order, not in the order the caller added them.
"""
import pytest

from chalicelib.store.transactions import Transaction, TransactionConflict
from chalicelib.store.uniques import UniqueKey


@pytest.mark.parametrize("failing", ["update", "save", "delete", "check"])
def test_the_failing_ops_tag_is_reported(aws, failing):
    UniqueKey(key="taken", ref="x").save()
    UniqueKey(key="present", ref="y").save()
    UniqueKey(key="checked", ref="x").save()
    tx = Transaction()
    # Added in the reverse of the order PynamoDB sends them; exactly one condition fails.
    tx.update(UniqueKey(key="present"), actions=[UniqueKey.ref.set("z")],
              condition=UniqueKey.ref == ("nope" if failing == "update" else "y"), tag="update")
    tx.save(UniqueKey(key="taken" if failing == "save" else "fresh", ref="n"),
            condition=UniqueKey.key.does_not_exist(), tag="save")
    tx.delete(UniqueKey(key="gone"), condition=UniqueKey.key.exists() if failing == "delete" else None, tag="delete")
    tx.check(UniqueKey, "checked", condition=UniqueKey.ref == ("nope" if failing == "check" else "x"), tag="check")
    with pytest.raises(TransactionConflict) as caught:
        tx.commit()
    assert caught.value.tags == [failing]
    assert UniqueKey.get("present").ref == "y"  # nothing was written
