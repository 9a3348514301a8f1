"""Dashboards (`make dashboard`): Streamlit pages over the signed-in user's scope of the current publication."""
