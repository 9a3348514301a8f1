"""Accounts receivable: what customers paid, read from bank statements (bank_statements.read_bank_statement)."""
