from django.db import migrations, models

from eproc.bids import merkle


def store_complete_subtrees(apps, schema_editor):
    """The subtree roots of the entries logged before LogNode existed, as log.append would have stored them."""
    LogEntry = apps.get_model("bids", "LogEntry")
    LogNode = apps.get_model("bids", "LogNode")
    leaves = (
        bytes.fromhex(value)
        for value in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True).iterator(chunk_size=5000)
    )
    batch = []
    for height, position, root in merkle.complete_subtrees(leaves):
        batch.append(LogNode(height=height, position=position, hash=root.hex()))
        if len(batch) == 5000:
            LogNode.objects.bulk_create(batch)
            batch = []
    LogNode.objects.bulk_create(batch)


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
