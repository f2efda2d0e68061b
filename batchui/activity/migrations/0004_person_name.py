"""The person's name on each entry (people read names, not logins); earlier entries get the name
their account has now, when it still exists."""

from django.db import migrations, models


def names_of_earlier_entries(apps, schema_editor):
    entry_model = apps.get_model("activity", "ActivityEntry")
    for entry in entry_model.objects.filter(person_name="", user__isnull=False).select_related(
        "user"
    ):
        name = f"{entry.user.first_name} {entry.user.last_name}".strip()
        if name:
            entry.person_name = name[:255]
            entry.save(update_fields=["person_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0003_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="activityentry",
            name="person_name",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
        migrations.RunPython(names_of_earlier_entries, migrations.RunPython.noop),
    ]
