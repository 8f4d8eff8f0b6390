"""The decider: pure functions from (execution head, what happened, now) to a decision."""
