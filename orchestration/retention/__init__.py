"""Retention: the policy per data class, legal holds, archiving and purging raw usage, tag pseudonymization."""
