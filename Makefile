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

# The demo is two sites, one organ each (an organ is a site): the repository root
# (重庆市江北区人民政府办公室) and examples/qijiang-audit/ (重庆市綦江区审计局).
QIJIANG := examples/qijiang-audit

# Check each demo site, then build its public site: the root into ./site, the second into
# ./examples/qijiang-audit/site (both git-ignored)
demo: $(STAMP)
	$(BIN)/gkpublish check --as-of $(DEMO_AS_OF)
	$(BIN)/gkpublish build --as-of $(DEMO_AS_OF) --out site
	$(BIN)/gkpublish -C $(QIJIANG) check --as-of $(DEMO_AS_OF)
	$(BIN)/gkpublish -C $(QIJIANG) build --as-of $(DEMO_AS_OF) --out site
	@echo "演示站点已生成：$(CURDIR)/site/（江北区政府办公室）和 $(CURDIR)/$(QIJIANG)/site/（綦江区审计局）"
	@echo "（直接打开 site/index.html 文件时，链接和站内搜索无法使用）"
	@echo "请运行 $(BIN)/gkpublish -C $(QIJIANG) serve -a 127.0.0.1:8001 ，在浏览器中打开 http://127.0.0.1:8001/ 查看綦江区审计局站点"
	@echo "请运行 $(BIN)/gkpublish serve ，在浏览器中打开 http://127.0.0.1:8000/ 查看江北区政府办公室站点"

# The demo's office records (not published), per site: ledger, review forms (HTML + PDF), the
# open applications and the 2025 annual report's figures, into build/records/ (江北) and
# build/records/qijiang-audit/ (綦江); -C runs in the site folder, so outputs are absolute
records: $(STAMP)
	mkdir -p build/records build/records/qijiang-audit
	$(BIN)/gkpublish report ledger --out build/records/台账.xlsx
	$(BIN)/gkpublish report form content/*/*.md --out build/records/审签表
	$(BIN)/gkpublish report requests --as-of $(DEMO_AS_OF) > build/records/依申请公开.txt
	$(BIN)/gkpublish report annual --year 2025 --organ SAMPLE001 --format json --out build/records/年报-2025-SAMPLE001.json
	$(BIN)/gkpublish report assessment --year 2026 > build/records/考核-2026.txt
	$(BIN)/gkpublish -C $(QIJIANG) report ledger --out $(CURDIR)/build/records/qijiang-audit/台账.xlsx
	cd $(QIJIANG) && $(CURDIR)/$(BIN)/gkpublish report form content/*/*.md --out $(CURDIR)/build/records/qijiang-audit/审签表
	$(BIN)/gkpublish -C $(QIJIANG) report requests --as-of $(DEMO_AS_OF) > build/records/qijiang-audit/依申请公开.txt
	$(BIN)/gkpublish -C $(QIJIANG) report annual --year 2025 --organ SAMPLE002 --format json --out $(CURDIR)/build/records/qijiang-audit/年报-2025-SAMPLE002.json
	$(BIN)/gkpublish -C $(QIJIANG) report assessment --year 2026 > build/records/qijiang-audit/考核-2026.txt

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
	rm -rf $(VENV) site $(QIJIANG)/site bench/out
