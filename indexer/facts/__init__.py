"""Structured facts pulled out of the records: Danish numbers, tariffs and recommendations/decisions."""
