"""The pytest plugin's database handling, without a server: which test databases become files."""

from __future__ import annotations

from mcp_django.testing.pytest_plugin import file_test_databases

SQLITE = "django.db.backends.sqlite3"


def test_an_sqlite_test_database_in_memory_becomes_a_file_when_a_live_server_is_used(tmp_path):
    databases = {
        "default": {"ENGINE": SQLITE, "NAME": "db.sqlite3"},
        "memory": {"ENGINE": SQLITE, "NAME": "x", "TEST": {"NAME": ":memory:"}},
        "named": {"ENGINE": SQLITE, "NAME": "y", "TEST": {"NAME": "/srv/keep.sqlite3"}},
        "postgres": {"ENGINE": "django.db.backends.postgresql", "NAME": "pg"},
    }
    file_test_databases(databases, tmp_path)
    assert databases["default"]["TEST"]["NAME"] == str(tmp_path / "default.sqlite3")
    assert databases["memory"]["TEST"]["NAME"] == str(tmp_path / "memory.sqlite3")
    assert databases["named"]["TEST"]["NAME"] == "/srv/keep.sqlite3"
    assert databases["postgres"]["TEST"] == {}  # test_pg: a server every process reaches
