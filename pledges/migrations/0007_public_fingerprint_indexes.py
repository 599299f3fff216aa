# Indexes for pledges.selectors.public_fingerprint() (the last save of a pledge and the next end
# of an embargo, each read from the end of an index) and a covering index of the public pledges'
# facet columns for the counting of the public site (see Pledge.Meta.indexes).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0006_public_list_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='pledge',
            index=models.Index(fields=['updated_at'], name='pledge_saved'),
        ),
        migrations.AddIndex(
            model_name='pledge',
            index=models.Index(condition=models.Q(('embargo_until__isnull', False)), fields=['embargo_until'], name='pledge_embargo'),
        ),
        migrations.AddIndex(
            model_name='pledge',
            index=models.Index(condition=models.Q(('status__in', ['published', 'completed'])), fields=['id'], include=['pledge_type', 'entity', 'event', 'published_at', 'is_global', 'embargo_until', 'usd_amount'], name='pledge_public_facets'),
        ),
    ]
