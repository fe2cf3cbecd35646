"""The HTTP API under /api/v1 (docs/sync-protocol.md): routers, middleware, error answers."""

API_PREFIX = "/api/v1"
