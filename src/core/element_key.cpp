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
bool is_stable_token(std::string_view token, PiiProfile profile) {
  for (char c : token)
    if (!is_token_char(c)) return false;
  return is_safe_token(token, profile);
}

namespace {

// Walks the selector once and emits the canonical text char by char through `out(c, in_class)`,
// so both keys can be hashed on the fly in one walk (the visitor builds no string) and the text
// built only when wanted. `in_class` marks the characters of class tokens: the stable form is the
// same text without them.
template <typename Out>
[[gnu::always_inline]] inline void sanitize(std::string_view sel, PiiProfile profile, Out&& out) {
  size_t i = 0;
  bool step_start = true;  // a bare token is a tag name only at the start of a step
  while (i < sel.size()) {
    const char c = sel[i];
    if (c == '>') {
      out('>', false);
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
    // The token as pointer and length: a string_view here was a constructor call writing to a
    // stack slot in the visitor's wasm.
    const char* const token = sel.data() + start;
    const size_t token_n = end - start;
    bool keep;
    if (c == ':') {  // sibling position: digits are the point here
      keep = token_n <= 4;
      for (size_t k = 0; k < token_n; ++k) keep = keep && token[k] >= '0' && token[k] <= '9';
    } else if (!marker) {  // tag name (custom elements keep their dashes), lowercased
      if (step_start)
        for (size_t k = 0; k < token_n; ++k)
          out((token[k] >= 'A' && token[k] <= 'Z') ? char(token[k] + 32) : token[k], false);
      keep = false;
    } else {
      // Made of token characters by construction: is_stable_token's re-check is not needed.
      keep = is_safe_token(token, token_n, profile);
    }
    if (keep) {
      out(c, c == '.');
      for (size_t k = 0; k < token_n; ++k) out(token[k], c == '.');
    }
    i = end;
    step_start = false;
  }
}

}  // namespace

std::string sanitize_selector(std::string_view sel, PiiProfile profile, bool classes) {
  std::string out;
  out.reserve(sel.size());
  sanitize(sel, profile, [&](char c, bool in_class) {
    if (classes || !in_class) out += c;
  });
  return out;
}

ElementKeys element_keys(std::string_view selector, PiiProfile profile) {
  uint32_t h = 2166136261u, s = h;  // FNV-1a, both
  // The walk and this step are always inlined: as calls, the hashes lived in a stack frame that
  // the lambda's captures pointed into (at -Oz clang inlines almost nothing by itself).
  auto step = [&](char c, bool in_class) __attribute__((always_inline)) {
    h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    if (!in_class) s = (s ^ static_cast<unsigned char>(c)) * 16777619u;
  };
  sanitize(selector, profile, step);
  return {h ? h : 1, s ? s : 1};
}

uint32_t element_key(std::string_view selector, PiiProfile profile) {
  return element_keys(selector, profile).specific;
}

uint32_t stable_element_key(std::string_view selector, PiiProfile profile) {
  return element_keys(selector, profile).stable;
}

}  // namespace thermograph
