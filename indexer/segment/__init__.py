"""Parsers from cleaned lines to a ParsedDocument."""
