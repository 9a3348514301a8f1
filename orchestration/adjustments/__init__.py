"""Credit and debit notes proposed by billing operations and issued after maker-checker approval."""
