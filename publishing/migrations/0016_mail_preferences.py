import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0015_external_links"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MailDigest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent at')),
                ('waiting', models.PositiveIntegerField(default=0, verbose_name='waiting for a decision')),
                ('submitted', models.PositiveIntegerField(default=0, verbose_name='submitted, in the workflow')),
                ('came_back', models.PositiveIntegerField(default=0, verbose_name='came back')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
            ],
            options={
                'verbose_name': 'daily mail summary',
                'verbose_name_plural': 'daily mail summaries',
                'ordering': ['-day'],
                'constraints': [models.UniqueConstraint(fields=('recipient', 'day'), name='publishing_mail_digest_day')],
            },
        ),
        migrations.CreateModel(
            name='DigestEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('changes_requested', 'changes requested'), ('approved', 'approved')], max_length=20, verbose_name='kind')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                ('task_state', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='wagtailcore.taskstate', verbose_name='workflow step')),
                ('digest', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='publishing.maildigest', verbose_name='summary')),
            ],
            options={
                'verbose_name': 'held workflow event',
                'verbose_name_plural': 'held workflow events',
                'ordering': ['created_at', 'pk'],
                'indexes': [models.Index(fields=['recipient', 'digest'], name='publishing_digest_event_open')],
            },
        ),
        migrations.CreateModel(
            name='MailPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mode', models.CharField(choices=[('each', 'One mail for each event, as it happens'), ('digest', 'One summary a day')], default='each', max_length=10, verbose_name='workflow mail')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='changed at')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='publishing_mail_preference', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'mail preference',
                'verbose_name_plural': 'mail preferences',
            },
        ),
    ]
