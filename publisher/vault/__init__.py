"""Personal data at rest: the keys (``keys``), the cipher and look-up digests (``cipher``)
and encrypted model attributes (``fields``). Depends on nothing else in the publisher, so
models, services and the CLI can all use it without an import cycle."""
