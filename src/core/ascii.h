// ASCII character classes shared by the PII detectors and the page key: one 256-byte table
// instead of chains of compares in each file, and no <cctype> (it may consult the locale and pulls
// tables into the wasm). Internal to src/core.
#pragma once

#include <cstdint>

namespace thermograph::ascii {

enum : uint8_t {
  kDig = 1,
  kLow = 2,
  kUp = 4,
  kHexL = 8,       // a-f A-F
  kB64X = 16,      // - _ (base64url besides alphanumerics)
  kLocalX = 32,    // . _ % + - ' (email local part besides alphanumerics)
  kPhoneSep = 64,  // space - . ( ) /
  kV6X = 128,      // : . (IPv6 besides hex)
  kAlpha = kLow | kUp,
  kAlnum = kDig | kAlpha,
  kHex = kDig | kHexL,
  kB64 = kAlnum | kB64X,
};
struct ClassTable {
  uint8_t bits[256];
};
constexpr void mark(ClassTable& t, const char* chars, uint8_t bit) {
  for (; *chars; ++chars) t.bits[static_cast<unsigned char>(*chars)] |= bit;
}
constexpr ClassTable make_classes() {
  ClassTable t{};
  for (int c = 0; c < 26; ++c) {
    t.bits['a' + c] = static_cast<uint8_t>(kLow | (c < 6 ? kHexL : 0));
    t.bits['A' + c] = static_cast<uint8_t>(kUp | (c < 6 ? kHexL : 0));
    if (c < 10) t.bits['0' + c] = kDig;
  }
  mark(t, "-_", kB64X);
  mark(t, "._%+-'", kLocalX);
  mark(t, " -.()/", kPhoneSep);
  mark(t, ":.", kV6X);
  return t;
}
inline constexpr ClassTable kClasses = make_classes();

inline bool is(char c, unsigned mask) {
  return kClasses.bits[static_cast<unsigned char>(c)] & mask;
}
inline char lower(char c) {
  return is(c, kUp) ? static_cast<char>(c + 32) : c;
}
// The value of a hex digit; only for bytes that pass is(c, kHex).
inline int hex_val(char c) {
  return is(c, kDig) ? c - '0' : lower(c) - 'a' + 10;
}

}  // namespace thermograph::ascii
