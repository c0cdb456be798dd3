"""A bare Django project: one async view answering the echo tools/call, no database."""
