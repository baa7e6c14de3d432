"""Running calls at the same time, each in its own thread and database connection, as several
app-server workers or task workers do."""

import threading
import time

from django.db import connection


def at_the_same_time(*calls, delay=0):
    """Run ``calls`` in threads, each ``delay`` seconds after the one before; their results (or
    the exception each raised). Each thread's database connection is closed when its call ends,
    so that the test database can be dropped afterwards."""
    results = [None] * len(calls)

    def run(index, call):
        time.sleep(index * delay)
        try:
            results[index] = call()
        except Exception as error:  # kept for the test to look at
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
