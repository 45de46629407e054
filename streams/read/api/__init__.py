"""The HTTP API over the read model: app (FastAPI, auth, operations), reads and writes (routes),
models (bodies), queries and filters (Redis reads), publisher (manual actions as commands)."""
