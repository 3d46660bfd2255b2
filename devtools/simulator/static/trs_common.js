/* TRS WCM list pager, as published in a site's common JS file.
 * Pages are index.html, index_1.html, ... (0-based); the page count exists only in the call
 * createPageHTML(count, current, "index", "html") written inline by each list page.
 * Kept ASCII-only (Chinese as \u escapes) so it is valid whatever charset the page declares. */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) {
    return;
  }
  var nCurrIndex = _nCurrIndex || 0;
  function pageUrl(i) {
    return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
  }
  var html = "<div class=\"pagination\">";
  html += "\u5171" + _nPageCount + "\u9875&nbsp;";
  if (nCurrIndex == 0) {
    html += "<span>\u9996\u9875</span>&nbsp;<span>\u4e0a\u4e00\u9875</span>&nbsp;";
  } else {
    html += "<a href=\"" + pageUrl(0) + "\">\u9996\u9875</a>&nbsp;";
    html += "<a href=\"" + pageUrl(nCurrIndex - 1) + "\">\u4e0a\u4e00\u9875</a>&nbsp;";
  }
  for (var i = 0; i < _nPageCount; i++) {
    if (i == nCurrIndex) {
      html += "<span class=\"current\">" + (i + 1) + "</span>&nbsp;";
    } else {
      html += "<a href=\"" + pageUrl(i) + "\">" + (i + 1) + "</a>&nbsp;";
    }
  }
  if (nCurrIndex == _nPageCount - 1) {
    html += "<span>\u4e0b\u4e00\u9875</span>&nbsp;<span>\u5c3e\u9875</span>";
  } else {
    html += "<a href=\"" + pageUrl(nCurrIndex + 1) + "\">\u4e0b\u4e00\u9875</a>&nbsp;";
    html += "<a href=\"" + pageUrl(_nPageCount - 1) + "\">\u5c3e\u9875</a>";
  }
  document.write(html + "</div>");
}
