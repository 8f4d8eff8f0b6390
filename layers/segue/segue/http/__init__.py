"""The HTTP API: routes and request bodies."""
