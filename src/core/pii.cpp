#include "pii.h"

#include <cstring>

#include "ascii.h"

// Size notes: this file ships in every visitor's wasm, so it is written for compiled size (see
// scripts/pii-size.sh). The detectors scan a private copy of the text that has a NUL before it
// and kPad NULs after it: s[-1] and s[n .. n + kPad - 1] read as '\0', exactly what bounds-checked
// reads past either end returned before, so no scanner needs a bounds check for short look-aheads.
// No character class accepts '\0', so every run stops at the end of the text (or at an embedded
// NUL, which stopped it before as well).

namespace thermograph {
namespace {

using namespace ascii;  // NOLINT(build/namespaces): the class bits are this file's vocabulary

constexpr size_t kNpos = static_cast<size_t>(-1);
constexpr size_t kPad = 16;  // the longest look-ahead past a candidate's first byte is 11 (SSN)

inline bool is_digit(char c) {
  return is(c, kDig);
}
inline bool is_alnum(char c) {
  return is(c, kAlnum);
}

inline bool is_dash_dot(char c) {
  return c == '-' || c == '.';
}

// Length of the run of `mask` bytes at s + i; stops at the padding.
size_t run(const char* s, size_t i, unsigned mask) {
  size_t j = i;
  while (is(s[j], mask)) ++j;
  return j - i;
}

int num_at(const char* s, size_t i, size_t n) {
  int v = 0;
  for (size_t k = 0; k < n; ++k) v = v * 10 + (s[i + k] - '0');
  return v;
}

// Word sets grouped by a value, usually the word length, which saves separators and compresses
// better: '|' ends a group, group k holds the words for value `value` + k, each `width` bytes wide
// (0: as wide as the value), lowercase. Returns the value of the group that holds w[0, n),
// compared case-insensitively, or 0.
size_t lookup(const char* list, size_t value, size_t width, const char* w, size_t n) {
  for (; *list; ++value) {
    const size_t wd = width ? width : value;
    for (; *list && *list != '|'; list += wd) {
      size_t k = 0;
      while (k < n && k < wd && lower(w[k]) == list[k]) ++k;
      if (k == n && k == wd) return value;
    }
    if (*list) ++list;
  }
  return 0;
}

// Whether one of the '|'-separated words occurs in the 32 bytes before position i.
// Context words make a bare digit run a phone or SSN; a window keeps far-away words from counting.
bool context_before(const char* s, size_t i, const char* words) {
  for (size_t p = i > 32 ? i - 32 : 0; p < i; ++p) {
    for (const char* w = words; *w;) {
      size_t k = 0;
      while (w[k] && w[k] != '|' && p + k < i && lower(s[p + k]) == w[k]) ++k;
      if (!w[k] || w[k] == '|') return true;
      while (*w && *w != '|') ++w;
      if (*w) ++w;
    }
  }
  return false;
}

// ---- email -------------------------------------------------------------------------------------
// Assigned two-letter ccTLDs as a 676-bit set built at compile time (85 bytes in the binary). Any
// letter pair is not enough: `logo@2x.js` would be an email.
constexpr char kCcTlds[] =
    "acadaeafagaialamaoaqarasatauawaxazbabbbdbebfbgbhbibjbmbnbobrbsbtbwbybzcacccdcfcgchcickclcmcn"
    "cocrcucvcwcxcyczdedjdkdmdodzeceeegereseteufifjfkfmfofrgagbgdgegfggghgiglgmgngpgqgrgsgtgugwgy"
    "hkhmhnhrhthuidieiliminioiqirisitjejmjojpkekgkhkikmknkpkrkwkykzlalblclilklrlsltlulvlymamcmdme"
    "mgmhmkmlmmmnmompmqmrmsmtmumvmwmxmymznancnenfngninlnonpnrnunzompapepfpgphpkplpmpnprpsptpwpyqa"
    "rerorsrurwsasbscsdsesgshsisksls"
    "msnsosrssstsusvsxsysztctdtftgthtjtktltmtntotrtttvtwtzuaugukusuyuzvavcvevgvivnvuwfwsyeytzazmzw";
struct CcSet {
  uint8_t bits[85];
};
constexpr CcSet make_cc_set() {
  CcSet set{};
  for (size_t i = 0; i + 1 < sizeof(kCcTlds); i += 2) {
    int k = (kCcTlds[i] - 'a') * 26 + (kCcTlds[i + 1] - 'a');
    set.bits[k >> 3] = static_cast<uint8_t>(set.bits[k >> 3] | (1 << (k & 7)));
  }
  return set;
}
constexpr CcSet kCcSet = make_cc_set();

// Generic TLDs seen in real addresses. A short list instead of the 1,400 delegated TLDs: file
// extensions (png, jpg, svg, css, webp) must not count, and every byte here ships to visitors.
// Grouped by length from 3 (see lookup).
constexpr char kGenericTlds[] =
    "appartbizcomdevedufungovicuincintlawllcltdmilnetoneorgprotopvipxyz|"
    "aeroasiablogclubcoopgmbhinfojobslifelinklivemailmobinamenewspageshopsitetechwork|"
    "cloudemailgroupmediaspacestoretodayworld|"
    "agencychurchdesignfamilyhealthmuseumonlinestudiotravel|"
    "companydigitalnetworksystemswebsite|services|solutions";

bool is_tld(const char* t, size_t n) {
  if (n == 2 && is(t[0], kAlpha) && is(t[1], kAlpha)) {
    int k = (lower(t[0]) - 'a') * 26 + (lower(t[1]) - 'a');
    return kCcSet.bits[k >> 3] >> (k & 7) & 1;
  }
  return lookup(kGenericTlds, 3, 0, t, n);
}

// Compact profile: any 2-24 letter last label counts as a TLD, so `photo@shop.png` is refused too
// (stricter, table-free: the TLD tables cost ~300 bytes of every visitor's download).
bool is_letters_tld(const char* t, size_t n) {
  if (n < 2 || n > 24) return false;
  for (size_t i = 0; i < n; ++i)
    if (!is(t[i], kAlpha)) return false;
  return true;
}

// kLettersTld: the compact profile's TLD rule (is_letters_tld) instead of the TLD tables.
template <bool kLettersTld>
size_t scan_email(const char* s, size_t n, size_t from, size_t* end) {
  for (size_t a = from; a < n; ++a) {
    if (s[a] != '@') continue;
    size_t b = a;
    while (is(s[b - 1], kAlnum | kLocalX)) --b;  // s[-1] is '\0'
    while (b < a && s[b] == '.') ++b;
    size_t e = a + 1;
    while (is_alnum(s[e]) || is_dash_dot(s[e])) ++e;
    while (e > a + 1 && is_dash_dot(s[e - 1])) --e;  // sentence end
    if (b == a || e == a + 1) continue;
    // Labels: at least two, none empty, none longer than 63, none starting or ending with '-'.
    size_t label = a + 1, last = 0, first_end = 0;
    int labels = 0;
    bool ok = true;
    for (size_t k = a + 1; k <= e; ++k) {
      if (k < e && s[k] != '.') continue;
      if (k == label || k - label > 63 || s[label] == '-' || s[k - 1] == '-') ok = false;
      if (!labels++) first_end = k;
      last = label;
      label = k + 1;
    }
    if (!ok || labels < 2 ||
        !(kLettersTld ? is_letters_tld(s + last, e - last) : is_tld(s + last, e - last)))
      continue;
    // `icon@2x.png` style density suffixes: the "domain" starts with 2x, 3x, 1x.
    size_t nd = run(s, a + 1, kDig);
    if (nd > 0 && a + 2 + nd == first_end && lower(s[first_end - 1]) == 'x') continue;
    *end = e;
    return b;
  }
  return kNpos;
}

// ---- card numbers ------------------------------------------------------------------------------
// Issuer prefixes (IIN ranges) with their lengths; a Luhn check alone passes 1 in 10 numbers.
// Ranges of the first four digits; `lengths` bit k allows 13 + k digits.
struct Issuer {
  uint16_t lo, hi;
  uint8_t lengths;
};
constexpr Issuer kIssuers[] = {
    {2221, 2720, 1 << 3},               // Mastercard 2-series: 16
    {3000, 3059, 0x7e},                 // Diners 300-305: 14-19
    {3400, 3499, 1 << 2},               // Amex 34: 15
    {3528, 3589, 0x78},                 // JCB: 16-19
    {3600, 3699, 0x7e},                 // Diners 36: 14-19
    {3700, 3799, 1 << 2},               // Amex 37: 15
    {3800, 3999, 0x7e},                 // Diners 38, 39: 14-19
    {4000, 4999, 1 | 1 << 3 | 1 << 6},  // Visa: 13, 16, 19
    {5000, 5099, 0x7f},                 // Maestro 50: 13-19
    {5100, 5599, 1 << 3},               // Mastercard 51-55: 16
    {5600, 6999, 0x7f},                 // Discover, UnionPay, Maestro 56-69: 13-19
};
// 13-digit numbers starting with 1 are millisecond timestamps; no issuer starts with 1 anyway.
bool card_ok(const char* d, size_t n) {
  if (n < 13 || n > 19) return false;
  const int p4 = num_at(d, 0, 4);
  bool issuer = false;
  for (const Issuer& r : kIssuers)
    issuer |= p4 >= r.lo && p4 <= r.hi && (r.lengths >> (n - 13) & 1);
  unsigned sum = 0;  // Luhn
  for (size_t i = 0; i < n; ++i) {
    unsigned v = (d[n - 1 - i] - '0') << (i & 1);
    sum += v > 9 ? v - 9 : v;
  }
  return issuer && sum % 10 == 0;
}

// Continues a digit group at s + k: skips one space or dash when a digit follows, else returns 0.
inline size_t group_gap(const char* s, size_t k) {
  return (s[k] == ' ' || s[k] == '-') && is_digit(s[k + 1]);
}

size_t scan_card(const char* s, size_t n, size_t from, size_t* end) {
  size_t i = from;
  while (i < n) {
    // After '+' it is an international phone number, whatever Luhn says.
    if (!is_digit(s[i]) || is_digit(s[i - 1]) || s[i - 1] == '+') {
      ++i;
      continue;
    }
    // A run of digit groups joined by single spaces or dashes; try every span of whole groups.
    size_t a = i;
    for (;;) {
      char d[19];
      size_t m = 0;
      for (size_t k = a;;) {
        const size_t g = run(s, k, kDig);
        if (m + g > 19) break;
        memcpy(d + m, s + k, g);
        m += g;
        k += g;
        if (card_ok(d, m)) {
          *end = k;
          return a;
        }
        if (!group_gap(s, k)) break;
        ++k;
      }
      a += run(s, a, kDig);
      if (!group_gap(s, a)) break;
      ++a;
    }
    i = a > i ? a : i + 1;
  }
  return kNpos;
}

// ---- IBAN --------------------------------------------------------------------------------------
// Country codes by IBAN length, from 15 (see lookup): ISO 13616 registry, SEPA and non-SEPA.
constexpr char kIbanCountries[] =
    "no|be||dkfifkfoglnlsd|mksi|atbaeekzltlumnxk|chhrlilv|bgbhcrdegbgeiemersva|aegiiliqomsotl|"
    "adczesmdpkrosaseskvgtn|lyst|istr|bidjfrgritmcmrsm|alazbycydogthulbniplsv|bregpsqaua|jokwmu|"
    "mtsc|lc|ru";

size_t scan_iban(const char* s, size_t n, size_t from, size_t* end) {
  for (size_t i = from; i + 4 <= n; ++i) {
    if (is_alnum(s[i - 1]) || !is(s[i], kAlpha) || !is(s[i + 1], kAlpha) || !is_digit(s[i + 2]) ||
        !is_digit(s[i + 3]))
      continue;
    const size_t len = lookup(kIbanCountries, 15, 2, s + i, 2);
    if (!len) continue;
    // Collect exactly `len` alphanumerics; single spaces between them are print grouping.
    char buf[34];
    size_t m = 0, j = i;
    while (m < len) {
      if (is_alnum(s[j])) {
        buf[m++] = lower(s[j++]);
      } else if (s[j] == ' ' && m > 0 && is_alnum(s[j + 1])) {
        ++j;
      } else {
        break;
      }
    }
    if (m != len || is_alnum(s[j])) continue;
    // mod 97 over BBAN + country + check digits, streamed: letters are two digits (a = 10).
    unsigned r = 0;
    for (size_t k = 0; k < len; ++k) {
      char c = buf[(k + 4) % len];
      r = is_digit(c) ? (r * 10 + (c - '0')) % 97 : (r * 100 + (c - 'a' + 10)) % 97;
    }
    if (r == 1) {
      *end = j;
      return i;
    }
  }
  return kNpos;
}

// ---- US SSN ------------------------------------------------------------------------------------
size_t scan_ssn(const char* s, size_t n, size_t from, size_t* end) {
  for (size_t i = from; i < n; ++i) {
    if (!is_digit(s[i]) || is_alnum(s[i - 1]) || s[i - 1] == '-') continue;
    size_t digits = run(s, i, kDig), e;
    char sep = s[i + 3];
    if (digits == 3 && (sep == '-' || sep == ' ') && run(s, i + 4, kDig) == 2 && s[i + 6] == sep &&
        run(s, i + 7, kDig) == 4) {
      e = i + 11;
      if (s[e] == '-' || is_alnum(s[e])) continue;
    } else if (digits == 9 && !is(s[i + 9], kAlpha) &&
               context_before(s, i, "ssn|social security")) {
      e = i + 9;  // nine bare digits are only an SSN when the text says so
    } else {
      continue;
    }
    const int off = digits == 9 ? 0 : 1;
    const int area = num_at(s, i, 3), group = num_at(s, i + 3 + off, 2),
              serial = num_at(s, i + 5 + 2 * off, 4);
    if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) continue;
    *end = e;
    return i;
  }
  return kNpos;
}

// ---- phone -------------------------------------------------------------------------------------
size_t scan_phone(const char* s, size_t n, size_t from, size_t* end) {
  size_t i = from;
  while (i < n) {
    const char c = s[i], p = s[i - 1];
    const bool plus = c == '+' && is_digit(s[i + 1]);
    // '$', and the last byte of UTF-8 €, £, ¥ before the digits: an amount of money.
    if (!(plus || is_digit(c) || (c == '(' && is_digit(s[i + 1]))) || is(p, kAlnum) || p == '.' ||
        p == '+' || p == '$' || p == '\xAC' || p == '\xA3' || p == '\xA5') {
      ++i;
      continue;
    }
    const size_t b = i;  // the match keeps a leading '+' or '('
    // Walk the run: digits and separators, at most two separators in a row ("(555) 123").
    int glen[16], g = 0, digits = 0, seps = 0;
    char sep_kind = 0;  // the separator used between groups, or '*' when they are mixed
    size_t j = i + plus, last_digit = j;
    bool open_group = false;
    for (;; ++j) {
      if (is_digit(s[j])) {
        if (!open_group) {
          if (g == 16) break;
          glen[g++] = 0;
          open_group = true;
        }
        ++glen[g - 1];
        ++digits;
        seps = 0;
        last_digit = j + 1;
      } else if (is(s[j], kPhoneSep) && ++seps <= 2) {
        if (open_group && s[j] != '(' && s[j] != ')')
          sep_kind = sep_kind == 0 || sep_kind == s[j] ? s[j] : '*';
        open_group = false;
      } else {
        break;
      }
    }
    const size_t e = last_digit;
    i = j > i + 1 ? j : i + 1;
    if (digits < 7 || digits > 15 || is_alnum(s[e])) continue;
    // Dates (2024-01-31, 31/01/2024, 31.01.2024) and dotted quads are never phones.
    const bool date = g == 3 && (sep_kind == '-' || sep_kind == '/' || sep_kind == '.') &&
                      ((glen[0] == 4 && glen[1] <= 2 && glen[2] <= 2) ||
                       (glen[0] <= 2 && glen[1] <= 2 && (glen[2] == 4 || glen[2] == 2)));
    bool quad = g == 4 && sep_kind == '.';
    for (int k = 0; k < g && quad; ++k) quad = glen[k] <= 3;
    if (date || quad) continue;
    if (plus ? digits >= 8 : context_before(s, b, "tel|phone|mobile|call|fax|sms|whatsapp")) {
      *end = e;
      return b;
    }
    // No signal: only a grouped national number of 10-11 digits, and not an order/reference.
    if (digits < 10 || digits > 11 || g < 2 || g > 5 || sep_kind == '/') continue;
    if (context_before(s, b, "order|invoice|ref|isbn|sku|#|no.|id|nr")) continue;
    // Groups of 2-4 digits after an optional 1-digit trunk prefix (1-800-..., 0 800 ...):
    // ISBN-10 ends in a 1-digit group, order and tracking numbers have long groups.
    bool grouped = glen[0] <= 4, thousands = g >= 3 && glen[0] <= 3;
    for (int k = 1; k < g; ++k) {
      grouped = grouped && glen[k] >= 2 && glen[k] <= 4;
      thousands = thousands && glen[k] == 3;
    }
    const bool year = glen[0] == 4 && (s[b] == '1' || s[b] == '2') && sep_kind == '-';
    if (!grouped || thousands || year) continue;
    *end = e;
    return b;
  }
  return kNpos;
}

// ---- IP addresses ------------------------------------------------------------------------------
// Parses a dotted quad at i; returns its end or 0.
size_t ipv4_at(const char* s, size_t i) {
  for (int part = 0; part < 4; ++part) {
    if (part && s[i++] != '.') return 0;
    size_t n = run(s, i, kDig);
    if (n == 0 || n > 3 || num_at(s, i, n) > 255) return 0;
    i += n;
  }
  return i;
}

size_t scan_ipv4(const char* s, size_t n, size_t from, size_t* end) {
  for (size_t i = from; i < n; ++i) {
    // 'v' before the digits is a version string (v1.2.3.4).
    if (!is_digit(s[i]) || is_alnum(s[i - 1]) || s[i - 1] == '.') continue;
    size_t e = ipv4_at(s, i);
    if (!e || is_alnum(s[e]) || (s[e] == '.' && is_digit(s[e + 1]))) continue;
    *end = e;
    return i;
  }
  return kNpos;
}

size_t scan_ipv6(const char* s, size_t n, size_t from, size_t* end) {
  size_t i = from;
  while (i < n) {
    if (!is(s[i], kHex | kV6X) || is(s[i - 1], kAlnum | kV6X)) {
      ++i;
      continue;
    }
    // The run [b, e) of hex, ':' and '.'; s[e] is never ':' or hex, at most a trimmed '.'.
    const size_t b = i;
    size_t e = i + run(s, i, kHex | kV6X);
    while (e > i && s[e - 1] == '.') --e;
    i = e + 1;
    int compressions = 0;
    for (size_t k = b; k + 1 < e; ++k) compressions += s[k] == ':' && s[k + 1] == ':';
    if (is_alnum(s[e]) || compressions > 1) continue;
    int groups = 0;
    bool ok = true, digit = false;
    size_t k = b;
    while (ok && k < e) {
      if (s[k] == ':') {
        // Only "::" may start the address or sit next to another colon.
        const bool twice = s[k + 1] == ':';
        ok = twice || (k > b && k + 1 < e);
        k += 1 + twice;
        continue;
      }
      const size_t h = run(s, k, kHex);
      if (k + h < e && s[k + h] == '.') {  // embedded IPv4 tail counts as two groups
        ok = ipv4_at(s, k) == e;
        groups += 2;
        digit = true;
        break;
      }
      ok = h >= 1 && h <= 4;
      for (size_t q = k; q < k + h; ++q) digit |= is_digit(s[q]);
      ++groups;
      k += h;
    }
    if (!ok || !digit || (compressions ? groups < 2 || groups > 7 : groups != 8)) continue;
    *end = e;
    return b;
  }
  return kNpos;
}

// ---- JWT, UUID, long hex -----------------------------------------------------------------------
size_t scan_jwt(const char* s, size_t n, size_t from, size_t* end) {
  for (size_t i = from; i < n; ++i) {
    if (s[i] != 'e' || s[i + 1] != 'y' || s[i + 2] != 'J' || is(s[i - 1], kB64)) continue;
    size_t h = run(s, i, kB64);
    if (h < 10 || s[i + h] != '.') continue;
    size_t p = run(s, i + h + 1, kB64);
    if (p < 4 || s[i + h + 1 + p] != '.') continue;
    size_t e = i + h + 2 + p;
    *end = e + run(s, e, kB64);  // the signature is empty for alg "none"
    return i;
  }
  return kNpos;
}

size_t scan_uuid(const char* s, size_t n, size_t from, size_t* end) {
  // 8-4-4-4-12 hex digits: dashes at offsets 8, 13, 18, 23.
  for (size_t i = from; i + 36 <= n; ++i) {
    if (is_alnum(s[i - 1]) || is_alnum(s[i + 36])) continue;
    int k = 0;
    while (k < 36 && (k > 7 && k < 24 && (k - 8) % 5 == 0 ? s[i + k] == '-' : is(s[i + k], kHex)))
      ++k;
    if (k == 36) {
      *end = i + 36;
      return i;
    }
  }
  return kNpos;
}

size_t scan_long_hex(const char* s, size_t n, size_t from, size_t* end) {
  size_t i = from;
  while (i < n) {
    size_t m = run(s, i, kAlnum);
    if (m == 0) {
      ++i;
      continue;
    }
    size_t b = i + ((m > 2 && s[i] == '0' && lower(s[i + 1]) == 'x') ? 2 : 0);  // 0x prefix
    const size_t e = i + m;
    i = e;
    if (e - b < 16 || run(s, b, kHex) != e - b) continue;
    // Random hex alternates letters and digits often (about 7 times in 16 chars) and uses one
    // case; "DE89370400440532013000", "deadbeefdeadbeef" and mixed-case tokens do not.
    int alternations = 0, cases = 0;
    for (size_t k = b; k < e; ++k) {
      if (k > b && is_digit(s[k]) != is_digit(s[k - 1])) ++alternations;
      cases |= kClasses.bits[static_cast<unsigned char>(s[k])] & (kLow | kUp);
    }
    if (alternations < 3 || cases == (kLow | kUp)) continue;
    *end = e;
    return b;
  }
  return kNpos;
}

// ---- high-entropy tokens -----------------------------------------------------------------------
// log2(v) in 1/256 bits by repeated squaring of the mantissa, so no <cmath> (which pulls in libm).
unsigned log2_fx(unsigned v) {
  unsigned r = 0;
  while (v >> (r + 1)) ++r;
  uint64_t x = (static_cast<uint64_t>(v) << 16) >> r;  // mantissa in [1, 2), Q16
  unsigned f = 0;
  for (unsigned bit = 128; bit; bit >>= 1) {
    x = (x * x) >> 16;
    if (x >= (2u << 16)) {
      x >>= 1;
      f |= bit;
    }
  }
  return r * 256 + f;
}

constexpr unsigned kMinTokenEntropy256 = 3 * 256;  // 3.0 bits/char, see docs/privacy.md

// 0 digit, 1 lower, 2 upper, 3 '-' or '_'.
int char_class(char c) {
  const unsigned b = kClasses.bits[static_cast<unsigned char>(c)];
  return b & kDig ? 0 : b & kLow ? 1 : b & kUp ? 2 : 3;
}

// A token: >= 20 chars of [A-Za-z0-9_-], at least two of {lower, upper, digit}, and
// "random-looking": class changes (a->B, b->7, 7->c) on at least 30 % of adjacent alphanumeric
// pairs, counting a camel-case word start (aB followed by c) once, and Shannon entropy of at least
// kMinTokenEntropy256 / 256 bits per char.
// Words, camelCase identifiers, kebab slugs and dates stay below; random base64/base62 sits near
// 50-60 % changes and 4+ bits.
bool token_ok(const char* t, size_t n) {
  int present = 0, changes = 0, pairs = 0, p = 3, pp = 3;  // p, pp: classes of t[k-1], t[k-2]
  unsigned counts[256] = {};  // by byte value: the same entropy as by symbol
  for (size_t k = 0; k < n; ++k) {
    const int c = char_class(t[k]);
    ++counts[static_cast<unsigned char>(t[k])];
    if (c < 3) {
      present |= 1 << c;
      // Upper followed by lower after a lower (getElement): the word start was already counted.
      if (p < 3) ++pairs, changes += p != c && !(p == 2 && c == 1 && pp != 2);
    }
    pp = p;
    p = c;
  }
  if ((present & (present - 1)) == 0 || pairs == 0 || changes * 10 < pairs * 3) return false;
  // Shannon entropy H = log2(n) - sum(c * log2 c) / n, in 1/256 bits.
  uint64_t sum = 0;
  for (unsigned c : counts) sum += c ? uint64_t{c} * log2_fx(c) : 0;
  const unsigned len = static_cast<unsigned>(n);
  return uint64_t{len} * log2_fx(len) - sum >= uint64_t{len} * kMinTokenEntropy256;
}

size_t scan_token(const char* s, size_t n, size_t from, size_t* end) {
  size_t i = from;
  while (i < n) {
    size_t m = run(s, i, kB64);
    if (m == 0) {
      ++i;
      continue;
    }
    const size_t b = i;
    i += m;
    if (m >= 20 && token_ok(s + b, m)) {
      *end = b + m;
      return b;
    }
  }
  return kNpos;
}

// ---- compact screen ----------------------------------------------------------------------------
// The compact profile's first rule (pii.h, docs/privacy.md "Compact profile"). Most PII shapes
// built from digits (card, IBAN, SSN, phone, IPv4) carry five or more digits or are a dotted quad,
// so one cheap screen refuses them wholesale, and harmless numbers too (the visitor sends less).
// The match is the whole text.
size_t scan_number(const char* s, size_t n, size_t from, size_t* end) {
  if (from > 0) return kNpos;
  size_t digits = 0, dots = 0, run = 0;
  for (size_t i = 0; i < n; ++i) {
    if (is_digit(s[i])) {
      ++digits;
      ++run;
    } else {
      dots = (s[i] == '.' && run > 0) ? dots + 1 : (run > 0 ? 0 : dots);
      run = 0;
    }
    if (digits >= 5 || (dots >= 3 && run > 0)) {
      *end = n;
      return 0;
    }
  }
  return kNpos;
}

// ---- dispatch ----------------------------------------------------------------------------------
using Scanner = size_t (*)(const char* s, size_t n, size_t from, size_t* end);
// One scanner table per profile, in the rule order pii.h documents: most specific shapes first,
// so a JWT is reported as a JWT and not as a token. Entry k of a table reports entry k of its
// rule list.
#ifdef THERMOGRAPH_PII_COMPACT_ONLY
// The wasm modules (src/wasm/CMakeLists.txt) only ever ask for PiiProfile::kCompact, and the
// visitor's download budget has no room for the full scanners: they are left out (nothing else
// references them, so they are not even compiled). Should a kFull call ever reach this build,
// it fails closed: every text is refused as a token, nothing goes out unchecked.
size_t scan_refuse(const char*, size_t n, size_t from, size_t* end) {
  if (from > 0) return kNpos;
  *end = n;
  return 0;
}
constexpr Scanner kFullScanners[] = {scan_refuse};
constexpr PiiRule kFullRules[] = {PiiRule::kToken};
#else
constexpr Scanner kFullScanners[] = {scan_jwt,   scan_email<false>, scan_uuid, scan_iban,
                                     scan_card,  scan_ssn,          scan_ipv4, scan_ipv6,
                                     scan_phone, scan_long_hex,     scan_token};
constexpr PiiRule kFullRules[] = {PiiRule::kJwt,     PiiRule::kEmail, PiiRule::kUuid,
                                  PiiRule::kIban,    PiiRule::kCard,  PiiRule::kSsn,
                                  PiiRule::kIpv4,    PiiRule::kIpv6,  PiiRule::kPhone,
                                  PiiRule::kLongHex, PiiRule::kToken};
#endif
constexpr Scanner kCompactScanners[] = {scan_number, scan_jwt, scan_email<true>, scan_token};
constexpr PiiRule kCompactRules[] = {PiiRule::kNumber, PiiRule::kJwt, PiiRule::kEmail,
                                     PiiRule::kToken};
static_assert(sizeof(kFullScanners) / sizeof(Scanner) == sizeof(kFullRules) / sizeof(PiiRule));
static_assert(sizeof(kCompactScanners) / sizeof(Scanner) ==
              sizeof(kCompactRules) / sizeof(PiiRule));

// Copies `text` into a padded buffer (see the top of the file), percent-decodes it in place (two
// rounds: %2540 -> %40 -> @; decoding only shrinks), runs the scanners in priority order and
// reports each match to visit(rule, match, match_n); with `all` false, stops after the first.
// Returns the number of matches. A template over the callback: find_pii's keeps the rule and
// nothing else, so the visitor's wasm neither calls through a pointer nor builds a string_view
// per match.
template <typename Visit>
size_t scan(const char* text, size_t text_n, PiiProfile profile, Visit&& visit, bool all) {
  // Short texts (path segments, tokens, query values) stay on the stack.
  char local[512];
  const size_t size = text_n + kPad + 1;
#ifdef THERMOGRAPH_NO_HEAP
  // The visitor module has no allocator and its inputs (tokens, tags, query values) are far
  // shorter than this buffer; anything longer is refused as unscannable, never sent unchecked.
  if (size > sizeof(local)) {
    visit(PiiRule::kToken, text, text_n);
    return 1;
  }
  char* const mem = local;
#else
  char* const mem = size <= sizeof(local) ? local : new char[size];
#endif
  memset(mem, 0, size);
  if (text_n) memcpy(mem + 1, text, text_n);  // text may be null
  char* const s = mem + 1;
  size_t n = text_n;
  for (int round = 0; round < 2; ++round) {
    size_t w = 0;
    for (size_t r = 0; r < n; ++r, ++w) {
      s[w] = s[r];
      if (s[r] == '%' && is(s[r + 1], kHex) && is(s[r + 2], kHex)) {
        s[w] = static_cast<char>(hex_val(s[r + 1]) * 16 + hex_val(s[r + 2]));
        r += 2;
      }
    }
    memset(s + w, 0, n - w);  // keep the padding invariant for the shorter text
    n = w;
  }
  const bool compact = profile == PiiProfile::kCompact;
  const Scanner* const scanners = compact ? kCompactScanners : kFullScanners;
  const PiiRule* const rules = compact ? kCompactRules : kFullRules;
  const size_t nscanners = compact ? sizeof(kCompactScanners) / sizeof(Scanner)
                                   : sizeof(kFullScanners) / sizeof(Scanner);
  size_t count = 0;
  for (size_t d = 0; d < nscanners; ++d) {
    size_t end = 0;
    for (size_t b = scanners[d](s, n, 0, &end); b != kNpos;
         b = scanners[d](s, n, end > b ? end : b + 1, &end)) {
      ++count;
      visit(rules[d], s + b, end - b);
      if (!all) break;
    }
    if (count && !all) break;
  }
#ifndef THERMOGRAPH_NO_HEAP
  if (mem != local) delete[] mem;
#endif
  return count;
}

// State classes: toggled by scripts, so an element's key would change while the visitor looks at
// it. Matched exactly, after an is-/has-/js-/state-/ng-/v- prefix, or as a -x/--x/_x suffix.
// Grouped by length from 2 (see lookup). focus-visible is matched by its -visible suffix.
constexpr char kStateWords[] =
    "inon|off|busyfadeopenshow|dirtyentererrorfocushoverleavemutedshownstuckvalid|"
    "activeclosedhiddenloadedopenedpaused|"
    "checkedcurrentenabledfocusedhoveredinvalidleavingloadingpendingplayingpressedshowingtoggled"
    "touchedvisible|disableddraggingenteringexpandedinactivepristinescrolledselected|"
    "animatingcollapsedhighlightinvisibleuntouched||highlighted|focus-within";

bool is_state_class(const char* t, size_t n) {
  if (lookup(kStateWords, 2, 0, t, n)) return true;
  for (size_t k = 2; k < n && k <= 6; ++k) {  // prefixes, by length from 2
    if (lookup("v-|is-js-ng-|has-||state-", 2, 0, t, k)) return true;
  }
  // Suffixes: btn--active, menu-open, tab_selected. "-in" is left out: sign-in, log-in are stable.
  for (size_t k = n; k-- > 1;) {
    if (t[k] != '-' && t[k] != '_') continue;
    const char* tail = t + k + 1;
    const size_t m = n - k - 1;
    return !(m == 2 && tail[0] == 'i' && tail[1] == 'n') && lookup(kStateWords, 2, 0, tail, m);
  }
  return false;
}

}  // namespace

const char* pii_rule_name(PiiRule r) {
  // One packed string instead of a pointer table: "none", "email", ... in PiiRule order.
  // @js (PII_RULE_NAMES in build/gen/constants.mjs)
  static constexpr char kNames[] =
      "none\0email\0card\0iban\0ssn\0phone\0ipv4\0ipv6\0jwt\0uuid\0long_"
      "hex\0token\0number\0unknown";
  const char* p = kNames;
  for (unsigned i = static_cast<unsigned>(r) < 13 ? static_cast<unsigned>(r) : 13; i; --i)
    while (*p++) {
    }
  return p;
}

PiiRule find_pii(std::string_view text, PiiProfile profile) {
  return find_pii(text.data(), text.size(), profile);
}

PiiRule find_pii(const char* text, size_t n, PiiProfile profile) {
  PiiRule first = PiiRule::kNone;
  auto keep_rule = [&](PiiRule rule, const char*, size_t) { first = rule; };
  scan(text, n, profile, keep_rule, false);
  return first;
}

size_t for_each_pii(std::string_view text, PiiProfile profile, PiiVisitor visit, void* ctx) {
  return scan(
      text.data(), text.size(), profile,
      [&](PiiRule rule, const char* match, size_t n) {
        if (visit) visit(ctx, rule, std::string_view(match, n));
      },
      true);
}

bool is_id_like(std::string_view seg, PiiProfile profile) {
  return is_id_like(seg.data(), seg.size(), profile);
}

bool is_id_like(const char* seg, size_t n, PiiProfile profile) {
  if (n == 0) return false;
  size_t longest = 0, cur = 0;
  for (size_t i = 0; i < n; ++i) {
    cur = is_digit(seg[i]) ? cur + 1 : 0;
    if (cur > longest) longest = cur;
  }
  // All digits (/orders/123), or a long number inside a slug (order-123456, INV2024001).
  return longest == n || longest >= 5 || find_pii(seg, n, profile) != PiiRule::kNone;
}

bool is_safe_token(std::string_view t, PiiProfile profile) {
  return is_safe_token(t.data(), t.size(), profile);
}

bool is_safe_token(const char* t, size_t n, PiiProfile profile) {
  if (n == 0 || n > 64) return false;
  for (size_t i = 0; i < n; ++i) {
    if (is_digit(t[i]) || static_cast<unsigned char>(t[i]) <= ' ' || t[i] == '\x7f') return false;
  }
  return !is_state_class(t, n) && find_pii(t, n, profile) == PiiRule::kNone;
}

bool is_label(std::string_view s) {
  if (s.empty() || s.size() > kMaxLabelBytes) return false;
  uint32_t run = 0;  // digits in a row, separators not counting as a break
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c - '0' < 10u) {
      if (++run > kMaxLabelDigits) return false;
    } else if ((c | 0x20u) - 'a' < 26u) {
      run = 0;
    } else if (i == 0 || (c != '_' && c != '.' && c != ':' && c != '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace thermograph
