"""The read side: the projection of the output topics into Redis, and the HTTP API over it.

keys (the key space), documents (records -> what Redis stores, pure), scripts (the Lua that
writes a record and its indexes atomically), redis_model (the writes), projection (the Faust
agent), worker and app (its own worker group), rebuild (fills an empty Redis), cli (commands),
api/ (the HTTP API: routes, bodies, queries, filters, manual actions).
"""
