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
  kNumber,  // compact profile only (THERMOGRAPH_PII_COMPACT): 5+ digits or a dotted quad
};

// "email", "card", ... for console warnings. Never print the matched value itself.
const char* pii_rule_name(PiiRule r);

// The first rule that matches anywhere in `text`, after percent-decoding (%40 -> @, up to two
// rounds for double-encoded URLs). Rules are tried from the most specific shape to the most
// generic one: jwt, email, uuid, iban, card, ssn, ipv4, ipv6, phone, long hex, token.
PiiRule find_pii(std::string_view text);

// Every match of every rule, in the priority order above, then by position. Matches of different
// rules may overlap (a card number inside a phone-like run). `match` points into the
// percent-decoded text and is valid only during the call. Returns the number of matches.
using PiiVisitor = void (*)(void* ctx, PiiRule rule, std::string_view match);
size_t for_each_pii(std::string_view text, PiiVisitor visit, void* ctx);

// A URL path segment that names one record rather than a page: all digits, a run of 5+ digits
// (order-123456), uuid, long hex, high-entropy token, or anything find_pii flags. The page key
// replaces such segments with ":id".
bool is_id_like(std::string_view path_segment);

// Whether an element id/class or a custom tag can go into an element key or segment: no digits
// (ids with digits are generated and never stable), no PII, no whitespace or control bytes,
// at most 64 bytes, and not a state class (see kStateWords in pii.cpp and docs/privacy.md).
bool is_safe_token(std::string_view token);

}  // namespace thermograph
