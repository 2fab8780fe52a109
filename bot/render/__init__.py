"""Renderings of answers for each face (terminal, Telegram)."""
