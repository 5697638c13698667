/* gkpublish: 大字版 (large type) and the search page (exact 文号 lookup, full-text search
   over the site's own index, gkpublish/site/gkindex.py). No external resources. */
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

  // -- full text: the index of gkpublish/site/gkindex.py ---------------------------------
  // The same text as the index (normalise), the same tokens (every adjacent pair of
  // characters of a run, with positions; single characters), the same shard hash (fnv1a).
  // tests/test_gkindex_client.py runs both on the same index and queries.

  function normalise(text) {
    return String(text).normalize("NFKC").toLowerCase();
  }

  /** The query's words: normalised, split at white space, each once (gkindex.parse_query). */
  function parseQuery(query) {
    return Array.from(new Set(normalise(query).split(/\s+/).filter(Boolean)));
  }

  /** The offsets of the bigrams covering a word of n ≥ 2 characters: 0, 2, 4 … and n-2. */
  function cover(n) {
    const offs = [];
    for (let i = 0; i < n - 1; i += 2) offs.push(i);
    if (offs[offs.length - 1] !== n - 2) offs.push(n - 2);
    return offs;
  }

  function varints(bytes) {
    const out = [];
    let n = 0;
    let shift = 0;
    for (const b of bytes) {
      n += (b & 0x7f) * 2 ** shift;
      if (b & 0x80) shift += 7; else { out.push(n); n = 0; shift = 0; }
    }
    if (shift) throw new Error("truncated postings");
    return out;
  }

  function fromBase64Url(text) {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
    return out;
  }

  /** Page id → positions (gkindex.decode_postings). */
  function decodePostings(bytes, positional) {
    const nums = varints(bytes);
    const out = new Map();
    let i = 0;
    let page = -1;
    while (i < nums.length) {
      page += nums[i];
      i += 1;
      const pos = [];
      if (positional) {
        const count = nums[i];
        i += 1;
        let at = -1;
        for (let k = 0; k < count; k += 1) { at += nums[i + k]; pos.push(at); }
        i += count;
      }
      out.set(page, pos);
    }
    return out;
  }

  /** A client of one site's index under ``url`` (ends with "/"); ``get(url)`` fetches text. */
  function indexClient(url, get) {
    const cache = new Map();
    const fetchText = (name) => {
      if (!cache.has(name)) {
        const p = get(url + name);
        cache.set(name, p);
        p.catch(() => cache.delete(name));  // try again at the next search
      }
      return cache.get(name);
    };
    const json = async (name) => JSON.parse(await fetchText(name));
    let loaded = null;  // the manifest, fetched at the first full-text search
    const manifestOf = () => {
      if (!loaded) { loaded = json("manifest.json"); loaded.catch(() => { loaded = null; }); }
      return loaded;
    };

    async function postings(key) {
      const m = await manifestOf();
      const h = (fnv1a(key) & (m.shards - 1)) >>> 0;
      let table;
      try { table = await json("s/" + h.toString(16) + ".json"); } catch (e) {
        if (e && e.status === 404) return new Map();  // an empty shard is not written
        throw e;
      }
      let value = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : null;
      if (value === null) return new Map();
      if (value.startsWith("@")) value = await json(value.slice(1));
      return decodePostings(fromBase64Url(value), key[0] === "b" || key[0] === "t");
    }

    /** The pages holding ``word``, each with the word's first start on it (-1: unknown). */
    async function wordPages(word, big, uni) {
      const chars = Array.from(word);
      if (chars.length === 1) {
        const p = await postings(uni + word);
        return new Map(Array.from(p.keys(), (id) => [id, -1]));
      }
      const lists = await Promise.all(cover(chars.length).map(async (off) =>
        [off, await postings(big + chars[off] + chars[off + 1])]));
      lists.sort((a, b) => a[1].size - b[1].size);
      const [firstOff, first] = lists[0];
      const found = new Map();
      for (const [page, positions] of first) {
        const others = [];
        let all = true;
        for (const [, post] of lists.slice(1)) {
          const p = post.get(page);
          if (!p) { all = false; break; }
          others.push(new Set(p));
        }
        if (!all) continue;
        for (const p of positions) {
          const start = p - firstOff;
          if (lists.slice(1).every(([off], k) => others[k].has(start + off))) { found.set(page, start); break; }
        }
      }
      return found;
    }

    /** The ids of the pages holding every word (and, with ``filters`` {name: [values]}, one
     *  of the values of each): title matches first, each group newest first (gkindex.query);
     *  and for each page the first start of the first word (for its excerpt). */
    async function query(text, filters) {
      const words = parseQuery(text);
      if (!words.length) return { words, ids: [], at: new Map() };
      const byLength = words.slice().sort((a, b) => Array.from(b).length - Array.from(a).length);
      let found = null;
      let at = null;
      for (const w of byLength) {
        const pages = await wordPages(w, "b", "u");
        if (at === null) at = pages;
        found = found === null ? new Set(pages.keys()) : new Set(Array.from(found).filter((id) => pages.has(id)));
        if (!found.size) return { words, ids: [], at: new Map() };
      }
      for (const [name, values] of Object.entries(filters || {})) {
        if (!Array.isArray(values)) continue;  // not a filter
        const allowed = new Set();
        for (const v of values) for (const id of (await postings("f" + name + "\x1f" + v)).keys()) allowed.add(id);
        found = new Set(Array.from(found).filter((id) => allowed.has(id)));
      }
      let titled = new Set(found);
      for (const w of words) {
        if (!titled.size) break;
        const pages = await wordPages(w, "t", "v");
        titled = new Set(Array.from(titled).filter((id) => pages.has(id)));
      }
      const asc = (a, b) => a - b;
      const ids = Array.from(titled).sort(asc).concat(Array.from(found).filter((id) => !titled.has(id)).sort(asc));
      return { words, ids, at };
    }

    /** [url, title, 发布日期, 文号, text blocks] of each id. */
    async function pages(ids) {
      const m = await manifestOf();
      return Promise.all(ids.map(async (id) => (await json("p/" + Math.floor(id / m.chunk) + ".json"))[id % m.chunk]));
    }

    /** The normalised text of page ``id`` around ``start`` (-1: from its beginning). */
    async function textAround(id, start) {
      const m = await manifestOf();
      const k = start < 0 ? 0 : Math.floor(start / m.block);
      const blocks = (await pages([id]))[0][4];
      let text = await fetchText("x/" + id + "-" + k + ".txt");
      const offset = k * m.block;
      if (start >= 0 && start - offset + 120 > text.length && k + 1 < blocks) {  // the window runs on
        text += await fetchText("x/" + id + "-" + (k + 1) + ".txt");
      }
      return { text, offset };
    }

    return { manifest: manifestOf, postings, query, pages, textAround };
  }

  if (typeof module === "object" && module.exports) {  // Node.js: the parity tests
    module.exports = { normalizeDocNo, fnv1a, normalise, parseQuery, cover, decodePostings, indexClient };
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

  // -- the search page (search/, theme/gk/search.html) -----------------------------------
  const PAGE_SIZE = 10;
  const DEBOUNCE_MS = 300;

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  }

  function metaLine(docNo, date) {
    const parts = [];
    if (docNo) parts.push('<span class="gk-result__docno">文号：' + esc(docNo) + "</span>");
    if (date) parts.push('<span class="gk-result__date">发布日期：' + esc(date) + "</span>");
    return parts.length ? '<p class="gk-result__meta">' + parts.join("") + "</p>" : "";
  }

  /** The excerpt: ~100 characters of the page's text around the first hit, every word in <mark>. */
  function excerpt(found, start, words) {
    const { text, offset } = found;
    let at = start >= 0 ? start - offset : -1;
    if (at < 0) for (const w of words) { at = text.indexOf(w); if (at >= 0) break; }
    const from = Math.max(0, at - 30);
    const part = text.slice(from, from + 120);
    let html = esc(part);
    for (const w of words) if (w.length && part.includes(w)) html = html.split(esc(w)).join("<mark>" + esc(w) + "</mark>");
    return (from + offset > 0 ? "…" : "") + html + (from + part.length < text.length ? "…" : "");
  }

  function resultHtml(row, text, base) {
    return '<li class="gk-result"><a class="gk-result__title" href="' + esc(base + row[0]) + '">'
      + esc(row[1] || row[0]) + "</a>" + metaLine(row[3], row[2])
      + '<p class="gk-result__excerpt">' + text + "</p></li>";
  }

  function httpGet(url) {
    return fetch(url).then((r) => {
      if (!r.ok) { const e = new Error("HTTP " + r.status); e.status = r.status; throw e; }
      return r.text();
    });
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
    const index = indexClient(base + (root.dataset.index || "search/index/"), httpGet);
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

    /** The filters' values (the index's manifest), into the selects. */
    async function loadFilters() {
      const all = (await index.manifest()).facets || {};
      for (const select of selects) {
        if (select.options.length > 1) continue;
        const values = (all[select.dataset.filter] || []).slice();
        values.sort((a, b) => (select.dataset.filter === "年份" ? b.localeCompare(a) : a.localeCompare(b, "zh")));
        const chosen = select.dataset.want || "";
        select.insertAdjacentHTML("beforeend", values.map((v) => '<option value="' + esc(v) + '"'
          + (v === chosen ? " selected" : "") + ">" + esc(v) + "</option>").join(""));
      }
      return all;
    }

    /** The filters chosen: {filter: [values]} (a year range: every year in it). */
    async function chosenFilters() {
      const out = {};
      const value = (name) => { const s = selects.find((x) => x.name === name); return s ? (s.value || s.dataset.want || "") : ""; };
      for (const [key, name] of [["col", "栏目"], ["org", "发布机构"], ["genre", "体裁"]]) {
        if (value(key)) out[name] = [value(key)];
      }
      const from = value("from");
      const to = value("to");
      if (from || to) {
        const years = (await loadFilters())["年份"] || [];
        out["年份"] = years.filter((y) => (!from || y >= from) && (!to || y <= to));
      }
      return out;
    }
    let run = 0;  // the latest search; an older one drops its results
    let current = null;  // the query shown
    let results = { words: [], ids: [], at: new Map() };
    let shown = 0;

    function reset(query) {
      run += 1;
      current = query;
      results = { words: [], ids: [], at: new Map() };
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

    function none(query) {
      status.innerHTML = "未找到包含“" + esc(query) + "”的信息。请检查输入的文字，或换用更短、更常用的词语；也可以浏览" + catalog + "。";
    }

    async function showMore(id, focus) {
      more.disabled = true;
      const first = list.children.length;
      const batch = results.ids.slice(shown, shown + PAGE_SIZE);
      let items;
      try {
        const rows = await index.pages(batch);
        const texts = await Promise.all(batch.map(async (page) => {
          const start = results.at.has(page) ? results.at.get(page) : -1;
          try { return excerpt(await index.textAround(page, start), start, results.words); } catch (e) { return ""; }
        }));
        items = rows.map((row, k) => resultHtml(row, texts[k], base));
      } catch (e) {
        if (id === run) status.innerHTML = "搜索索引暂时无法加载，请稍后再试；也可以浏览" + catalog + "查找信息。";
        more.disabled = false;
        return;
      }
      if (id !== run) return;
      shown += batch.length;
      list.insertAdjacentHTML("beforeend", items.join(""));
      if (focus && list.children[first]) list.children[first].querySelector("a").focus();
      more.disabled = false;
      more.hidden = shown >= results.ids.length;
      more.textContent = "加载更多（还有 " + (results.ids.length - shown) + " 条）";
      status.textContent = "找到 " + results.ids.length + " 条包含“" + current + "”的信息";
    }

    async function fullText(query, id) {
      status.textContent = "正在检索“" + query + "”……";
      let found;
      try {
        found = await index.query(query, await chosenFilters());
      } catch (e) {
        if (id === run) status.innerHTML = "搜索索引暂时无法加载，请稍后再试；也可以浏览" + catalog + "查找信息。";
        return;
      }
      if (id !== run) return;
      results = found;
      if (!results.ids.length) {
        none(query);
        return;
      }
      await showMore(id, false);
    }

    // The whole answer to a query, for bench/search_quality.py and the quality test: the
    // number a visitor is told, and the URL (site-absolute) of every result, in order.
    window.gkpublishSearch = async (query, filters) => {
      const found = await index.query(query, filters || {});
      const rows = await index.pages(found.ids);
      return { total: found.ids.length, ids: found.ids, urls: rows.map((r) => base + r[0]) };
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
