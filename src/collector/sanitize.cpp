#include "sanitize.h"

#include "core/page_key.h"

namespace thermograph {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
int hex(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string replace_separators(const std::string& s, std::string_view seps) {
  std::string out = s;
  for (char& c : out)
    if (seps.find(c) != std::string_view::npos) c = ' ';
  return out;
}

// Form 4: digit runs joined across separators, then split from the words around them.
std::string join_digits(const std::string& s) {
  std::string joined;
  joined.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool sep = c == '-' || c == '_' || c == '.' || c == ' ';
    if (sep && !joined.empty() && is_digit(joined.back()) && i + 1 < s.size() && is_digit(s[i + 1]))
      continue;
    joined += c;
  }
  std::string out;
  out.reserve(joined.size() + 8);
  for (size_t i = 0; i < joined.size(); ++i) {
    const char c = joined[i];
    if (i > 0) {
      const char p = joined[i - 1];
      const bool num = is_digit(c) || c == '+';
      if ((is_alpha(p) && num) || (is_digit(p) && is_alpha(c))) out += ' ';
    }
    out += c;
  }
  return out;
}

bool is_ip_literal(std::string_view host) {
  if (!host.empty() && host[0] == '[') return true;
  for (char c : host)
    if (!is_digit(c) && c != '.') return false;
  return true;
}

}  // namespace

PiiRule find_pii_variants(std::string_view text) {
  if (const PiiRule r = find_pii(text, PiiProfile::kFull); r != PiiRule::kNone) return r;
  const std::string decoded = percent_decode(percent_decode(text));
  bool digit_or_at = false;
  for (char c : decoded) digit_or_at = digit_or_at || is_digit(c) || c == '@';
  if (!digit_or_at) return PiiRule::kNone;
  std::string forms[3] = {replace_separators(decoded, "-_"), replace_separators(decoded, "-_."),
                          join_digits(decoded)};
  for (size_t i = 0; i < 3; ++i) {
    if (forms[i] == decoded || (i > 0 && forms[i] == forms[i - 1])) continue;
    if (const PiiRule r = find_pii(forms[i], PiiProfile::kFull); r != PiiRule::kNone) return r;
  }
  return PiiRule::kNone;
}

std::string_view page_origin(std::string_view key) {
  const size_t scheme = key.find("://");
  if (scheme == std::string_view::npos) return {};
  const size_t path = key.find_first_of("/?", scheme + 3);
  return key.substr(0, path == std::string_view::npos ? key.size() : path);
}

bool page_in_origins(std::string_view page_key, const std::vector<std::string>& origins) {
  const std::string_view origin = page_origin(page_key);
  if (origin.empty()) return false;
  for (const std::string& o : origins)
    if (o == origin) return true;  // the usual case, without parsing
  for (const std::string& o : origins) {
    // The same canonical form as page keys: "https://shop.example:443" -> "https://shop.example".
    const std::string canonical = canonical_page_key(o, PiiProfile::kFull);
    if (!canonical.empty() && page_origin(canonical) == origin) return true;
  }
  return false;
}

std::string sanitize_page_key(std::string_view page, int& changed) {
  const std::string key = canonical_page_key(page, PiiProfile::kFull);
  if (key != page) ++changed;
  if (key.empty()) return key;
  const std::string_view origin = page_origin(key);
  const size_t host_at = origin.find("://") + 3;
  std::string_view host = origin.substr(host_at);
  if (!host.empty() && host[0] != '[') host = host.substr(0, host.find(':'));
  if (!is_ip_literal(host) && find_pii_variants(host) != PiiRule::kNone) {
    ++changed;
    return "";
  }
  std::string out(origin);
  const size_t query_at = key.find('?', origin.size());
  const std::string_view path = std::string_view(key).substr(
      origin.size(), (query_at == std::string::npos ? key.size() : query_at) - origin.size());
  // Path: "/a/b" -> segments a, b.
  for (size_t s = 1; s <= path.size();) {
    size_t e = path.find('/', s);
    if (e == std::string_view::npos) e = path.size();
    std::string_view seg = path.substr(s, e - s);
    if (seg != ":id" && !seg.empty() && find_pii_variants(seg) != PiiRule::kNone) {
      seg = ":id";
      ++changed;
    }
    out += '/';
    out += seg;
    s = e + 1;
  }
  if (query_at != std::string::npos) {
    const std::string_view query = std::string_view(key).substr(query_at + 1);
    char sep = '?';
    for (size_t s = 0; s < query.size();) {
      size_t e = query.find('&', s);
      if (e == std::string_view::npos) e = query.size();
      const std::string_view param = query.substr(s, e - s);
      const size_t eq = param.find('=');
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
      if (find_pii_variants(value) != PiiRule::kNone) {
        ++changed;
      } else {
        out += sep;
        out += param;
        sep = '&';
      }
      s = e + 1;
    }
  }
  return out;  // never longer than `key`: a flagged segment is longer than ":id"
}

}  // namespace thermograph
