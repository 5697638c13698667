/* gkpublish: 大字版 (large type) and the search page (exact 文号 lookup, Pagefind full-text
   search). No external resources. */
(function () {
  "use strict";

  // -- 文号: the same rules as gkpublish/site/docno.py (normalize, fnv1a); ---------------
  // tests/test_docno.py runs both on the same strings.
  const SPACE = /[ \t\n\r\f\v\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;
  const DOC_NO = /^([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{1,20})[〔\[【(]([0-9]{4})[〕\]】)]第?0*([1-9][0-9]*)号$/;

  function normalizeDocNo(text) {
    const m = DOC_NO.exec(String(text).normalize("NFKC").replace(SPACE, ""));
    return m ? m[1] + "〔" + m[2] + "〕" + m[3] + "号" : null;
  }

  function fnv1a(text) {
    let h = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193);
    return h >>> 0;
  }

  // -- full text: the same words as gkpublish/site/search.py (bigram_words) -------------
  // Every pair of adjacent Han characters is one index word of ten lower-case letters:
  // Pagefind never segments Chinese, so index and query cannot disagree.
  const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]+/gu;
  const ALNUM = /[0-9a-z]+/g;

  function letters(cp) {
    let out = "";
    for (let i = 0; i < 5; i += 1) {
      out += String.fromCharCode(97 + (cp % 26));
      cp = Math.floor(cp / 26);
    }
    return out;
  }

  function bigramRuns(text) {
    const out = [];
    for (const run of String(text).normalize("NFKC").match(HAN) || []) {
      const codes = Array.from(run, (c) => letters(c.codePointAt(0)));
      const words = [];
      for (let i = 0; i + 1 < codes.length; i += 1) words.push(codes[i] + codes[i + 1]);
      out.push(words);
    }
    return out;
  }

  /** The query's words (space separated: every one must be on the page), and the Pagefind
   *  searches whose results must all hold the page: each run of two or more Han characters
   *  as the exact phrase of its bigram words (search.py indexes them in text order), each
   *  run of digits or Latin letters as a word. A word with neither (one Han character,
   *  punctuation) is searched as it is. */
  function parseQuery(query) {
    const words = String(query).normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean);
    const searches = new Set();
    const title = new Set();  // the same phrases among the title's words
    for (const word of words) {
      const runs = bigramRuns(word).filter((r) => r.length);
      const own = runs.map((r) => '"' + r.join(" ") + '"').concat(word.replace(HAN, " ").match(ALNUM) || []);
      for (const s of (own.length ? own : [word])) searches.add(s);
      for (const r of runs) title.add('"' + r.map((w) => "y" + w).join(" ") + '"');
    }
    return { words, searches: Array.from(searches), title: Array.from(title) };
  }

  // the hidden bigram words at the end of a result's text (search.py search_document)
  const BIGRAM_TAIL = /(?:\s+y?[a-z]{10})+\s*$/;

  /** A result's text as the reader sees it, and whether it holds every word. */
  function confirm(content, words) {
    const text = String(content).replace(BIGRAM_TAIL, "");
    const folded = text.normalize("NFKC").toLowerCase();
    return { text, ok: words.every((w) => folded.includes(w)) };
  }

  if (typeof module === "object" && module.exports) {  // Node.js: the parity test
    module.exports = { normalizeDocNo, fnv1a, bigramRuns, parseQuery, confirm };
    return;
  }

  // -- 大字版 (larger type for older readers), remembered in localStorage -----------------
  const ELDER_KEY = "gk-elder";

  function setElder(on) {
    document.documentElement.classList.toggle("gk-elder-mode", on);
    document.querySelectorAll("[data-gk-elder]").forEach((b) => {
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "标准版" : "大字版";
    });
  }

  function startElder() {
    let on = false;
    try { on = window.localStorage.getItem(ELDER_KEY) === "1"; } catch (e) { on = false; }
    setElder(on);
    document.querySelectorAll("[data-gk-elder]").forEach((b) => {
      b.addEventListener("click", () => {
        const now = !document.documentElement.classList.contains("gk-elder-mode");
        setElder(now);
        try { window.localStorage.setItem(ELDER_KEY, now ? "1" : "0"); } catch (e) { /* private mode */ }
      });
    });
  }

  // -- the search page (search/, made by search_page() in gkpublish/site/pages.py) -------
  const PAGE_SIZE = 10;
  const DEBOUNCE_MS = 300;
  const EXCERPT_WORDS = 40;

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  }

  function metaLine(docNo, date) {
    const parts = [];
    if (docNo) parts.push('<span class="gk-result__docno">文号：' + esc(docNo) + "</span>");
    if (date) parts.push('<span class="gk-result__date">发布日期：' + esc(date) + "</span>");
    return parts.length ? '<p class="gk-result__meta">' + parts.join("") + "</p>" : "";
  }

  // An excerpt may start in the middle of the metadata table: ". 综合政务/政务公开. …"
  const EXCERPT_LEAD = /^[\s.,;:、，。；：—-]+/;

  /** The excerpt: the text around the first query word found, every word in <mark>. */
  function excerpt(text, words) {
    const folded = text.normalize("NFKC").toLowerCase();
    let at = -1;
    for (const w of words) { at = folded.indexOf(w); if (at >= 0) break; }
    const start = Math.max(0, at - 30);
    let part = text.slice(start, start + 2 * EXCERPT_WORDS + 40).replace(EXCERPT_LEAD, "");
    let html = esc(part);
    for (const w of words) {
      if (w.length && part.includes(w)) html = html.split(esc(w)).join("<mark>" + esc(w) + "</mark>");
    }
    return (start > 0 ? "…" : "") + html + (start + part.length < text.length ? "…" : "");
  }

  /** One full-text result (its text already confirmed to hold the words). */
  function resultHtml(d, words) {
    return '<li class="gk-result"><a class="gk-result__title" href="' + esc(d.url) + '">'
      + esc(d.meta.title || d.url) + "</a>" + metaLine(d.meta["文号"], d.meta["发布日期"])
      + '<p class="gk-result__excerpt">' + excerpt(d.text, words) + "</p></li>";
  }

  /** The results of ``query``: Pagefind's candidates (every page holding all its bigram
   *  words), each confirmed by substring on its own text when loaded. */
  async function candidates(pf, query, filters) {
    const parsed = parseQuery(query);
    const newer = { sort: { date: "desc" } };
    const all = parsed.searches.concat(parsed.title);
    // the filters narrow the first search; the page must be in it
    const answers = await Promise.all(all.map((s, i) => pf.search(s, i ? newer : { ...newer, filters: filters || {} })));
    const ids = answers.map((a) => new Set(a.results.map((r) => r.id)));
    const text = ids.slice(1, parsed.searches.length);
    const inTitle = ids.slice(parsed.searches.length);
    // a page in every answer of the text, newer first; those with the words in the title first
    const results = answers[0].results.filter((r) => text.every((s) => s.has(r.id)));
    const titled = (r) => inTitle.length > 0 && inTitle.every((s) => s.has(r.id));
    return { words: parsed.words, results: results.filter(titled).concat(results.filter((r) => !titled(r))) };
  }

  async function confirmed(batch, words) {
    const data = await Promise.all(batch.map((r) => r.data()));
    return data.filter((d) => {
      const c = confirm(d.content, words);
      d.text = c.text;
      return c.ok;
    });
  }

  /** Pagefind, loaded at the first full-text search; its bundles merged (large sites). */
  function pagefindLoader(base, bundles) {
    let loading = null;
    return function load() {
      if (!loading) {
        loading = (async () => {
          const pf = await import(base + "pagefind/pagefind.js");
          await pf.options({ baseUrl: base, excerptLength: EXCERPT_WORDS });
          for (const bundle of bundles) await pf.mergeIndex(base + bundle, { baseUrl: base });
          return pf;
        })();
        loading.catch(() => { loading = null; });  // try again at the next search
      }
      return loading;
    };
  }

  /** The 文号 lookup files (gkpublish/site/docno.py): 文号 → documents and citing items. */
  function docNoLookup(base, shards) {
    const files = new Map();
    return async function lookup(docNo) {
      if (!shards) return null;
      const name = (fnv1a(docNo) & (shards - 1)).toString(16);
      if (!files.has(name)) {
        files.set(name, fetch(base + "search/docno/" + name + ".json").then((r) => {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        }));
      }
      try {
        const table = await files.get(name);
        // a full 文号 is answered exactly: one the site does not have is an answer too
        return Object.prototype.hasOwnProperty.call(table, docNo) ? table[docNo] : { items: [], cited: [] };
      } catch (e) {
        files.delete(name);
        return null;  // the lookup failed: the full-text search answers instead
      }
    };
  }

  function docNoHtml(docNo, hit, base, query) {
    const link = (e, cls) => '<a class="' + cls + '" href="' + esc(base + e.url) + '">' + esc(e.title) + "</a>";
    let html = '<h2 class="gk-docno__title">文号 <span class="gk-docno__no">' + esc(docNo) + "</span></h2>";
    if (hit.items.length) {
      html += '<ol class="gk-results">' + hit.items.map((e) => '<li class="gk-result">'
        + link(e, "gk-result__title") + metaLine(docNo, e.date) + "</li>").join("") + "</ol>";
    } else {
      html += '<p class="gk-docno__none">本站没有发布此文号的文件。请核对文号的机关代字、年份和序号，'
        + "或在全文中检索。</p>";
    }
    if (hit.cited.length) {
      html += '<h3 class="gk-docno__subtitle">正文中引用此文号的信息</h3><ul class="gk-docno__cited">'
        + hit.cited.map((e) => "<li>" + link(e, "gk-docno__link") + '<span class="gk-docno__date">'
        + esc(e.date) + "</span></li>").join("") + "</ul>";
    }
    return html + '<p><button class="md-button gk-docno__fulltext" type="button">在全文中检索“'
      + esc(query) + "”</button></p>";
  }

  function docNoStatus(docNo, hit) {
    const found = hit.items.length ? "找到 " + hit.items.length + " 份文号为“" + docNo + "”的文件" : "本站没有文号为“" + docNo + "”的文件";
    return found + (hit.cited.length ? "，" + hit.cited.length + " 条信息在正文中引用此文号。" : "。");
  }

  function startSearch(root) {
    const base = new URL(root.dataset.base || "./", window.location.href).pathname;
    const loadPagefind = pagefindLoader(base, JSON.parse(root.dataset.merge || "[]"));
    const lookup = docNoLookup(base, Number(root.dataset.docnoShards || 0));
    const form = root.querySelector(".gk-search__form");
    const input = root.querySelector(".gk-search__input");
    const status = root.querySelector(".gk-search__status");
    const docNoBox = root.querySelector(".gk-docno");
    const note = root.querySelector(".gk-search__note");
    const list = root.querySelector(":scope > ol.gk-results");  // not the one of the 文号 answer
    const more = root.querySelector(".gk-search__more");
    const catalog = '<a href="' + esc(base + "catalog/") + '">政府信息公开目录</a>';
    const selects = Array.from(root.querySelectorAll(".gk-filters select"));
    const details = root.querySelector(".gk-search__filters");
    let filterValues = null;  // Pagefind's filters and their values, loaded when first needed

    async function loadFilters() {
      if (!filterValues) {
        filterValues = (await loadPagefind()).filters();
        filterValues.catch(() => { filterValues = null; });
      }
      const all = await filterValues;
      for (const select of selects) {
        if (select.options.length > 1) continue;
        const values = Object.keys(all[select.dataset.filter] || {});
        values.sort((a, b) => (select.dataset.filter === "年份" ? b.localeCompare(a) : a.localeCompare(b, "zh")));
        const chosen = select.dataset.want || "";
        select.insertAdjacentHTML("beforeend", values.map((v) => '<option value="' + esc(v) + '"'
          + (v === chosen ? " selected" : "") + ">" + esc(v) + "</option>").join(""));
      }
      return all;
    }

    /** The filters chosen, as Pagefind's filter object (a year range: any year in it). */
    async function chosenFilters() {
      const out = {};
      const value = (name) => { const s = selects.find((x) => x.name === name); return s ? (s.value || s.dataset.want || "") : ""; };
      for (const [key, name] of [["col", "栏目"], ["org", "发布机构"], ["genre", "体裁"]]) {
        if (value(key)) out[name] = value(key);
      }
      const from = value("from");
      const to = value("to");
      if (from || to) {
        const years = Object.keys((await loadFilters())["年份"] || {});
        out["年份"] = { any: years.filter((y) => (!from || y >= from) && (!to || y <= to)).concat(["-"]) };
      }
      return out;
    }
    let run = 0;  // the latest search; an older one drops its results
    let current = null;  // the query shown
    let results = [];
    let shown = 0;

    function reset(query) {
      run += 1;
      current = query;
      results = [];
      shown = 0;
      docNoBox.hidden = true;
      docNoBox.innerHTML = "";
      note.hidden = true;
      list.innerHTML = "";
      more.hidden = true;
      return run;
    }

    function syncUrl(query) {
      const url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      for (const s of selects) {
        const v = s.value || s.dataset.want || "";
        if (v) url.searchParams.set(s.name, v); else url.searchParams.delete(s.name);
      }
      window.history.replaceState(null, "", url);
    }

    let words = [];
    let dropped = 0;  // candidates whose text does not hold the words

    function counted() {
      return results.length - dropped;
    }

    function none(query) {
      status.innerHTML = "未找到包含“" + esc(query) + "”的信息。请检查输入的文字，或换用更短、更常用的词语；也可以浏览" + catalog + "。";
    }

    async function showMore(id, focus) {
      more.disabled = true;
      const first = list.children.length;
      let page = [];
      while (page.length < PAGE_SIZE && shown < results.length) {  // a page of confirmed results
        const batch = results.slice(shown, shown + PAGE_SIZE - page.length);
        const ok = await confirmed(batch, words);
        if (id !== run) return;
        shown += batch.length;
        dropped += batch.length - ok.length;
        page = page.concat(ok);
      }
      list.insertAdjacentHTML("beforeend", page.map((d) => resultHtml(d, words)).join(""));
      if (focus && list.children[first]) list.children[first].querySelector("a").focus();
      more.disabled = false;
      more.hidden = shown >= results.length;
      more.textContent = "加载更多（还有 " + (counted() - list.children.length) + " 条）";
      if (!counted()) none(current);
      else status.textContent = "找到 " + counted() + " 条包含“" + current + "”的信息";
    }

    async function fullText(query, id) {
      status.textContent = "正在检索“" + query + "”……";
      let found;
      try {
        found = await candidates(await loadPagefind(), query, await chosenFilters());
      } catch (e) {
        if (id === run) status.innerHTML = "搜索索引暂时无法加载，请稍后再试；也可以浏览" + catalog + "查找信息。";
        return;
      }
      if (id !== run) return;
      results = found.results;
      words = found.words;
      dropped = 0;
      if (!results.length) {
        none(query);
        return;
      }
      await showMore(id, false);
    }

    // The whole answer to a query, for bench/search_quality.py and the quality test: the
    // number a visitor is told, and the URL of every confirmed result.
    window.gkpublishSearch = async (query) => {
      const found = await candidates(await loadPagefind(), query);
      const ok = await confirmed(found.results, found.words);
      return { total: found.results.length, urls: ok.map((d) => d.url) };
    };

    async function search(raw, force) {
      const query = raw.trim();
      if (query === current && !force) return;
      const id = reset(query);
      const filtered = selects.some((s) => s.value || s.dataset.want);
      syncUrl(query);
      if (!query) {
        status.textContent = "";
        return;
      }
      const docNo = filtered ? null : normalizeDocNo(query);  // filters: a full-text search
      const hit = docNo && await lookup(docNo);
      if (id !== run) return;
      if (hit) {
        docNoBox.innerHTML = docNoHtml(docNo, hit, base, query);
        docNoBox.hidden = false;
        status.textContent = docNoStatus(docNo, hit);
        return;
      }
      if (docNo) {
        note.textContent = "文号查询暂时无法使用，以下是全文检索的结果。";
        note.hidden = false;
      }
      await fullText(query, id);
    }

    let timer = 0;
    let composing = false;  // an IME is composing: its provisional text is not a query
    const later = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => search(input.value, false), DEBOUNCE_MS);
    };
    input.addEventListener("compositionstart", () => { composing = true; window.clearTimeout(timer); });
    input.addEventListener("compositionend", () => { composing = false; later(); });
    input.addEventListener("input", (e) => { if (!composing && !e.isComposing) later(); });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      window.clearTimeout(timer);
      search(input.value, true);
    });
    more.addEventListener("click", () => showMore(run, true));
    docNoBox.addEventListener("click", (e) => {
      const button = e.target.closest(".gk-docno__fulltext");
      if (!button) return;
      button.hidden = true;
      fullText(current, run);
    });

    for (const s of selects) {
      s.addEventListener("change", () => { s.dataset.want = ""; search(input.value, true); });
    }
    details.addEventListener("toggle", () => { if (details.open) loadFilters().catch(() => {}); });

    root.hidden = false;
    const params = new URLSearchParams(window.location.search);
    for (const s of selects) {
      s.dataset.want = params.get(s.name) || "";
      if (s.dataset.want) details.open = true;
    }
    const query = params.get("q") || "";
    input.value = query;
    if (query) search(query, true); else input.focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    startElder();
    const root = document.getElementById("gk-search");
    if (root) startSearch(root);
  });
})();
