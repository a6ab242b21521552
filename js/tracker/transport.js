// Delivery of encoded deltas to the collector: sendBeacon with a CORS-safelisted content type
// (text/plain: no preflight), falling back to fetch keepalive. Failed fetches are retried at the
// next flush, at most 3 times, at most 8 reports held. (A `transport` callback replaces all this.)
const MAX_HELD = 8, MAX_TRIES = 3;

// `https://collect.example.com` posts to /r; a URL with a path is used as given.
export function endpointUrl(endpoint) {
  const u = new URL(endpoint, location.href);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/r';
  return u.href;
}

export function createTransport(endpoint) {
  const held = [];
  const post = (bytes) => {
    const body = new Blob([bytes], { type: 'text/plain' });
    // fetch is always there: the wasm module this tracker runs on was fetched (wasm.js).
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, body)) return;
    fetch(endpoint, { method: 'POST', body, keepalive: true, credentials: 'omit' })
      .then((r) => { if (r.status >= 500 || r.status === 429) throw 0; })
      .catch(() => {
        bytes.tries = (bytes.tries || 0) + 1;
        if (bytes.tries < MAX_TRIES && held.length < MAX_HELD) held.push(bytes);
      });
  };
  return (bytes) => {
    for (const b of held.splice(0)) post(b);
    post(bytes);
  };
}
