# gunicorn configuration: `gunicorn -c site/deploy/gunicorn.conf.py config.wsgi`
# (run by publishing-web.service; values can be overridden with GUNICORN_* environment variables).
import gc
import multiprocessing
import os

# Behind the reverse proxy on the same machine (nginx.conf), never on a public address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: page serving is short and CPU-bound; two per core plus one is gunicorn's advice.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes this long is stuck; the worker is replaced rather than left hanging.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Replace workers now and then, so a slow leak never grows (jitter keeps them from all
# restarting at once).
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-Proto only from the proxy on this machine (Django's SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# The access log line without query strings: search terms and feedback links can be personal.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """Django, Wagtail and the site are loaded and live as long as the worker: set them aside
    from the garbage collector, whose full passes would otherwise walk them again and again (in
    ``bench.data_scale``, a pause of about 0.1 s in one admin request in five)."""
    gc.collect()
    gc.freeze()
