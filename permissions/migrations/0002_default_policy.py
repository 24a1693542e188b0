from django.db import migrations


def install(apps, schema_editor):
    from permissions.defaults import DEFAULT_RULES

    PolicyRule = apps.get_model("permissions", "PolicyRule")
    for rule in DEFAULT_RULES:
        PolicyRule.objects.get_or_create(name=rule["name"], defaults=rule)


def remove(apps, schema_editor):
    from permissions.defaults import DEFAULT_RULES

    apps.get_model("permissions", "PolicyRule").objects.filter(name__in=[r["name"] for r in DEFAULT_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("permissions", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
