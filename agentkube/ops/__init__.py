"""Stage 5: operations that drive the pulumi CLI: history, record, rollback, recovery, promotion, doctor."""
