"""Structured lookups from the SQL tables: meetings, tariffs, decisions, timelines."""
