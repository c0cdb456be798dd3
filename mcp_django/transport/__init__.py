"""HTTP edge: checks, JSON vs SSE responses, streams, ASGI and Django view adapters."""
