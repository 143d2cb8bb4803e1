"""The search index's rows: a page's current text (and its engine text, where corrected)
as token streams, in the database's own full-text machinery.

The table is the same on every database; what indexes it is not (``search.backends``):
PostgreSQL keeps a GIN-indexed ``tsvector`` column written beside each row, SQLite an FTS5
table over ``tokens``, kept by triggers. Rows are written only by ``search.indexing``.
"""

from django.db import models

from books.models import Page


class Source(models.TextChoices):
    CURRENT = "current"  # corrected where corrected, the engine's text elsewhere
    ENGINE = "engine"  # what the engine read; only for pages whose text was corrected


class PageChunk(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=7, choices=Source)
    number = models.PositiveSmallIntegerField()
    corrected = models.BooleanField()  # the page has corrected lines
    # SQLite: the FTS5 table's content. PostgreSQL: empty, the tsvector holds the tokens.
    tokens = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "source", "number"], name="search_pagechunk_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page_id} {self.source} {self.number}"
