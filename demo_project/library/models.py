"""Authors and books of the demo library."""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=200)
    born = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    GENRES = [("fiction", "Fiction"), ("science", "Science"), ("history", "History"),
              ("poetry", "Poetry")]
    title = models.CharField(max_length=300)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    genre = models.CharField(max_length=20, choices=GENRES)
    published = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    summary = models.TextField(blank=True)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
