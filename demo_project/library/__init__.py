"""The demo domain: a small library catalogue exposed over MCP."""
