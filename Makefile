.PHONY: run test bench

run:
	bash scripts/run-app.sh

test:
	bash scripts/run-tests.sh

bench:
	bash scripts/bootstrap.sh
	.venv/bin/python -m bench.sor_bench
	.venv/bin/python -m bench.estimate_bench
	.venv/bin/python -m bench.mb_bench
	.venv/bin/python -m bench.report_bench
	.venv/bin/python -m bench.mb_report_bench
	.venv/bin/python -m bench.photo_bench
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.editor_bench
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.mb_editor_bench
