/* gkpublish: 站内搜索（Pagefind）与大字版。不加载任何外部资源。 */
(function () {
  "use strict";
  var ELDER_KEY = "gk-elder";

  function setElder(on) {
    document.documentElement.classList.toggle("gk-elder-mode", on);
    document.querySelectorAll("[data-gk-elder]").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "标准版" : "大字版";
    });
  }

  var translations = {
    placeholder: "搜索标题、文号、正文",
    clear_search: "清除",
    load_more: "加载更多结果",
    search_label: "站内搜索",
    filters_label: "筛选",
    zero_results: "未找到与“[SEARCH_TERM]”相关的信息",
    many_results: "找到 [COUNT] 条与“[SEARCH_TERM]”相关的信息",
    one_result: "找到 1 条与“[SEARCH_TERM]”相关的信息",
    alt_search: "未找到与“[SEARCH_TERM]”相关的信息，以下为“[DIFFERENT_TERM]”的结果",
    search_suggestion: "未找到与“[SEARCH_TERM]”相关的信息，请尝试其他关键词",
    searching: "正在搜索“[SEARCH_TERM]”……"
  };

  function startSearch() {
    var el = document.getElementById("gk-search");
    if (!el || typeof PagefindUI === "undefined") return;
    var base = new URL(el.getAttribute("data-base") || "./", window.location.href).pathname;
    var merge = JSON.parse(el.getAttribute("data-merge") || "[]").map(function (b) {
      return { bundlePath: base + b, baseUrl: base };  /* 大型站点的索引分为多个包，检索时合并 */
    });
    var ui = new PagefindUI({
      element: "#gk-search",
      bundlePath: base + "pagefind/",
      mergeIndex: merge,
      baseUrl: base,
      showSubResults: false,
      showImages: false,
      resetStyles: false,
      pageSize: 10,
      excerptLength: 40,
      translations: translations
    });
    var q = new URLSearchParams(window.location.search).get("q");
    var box = document.getElementById("gk-q");
    if (q) {
      if (box) box.value = q;
      ui.triggerSearch(q);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var on = false;
    try { on = window.localStorage.getItem(ELDER_KEY) === "1"; } catch (e) { on = false; }
    setElder(on);
    document.querySelectorAll("[data-gk-elder]").forEach(function (b) {
      b.addEventListener("click", function () {
        var now = !document.documentElement.classList.contains("gk-elder-mode");
        setElder(now);
        try { window.localStorage.setItem(ELDER_KEY, now ? "1" : "0"); } catch (e) { /* 隐私模式 */ }
      });
    });
    startSearch();
  });
})();
