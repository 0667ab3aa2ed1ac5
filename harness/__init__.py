"""The test harness, shared by tests/ and benchmarks/: the app's server (harness.server) and a websocket client
that speaks Streamlit's protocol as the browser does (harness.client). Streamlit's private names come from one
adapter, ui.internals."""
