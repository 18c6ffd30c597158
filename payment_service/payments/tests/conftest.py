import pytest


@pytest.fixture(autouse=True)
def _database(db):
    """Every payments test reads or writes the database."""
