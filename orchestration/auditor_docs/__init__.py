"""Documentation for auditors (`billing docs`): dbt docs and Great Expectations Data Docs under
``<data_dir>/output/docs/``, built from a copy of the warehouse, never from the live file.

``build.py`` runs the steps; ``warehouse.py`` takes the copy; ``dbt_docs.py`` and ``gx_docs.py`` write the two
sites; ``landing.py`` writes the page that links them. Great Expectations is imported only inside ``gx_docs``
functions (the import alone takes seconds), so importing this package stays cheap.
"""
