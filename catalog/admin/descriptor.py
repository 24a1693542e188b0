"""The form that writes an admin-managed entity: its descriptor as YAML, saved through the catalog's service."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms

from catalog import services
from catalog.models import Entity

PLACEHOLDER = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: my-service
  description: What it does
spec:
  type: service
  lifecycle: production
  owner: group:default/my-team
"""


def descriptor_yaml(entity: Entity) -> str:
    """The descriptor as written, as YAML in its own key order."""
    return yaml.safe_dump(entity.descriptor, sort_keys=False, allow_unicode=True)


class AdminEntityForm(forms.ModelForm):
    """Saves through ``services.save_admin_entity``, whose refusals become errors on the descriptor field.

    The save happens in ``clean()`` because the service is the validator (the same processing as a
    refresh, plus the ownership rules between locations); the admin's views run in a transaction, so
    nothing stays saved if a later step fails. The form maps no model fields; it adopts the saved row.
    """

    descriptor_text = forms.CharField(
        label="Descriptor (YAML)",
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 22,
                "class": "vLargeTextField catalog-yaml",
                "spellcheck": "false",
                "placeholder": PLACEHOLDER,
            }
        ),
        help_text="One entity, validated and processed as the catalog processes a file. "
        "Its kind, namespace and name cannot change once saved.",
    )

    class Meta:
        model = Entity
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["descriptor_text"].initial = descriptor_yaml(self.instance)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        uid = self.instance.pk if not self.instance._state.adding else None
        try:
            self.instance = services.save_admin_entity(data["descriptor_text"], uid=uid)
        except services.AdminEntityError as exc:
            for problem in exc.problems:
                named = problem.field and f'"{problem.field}"' not in problem.message  # quoted already
                text = f"{problem.field}: {problem.message}" if named else problem.message
                self.add_error("descriptor_text", text)
        return data
