"""Signals other apps listen to, so that the catalog needs to know nothing about them."""

from django.dispatch import Signal

# Sent after a location refresh commits; kwargs: location_id, summary (RefreshSummary).
location_refreshed = Signal()
