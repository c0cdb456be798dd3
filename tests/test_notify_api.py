"""The Python notification API reaches the channel layer from sync code, e.g. a post_save."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from demo_project.library.models import Author, Book
from mcp_django.server import default_server


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_saving_a_book_announces_its_resource():
    layer = default_server.runtime.groups.layer()
    channel = await layer.new_channel()
    await layer.group_add(default_server.runtime.groups.changes, channel)
    try:
        def save() -> int:
            author = Author.objects.create(name="Octavia E. Butler")
            return Book.objects.create(title="Kindred", author=author, genre="fiction",
                                       published=1979, pages=264).pk

        pk = await database_sync_to_async(save)()
        event = await asyncio.wait_for(layer.receive(channel), 2)
        assert event == {"type": "mcp.change", "kind": "resource",
                         "uri": f"library://books/{pk}"}
    finally:
        await layer.group_discard(default_server.runtime.groups.changes, channel)


@pytest.mark.asyncio
async def test_notify_from_inside_the_event_loop_does_not_block():
    layer = default_server.runtime.groups.layer()
    channel = await layer.new_channel()
    await layer.group_add(default_server.runtime.groups.changes, channel)
    try:
        default_server.notify_tools_changed()
        event = await asyncio.wait_for(layer.receive(channel), 2)
        assert event["kind"] == "tools"
    finally:
        await layer.group_discard(default_server.runtime.groups.changes, channel)
