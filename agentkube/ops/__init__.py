"""Stage 5: operations that drive the pulumi CLI: history, rollback, recovery, release, promotion, doctor."""
