"""One module per dashboard page; each is run by st.navigation as a script and renders with `render(view)`."""
