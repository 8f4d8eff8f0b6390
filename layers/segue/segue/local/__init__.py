"""The local stack: moto, pollers that play event sources, the HTTP API, worker processes."""
