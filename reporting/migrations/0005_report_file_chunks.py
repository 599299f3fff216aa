"""Report files in chunks: no file is ever held whole in memory."""

import django.db.models.deletion
from django.db import migrations, models

CHUNK_BYTES = 1024 * 1024


def move_content_to_chunks(apps, schema_editor):
    """Files compiled before chunks existed: their bytes, cut into chunks."""
    ReportFile = apps.get_model("reporting", "ReportFile")
    ReportFileChunk = apps.get_model("reporting", "ReportFileChunk")
    for report_file in ReportFile.objects.iterator(chunk_size=1):
        content = bytes(report_file.content)
        for index, start in enumerate(range(0, len(content), CHUNK_BYTES)):
            ReportFileChunk.objects.create(file=report_file, index=index,
                                           data=content[start:start + CHUNK_BYTES])


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0004_report_permissions'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportFileChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('index', models.PositiveIntegerField(verbose_name='position')),
                ('data', models.BinaryField(verbose_name='data')),
                ('file', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='reporting.reportfile', verbose_name='report file')),
            ],
            options={
                'verbose_name': 'report file chunk',
                'verbose_name_plural': 'report file chunks',
                'ordering': ['file', 'index'],
                'constraints': [models.UniqueConstraint(fields=('file', 'index'), name='one_report_chunk_per_index')],
            },
        ),
        migrations.RunPython(move_content_to_chunks, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='reportfile',
            name='content',
        ),
    ]
