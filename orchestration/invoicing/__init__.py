"""Client invoicing after dbt: finalization (gapless numbers per legal entity and series), documents, queries."""
