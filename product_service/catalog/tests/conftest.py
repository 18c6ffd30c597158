import pytest


@pytest.fixture(autouse=True)
def _database(db):
    """Every catalog test reads or writes the database."""
