# The nightly check of external links on live pages (publishing.models.external_links).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0014_approval_reminder"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ExternalLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.TextField(verbose_name='address')),
                ('url_hash', models.CharField(editable=False, max_length=64, verbose_name='address fingerprint')),
                ('status', models.CharField(choices=[('unchecked', 'Not checked yet'), ('ok', 'Works'), ('failing', 'Failed, not reported yet'), ('broken', 'Broken'), ('robots', "Not checked: the site's robots.txt asks not to"), ('private', 'Not checked: points to a private address')], default='unchecked', max_length=12, verbose_name='status')),
                ('http_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='HTTP status')),
                ('error', models.CharField(blank=True, choices=[('timeout', 'No answer in time'), ('connection', 'Connection refused or broken'), ('dns', 'The domain name does not exist'), ('tls', 'Certificate or encryption error'), ('redirects', 'Too many redirects'), ('client_error', 'Page not found or closed (HTTP 4xx)'), ('server_error', 'Error on the other site (HTTP 5xx)'), ('invalid', 'Not a valid web address')], max_length=16, verbose_name='error')),
                ('final_url', models.TextField(blank=True, verbose_name='address after redirects')),
                ('first_failed_at', models.DateTimeField(blank=True, null=True, verbose_name='failing since')),
                ('consecutive_failures', models.PositiveIntegerField(default=0, verbose_name='failed runs in a row')),
                ('last_checked_at', models.DateTimeField(blank=True, null=True, verbose_name='last checked')),
                ('first_seen_at', models.DateTimeField(auto_now_add=True, verbose_name='first seen')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='publishing.municipality', verbose_name='municipality')),
                ('pages', models.ManyToManyField(blank=True, related_name='+', to=settings.WAGTAIL_PAGE_MODEL, verbose_name='pages')),
            ],
            options={
                'verbose_name': 'external link',
                'verbose_name_plural': 'external links',
                'indexes': [models.Index(fields=['municipality', 'status'], name='publishing__municip_48bb67_idx')],
                'constraints': [models.UniqueConstraint(fields=('municipality', 'url_hash'), name='publishing_one_external_link')],
            },
        ),
    ]
