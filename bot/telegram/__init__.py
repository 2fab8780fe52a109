"""The Telegram face: members ask, the secretariat uploads, strangers get nothing."""
