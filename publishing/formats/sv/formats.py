from django.conf.locale.sv.formats import *  # noqa: F403 (Django's, with the times below)

TIME_FORMAT = r"\k\l. H.i"
DATETIME_FORMAT = r"j F Y \k\l. H.i"
SHORT_DATETIME_FORMAT = "Y-m-d H.i"
