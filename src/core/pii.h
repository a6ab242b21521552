// PII and identifier detectors. They guard every string that could leave the browser: page keys,
// element-key tokens and custom tags. Pure functions over bytes (no regex, no locale, no
// allocation for inputs up to 495 bytes), because this code ships in the visitor wasm.
// Rules, thresholds and known limits are documented in docs/privacy.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace thermograph {

enum class PiiRule : uint8_t {
  kNone = 0,
  kEmail,
  kCard,
  kIban,
  kSsn,
  kPhone,
  kIpv4,
  kIpv6,
  kJwt,
  kUuid,
  kLongHex,
  kToken,
  kNumber,  // PiiProfile::kCompact only: 5+ digits or a dotted quad
};

// Two sets of detectors, both compiled into every build and both tested natively (core_tests).
// Every function below takes the profile explicitly; a caller never gets one by default.
enum class PiiProfile : uint8_t {
  // Every detector. Rule order (the first rule that matches is reported):
  //   jwt, email, uuid, iban, card, ssn, ipv4, ipv6, phone, long_hex, token.
  // Email TLDs come from tables (ccTLD set, common generic TLDs). Used by the collector
  // (sanitize_segment in src/collector/bounds.cpp) and the native tools.
  kFull,
  // The visitor module's profile, for its download budget, and the overlay's (so both compute
  // the same page and element keys on the live page). Rule order:
  //   number, jwt, email, token.
  // number: the whole text, when it holds 5+ digits or a dotted quad (10.0.0.1): a cheap screen in
  // place of the digit-based scanners (card, IBAN, SSN, phone, IPv4, most UUIDs, IPv6 and long
  // hex), which flags harmless numbers too. jwt and token: the full scanners. email: the full
  // scanner, except that any 2-24 letter last label counts as a TLD (no tables), so
  // `photo@shop.png` is flagged too. Not a superset of kFull: digit-poor shapes such as a
  // letters-only UUID, `fe80::abcd` or 16 hex digits with 2-4 digits among them pass
  // (docs/privacy.md, "The visitor's compact profile"); the collector's kFull pass catches them.
  kCompact,
};

// "email", "card", ... for console warnings. Never print the matched value itself.
const char* pii_rule_name(PiiRule r);

// The first rule of `profile` that matches anywhere in `text`, after percent-decoding (%40 -> @,
// up to two rounds for double-encoded URLs), in the profile's rule order above.
PiiRule find_pii(std::string_view text, PiiProfile profile);
// The same from pointer and length: callers that hold no string_view build none (in the
// visitor's wasm each one is a constructor call writing to a stack slot).
PiiRule find_pii(const char* text, size_t n, PiiProfile profile);

// Every match of every rule, in the profile's rule order, then by position. Matches of different
// rules may overlap (a card number inside a phone-like run). `match` points into the
// percent-decoded text and is valid only during the call. Returns the number of matches.
using PiiVisitor = void (*)(void* ctx, PiiRule rule, std::string_view match);
size_t for_each_pii(std::string_view text, PiiProfile profile, PiiVisitor visit, void* ctx);

// A URL path segment that names one record rather than a page: all digits, a run of 5+ digits
// (order-123456), or anything find_pii(profile) flags (uuid, long hex, high-entropy token...).
// The page key replaces such segments with ":id".
bool is_id_like(std::string_view path_segment, PiiProfile profile);
bool is_id_like(const char* path_segment, size_t n, PiiProfile profile);  // the same

// Whether an element id/class or a custom tag can go into an element key or segment: no digits
// (ids with digits are generated and never stable), nothing find_pii(profile) flags, no
// whitespace or control bytes, at most 64 bytes, and not a state class (see kStateWords in
// pii.cpp and docs/privacy.md).
bool is_safe_token(std::string_view token, PiiProfile profile);
bool is_safe_token(const char* token, size_t n, PiiProfile profile);  // the same

// Values a site passes into the segment (tag keys and values, variants) must look like labels:
// 1-32 bytes of ASCII letters (any case), digits and `_ . : -`, starting with a letter or digit,
// and at most kMaxLabelDigits digits in a row, separators not counting as a break (so
// `078-05-1121` is one run of 9). Free text ("First Last"), e-mails, phone, card and id numbers
// fail; `plan`, `pro`, `2024-q3`, `checkout-v2` pass. docs/privacy.md, "Site-passed values".
inline constexpr size_t kMaxLabelBytes = 32;
inline constexpr uint32_t kMaxLabelDigits = 6;
bool is_label(std::string_view value);

}  // namespace thermograph
