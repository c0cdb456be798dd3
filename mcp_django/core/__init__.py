"""Protocol core: JSON-RPC, errors, versions, dispatch. Standard library and pydantic only."""
