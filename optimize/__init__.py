"""Optimisation and analytics for hall planning: exact queueing formulas, staffing."""
