"""Excel and PDF documents built from service results (estimates, MB books: later issues)."""
