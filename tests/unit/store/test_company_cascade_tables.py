"""Company deletion reaches every table (issue 14): a table added to the registry without a way for the
cascade to find its items fails here by name, instead of leaving a deleted company's data behind."""
from chalicelib.services.org import company_deletion
from chalicelib.store.registry import ALL_MODELS


def test_the_cascade_covers_every_table():
    missing = sorted(m.__name__ for m in ALL_MODELS if m not in company_deletion.COVERED_TABLES)
    assert missing == [], "teach services/org/company_deletion.py to delete these tables' items of a company"

