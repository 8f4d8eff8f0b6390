"""The operator console: static pages over the HTTP API, and the proxy of `segue console`."""
