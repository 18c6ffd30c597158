"""PostgreSQL backend that keeps each service inside its own schema.

The connection's ``search_path`` (set in ``ecom_common.settings.database_config``) points at
the service's schema; ``migrate`` calls ``prepare_database`` first, which creates that schema
when the role may (a fresh test database), so every table lands in it.
"""

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def prepare_database(self):
        super().prepare_database()
        schema = self.settings_dict["SCHEMA"]
        with self.cursor() as cursor:
            # Checked first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when
            # the schema exists, and a bootstrapped role has no such right.
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE SCHEMA {self.ops.quote_name(schema)} AUTHORIZATION CURRENT_USER")
