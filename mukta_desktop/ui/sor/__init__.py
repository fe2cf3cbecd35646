"""Schedule of Rates screens."""
