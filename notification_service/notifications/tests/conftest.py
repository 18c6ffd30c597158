import pytest


@pytest.fixture(autouse=True)
def _database(db):
    """Every notifications test reads or writes the database."""


@pytest.fixture(autouse=True)
def _shop(settings):
    settings.SHOP_URL = "https://shop.example.com"
    settings.SHOP_NAME = "Example Shop"
    settings.DEFAULT_FROM_EMAIL = "Example Shop <shop@example.com>"
    settings.NOTIFICATION_STAFF_EMAILS = ["stock@example.com", "boss@example.com"]
