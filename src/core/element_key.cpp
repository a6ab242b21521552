#include "element_key.h"

#include "pii.h"

namespace thermograph {
namespace {

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

// No digits, no state classes (open, active, is-*...), nothing a PII detector matches (pii.h).
bool is_stable_token(std::string_view token) {
  for (char c : token)
    if (!is_token_char(c)) return false;
  return is_safe_token(token);
}

namespace {
// Tokens inside sanitize() are made of token characters by construction: skip the re-check.
bool is_stable_scanned_token(std::string_view token) {
  return is_safe_token(token) && !is_generated_class(token);
}
}  // namespace

// CSS-in-JS output: a library prefix (styled-components `sc-`, emotion `css-`, styled-jsx `jsx-`,
// Svelte `svelte-`), or a short segment whose case flips like a hash (`bdVaJa`, `kBuVZE`).
// Hashes with digits never get here (no digits in any key). Dropping a real class only makes a
// specific key less specific, so the rule leans towards dropping.
bool is_generated_class(std::string_view t) {
  for (std::string_view p : {"sc-", "css-", "jsx-", "svelte-", "emotion-"})
    if (t.size() > p.size() && std::string_view(t.data(), p.size()) == p)
      return true;  // no substr: it can throw
  size_t seg = 0, flips = 0;
  for (size_t i = 0; i <= t.size(); ++i) {
    const char c = i < t.size() ? t[i] : '-';
    if (c == '-' || c == '_') {
      if (flips >= 2 && seg <= 8) return true;
      seg = flips = 0;
      continue;
    }
    if (seg > 0 && c >= 'A' && c <= 'Z' && t[i - 1] >= 'a' && t[i - 1] <= 'z') ++flips;
    ++seg;
  }
  return false;
}

namespace {

// Walks the selector once and emits the canonical text char by char through `out`, so the key
// can be hashed on the fly (the visitor builds no string) and the text built only when wanted.
// Without `classes`, class tokens are left out: the stable form of the same path.
template <typename Out>
void sanitize(std::string_view sel, bool classes, Out&& out) {
  size_t i = 0;
  bool step_start = true;  // a bare token is a tag name only at the start of a step
  while (i < sel.size()) {
    const char c = sel[i];
    if (c == '>') {
      out('>');
      ++i;
      step_start = true;
      continue;
    }
    const bool marker = c == '#' || c == '.' || c == ':';
    const size_t start = marker ? i + 1 : i;
    size_t end = start;
    while (end < sel.size() && is_token_char(sel[end])) ++end;
    if (end == start) {  // a stray character: skip it
      i = start == i ? i + 1 : start;
      continue;
    }
    const std::string_view token(sel.data() + start, end - start);  // substr() could throw
    bool keep;
    if (c == ':') {  // sibling position: digits are the point here
      keep = token.size() <= 4;
      for (char d : token) keep = keep && d >= '0' && d <= '9';
    } else if (!marker) {  // tag name (custom elements keep their dashes), lowercased
      if (step_start)
        for (char t : token) out((t >= 'A' && t <= 'Z') ? char(t + 32) : t);
      keep = false;
    } else {
      keep = (classes || c != '.') && is_stable_scanned_token(token);
    }
    if (keep) {
      out(c);
      for (char t : token) out(t);
    }
    i = end;
    step_start = false;
  }
}

}  // namespace

std::string sanitize_selector(std::string_view sel, bool classes) {
  std::string out;
  out.reserve(sel.size());
  sanitize(sel, classes, [&](char c) { out += c; });
  return out;
}

namespace {
uint32_t hash_selector(std::string_view selector, bool classes) {
  uint32_t h = 2166136261u;  // FNV-1a
  sanitize(selector, classes, [&](char c) { h = (h ^ static_cast<unsigned char>(c)) * 16777619u; });
  return h ? h : 1;
}
}  // namespace

uint32_t element_key(std::string_view selector) {
  return hash_selector(selector, true);
}

uint32_t stable_element_key(std::string_view selector) {
  return hash_selector(selector, false);
}

}  // namespace thermograph
