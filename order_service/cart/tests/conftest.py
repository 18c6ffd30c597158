import pytest


@pytest.fixture(autouse=True)
def _database(db):
    """Every cart test reads or writes the database."""
