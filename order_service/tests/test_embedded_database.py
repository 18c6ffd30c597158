"""The embedded default (SQLite, several processes on one file) under concurrent writes: each
transaction that reads and then writes waits for the others instead of failing."""

import time

from django.db.utils import ConnectionHandler, OperationalError

from ecom_common.settings import sqlite_config
from ecom_common.testing.concurrency import race


def test_concurrent_read_then_write_transactions_on_the_embedded_database_all_commit(tmp_path, django_db_blocker):
    # given: a counter in an embedded database, and eight writers that each read it, pause, and write
    django_db_blocker.unblock()  # a database of its own, not the test database
    handler = ConnectionHandler({"default": sqlite_config(tmp_path / "embedded.sqlite3")})
    with handler["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE counter (value INTEGER NOT NULL)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    handler["default"].close()
    failures = []

    def increment():
        connection = ConnectionHandler({"default": sqlite_config(tmp_path / "embedded.sqlite3")})["default"]
        try:
            with connection.cursor() as cursor:
                # What transaction.atomic does on SQLite: BEGIN, in the configured mode.
                connection._start_transaction_under_autocommit()
                cursor.execute("SELECT value FROM counter")
                (value,) = cursor.fetchone()
                time.sleep(0.05)  # another writer gets in here, in a checkout as in this test
                cursor.execute("UPDATE counter SET value = %s", [value + 1])
                cursor.execute("COMMIT")
        except OperationalError as error:
            failures.append(str(error))
        finally:
            connection.close()

    # when
    race(increment, [()] * 8)

    # then: no "database is locked", and no increment lost
    try:
        with handler["default"].cursor() as cursor:
            cursor.execute("SELECT value FROM counter")
            assert (failures, cursor.fetchone()[0]) == ([], 8)
    finally:
        handler["default"].close()
        django_db_blocker.restore()
