#include "page_key.h"

#include "aggregate.h"  // kMaxPageKeyBytes
#include "pii.h"

namespace thermograph {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// Longer allow-listed values are free text (a campaign name pasted with a sentence); drop them.
constexpr size_t kMaxQueryValueBytes = 64;

inline char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_alpha(char c) {
  return lower(c) >= 'a' && lower(c) <= 'z';
}

bool host_char_ok(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;  // IDN in Unicode form is kept byte for byte
}

inline int hex_val(char c) {
  return is_digit(c) ? c - '0' : (lower(c) >= 'a' && lower(c) <= 'f') ? lower(c) - 'a' + 10 : -1;
}

// Query keys compare after decoding, so utm%5Fsource is utm_source.
bool key_equals(std::string_view raw, std::string_view want) {
  size_t k = 0;
  for (size_t i = 0; i < raw.size(); ++i, ++k) {
    char c = raw[i];
    if (c == '%' && i + 2 < raw.size() && hex_val(raw[i + 1]) >= 0 && hex_val(raw[i + 2]) >= 0) {
      c = static_cast<char>(hex_val(raw[i + 1]) * 16 + hex_val(raw[i + 2]));
      i += 2;
    }
    if (k >= want.size() || c != want[k]) return false;
  }
  return k == want.size();
}

}  // namespace

const std::vector<std::string>& default_query_allow_list() {
  // Never destroyed: no exit-time destructor to register and ship.
  static const auto* list =
      new std::vector<std::string>{"utm_source", "utm_medium", "utm_campaign", "ref"};
  return *list;
}

std::string canonical_page_key(std::string_view url, const std::vector<std::string>& allowed) {
  // Browsers strip leading/trailing C0 controls and spaces before parsing; so do we.
  while (!url.empty() && static_cast<unsigned char>(url.front()) <= ' ') url.remove_prefix(1);
  while (!url.empty() && static_cast<unsigned char>(url.back()) <= ' ') url.remove_suffix(1);

  // Scheme: ALPHA *(ALPHA / DIGIT / + - .) followed by "://"; relative URLs have no origin.
  const size_t colon = url.find(':');
  if (colon == kNpos || colon == 0 || !is_alpha(url[0]) || url.substr(colon, 3) != "://") return {};
  std::string key;
  key.reserve(url.size() < kMaxPageKeyBytes ? url.size() : kMaxPageKeyBytes);
  for (size_t i = 0; i < colon; ++i) {
    const char c = url[i];
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return {};
    key += lower(c);
  }
  const bool http = key == "http" || key == "ws", https = key == "https" || key == "wss";
  key += "://";

  std::string_view rest = url.substr(colon + 3);
  const size_t auth_end = rest.find_first_of("/?#\\");
  std::string_view auth = rest.substr(0, auth_end);
  rest = auth_end == kNpos ? std::string_view{} : rest.substr(auth_end);

  // Userinfo (user:pass@) is a credential: never part of the key.
  if (size_t at = auth.rfind('@'); at != kNpos) auth.remove_prefix(at + 1);
  std::string_view host = auth, port;
  if (!auth.empty() && auth[0] == '[') {  // IPv6 literal: the site's own address, kept
    const size_t close = auth.find(']');
    if (close == kNpos) return {};
    host = auth.substr(0, close + 1);
    port = auth.substr(close + 1);
    if (!port.empty() && port[0] != ':') return {};
  } else if (size_t pc = auth.rfind(':'); pc != kNpos) {
    host = auth.substr(0, pc);
    port = auth.substr(pc);
  }
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);  // example.com.
  if (host.empty()) return {};
  for (char c : host) {
    if (host[0] == '[') {
      if (!(host_char_ok(c) || c == ':' || c == '[' || c == ']')) return {};
    } else if (!host_char_ok(c)) {
      return {};
    }
    key += lower(c);
  }
  if (port.size() > 1) {
    uint32_t p = 0;
    for (char c : port.substr(1)) {
      if (!is_digit(c) || (p = p * 10 + static_cast<uint32_t>(c - '0')) > 65535) return {};
    }
    if (!((http && p == 80) || (https && p == 443))) {
      // Decimal by hand (also normalizes :0080); std::to_string pulls in formatting code.
      char digits[6];
      int n = 0;
      do {
        digits[n++] = static_cast<char>('0' + p % 10);
      } while (p /= 10);
      key += ':';
      while (n) key += digits[--n];
    }
  }
  if (key.size() + 1 > kMaxPageKeyBytes) return {};

  // Path: up to '?' or '#'; '\' counts as '/', as browsers do for http(s).
  const size_t path_end = rest.find_first_of("?#");
  std::string_view path = rest.substr(0, path_end), query;
  if (path_end != kNpos && rest[path_end] == '?') {
    query = rest.substr(path_end + 1);
    query = query.substr(0, query.find('#'));  // the fragment never leaves the browser
  }
  // Segments are written straight into the key; ".." cuts the key back to the previous '/'.
  const size_t origin = key.size();
  bool truncated = false;
  while (!path.empty() && !truncated) {
    const size_t slash = path.find_first_of("/\\");
    std::string_view seg = path.substr(0, slash);
    path = slash == kNpos ? std::string_view{} : path.substr(slash + 1);
    seg = seg.substr(0, seg.find(';'));  // ;jsessionid=... and other matrix parameters
    if (seg.empty() || seg == "." || seg == "%2e" || seg == "%2E") continue;
    if (seg == "..") {
      key.resize(key.size() > origin ? key.rfind('/') : origin);
      continue;
    }
    if (is_id_like(seg)) seg = ":id";
    // Truncation keeps whole segments: a half segment could be half an identifier.
    truncated = key.size() + 1 + seg.size() > kMaxPageKeyBytes;
    if (!truncated) (key += '/') += seg;
  }
  if (key.size() == origin) key += '/';

  // Query: allow-listed keys only, first occurrence, in allow-list order (so ?a&b == ?b&a),
  // written with the allow-list's spelling of the key.
  char sep = '?';
  for (const std::string& want : allowed) {
    for (std::string_view q = query; !q.empty();) {
      const size_t amp = q.find('&');
      const std::string_view param = q.substr(0, amp);
      q = amp == kNpos ? std::string_view{} : q.substr(amp + 1);
      const size_t eq = param.find('=');
      if (eq == kNpos || !key_equals(param.substr(0, eq), want)) continue;
      const std::string_view value = param.substr(eq + 1);
      if (!value.empty() && value.size() <= kMaxQueryValueBytes &&
          key.size() + want.size() + value.size() + 2 <= kMaxPageKeyBytes &&
          find_pii(value) == PiiRule::kNone)
        ((key += sep) += want) += '=', key += value, sep = '&';
      break;
    }
  }
  return key;
}

}  // namespace thermograph
