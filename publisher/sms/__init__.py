"""The SMS gateway (gammu-smsd by default, swappable for an HTTP gateway)."""
