"""The real services the engine needs, on 127.0.0.1, one module per concern: `settings` (the BG_*
variables), `processes` (start, wait, stop), `kafka`, `redis`, `registry`, `secure` (the
throwaway CA, certificates and passwords of the secure listeners) and `cli` (up, down, status,
env). Run through scripts/services.py. Standard library only, so that it runs before the
project's virtual environment exists."""
