"""Disputes of invoice and chargeback lines: intake, acknowledgment, assignment, investigation, resolution."""
