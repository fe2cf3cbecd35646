.PHONY: run test bench

run:
	bash scripts/run-app.sh

test:
	bash scripts/run-tests.sh

bench:
	bash scripts/bootstrap.sh
	.venv/bin/python -m bench.sor_bench
	.venv/bin/python -m bench.sor_pull_bench
	.venv/bin/python -m bench.estimate_bench
	.venv/bin/python -m bench.mb_bench
	.venv/bin/python -m bench.report_bench
	.venv/bin/python -m bench.mb_report_bench
	.venv/bin/python -m bench.photo_bench
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.editor_bench
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.mb_editor_bench
	# Sync (issue 5 §6): the load bench starts its own PostgreSQL (initdb/pg_ctl from PATH
	# or /usr/lib/postgresql/*/bin, installed by bootstrap.sh); the other two use SQLite.
	.venv/bin/python -m bench.sync_load_bench
	.venv/bin/python -m bench.sync_noop_bench
	.venv/bin/python -m bench.sync_photo_bench
