"""The one exception the operational store and the rate-card workflow raise for people."""


class OpsError(Exception):
    """A refusal or failure worded for the person at the command line: what, where, what to do (one line)."""
