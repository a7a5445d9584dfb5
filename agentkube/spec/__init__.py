"""Stage 1: the agent spec and stack settings as pydantic models, and the `Problem` type."""
