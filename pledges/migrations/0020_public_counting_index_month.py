"""The public counting index also carries the month of the amount: the pledges awaiting a rate are
counted from the index alone, as the rest of the home page's figures."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('action_areas', '0004_load_reference_translations'),
        ('members', '0008_entity_identity_change'),
        ('pledges', '0019_monthly_rates_required'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='pledge',
            name='pledge_public_facets',
        ),
        migrations.AddIndex(
            model_name='pledge',
            index=models.Index(condition=models.Q(('status__in', ['published', 'completed'])), fields=['id'], include=('pledge_type', 'entity', 'event', 'published_at', 'is_global', 'embargo_until', 'usd_amount', 'amount_month'), name='pledge_public_facets'),
        ),
    ]
