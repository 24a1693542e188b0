"""The Celery app: configuration from Django settings (CELERY_*), tasks found in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("greenroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule(sender: Celery, **kwargs: object) -> None:
    from django.conf import settings

    sender.add_periodic_task(
        float(settings.CATALOG_SCHEDULER_POLL_SECONDS),
        sender.signature("catalog.refresh_due_locations"),
        name="catalog: refresh due locations",
    )
    sender.add_periodic_task(
        float(settings.CATALOG_ORPHAN_CLEANUP_SECONDS),
        sender.signature("catalog.delete_orphans"),
        name="catalog: apply the orphan strategy",
    )
