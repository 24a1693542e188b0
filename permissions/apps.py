from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "permissions"
    verbose_name = "Permissions and identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from catalog.signals import location_refreshed
        from permissions import identity, signals

        signals.connect()

        location_refreshed.connect(identity.on_location_refreshed, dispatch_uid="permissions.sync_groups")
        user_logged_in.connect(identity.on_user_logged_in, dispatch_uid="permissions.resolve_identity")
