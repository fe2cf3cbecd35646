"""`python -m mukta_server` is the `mukta-server` command."""

from mukta_server.cli import main

raise SystemExit(main())
