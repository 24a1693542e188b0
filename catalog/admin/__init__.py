"""The catalog in Django's admin: entities and relations to read, locations to register, refresh and remove."""

from catalog.admin import entities, locations, records
from catalog.admin.common import humanize_ref, short_summary_text, summary_text

__all__ = ["entities", "humanize_ref", "locations", "records", "short_summary_text", "summary_text"]
