"""MCP over stdin/stdout (`manage.py mcp_stdio`): the HTTP transport's Runtime behind pipes."""
