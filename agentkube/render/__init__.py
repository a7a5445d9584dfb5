"""Stage 4a: writing what the core produced: YAML, render directories, tables, schema and reference."""
