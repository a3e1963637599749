/**
 * Source of the standard globals docs/hooks.md promises and a bare V8 isolate lacks: URL,
 * URLSearchParams, TextEncoder/TextDecoder, atob/btoa, structuredClone and crypto.
 * Pure JavaScript evaluated inside the isolate; URL parsing and random bytes come
 * from the host as copied JSON through `callSync`, so they match Node exactly.
 *
 * The text is a function expression `(G, callSync) => void` that the bootstrap calls.
 */
export const ISOLATE_GLOBALS = String.raw`(function installGlobals(G, callSync) {
  'use strict';
  const define = (obj, name, value) => Object.defineProperty(obj, name, { value, writable: true, configurable: true, enumerable: false });
  const domError = (name, message) => { const e = new Error(message); e.name = name; return e; };

  // URLSearchParams: application/x-www-form-urlencoded, as the WHATWG URL standard.
  const paramState = new WeakMap();
  const decode = (s) => { s = s.replace(/\+/g, ' '); try { return decodeURIComponent(s); } catch { return s.replace(/%([0-9a-f]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))); } };
  const encode = (s) => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const parseQuery = (q) => q.replace(/^\?/, '').split('&').filter((p) => p !== '').map((p) => { const i = p.indexOf('='); return i < 0 ? [decode(p), ''] : [decode(p.slice(0, i)), decode(p.slice(i + 1))]; });
  class URLSearchParams {
    constructor(init = '') {
      let list;
      if (init instanceof URLSearchParams) list = paramState.get(init).list.map((p) => [p[0], p[1]]);
      else if (init !== null && typeof init === 'object') {
        list = typeof init[Symbol.iterator] === 'function'
          ? Array.from(init, (pair) => { const p = Array.from(pair); if (p.length !== 2) throw new TypeError('Each query pair must be [name, value]'); return [String(p[0]), String(p[1])]; })
          : Object.keys(init).map((k) => [k, String(init[k])]);
      } else list = parseQuery(String(init));
      paramState.set(this, { list, onChange: null });
    }
    get size() { return paramState.get(this).list.length; }
    append(name, value) { const s = paramState.get(this); s.list.push([String(name), String(value)]); changed(s); }
    delete(name, value) { const s = paramState.get(this); name = String(name); s.list = s.list.filter((p) => p[0] !== name || (value !== undefined && p[1] !== String(value))); changed(s); }
    get(name) { const p = paramState.get(this).list.find((q) => q[0] === String(name)); return p ? p[1] : null; }
    getAll(name) { return paramState.get(this).list.filter((q) => q[0] === String(name)).map((q) => q[1]); }
    has(name, value) { return paramState.get(this).list.some((q) => q[0] === String(name) && (value === undefined || q[1] === String(value))); }
    set(name, value) {
      const s = paramState.get(this); name = String(name); value = String(value);
      const i = s.list.findIndex((q) => q[0] === name);
      if (i < 0) s.list.push([name, value]); else { s.list[i] = [name, value]; s.list = s.list.filter((q, j) => j <= i || q[0] !== name); }
      changed(s);
    }
    sort() { const s = paramState.get(this); s.list = s.list.map((p, i) => [p, i]).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1])).map((x) => x[0]); changed(s); }
    forEach(fn, thisArg) { for (const [k, v] of paramState.get(this).list) fn.call(thisArg, v, k, this); }
    *entries() { for (const p of paramState.get(this).list) yield [p[0], p[1]]; }
    *keys() { for (const p of paramState.get(this).list) yield p[0]; }
    *values() { for (const p of paramState.get(this).list) yield p[1]; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return paramState.get(this).list.map((p) => encode(p[0]) + '=' + encode(p[1])).join('&'); }
  }
  function changed(state) { if (state.onChange) state.onChange(); }

  // URL: parsed by the host's WHATWG parser; the state is its plain parts.
  const urlState = new WeakMap();
  const PARTS = ['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'];
  class URL {
    constructor(url, base) {
      const parts = callSync('url', { input: String(url), base: base === undefined ? undefined : String(base) });
      urlState.set(this, { parts, params: null });
    }
    static canParse(url, base) { try { new URL(url, base); return true; } catch { return false; } }
    get origin() { return urlState.get(this).parts.origin; }
    get searchParams() {
      const s = urlState.get(this);
      if (!s.params) {
        s.params = new URLSearchParams(s.parts.search);
        const ps = paramState.get(s.params);
        ps.onChange = () => { const q = s.params.toString(); setPart(s, 'search', q === '' ? '' : '?' + q, false); };
      }
      return s.params;
    }
    toString() { return urlState.get(this).parts.href; }
    toJSON() { return urlState.get(this).parts.href; }
  }
  function setPart(s, key, value, syncParams) {
    s.parts = callSync('url.set', { href: s.parts.href, key, value: String(value) });
    if (syncParams && s.params) paramState.get(s.params).list = parseQuery(s.parts.search);
  }
  for (const key of PARTS) {
    Object.defineProperty(URL.prototype, key, {
      get() { return urlState.get(this).parts[key]; },
      set(value) { setPart(urlState.get(this), key, value, true); },
      enumerable: true, configurable: true,
    });
  }

  // UTF-8 text codecs.
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') {
      const s = String(input); const out = [];
      for (let i = 0; i < s.length; i++) {
        let c = s.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00); }
        else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
        if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return new Uint8Array(out);
    }
    encodeInto(input, dest) { const b = this.encode(input); const n = Math.min(b.length, dest.length); dest.set(b.subarray(0, n)); return { read: String(input).length, written: n }; }
  }
  const decoderState = new WeakMap();
  class TextDecoder {
    constructor(label = 'utf-8', options = {}) {
      if (!/^(utf-?8|unicode-1-1-utf-8)$/i.test(String(label).trim())) throw new RangeError('Only utf-8 is supported, not ' + label);
      decoderState.set(this, { fatal: !!(options && options.fatal), ignoreBOM: !!(options && options.ignoreBOM) });
    }
    get encoding() { return 'utf-8'; }
    get fatal() { return decoderState.get(this).fatal; }
    get ignoreBOM() { return decoderState.get(this).ignoreBOM; }
    decode(input) {
      const { fatal, ignoreBOM } = decoderState.get(this);
      if (input === undefined) return '';
      const b = input instanceof ArrayBuffer ? new Uint8Array(input) : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : null;
      if (!b) throw new TypeError('TextDecoder.decode needs an ArrayBuffer or a view of one');
      const codes = []; let out = '';
      const bad = () => { if (fatal) throw new TypeError('The encoded data was not valid utf-8'); codes.push(0xfffd); };
      for (let i = 0; i < b.length;) {
        const c = b[i];
        const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
        if (n < 0) { bad(); i++; continue; }
        let cp = n === 0 ? c : c & (0x3f >> n); let j = 1;
        for (; j <= n; j++) {
          const d = b[i + j];
          if (d === undefined || (d & 0xc0) !== 0x80) break;
          if (j === 1 && ((c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f) || (c === 0xf0 && d < 0x90) || (c === 0xf4 && d > 0x8f))) break;
          cp = (cp << 6) | (d & 0x3f);
        }
        if (j <= n) { bad(); i += j; continue; }
        i += n + 1;
        if (cp > 0xffff) { cp -= 0x10000; codes.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)); } else codes.push(cp);
        if (codes.length > 8192) { out += String.fromCharCode.apply(null, codes); codes.length = 0; }
      }
      out += String.fromCharCode.apply(null, codes);
      return !ignoreBOM && out.charCodeAt(0) === 0xfeff ? out.slice(1) : out;
    }
  }

  // Base64.
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function btoa(data) {
    const s = String(data); let out = '';
    for (let i = 0; i < s.length; i += 3) {
      const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw domError('InvalidCharacterError', 'btoa: the string contains characters outside of Latin1');
      out += B64[a >> 2] + B64[((a & 3) << 4) | (b >> 4 || 0)] + (i + 1 < s.length ? B64[((b & 15) << 2) | (c >> 6 || 0)] : '=') + (i + 2 < s.length ? B64[c & 63] : '=');
    }
    return out;
  }
  function atob(data) {
    let s = String(data).replace(/[\t\n\f\r ]/g, '');
    if (s.length % 4 === 0) s = s.replace(/==?$/, '');
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw domError('InvalidCharacterError', 'atob: the string is not valid base64');
    let out = '', bits = 0, acc = 0;
    for (const ch of s) { acc = (acc << 6) | B64.indexOf(ch); bits += 6; if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 255); } }
    return out;
  }

  // structuredClone for the types a hook meets; functions and symbols are refused.
  function structuredClone(value) {
    const seen = new Map();
    const keep = (from, to) => { seen.set(from, to); return to; };
    const clone = (v) => {
      if (typeof v === 'function' || typeof v === 'symbol') throw domError('DataCloneError', String(v) + ' could not be cloned');
      if (v === null || typeof v !== 'object') return v;
      if (seen.has(v)) return seen.get(v);
      if (Array.isArray(v)) { const a = keep(v, new Array(v.length)); for (let i = 0; i < v.length; i++) if (i in v) a[i] = clone(v[i]); return a; }
      if (v instanceof Date) return keep(v, new Date(v.getTime()));
      if (v instanceof RegExp) return keep(v, new RegExp(v.source, v.flags));
      if (v instanceof Map) { const m = keep(v, new Map()); for (const [k, x] of v) m.set(clone(k), clone(x)); return m; }
      if (v instanceof Set) { const s = keep(v, new Set()); for (const x of v) s.add(clone(x)); return s; }
      if (v instanceof ArrayBuffer) return keep(v, v.slice(0));
      if (v instanceof DataView) return keep(v, new DataView(clone(v.buffer), v.byteOffset, v.byteLength));
      if (ArrayBuffer.isView(v)) return keep(v, new v.constructor(clone(v.buffer), v.byteOffset, v.length));
      if (v instanceof Error) { const e = keep(v, new Error(v.message)); e.name = v.name; e.stack = v.stack; return e; }
      const o = keep(v, {});
      for (const k of Object.keys(v)) Object.defineProperty(o, k, { value: clone(v[k]), writable: true, enumerable: true, configurable: true });
      return o;
    };
    return clone(value);
  }

  // crypto: random bytes from the host's CSPRNG.
  const crypto = {
    getRandomValues(array) {
      if (!ArrayBuffer.isView(array) || array instanceof DataView || array instanceof Float32Array || array instanceof Float64Array) throw domError('TypeMismatchError', 'getRandomValues needs an integer typed array');
      if (array.byteLength > 65536) throw domError('QuotaExceededError', 'getRandomValues can fill at most 65536 bytes');
      const hex = callSync('random', { bytes: array.byteLength });
      const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      for (let i = 0; i < view.length; i++) view[i] = parseInt(hex.substr(i * 2, 2), 16);
      return array;
    },
    randomUUID() {
      const b = crypto.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
      const h = Array.from(b, (x) => (x < 16 ? '0' : '') + x.toString(16)).join('');
      return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
    },
  };

  define(G, 'URL', URL);
  define(G, 'URLSearchParams', URLSearchParams);
  define(G, 'TextEncoder', TextEncoder);
  define(G, 'TextDecoder', TextDecoder);
  define(G, 'atob', atob);
  define(G, 'btoa', btoa);
  define(G, 'structuredClone', structuredClone);
  define(G, 'crypto', Object.freeze(crypto));
})`;
