// The micro-survey widget (docs/configuration.md, "Micro-surveys"): a separate chunk the tracker
// imports only when a configured trigger fired in this page view, so visitors who are never asked
// never download it. One small card in a closed shadow root (page CSS cannot reach in, ours
// cannot leak out); it never takes focus (the visitor is mid-task) but sits last in the tab order.
// An answer is one small POST of counts-only fields; closing it (button or Esc) sends nothing.
import { FIELD_PAGE, SCRATCH_BYTES } from 'thermograph-constants';
import { isLabel, log } from '../tracker/events.js';

const MAX_SURVEYS = 4;
const MAX_QUESTION = 120;  // characters: a one-line question, not a form
const THANKS_MS = 1500;
const ANSWERS = {
  yesno: [['Yes', 'yes'], ['No', 'no']],
  rating: [1, 2, 3, 4, 5].map((n) => [String(n), n, n + ' out of 5' + (n === 1 ? ', poor' : n === 5 ? ', great' : '')]),
};

const CSS = `
:host { all: initial; }
.card { box-sizing: border-box; position: fixed; right: 16px; bottom: 16px; width: 300px;
  max-width: calc(100vw - 32px); padding: 14px 16px; border: 1px solid #8a8f98; border-radius: 10px;
  background: #fff; color: #1b1e23; box-shadow: 0 6px 24px rgba(0,0,0,.18);
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; z-index: 2147483647; }
p { margin: 0 32px 10px 0; font-weight: 600; }
.answers { display: flex; gap: 8px; }
button { font: inherit; min-height: 40px; min-width: 44px; padding: 6px 12px; border-radius: 8px;
  border: 1px solid #5b616b; background: #f4f5f7; color: #1b1e23; cursor: pointer; }
.answers button { flex: 1; }
.scale { display: flex; justify-content: space-between; margin-top: 4px; font-size: 13px; color: #4a4f57; }
button:hover { background: #e6e8ec; }
button:focus-visible { outline: 3px solid #1a5fd0; outline-offset: 2px; }
.close { position: absolute; top: 6px; right: 6px; min-height: 32px; min-width: 32px; padding: 0;
  border: 0; background: transparent; font-size: 20px; line-height: 1; }
@media (max-width: 480px) {
  .card { left: 0; right: 0; bottom: 0; width: auto; max-width: none; max-height: 30vh;
    overflow: auto; border-radius: 14px 14px 0 0; border-width: 1px 0 0; padding: 14px 16px 18px; }
  button { min-height: 44px; }
}
@media (prefers-reduced-motion: no-preference) {
  .card { animation: rise .18s ease-out; }
  @keyframes rise { from { transform: translateY(12px); opacity: 0; } }
}
@media (forced-colors: active) {
  .card, button { border: 1px solid CanvasText; }
}`;

let open = false;
let closeOpen = () => {};  // closes the card on screen, if any

// Closes the card a page view left open (the tracker's trigger chunk calls it when an SPA page
// view begins: the question was about the page the visitor has left). Sends nothing.
export function close() {
  closeOpen();
}

// The page key this page view's reports carry, computed by the visitor module's own C++ (page_key.h:
// ids templated, PII-looking segments masked, query outside the allow-list dropped) in a second
// instance of thermograph.wasm (the browser has it cached): the raw URL never leaves the page.
// Its exports are renamed like the tracker's (scripts/build-js.mjs bundles this file the same way).
export async function pageKey(wasmUrl) {
  const bytes = await (await fetch(wasmUrl)).arrayBuffer();
  const x = (await WebAssembly.instantiate(bytes, {})).instance.exports;
  const text = new TextEncoder().encode(location.origin + '\0' + location.pathname + location.search).subarray(0, SCRATCH_BYTES);
  new Uint8Array(x.memory.buffer, x.tg_scratch(), text.length).set(text);
  // The page field answers with the canonical key's length and copies the key back (visitor.cpp).
  const n = x.tg_set_string(FIELD_PAGE, text.length);
  return new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.tg_scratch(), n));
}

// Why a site's survey list cannot be used, or '' (the tracker only checked the trigger).
export function invalid(list, q) {
  if (!Array.isArray(list) || list.length > MAX_SURVEYS) return 'at most ' + MAX_SURVEYS + ' surveys';
  if (!q || !isLabel(q.id)) return 'id must be a label';
  if (!['rage', 'dead', 'goal'].includes(q.on)) return "on must be 'rage', 'dead' or 'goal'";
  if (!ANSWERS[q.answers]) return "answers must be 'yesno' or 'rating'";
  if (typeof q.question !== 'string' || !q.question || q.question.length > MAX_QUESTION)
    return 'question must be 1-' + MAX_QUESTION + ' characters';
  return '';
}

// Where the answer goes: the collector that takes this site's reports (the endpoint's origin).
export function answerUrl(endpoint, site) {
  return new URL('/api/survey?site=' + encodeURIComponent(site || ''), new URL(endpoint || '/', location.href)).href;
}

function send(url, body) {
  const blob = new Blob([JSON.stringify(body)], { type: 'text/plain' });  // no CORS preflight
  if (navigator.sendBeacon && navigator.sendBeacon(url, blob)) return;
  if (typeof fetch === 'function') fetch(url, { method: 'POST', body: blob, keepalive: true, credentials: 'omit' }).catch(() => {});
}

// Shows survey `q` for this page view. `element`: the key of the frustration click that raised it
// (ignored for a goal). Never throws, never rejects.
export async function ask(o, q, element) {
  try {
    const why = invalid(o.surveys, q);
    if (why) return log('survey refused (' + why + ')');
    if (open) return;
    open = true;
    const page = await pageKey(o.wasmUrl);
    if (!page) throw Error('no page key');
    const host = document.createElement('thermograph-survey');
    // Inline and important: the page's own rules cannot hide, move or restyle the host.
    host.setAttribute('style', 'all: initial !important; position: fixed !important; z-index: 2147483647 !important;');
    const root = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = CSS;
    const card = document.createElement('div');
    card.className = 'card';
    card.setAttribute('role', 'dialog');
    card.setAttribute('aria-modal', 'false');
    card.setAttribute('aria-labelledby', 'tg-q');
    const text = document.createElement('p');
    text.id = 'tg-q';
    text.textContent = q.question;
    const row = document.createElement('div');
    row.className = 'answers';
    const close = closeOpen = () => {
      removeEventListener('keydown', onKey, true);
      host.remove();
      open = false;
      closeOpen = () => {};
    };
    const onKey = (e) => { if (e.key === 'Escape') close(); };
    for (const [label, value, aria] of ANSWERS[q.answers]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      if (aria) b.setAttribute('aria-label', aria);
      b.onclick = () => {
        send(answerUrl(o.endpoint, o.site), { page, survey: q.id, element: q.on === 'goal' ? 0 : element >>> 0, answer: value });
        // One answer per page view: the buttons go, a short thanks stays, then the card closes.
        row.remove();
        scale.remove();
        text.textContent = 'Thank you!';
        text.setAttribute('role', 'status');
        setTimeout(close, THANKS_MS);
      };
      row.append(b);
    }
    // A rating's ends in words: "3" alone does not say which way is better.
    const scale = document.createElement('div');
    if (q.answers === 'rating') {
      scale.className = 'scale';
      scale.setAttribute('aria-hidden', 'true');  // the buttons' labels say it to screen readers
      for (const end of ['1 = poor', '5 = great']) scale.append(Object.assign(document.createElement('span'), { textContent: end }));
    }
    const x = document.createElement('button');
    x.type = 'button';
    x.className = 'close';
    x.textContent = '\u00d7';
    x.setAttribute('aria-label', 'Close');
    x.onclick = close;
    card.append(text, row, scale, x);
    root.append(style, card);
    addEventListener('keydown', onKey, true);
    (document.body || document.documentElement).append(host);
  } catch (e) {
    open = false;
    log('survey failed (' + (e && e.message) + ')');
  }
}
