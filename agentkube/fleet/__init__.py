"""Stage 2: spec and stack files become a validated `Fleet` (the only file I/O before the core)."""

from .loader import load_fleet, read_documents, read_stack
from .model import Fleet
from .resolve import resolve

__all__ = ["Fleet", "load_fleet", "read_documents", "read_stack", "resolve"]
