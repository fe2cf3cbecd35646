"""Pure domain rules: values, rates, workflows. Imports only the standard library."""
