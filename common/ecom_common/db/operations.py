"""Migration operations for what only PostgreSQL has."""

from django.db.migrations import AddIndex


class AddIndexOnPostgreSQL(AddIndex):
    """``AddIndex`` for an index only PostgreSQL can build (GIN, full-text expressions). Every
    database records it in the migration state (so ``makemigrations`` sees the model's index as
    made); the embedded SQLite database, which has no such index type and searches by substring
    anyway, skips building it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{super().describe()} (PostgreSQL only)"
