"""A JSON field that keeps documents as written."""

from __future__ import annotations

from typing import Any

from django.db import models

from catalog.bulk import JsonText


class OrderedJSONField(models.JSONField):
    """JSON whose object keys keep their order on every database.

    PostgreSQL's ``jsonb`` sorts keys by length, so a descriptor read back would no longer look like the file
    it came from, and served entities would not start with ``apiVersion`` and ``kind`` as Backstage's do.
    The ``json`` type stores the text itself; the catalog never compares these columns, it only filters on the
    search table, so nothing is lost by giving up jsonb's operators. A ``JsonText`` value is JSON encoded
    already and is stored as it is.
    """

    def db_type(self, connection) -> str:  # type: ignore[override]
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        if isinstance(value, JsonText):  # encoded already (bulk inserts): stored as it is
            return str(value)
        if connection.vendor == "postgresql" and value is not None and not hasattr(value, "as_sql"):
            from psycopg.types.json import Json

            if not prepared:
                value = self.get_prep_value(value)
            return Json(value, dumps=lambda v: self._dumps(v))
        return super().get_db_prep_value(value, connection, prepared)

    def _dumps(self, value: Any) -> str:
        import json

        return json.dumps(value, cls=self.encoder, separators=(",", ":"))

    def from_db_value(self, value: Any, expression, connection) -> Any:
        # psycopg already decodes ``json`` columns (in order); only text needs parsing.
        if connection.vendor == "postgresql" and not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)
