"""The one error `billing docs` reports: a single line saying what, where and what to do."""


class DocsError(Exception):
    """Printed as one line by the CLI."""
