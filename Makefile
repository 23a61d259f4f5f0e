# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3

.PHONY: install demo test lint bench

install:
	$(PYTHON) -m pip install -q -e '.[test]'

demo: install
	$(PYTHON) examples/kmeans.py
	$(PYTHON) examples/train_mlp.py

test: install
	$(PYTHON) -m ruff check python test benchmarks examples
	$(PYTHON) -m pytest -q -n 2 test
	$(PYTHON) -c "import lit.main; lit.main.main()" -q lit_tests

bench: install
	$(PYTHON) benchmarks/run.py
