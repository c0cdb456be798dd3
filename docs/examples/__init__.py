"""Documentation examples; tests/test_docs.py imports and runs each one."""
