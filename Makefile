# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3

.PHONY: install install-test demo test bench

install:
	$(PYTHON) -m pip install -q -e .

install-test:
	$(PYTHON) -m pip install -q -e '.[test]'

demo: install
	$(PYTHON) examples/kmeans.py
	$(PYTHON) examples/train_mlp.py
	$(PYTHON) examples/train_cnn.py

# pytest's -q comes from pyproject's addopts (one more would hide the pass count)
test: install-test
	$(PYTHON) -m ruff check python test benchmarks examples
	$(PYTHON) -m pytest -n 2 test
	$(PYTHON) -c "import lit.main; lit.main.main()" -q lit_tests

bench: install
	$(PYTHON) benchmarks/run.py
