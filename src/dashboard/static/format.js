// Shared helpers of the dashboard page: element builders (text only, never HTML strings) and number
// and time formats. Loaded first; everything hangs off window.Eco.
(function () {
  'use strict';
  const SVG_NS = 'http://www.w3.org/2000/svg';

  /** el('td', {class: 'num', title: 'x'}, 'text', childNode, ...) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'dataset') Object.assign(node.dataset, v);
      // Through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
      else if (k === 'style') node.style.cssText = String(v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function append(node, children) {
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  const intFmt = new Intl.NumberFormat('en-US');
  const int = (n) => (n === null || n === undefined ? '–' : intFmt.format(n));

  /** Micro-dollars as dollars: cents for large amounts, more digits for small ones. */
  function dollars(micros) {
    if (micros === null || micros === undefined) return '–';
    const d = micros / 1e6;
    if (d === 0) return '$0';
    if (Math.abs(d) >= 100) return '$' + intFmt.format(Math.round(d));
    if (Math.abs(d) >= 1) return '$' + d.toFixed(2);
    if (Math.abs(d) >= 0.01) return '$' + d.toFixed(3);
    return '$' + d.toFixed(5);
  }

  /** Micro-dollars for an axis: as few digits as tell the ticks apart ($0.004, $2.5, $10). */
  function dollarsShort(micros) {
    const d = micros / 1e6;
    if (d === 0) return '$0';
    return '$' + String(Number(d.toPrecision(3)));
  }

  /** Large numbers short: 12.3k, 4.5M. */
  function compact(n) {
    if (n === null || n === undefined) return '–';
    const a = Math.abs(n);
    if (a >= 1e9) return (n / 1e9).toFixed(1).replace(/\.0$/, '') + 'G';
    if (a >= 1e6) return (n / 1e6).toFixed(1).replace(/\.0$/, '') + 'M';
    if (a >= 1e4) return (n / 1e3).toFixed(1).replace(/\.0$/, '') + 'k';
    return intFmt.format(Math.round(n * 100) / 100);
  }

  const pad = (n) => String(n).padStart(2, '0');
  function time(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  function dateTime(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time(iso)}`;
  }

  /** "in 4 min", "12 s ago". */
  function relative(iso, now) {
    if (!iso) return '–';
    const s = Math.round((new Date(iso).getTime() - (now || Date.now())) / 1000);
    const a = Math.abs(s);
    const text = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86400 ? `${(a / 3600).toFixed(1).replace(/\.0$/, '')} h` : `${Math.round(a / 86400)} d`;
    return s >= 0 ? `in ${text}` : `${text} ago`;
  }

  /** Compact one-line JSON, cut to `max` characters. */
  function json(value, max) {
    let text;
    try {
      text = JSON.stringify(value);
    } catch {
      text = String(value);
    }
    if (text === undefined) text = '';
    return max && text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  window.Eco = { el, svg, clear, fmt: { int, dollars, dollarsShort, compact, time, dateTime, relative, json } };
})();
