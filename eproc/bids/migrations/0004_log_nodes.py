from django.db import migrations, models


def store_complete_subtrees(apps, schema_editor):
    """The subtree roots of the entries logged before LogNode existed, as log.append would have stored them."""
    from eproc.bids.log import store_missing_subtrees

    store_missing_subtrees(
        entry_model=apps.get_model("bids", "LogEntry"),
        node_model=apps.get_model("bids", "LogNode"),
        head_model=apps.get_model("bids", "LogHead"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bids", "0003_closed_boxes"),
    ]

    operations = [
        migrations.CreateModel(
            name="LogNode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("height", models.PositiveSmallIntegerField()),
                ("position", models.PositiveBigIntegerField()),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("height", "position"), name="unique_log_node")],
            },
        ),
        migrations.RunPython(store_complete_subtrees, migrations.RunPython.noop),
    ]
