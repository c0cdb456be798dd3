"""Print a report of the catalogue, line by line (the demo's allowlisted command)."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo_project.library.models import Book


class Command(BaseCommand):
    help = "Report books per genre; --delay slows it down to show live output."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("title", nargs="?", default="Library report",
                            help="Heading of the report")
        parser.add_argument("--genre", choices=[g for g, _ in Book.GENRES],
                            help="Only this genre")
        parser.add_argument("--delay", type=float, default=0.0,
                            help="Seconds to wait between lines")
        parser.add_argument("--fail", action="store_true", help="End with a CommandError")
        parser.add_argument("--footer", default="", help="A closing line (free text)")

    def handle(self, *args: Any, title: str, genre: str | None, delay: float, fail: bool,
               footer: str, **options: Any) -> None:
        self.stdout.write(f"{title} (pid={os.getpid()})")
        books = Book.objects.order_by("genre", "title")
        if genre:
            books = books.filter(genre=genre)
        for book in books:
            time.sleep(delay)
            self.stdout.write(f"{book.genre:8} {book.title}")
        if footer:
            self.stdout.write(footer)
        if fail:
            raise CommandError("The report failed on purpose")
        self.stderr.write(f"{books.count()} book(s)")
