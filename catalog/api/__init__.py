"""Backstage's catalog REST API under /api/catalog/ (spec §4)."""
