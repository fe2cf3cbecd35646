"""Work orders and Measurement Book screens."""
