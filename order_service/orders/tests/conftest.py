import pytest


@pytest.fixture(autouse=True)
def _database(db):
    """Every orders test reads or writes the database."""
