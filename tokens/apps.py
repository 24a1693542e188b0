from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "tokens"
    verbose_name = "API tokens"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the bearer scheme with drf-spectacular; a saved or deleted token clears verified ones.
        from django.db.models.signals import post_delete, post_save

        from tokens import schema  # noqa: F401
        from tokens.models import ApiToken
        from tokens.verified import forget_all

        post_save.connect(forget_all, sender=ApiToken, dispatch_uid="tokens.forget.save")
        post_delete.connect(forget_all, sender=ApiToken, dispatch_uid="tokens.forget.delete")
