"""Method handlers, one module per family; each takes (server, ctx, params) and returns a result."""
