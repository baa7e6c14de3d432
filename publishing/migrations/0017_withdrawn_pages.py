import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0016_mail_preferences"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="staffnoticepage",
            name="withdrawal_reason",
            field=models.TextField(
                blank=True,
                help_text="Shown to citizens on the page, for example “The scheme ended on 31 December.”",
                max_length=600,
                verbose_name="why it was withdrawn",
            ),
        ),
        migrations.AddField(
            model_name="staffnoticepage",
            name="withdrawal_see_instead",
            field=models.ForeignKey(
                blank=True,
                help_text="The current page citizens should read instead, if there is one.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.WAGTAIL_PAGE_MODEL,
                verbose_name="where to go instead",
            ),
        ),
        migrations.AddField(
            model_name="staffnoticepage",
            name="withdrawn",
            field=models.BooleanField(
                default=False,
                help_text="The page is no longer current. It stays at its address with a notice saying so, and it leaves lists, search, news feeds and the sitemap. Use this rather than unpublishing a page that citizens may have relied on.",
                verbose_name="withdrawn",
            ),
        ),
        migrations.AddField(
            model_name="staffnoticepage",
            name="withdrawn_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="withdrawn at"
            ),
        ),
    ]
