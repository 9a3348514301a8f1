"""The error every command raises for a person to read: printed as one line, exit status 1."""


class UserError(Exception):
    """Printed as one line, exit status 1."""
