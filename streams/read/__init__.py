"""The read side: the projection of the output topics into Redis, and the HTTP API over it.

keys (the key space), documents (records -> what Redis stores, pure), scripts (the Lua that
writes a record and its indexes atomically), redis_model (the writes), queries (the reads),
projection (the Faust agent), rebuild (the CLI that fills an empty Redis), api (the ASGI app).
"""
