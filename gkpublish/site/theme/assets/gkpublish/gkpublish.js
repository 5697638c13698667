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

  const K = 4;  // characters of a gram (gkindex.K)

  /** The offsets of the grams covering a word of n > K characters (gkindex.cover). */
  function cover(n) {
    const offs = [];
    for (let i = 0; i + K <= n; i += K) offs.push(i);
    if (offs[offs.length - 1] !== n - K) offs.push(n - K);
    return offs;
  }

  function fromBase64Url(text) {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
    return out;
  }

  /** n numbers of w bytes each, stored as w planes from ``at`` (gkindex planar numbers). */
  function unplane(bytes, at, n, w) {
    const out = new Array(n).fill(0);
    for (let j = 0; j < w; j += 1) {
      const scale = 2 ** (8 * j);
      for (let i = 0; i < n; i += 1) out[i] += bytes[at + j * n + i] * scale;
    }
    return out;
  }

  /** Ascending page ids of a page list (gkindex.decode_pages). */
  function decodePages(bytes) {
    const w = bytes[0];
    if (!(w >= 1 && w <= 8) || (bytes.length - 1) % w) throw new Error("bad page list");
    const ids = unplane(bytes, 1, (bytes.length - 1) / w, w);
    for (let i = 1; i < ids.length; i += 1) ids[i] += ids[i - 1];
    return ids;
  }

  /** [pages, positions] of every occurrence of a gram (gkindex.decode_occurrences). */
  function decodeOccurrences(bytes) {
    const w1 = bytes[0];
    const w2 = bytes[1];
    if (!(w1 >= 1 && w1 <= 8 && w2 >= 1 && w2 <= 8) || (bytes.length - 2) % (w1 + w2)) throw new Error("bad occurrences");
    const n = (bytes.length - 2) / (w1 + w2);
    const pages = unplane(bytes, 2, n, w1);
    for (let i = 1; i < n; i += 1) pages[i] += pages[i - 1];
    return [pages, unplane(bytes, 2 + n * w1, n, w2)];
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

    /** The bytes of ``key``'s value, or null. */
    async function value(key) {
      const m = await manifestOf();
      const h = (fnv1a(key) & (m.shards - 1)) >>> 0;
      let table;
      try { table = await json("s/" + h.toString(16) + ".json"); } catch (e) {
        if (e && e.status === 404) return null;  // an empty shard is not written
        throw e;
      }
      let v = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : null;
      if (v === null) return null;
      if (v.startsWith("@")) v = await json(v.slice(1));
      return fromBase64Url(v);
    }

    async function pageList(key) {
      const bytes = await value(key);
      return bytes ? decodePages(bytes) : [];
    }

    /** The pages holding ``word`` in field ``f`` ("b": text, "t": title; gkindex._word_pages). */
    async function wordPages(word, f) {
      const chars = Array.from(word);
      if (chars.length <= K) return new Set(await pageList(f + chars.length + word));
      const lists = [];
      for (const off of cover(chars.length)) {
        const bytes = await value(f + "p" + chars.slice(off, off + K).join(""));
        if (!bytes) return new Set();
        const [pages, positions] = decodeOccurrences(bytes);
        lists.push([off, pages, positions]);
      }
      lists.sort((a, b) => a[1].length - b[1].length);
      const [firstOff, firstPages, firstPos] = lists[0];
      const others = lists.slice(1).map(([off, pages, positions]) => {
        const set = new Set();
        for (let i = 0; i < pages.length; i += 1) set.add(pages[i] * 4294967296 + positions[i]);
        return [off, set];
      });
      const found = new Set();
      for (let i = 0; i < firstPages.length; i += 1) {
        const page = firstPages[i];
        if (found.has(page)) continue;
        const start = page * 4294967296 + firstPos[i] - firstOff;
        if (others.every(([off, set]) => set.has(start + off))) found.add(page);
      }
      return found;
    }

    /** The ids of the pages holding every word (and, with ``filters`` {name: [values]}, one
     *  of the values of each): title matches first, each group newest first (gkindex.query). */
    async function query(text, filters) {
      const words = parseQuery(text);
      if (!words.length) return { words, ids: [] };
      const byLength = words.slice().sort((a, b) => Array.from(a).length - Array.from(b).length);
      let found = null;
      for (const w of byLength) {  // the shortest first: a page list, no positions
        const pages = await wordPages(w, "b");
        found = found === null ? pages : new Set(Array.from(found).filter((id) => pages.has(id)));
        if (!found.size) return { words, ids: [] };
      }
      for (const [name, values] of Object.entries(filters || {})) {
        if (!Array.isArray(values)) continue;  // not a filter
        const allowed = new Set();
        for (const v of values) for (const id of await pageList("f" + name + "\x1f" + v)) allowed.add(id);
        found = new Set(Array.from(found).filter((id) => allowed.has(id)));
      }
      let titled = new Set(found);
      for (const w of words) {
        if (!titled.size) break;
        const pages = await wordPages(w, "t");
        titled = new Set(Array.from(titled).filter((id) => pages.has(id)));
      }
      const asc = (a, b) => a - b;
      const ids = Array.from(titled).sort(asc).concat(Array.from(found).filter((id) => !titled.has(id)).sort(asc));
      return { words, ids };
    }

    /** [url, title, 发布日期, 文号, text blocks] of each id. */
    async function pages(ids) {
      const m = await manifestOf();
      return Promise.all(ids.map(async (id) => (await json("p/" + Math.floor(id / m.chunk) + ".json"))[id % m.chunk]));
    }

    /** The text of page ``id`` (as written) from the first of its text blocks where one of
     *  ``words`` starts (with the next block when the word or the excerpt runs on), or its
     *  first block; ``offset``: where it begins in the page. */
    async function textAround(id, words) {
      const m = await manifestOf();
      const blocks = (await pages([id]))[0][4];
      const block = (k) => fetchText("x/" + id + "-" + k + ".txt");
      for (let k = 0; k < blocks; k += 1) {
        let text = await block(k);
        const own = fold(text).norm.length;
        if (k + 1 < blocks) text += await block(k + 1);  // a word may run across the end of a block
        const { norm } = fold(text);
        if (words.some((w) => { const at = norm.indexOf(w); return at >= 0 && at < own; })) return { text, offset: k * m.block };
      }
      return { text: await block(0), offset: 0 };
    }

    return { manifest: manifestOf, value, pageList, query, pages, textAround };
  }

  if (typeof module === "object" && module.exports) {  // Node.js: the parity tests
    module.exports = { normalizeDocNo, fnv1a, normalise, parseQuery, cover, decodePages, decodeOccurrences, indexClient, fold, excerpt };
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

  /** ``text`` as the index sees it (normalize, lower case: what the words are), with where
   *  in ``text`` the character each of its characters comes from begins (``at``, one more
   *  at the end) and ends (``to``). Character by character, so that a hit can be shown in
   *  the text as written (① is "1", ㈠ is "(一)"). */
  function fold(text) {
    let norm = "";
    const at = [], to = [];
    let i = 0;
    for (const ch of text) {
      const n = ch.normalize("NFKC").toLowerCase();
      for (let j = 0; j < n.length; j += 1) { at.push(i); to.push(i + ch.length); }
      norm += n;
      i += ch.length;
    }
    at.push(i);
    return { norm, at, to };
  }

  /** About 120 characters of the page's text as written around the first of ``words``
   *  (normalised words), each of them marked. */
  function excerpt(found, words) {
    const { text, offset } = found;
    const { norm, at, to: end } = fold(text);
    let hit = -1;
    for (const w of words) { hit = w.length ? norm.indexOf(w) : -1; if (hit >= 0) break; }
    const from = Math.max(0, (hit >= 0 ? at[hit] : 0) - 30);
    const to = Math.min(text.length, from + 120);
    const marks = [];  // [start, end) in text of every word found in the part shown, whole characters
    for (const w of words) {
      if (!w.length) continue;
      for (let k = norm.indexOf(w); k >= 0; k = norm.indexOf(w, k + 1)) {
        const a = at[k], b = end[k + w.length - 1];
        if (a >= from && b <= to) marks.push([a, b]);
      }
    }
    marks.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
    let html = "", i = from;
    for (const [a, b] of marks) {
      if (a < i) continue;  // overlaps a mark already made
      html += esc(text.slice(i, a)) + "<mark>" + esc(text.slice(a, b)) + "</mark>";
      i = b;
    }
    html += esc(text.slice(i, to));
    return (from + offset > 0 ? "…" : "") + html + (to < text.length ? "…" : "");
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
    let results = { words: [], ids: [] };
    let shown = 0;

    function reset(query) {
      run += 1;
      current = query;
      results = { words: [], ids: [] };
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
          try { return excerpt(await index.textAround(page, results.words), results.words); } catch (e) { return ""; }
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
