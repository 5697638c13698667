# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo records test setup browser-deps lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The demo content is a snapshot dated DEMO_AS_OF: its 指南 is for that year and its
# columns are fresh as of that day, so the demo is checked as of then (reproducible).
DEMO_AS_OF ?= 2026-11-23

# Check the demo content, then build the public site into ./site
demo: $(STAMP)
	$(BIN)/gkpublish check --as-of $(DEMO_AS_OF)
	$(BIN)/gkpublish build --as-of $(DEMO_AS_OF) --out site
	@echo "演示站点已生成：$(CURDIR)/site/"
	@echo "请运行 $(BIN)/gkpublish serve ，在浏览器中打开 http://127.0.0.1:8000/ 查看"
	@echo "（直接打开 site/index.html 文件时，链接和站内搜索无法使用）"

# The demo's office records (not published): ledger, review forms (HTML + PDF), the open
# applications and the 2025 annual reports' figures, into build/records/
records: $(STAMP)
	mkdir -p build/records
	$(BIN)/gkpublish report ledger --out build/records/台账.xlsx
	$(BIN)/gkpublish report form content/*/*.md --out build/records/审签表
	$(BIN)/gkpublish report requests --as-of $(DEMO_AS_OF) > build/records/依申请公开.txt
	$(BIN)/gkpublish report annual --year 2025 --organ SAMPLE001 --format json --out build/records/年报-2025-SAMPLE001.json
	$(BIN)/gkpublish report annual --year 2025 --organ SAMPLE002 --format json --out build/records/年报-2025-SAMPLE002.json
	$(BIN)/gkpublish report assessment --year 2026 > build/records/考核-2026.txt

# The browser test drives Debian's Chromium, and its screenshots need a Chinese font;
# install them when missing (needs root).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "安装浏览器测试所需的 chromium 与中文字体（apt-get）……"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver fonts-wqy-microhei >/dev/null; \
	fi

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check gkpublish tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py --items 1000 10000

clean:
	rm -rf $(VENV) site bench/out
