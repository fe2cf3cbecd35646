"""The sync client (the sync issue)."""
