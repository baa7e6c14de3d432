"""An index on Wagtail's page log for "Your most recent edits" on the admin home.

The panel reads someone's newest edits (``publishing.dashboard.panels.recently_edited``). Wagtail
indexes the log's user and time apart: the database either reads all of the user's entries or
walks the whole log back in time past everyone else's (100 ms at 600,000 entries). An index on
(user, action, time) gives the newest edits of one user directly. Only an index is added to
Wagtail's table; nothing of its columns or data changes.
"""

from django.db import migrations

INDEX = "publishing_pagelog_user_edits"


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0019_organisation_version"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_pagelogentry "
            f'(user_id, action, "timestamp")',
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
