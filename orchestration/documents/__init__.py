"""Documents rendered for people: department statements from the marts, and client invoices (`invoices`)."""
