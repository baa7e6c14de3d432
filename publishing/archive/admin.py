"""The archive in Wagtail's admin (placeholder: filled in by the retrieval work)."""
