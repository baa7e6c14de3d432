"""Dates and times as Norwegian and Swedish write them in running text: "kl. 14.07".

Django's own formats write times with a colon and no "kl.", which neither Språkrådet nor the
Swedish language council recommends in prose. A site uses these by naming the package in
``settings.FORMAT_MODULE_PATH``; everything else (input formats, separators) stays Django's.
"""
