"""Uploaded documents checked for personal data by the task worker, before pages link them out."""
