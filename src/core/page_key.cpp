#include "page_key.h"

#include <cstring>

#include "aggregate.h"  // kMaxPageKeyBytes
#include "ascii.h"
#include "pii.h"

namespace thermograph {
namespace {

using namespace ascii;  // NOLINT(build/namespaces): shared character classes

// Longer allow-listed values are free text (a campaign name pasted with a sentence); drop them.
constexpr size_t kMaxQueryValueBytes = 64;

inline bool is_digit(char c) {
  return is(c, kDig);
}

bool host_char_ok(char c) {
  return is(c, kAlnum | kB64X) || c == '.' ||    // kB64X: '-' and '_'
         static_cast<unsigned char>(c) >= 0x80;  // IDN in Unicode form is kept byte for byte
}

// Query keys compare after decoding, so utm%5Fsource is utm_source.
bool key_equals(const char* raw, size_t n, const char* want, size_t want_n) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i, ++k) {
    char c = raw[i];
    if (c == '%' && i + 2 < n && is(raw[i + 1], kHex) && is(raw[i + 2], kHex)) {
      c = static_cast<char>(hex_val(raw[i + 1]) * 16 + hex_val(raw[i + 2]));
      i += 2;
    }
    if (k >= want_n || c != want[k]) return false;
  }
  return k == want_n;
}

// The first index in [i, end) whose byte is one of `stops`, or `end`. Plain loops over indices
// instead of string_view::find*: those pull several library functions into the wasm.
size_t find(const char* u, size_t i, size_t end, const char* stops) {
  for (; i < end; ++i) {
    for (const char* c = stops; *c; ++c) {
      if (u[i] == *c) return i;
    }
  }
  return end;
}

// A lowercase scheme of up to 8 bytes packed into an integer, so "http", "https", "ws" and "wss"
// compare as numbers.
constexpr uint64_t scheme_tag(const char* s) {
  uint64_t tag = 0;
  while (*s) tag = tag << 8 | static_cast<unsigned char>(*s++);
  return tag;
}
constexpr uint64_t kHttp = scheme_tag("http"), kWs = scheme_tag("ws"), kHttps = scheme_tag("https"),
                   kWss = scheme_tag("wss");

// The key under construction, in a fixed buffer (keys are capped at kMaxPageKeyBytes): bytes past
// the cap are counted but not stored, and such a key is rejected before anything reads it back.
struct KeyBuf {
  char buf[kMaxPageKeyBytes];
  size_t n = 0;
  void put(char c) {
    if (n < sizeof(buf)) buf[n] = c;
    ++n;
  }
  void put(const char* s, size_t len) {
    for (size_t i = 0; i < len; ++i) put(s[i]);
  }
};

}  // namespace

const std::vector<std::string>& default_query_allow_list() {
  // Never destroyed: no exit-time destructor to register and ship. Built from string_views, so
  // the strings are constructed once, in place, from pointer and length (no strlen, no copies).
  static const auto* list = new std::vector<std::string>(std::begin(kDefaultQueryAllowList),
                                                         std::end(kDefaultQueryAllowList));
  return *list;
}

namespace {

constexpr size_t kNoUrl = ~size_t{0};

// Writes the canonical origin of `url` into `key` and returns where the path starts (npos when
// the URL can't be parsed).
size_t put_origin(std::string_view url, KeyBuf& key) {
  // Indices into url: [b, e) after trimming, the authority [a, ae), host [a, he), port [port, ae)
  // (with its ':'), path [ae, pe), query [qb, qe).
  const char* u = url.data();
  size_t b = 0, e = url.size();
  // Browsers strip leading/trailing C0 controls and spaces before parsing; so do we.
  while (b < e && static_cast<unsigned char>(u[b]) <= ' ') ++b;
  while (e > b && static_cast<unsigned char>(u[e - 1]) <= ' ') --e;

  // Scheme: ALPHA *(ALPHA / DIGIT / + - .) followed by "://"; relative URLs have no origin.
  const size_t colon = find(u, b, e, ":");
  if (colon == e || colon == b || !is(u[b], kAlpha) || e - colon < 3 || u[colon + 1] != '/' ||
      u[colon + 2] != '/')
    return kNoUrl;
  uint64_t tag = 0;
  for (size_t i = b; i < colon; ++i) {
    const char c = lower(u[i]);
    if (!is(c, kAlnum) && c != '+' && c != '-' && c != '.') return kNoUrl;
    key.put(c);
    tag = tag << 8 | static_cast<unsigned char>(c);  // longer schemes never match the short tags
  }
  // Any port number differs from ~0u.
  const uint32_t default_port = tag == kHttp || tag == kWs     ? 80
                                : tag == kHttps || tag == kWss ? 443
                                                               : ~0u;
  key.put("://", 3);

  size_t a = colon + 3;
  const size_t ae = find(u, a, e, "/?#\\");
  // Userinfo (user:pass@) is a credential: never part of the key.
  for (size_t i = a; i < ae; ++i) {
    if (u[i] == '@') a = i + 1;
  }
  size_t he = ae, port = ae;
  if (a < ae && u[a] == '[') {  // IPv6 literal: the site's own address, kept
    he = find(u, a, ae, "]");
    if (he == ae) return kNoUrl;
    port = ++he;
    if (port < ae && u[port] != ':') return kNoUrl;
  } else {
    for (size_t i = a; i < ae; ++i) {
      if (u[i] == ':') he = port = i;  // the last ':'
    }
  }
  while (he > a && u[he - 1] == '.') --he;  // example.com.
  if (he == a) return kNoUrl;
  for (size_t i = a; i < he; ++i) {
    const char c = u[i];
    if (!host_char_ok(c) && !(u[a] == '[' && (c == ':' || c == '[' || c == ']'))) return kNoUrl;
    key.put(lower(c));
  }
  if (ae - port > 1) {
    uint32_t p = 0;
    for (size_t i = port + 1; i < ae; ++i) {
      if (!is_digit(u[i]) || (p = p * 10 + static_cast<uint32_t>(u[i] - '0')) > 65535)
        return kNoUrl;
    }
    if (p != default_port) {
      // Decimal by hand (also normalizes :0080); std::to_string pulls in formatting code.
      char digits[5];
      int n = 0;
      do {
        digits[n++] = static_cast<char>('0' + p % 10);
      } while (p /= 10);
      key.put(':');
      while (n) key.put(digits[--n]);
    }
  }
  return key.n + 1 > kMaxPageKeyBytes ? kNoUrl : ae;
}

// Appends the templated path and the allow-listed query of u[ae, e) to `key`.
// `dots`: resolve "." and ".." segments (a browser's location.pathname has none left).
void put_path_query(const char* u, size_t ae, size_t e, std::span<const std::string_view> allowed,
                    PiiProfile profile, bool dots, KeyBuf& key) {
  // Path: up to '?' or '#'; '\' counts as '/', as browsers do for http(s). The fragment never
  // leaves the browser.
  const size_t pe = find(u, ae, e, "?#");
  const size_t qb = pe < e && u[pe] == '?' ? pe + 1 : e, qe = find(u, qb, e, "#");
  // Segments are written straight into the key; ".." cuts the key back to the previous '/'.
  const size_t origin = key.n;
  bool truncated = false;
  for (size_t s = ae, se; s < pe && !truncated; s = se + 1) {
    se = find(u, s, pe, "/\\");
    const char* seg = u + s;
    size_t len = find(u, s, se, ";") - s;  // ;jsessionid=... and other matrix parameters
    if (len == 0 || (dots && key_equals(seg, len, ".", 1))) continue;  // also %2e and %2E
    if (dots && len == 2 && seg[0] == '.' && seg[1] == '.') {
      if (key.n > origin) {
        while (key.buf[--key.n] != '/') {
        }
      }
      continue;
    }
    if (is_id_like(seg, len, profile)) seg = ":id", len = 3;
    // Truncation keeps whole segments: a half segment could be half an identifier.
    truncated = key.n + 1 + len > kMaxPageKeyBytes;
    if (!truncated) key.put('/'), key.put(seg, len);
  }
  if (key.n == origin) key.put('/');

  // Query: allow-listed keys only, first occurrence, in allow-list order (so ?a&b == ?b&a),
  // written with the allow-list's spelling of the key.
  char sep = '?';
  for (const std::string_view allowed_key : allowed) {
    const char* want = allowed_key.data();
    const size_t want_n = allowed_key.size();
    for (size_t q = qb, amp; q < qe; q = amp + 1) {
      amp = find(u, q, qe, "&");
      const size_t eq = find(u, q, amp, "=");
      if (eq == amp || !key_equals(u + q, eq - q, want, want_n)) continue;
      const size_t v = eq + 1, value_n = amp - v;
      if (value_n && value_n <= kMaxQueryValueBytes &&
          key.n + want_n + value_n + 2 <= kMaxPageKeyBytes &&
          find_pii(u + v, value_n, profile) == PiiRule::kNone) {
        key.put(sep);
        key.put(want, want_n);
        key.put('=');
        key.put(u + v, value_n);
        sep = '&';
      }
      break;
    }
  }
}

}  // namespace

size_t canonical_page_key_into(std::string_view url, std::span<const std::string_view> allowed,
                               PiiProfile profile, char* out) {
  KeyBuf key;
  const size_t ae = put_origin(url, key);
  if (ae == kNoUrl) return 0;
  size_t e = url.size();
  while (e > ae && static_cast<unsigned char>(url[e - 1]) <= ' ') --e;
  put_path_query(url.data(), ae, e, allowed, profile, true, key);
  std::memcpy(out, key.buf, key.n);
  return key.n;
}

size_t canonical_page_key_from_origin(std::string_view origin, std::string_view path_and_query,
                                      std::span<const std::string_view> allowed, PiiProfile profile,
                                      char* out) {
  // A browser's location.origin is already canonical (lowercase, no userinfo, no default port);
  // anything else is refused rather than trusted.
  if (origin.empty() || origin.size() >= kMaxPageKeyBytes) return 0;
  // "://" somewhere, by a plain loop: string_view::find links memchr and char_traits::compare.
  bool scheme = false;
  for (size_t i = 0; i + 2 < origin.size(); ++i)
    scheme |= origin[i] == ':' && origin[i + 1] == '/' && origin[i + 2] == '/';
  if (!scheme) return 0;
  KeyBuf key;
  for (char c : origin) {
    if (!(host_char_ok(c) || c == ':' || c == '/' || c == '[' || c == ']') ||
        (c >= 'A' && c <= 'Z'))
      return 0;
    key.put(c);
  }
  put_path_query(path_and_query.data(), 0, path_and_query.size(), allowed, profile, false, key);
  std::memcpy(out, key.buf, key.n);
  return key.n;
}

std::string canonical_page_key(std::string_view url, PiiProfile profile,
                               const std::vector<std::string>& allowed) {
  std::vector<std::string_view> views(allowed.begin(), allowed.end());
  char out[kMaxPageKeyBytes];
  return std::string(out, canonical_page_key_into(url, views, profile, out));
}

std::string fold_index_document(std::string_view key) {
  const size_t q = std::min(key.find('?'), key.size());
  std::string path(key.substr(0, q));
  for (std::string_view doc : {"/index.html", "/index.htm"})
    if (path.size() >= doc.size() && path.compare(path.size() - doc.size(), doc.size(), doc) == 0) {
      path.resize(path.size() - doc.size());
      break;
    }
  // The origin's root keeps its one slash: "https://x.io" + "" -> "https://x.io/".
  const size_t host = path.find("://");
  if (host != std::string::npos && path.find('/', host + 3) == std::string::npos) path += '/';
  return path + std::string(key.substr(q));
}

}  // namespace thermograph
