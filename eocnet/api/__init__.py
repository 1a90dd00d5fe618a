"""The HTTP JSON API under /api/v1: parse, call actions or queries, serialise."""
