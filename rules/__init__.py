"""The decisions: the declared policy, its loader and validator, facts, and the rule engine."""
