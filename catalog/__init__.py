"""The software catalog: Backstage's entity model, ingested from locations."""
