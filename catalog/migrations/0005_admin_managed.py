# Location type "admin": the location that owns the entities written in the Django admin.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_entity_json_keeps_key_order'),
    ]

    operations = [
        migrations.AlterField(
            model_name='location',
            name='type',
            field=models.CharField(choices=[('file', 'file'), ('url', 'url'), ('admin', 'admin (entities edited in the admin)')], default='url', max_length=16),
        ),
    ]
