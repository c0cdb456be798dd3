"""Durable tasks: long tool calls kept in the database, run with a lease (SEP-2663)."""
