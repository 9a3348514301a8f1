"""Publication: read-only copies of the marts for BI tools and the dashboard, one extract per access scope."""
