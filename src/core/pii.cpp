#include "pii.h"

#include <string>

namespace thermograph {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// Own ASCII classes: <cctype> may consult the locale and pulls tables into the wasm.
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}
inline bool is_alpha(char c) {
  return lower(c) >= 'a' && lower(c) <= 'z';
}
inline bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
inline bool is_hex(char c) {
  return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}
inline bool is_b64url(char c) {
  return is_alnum(c) || c == '-' || c == '_';
}
inline int hex_val(char c) {
  return is_digit(c) ? c - '0' : lower(c) - 'a' + 10;
}
inline char at(std::string_view s, size_t i) {
  return i < s.size() ? s[i] : '\0';
}
inline char prev(std::string_view s, size_t i) {
  return i ? s[i - 1] : '\0';
}

size_t count_while(std::string_view s, size_t i, bool (*pred)(char)) {
  size_t j = i;
  while (j < s.size() && pred(s[j])) ++j;
  return j - i;
}

// Whether `word` (lowercase ASCII) occurs case-insensitively in `s`.
bool contains_ci(std::string_view s, std::string_view word) {
  for (size_t i = 0; i + word.size() <= s.size(); ++i) {
    size_t k = 0;
    while (k < word.size() && lower(s[i + k]) == word[k]) ++k;
    if (k == word.size()) return true;
  }
  return false;
}

// Whether one of the '|'-separated words occurs in the `window` bytes before position i.
// Context words make a bare digit run a phone or SSN; a window keeps far-away words from counting.
bool context_before(std::string_view s, size_t i, std::string_view words, size_t window = 32) {
  std::string_view w = s.substr(i > window ? i - window : 0, i > window ? window : i);
  while (!words.empty()) {
    size_t bar = words.find('|');
    if (contains_ci(w, words.substr(0, bar))) return true;
    if (bar == kNpos) break;
    words.remove_prefix(bar + 1);
  }
  return false;
}

bool in_list(std::string_view list, std::string_view word) {  // '|'-separated, lowercase
  while (!list.empty()) {
    size_t bar = list.find('|');
    std::string_view item = list.substr(0, bar);
    if (item.size() == word.size()) {
      size_t k = 0;
      while (k < word.size() && lower(word[k]) == item[k]) ++k;
      if (k == word.size()) return true;
    }
    if (bar == kNpos) break;
    list.remove_prefix(bar + 1);
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
constexpr std::string_view kGenericTlds =
    "com|net|org|edu|gov|mil|int|info|biz|name|pro|mobi|aero|asia|coop|jobs|museum|travel|app|dev|"
    "page|xyz|online|site|shop|store|tech|email|mail|cloud|blog|news|live|life|world|today|space|"
    "website|club|agency|digital|media|group|solutions|services|network|systems|company|studio|"
    "design|art|icu|top|vip|work|fun|link|one|ltd|llc|inc|gmbh|family|church|law|health";

bool is_tld(std::string_view t) {
  if (t.size() == 2 && is_alpha(t[0]) && is_alpha(t[1])) {
    int k = (lower(t[0]) - 'a') * 26 + (lower(t[1]) - 'a');
    return kCcSet.bits[k >> 3] >> (k & 7) & 1;
  }
  return in_list(kGenericTlds, t);
}

bool is_local_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
}
bool is_domain_char(char c) {
  return is_alnum(c) || c == '-' || c == '.';
}

size_t scan_email(std::string_view s, size_t from, size_t* end) {
  for (size_t a = s.find('@', from); a != kNpos; a = s.find('@', a + 1)) {
    size_t b = a;
    while (b > 0 && is_local_char(s[b - 1])) --b;
    while (b < a && s[b] == '.') ++b;
    size_t e = a + 1 + count_while(s, a + 1, is_domain_char);
    while (e > a + 1 && (s[e - 1] == '.' || s[e - 1] == '-')) --e;  // sentence end
    if (b == a || e == a + 1) continue;
    // Labels: at least two, none empty, none starting or ending with '-'.
    std::string_view dom = s.substr(a + 1, e - a - 1), label, first;
    int labels = 0;
    bool ok = true;
    while (ok) {
      size_t dot = dom.find('.');
      label = dom.substr(0, dot);
      ok = !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-';
      if (labels++ == 0) first = label;
      if (dot == kNpos) break;
      dom.remove_prefix(dot + 1);
    }
    if (!ok || labels < 2 || !is_tld(label)) continue;
    // `icon@2x.png` style density suffixes: the "domain" starts with 2x, 3x, 1x.
    size_t nd = count_while(first, 0, is_digit);
    if (nd > 0 && nd + 1 == first.size() && lower(first.back()) == 'x') continue;
    *end = e;
    return b;
  }
  return kNpos;
}

// ---- card numbers ------------------------------------------------------------------------------
bool luhn_ok(const char* d, size_t n) {
  unsigned sum = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned v = d[n - 1 - i] - '0';
    if (i & 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
  }
  return sum % 10 == 0;
}

// Issuer prefixes (IIN ranges) with their lengths; a Luhn check alone passes 1 in 10 numbers.
bool card_ok(const char* d, size_t n) {
  if (n < 13 || n > 19) return false;
  auto num = [d](int k) {
    int v = 0;
    for (int i = 0; i < k; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  const int p2 = num(2), p3 = num(3), p4 = num(4);
  bool issuer = false;
  if (d[0] == '4') issuer = n == 13 || n == 16 || n == 19;                             // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) issuer = n == 16;          // Mastercard
  if (p2 == 34 || p2 == 37) issuer = n == 15;                                          // Amex
  if (p2 == 36 || p2 == 38 || p2 == 39 || (p3 >= 300 && p3 <= 305)) issuer = n >= 14;  // Diners
  if (p4 >= 3528 && p4 <= 3589) issuer = n >= 16;                                      // JCB
  // Discover (6011, 644-649, 65), UnionPay (62) and Maestro (50, 56-69) all fall in 50 | 56-69.
  if (p2 == 50 || (p2 >= 56 && p2 <= 69)) issuer = n >= 13;
  // 13-digit numbers starting with 1 are millisecond timestamps; no issuer starts with 1 anyway.
  return issuer && luhn_ok(d, n);
}

size_t scan_card(std::string_view s, size_t from, size_t* end) {
  constexpr int kMaxGroups = 24;
  size_t i = from;
  while (i < s.size()) {
    // After '+' it is an international phone number, whatever Luhn says.
    if (!is_digit(s[i]) || is_digit(prev(s, i)) || prev(s, i) == '+') {
      ++i;
      continue;
    }
    // A run of digit groups joined by single spaces or dashes; try every span of whole groups.
    size_t gb[kMaxGroups], ge[kMaxGroups];
    int g = 0;
    size_t j = i;
    while (g < kMaxGroups) {
      gb[g] = j;
      j += count_while(s, j, is_digit);
      ge[g++] = j;
      if ((at(s, j) == ' ' || at(s, j) == '-') && is_digit(at(s, j + 1))) {
        ++j;
      } else {
        break;
      }
    }
    for (int a = 0; a < g; ++a) {
      char d[19];
      size_t n = 0;
      for (int b = a; b < g && n + (ge[b] - gb[b]) <= 19; ++b) {
        for (size_t k = gb[b]; k < ge[b]; ++k) d[n++] = s[k];
        if (card_ok(d, n)) {
          *end = ge[b];
          return gb[a];
        }
      }
    }
    i = j > i ? j : i + 1;
  }
  return kNpos;
}

// ---- IBAN --------------------------------------------------------------------------------------
// Country code + total length (ISO 13616 registry, SEPA and non-SEPA). Four bytes per country.
constexpr std::string_view kIbanLengths =
    "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24DE22DJ27DK18DO28EE20EG29ES24"
    "FI18FK18FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21"
    "LT20LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24PL28PS29QA29RO24RS22RU33"
    "SA24SC31SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29VA22VG24XK20";

size_t iban_length(char a, char b) {
  for (size_t i = 0; i < kIbanLengths.size(); i += 4) {
    if (kIbanLengths[i] == a && kIbanLengths[i + 1] == b)
      return (kIbanLengths[i + 2] - '0') * 10 + (kIbanLengths[i + 3] - '0');
  }
  return 0;
}

size_t scan_iban(std::string_view s, size_t from, size_t* end) {
  for (size_t i = from; i + 4 <= s.size(); ++i) {
    if (is_alnum(prev(s, i)) || !is_alpha(s[i]) || !is_alpha(s[i + 1]) || !is_digit(s[i + 2]) ||
        !is_digit(s[i + 3]))
      continue;
    const char c0 = static_cast<char>(lower(s[i]) - 32),
               c1 = static_cast<char>(lower(s[i + 1]) - 32);
    const size_t len = iban_length(c0, c1);
    if (!len) continue;
    // Collect exactly `len` alphanumerics; single spaces between them are print grouping.
    char buf[34];
    size_t n = 0, j = i;
    while (n < len && j < s.size()) {
      if (is_alnum(s[j])) {
        buf[n++] = lower(s[j++]);
      } else if (s[j] == ' ' && n > 0 && is_alnum(at(s, j + 1))) {
        ++j;
      } else {
        break;
      }
    }
    if (n != len || is_alnum(at(s, j))) continue;
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
int num_at(std::string_view s, size_t i, size_t n) {
  int v = 0;
  for (size_t k = 0; k < n; ++k) v = v * 10 + (s[i + k] - '0');
  return v;
}

size_t scan_ssn(std::string_view s, size_t from, size_t* end) {
  for (size_t i = from; i < s.size(); ++i) {
    if (!is_digit(s[i]) || is_alnum(prev(s, i)) || prev(s, i) == '-') continue;
    size_t run = count_while(s, i, is_digit), e;
    char sep = at(s, i + 3);
    if (run == 3 && (sep == '-' || sep == ' ') && count_while(s, i + 4, is_digit) == 2 &&
        at(s, i + 6) == sep && count_while(s, i + 7, is_digit) == 4) {
      e = i + 11;
      if (at(s, e) == '-' || is_alnum(at(s, e))) continue;
    } else if (run == 9 && !is_alpha(at(s, i + 9)) && context_before(s, i, "ssn|social security")) {
      e = i + 9;  // nine bare digits are only an SSN when the text says so
    } else {
      continue;
    }
    const int off = run == 9 ? 0 : 1;
    const int area = num_at(s, i, 3), group = num_at(s, i + 3 + off, 2),
              serial = num_at(s, i + 5 + 2 * off, 4);
    if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) continue;
    *end = e;
    return i;
  }
  return kNpos;
}

// ---- phone -------------------------------------------------------------------------------------
bool is_phone_sep(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}
bool is_currency_tail(char c) {  // '$', and the last byte of UTF-8 €, £, ¥
  return c == '$' || c == '\xAC' || c == '\xA3' || c == '\xA5';
}

size_t scan_phone(std::string_view s, size_t from, size_t* end) {
  size_t i = from;
  while (i < s.size()) {
    const char c = s[i];
    const bool plus = c == '+' && is_digit(at(s, i + 1));
    if (!(plus || is_digit(c) || (c == '(' && is_digit(at(s, i + 1)))) || is_alnum(prev(s, i)) ||
        prev(s, i) == '.' || prev(s, i) == '+' || is_currency_tail(prev(s, i))) {
      ++i;
      continue;
    }
    const size_t b = i;  // the match keeps a leading '+' or '('
    // Walk the run: digits and separators, at most two separators in a row ("(555) 123").
    int glen[16], g = 0, digits = 0, seps = 0;
    char sep_kind = 0;  // the separator used between groups, or '*' when they are mixed
    size_t j = i + (plus ? 1 : 0), last_digit = j;
    bool open_group = false;
    while (j < s.size()) {
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
      } else if (is_phone_sep(s[j]) && ++seps <= 2) {
        if (open_group && s[j] != '(' && s[j] != ')')
          sep_kind = sep_kind == 0 || sep_kind == s[j] ? s[j] : '*';
        open_group = false;
      } else {
        break;
      }
      ++j;
    }
    const size_t e = last_digit;
    i = j > i + 1 ? j : i + 1;
    if (digits < 7 || digits > 15 || is_alnum(at(s, e))) continue;
    // Dates (2024-01-31, 31/01/2024, 31.01.2024) and dotted quads are never phones.
    const bool date = g == 3 && (sep_kind == '-' || sep_kind == '/' || sep_kind == '.') &&
                      ((glen[0] == 4 && glen[1] <= 2 && glen[2] <= 2) ||
                       (glen[0] <= 2 && glen[1] <= 2 && (glen[2] == 4 || glen[2] == 2)));
    bool quad = g == 4 && sep_kind == '.';
    for (int k = 0; k < g && quad; ++k) quad = glen[k] <= 3;
    if (date || quad) continue;
    const bool context = context_before(s, b, "tel|phone|mobile|call|fax|sms|whatsapp");
    if (plus ? digits >= 8 : context) {
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
size_t ipv4_at(std::string_view s, size_t i) {
  for (int part = 0; part < 4; ++part) {
    if (part && s[i++] != '.') return 0;
    size_t n = count_while(s, i, is_digit);
    if (n == 0 || n > 3 || num_at(s, i, n) > 255) return 0;
    i += n;
    if (part < 3 && i >= s.size()) return 0;
  }
  return i;
}

size_t scan_ipv4(std::string_view s, size_t from, size_t* end) {
  for (size_t i = from; i < s.size(); ++i) {
    // 'v' before the digits is a version string (v1.2.3.4).
    if (!is_digit(s[i]) || is_alnum(prev(s, i)) || prev(s, i) == '.') continue;
    size_t e = ipv4_at(s, i);
    if (!e || is_alnum(at(s, e)) || (at(s, e) == '.' && is_digit(at(s, e + 1)))) continue;
    *end = e;
    return i;
  }
  return kNpos;
}

bool is_v6_char(char c) {
  return is_hex(c) || c == ':' || c == '.';
}

size_t scan_ipv6(std::string_view s, size_t from, size_t* end) {
  size_t i = from;
  while (i < s.size()) {
    if (!is_v6_char(s[i]) || is_alnum(prev(s, i)) || prev(s, i) == ':' || prev(s, i) == '.') {
      ++i;
      continue;
    }
    size_t e = i + count_while(s, i, is_v6_char);
    while (e > i && s[e - 1] == '.') --e;
    const std::string_view r = s.substr(i, e - i);
    i = e + 1;
    if (is_alnum(at(s, e)) || r.find("::") != r.rfind("::")) continue;
    const bool compressed = r.find("::") != kNpos;
    int groups = 0;
    bool ok = true, digit = false;
    size_t k = 0;
    while (ok && k < r.size()) {
      if (r[k] == ':') {
        // Only "::" may start the address or sit next to another colon.
        ok = r.substr(k, 2) == "::" || (k > 0 && k + 1 < r.size() && r[k + 1] != ':');
        k += r.substr(k, 2) == "::" ? 2 : 1;
        continue;
      }
      size_t n = count_while(r, k, is_hex);
      if (at(r, k + n) == '.') {  // embedded IPv4 tail counts as two groups
        size_t v4 = ipv4_at(r, k);
        ok = v4 == r.size();
        groups += 2;
        digit = true;
        break;
      }
      ok = n >= 1 && n <= 4;
      for (size_t q = k; q < k + n; ++q) digit = digit || is_digit(r[q]);
      ++groups;
      k += n;
    }
    if (!ok || !digit || (compressed ? groups < 2 || groups > 7 : groups != 8)) continue;
    *end = e;
    return e - r.size();
  }
  return kNpos;
}

// ---- JWT, UUID, long hex -----------------------------------------------------------------------
size_t scan_jwt(std::string_view s, size_t from, size_t* end) {
  for (size_t i = s.find("eyJ", from); i != kNpos; i = s.find("eyJ", i + 1)) {
    if (is_b64url(prev(s, i))) continue;
    size_t h = count_while(s, i, is_b64url);
    if (h < 10 || at(s, i + h) != '.') continue;
    size_t p = count_while(s, i + h + 1, is_b64url);
    if (p < 4 || at(s, i + h + 1 + p) != '.') continue;
    size_t e = i + h + 2 + p;
    e += count_while(s, e, is_b64url);  // the signature is empty for alg "none"
    *end = e;
    return i;
  }
  return kNpos;
}

size_t scan_uuid(std::string_view s, size_t from, size_t* end) {
  static constexpr uint8_t kGroups[5] = {8, 4, 4, 4, 12};
  for (size_t i = from; i + 36 <= s.size(); ++i) {
    if (!is_hex(s[i]) || is_alnum(prev(s, i))) continue;
    size_t j = i;
    int g = 0;
    for (; g < 5; ++g) {
      if (g && s[j++] != '-') break;
      if (count_while(s, j, is_hex) != kGroups[g]) break;
      j += kGroups[g];
    }
    if (g == 5 && !is_alnum(at(s, j))) {
      *end = j;
      return i;
    }
  }
  return kNpos;
}

size_t scan_long_hex(std::string_view s, size_t from, size_t* end) {
  size_t i = from;
  while (i < s.size()) {
    size_t n = count_while(s, i, is_alnum);
    if (n == 0) {
      ++i;
      continue;
    }
    size_t b = i + ((n > 2 && s[i] == '0' && lower(s[i + 1]) == 'x') ? 2 : 0);  // 0x prefix
    const size_t e = i + n;
    i = e;
    if (e - b < 16 || count_while(s, b, is_hex) != e - b) continue;
    // Random hex alternates letters and digits often (about 7 times in 16 chars) and uses one
    // case; "DE89370400440532013000", "deadbeefdeadbeef" and mixed-case tokens do not.
    int alternations = 0, cases = 0;
    for (size_t k = b; k < e; ++k) {
      if (k > b && is_digit(s[k]) != is_digit(s[k - 1])) ++alternations;
      if (is_alpha(s[k])) cases |= s[k] >= 'a' ? 1 : 2;
    }
    if (alternations < 3 || cases == 3) continue;
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

int char_class(char c) {
  return is_digit(c) ? 0 : (c >= 'a' && c <= 'z') ? 1 : is_alpha(c) ? 2 : 3;
}

// A token: >= 20 chars of [A-Za-z0-9_-], at least two of {lower, upper, digit}, and
// "random-looking": class changes (a->B, b->7, 7->c) on at least 30 % of adjacent alphanumeric
// pairs, counting a camel-case word start (aB followed by c) once, and Shannon entropy of at least
// kMinTokenEntropy256 / 256 bits per char.
// Words, camelCase identifiers, kebab slugs and dates stay below; random base64/base62 sits near
// 50-60 % changes and 4+ bits.
bool token_ok(std::string_view t) {
  int present = 0, changes = 0, pairs = 0;
  unsigned counts[64] = {};
  for (size_t k = 0; k < t.size(); ++k) {
    const int c = char_class(t[k]);
    if (c < 3) present |= 1 << c;
    const char ch = t[k];
    const int idx = is_digit(ch)             ? ch - '0'
                    : ch >= 'a' && ch <= 'z' ? ch - 'a' + 10
                    : is_alpha(ch)           ? ch - 'A' + 36
                                             : 62 + (ch == '_');
    ++counts[idx];
    if (k == 0 || c == 3 || char_class(t[k - 1]) == 3) continue;
    ++pairs;
    const int p = char_class(t[k - 1]);
    if (p == c) continue;
    // Upper followed by lower after a lower (getElement): the word start was already counted.
    if (p == 2 && c == 1 && (k < 2 || char_class(t[k - 2]) != 2)) continue;
    ++changes;
  }
  if ((present & (present - 1)) == 0 || pairs == 0 || changes * 10 < pairs * 3) return false;
  // Shannon entropy H = log2(n) - sum(c * log2 c) / n, in 1/256 bits.
  const unsigned n = static_cast<unsigned>(t.size());
  uint64_t sum = 0;
  for (unsigned c : counts) sum += c ? uint64_t{c} * log2_fx(c) : 0;
  const uint64_t h_times_n = uint64_t{n} * log2_fx(n) - sum;
  return h_times_n >= uint64_t{n} * kMinTokenEntropy256;
}

size_t scan_token(std::string_view s, size_t from, size_t* end) {
  size_t i = from;
  while (i < s.size()) {
    size_t n = count_while(s, i, is_b64url);
    if (n == 0) {
      ++i;
      continue;
    }
    const size_t b = i;
    i += n;
    if (n >= 20 && token_ok(s.substr(b, n))) {
      *end = b + n;
      return b;
    }
  }
  return kNpos;
}

// ---- dispatch ----------------------------------------------------------------------------------
using Scanner = size_t (*)(std::string_view, size_t, size_t*);
struct Detector {
  PiiRule rule;
  Scanner scan;
};
// Most specific shapes first, so a JWT is reported as a JWT and not as a token.
constexpr Detector kDetectors[] = {
    {PiiRule::kJwt, scan_jwt},     {PiiRule::kEmail, scan_email},
    {PiiRule::kUuid, scan_uuid},   {PiiRule::kIban, scan_iban},
    {PiiRule::kCard, scan_card},   {PiiRule::kSsn, scan_ssn},
    {PiiRule::kIpv4, scan_ipv4},   {PiiRule::kIpv6, scan_ipv6},
    {PiiRule::kPhone, scan_phone}, {PiiRule::kLongHex, scan_long_hex},
    {PiiRule::kToken, scan_token},
};

bool pct_at(std::string_view s, size_t i) {
  return s[i] == '%' && is_hex(at(s, i + 1)) && is_hex(at(s, i + 2));
}

// Percent-decodes into `buf` when needed (two rounds: %2540 -> %40 -> @). Returns the view to scan.
std::string_view decode(std::string_view text, std::string& buf) {
  for (int round = 0; round < 2; ++round) {
    size_t p = text.find('%');
    while (p != kNpos && !pct_at(text, p)) p = text.find('%', p + 1);
    if (p == kNpos) break;
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (pct_at(text, i)) {
        out += static_cast<char>(hex_val(text[i + 1]) * 16 + hex_val(text[i + 2]));
        i += 2;
      } else {
        out += text[i];
      }
    }
    buf.swap(out);
    text = buf;
  }
  return text;
}

}  // namespace

const char* pii_rule_name(PiiRule r) {
  static constexpr const char* kNames[] = {"none", "email", "card", "iban", "ssn",      "phone",
                                           "ipv4", "ipv6",  "jwt",  "uuid", "long_hex", "token"};
  const auto i = static_cast<size_t>(r);
  return i < sizeof(kNames) / sizeof(kNames[0]) ? kNames[i] : "unknown";
}

PiiRule find_pii(std::string_view text) {
  std::string buf;
  const std::string_view s = decode(text, buf);
  size_t end;
  for (const Detector& d : kDetectors) {
    if (d.scan(s, 0, &end) != kNpos) return d.rule;
  }
  return PiiRule::kNone;
}

size_t for_each_pii(std::string_view text, PiiVisitor visit, void* ctx) {
  std::string buf;
  const std::string_view s = decode(text, buf);
  size_t count = 0;
  for (const Detector& d : kDetectors) {
    size_t end = 0;
    for (size_t b = d.scan(s, 0, &end); b != kNpos; b = d.scan(s, end > b ? end : b + 1, &end)) {
      ++count;
      if (visit) visit(ctx, d.rule, s.substr(b, end - b));
    }
  }
  return count;
}

bool is_id_like(std::string_view seg) {
  if (seg.empty()) return false;
  size_t longest = 0;
  for (size_t i = 0; i < seg.size(); ++i) {
    size_t n = count_while(seg, i, is_digit);
    if (n > longest) longest = n;
    i += n;
  }
  // All digits (/orders/123), or a long number inside a slug (order-123456, INV2024001).
  if (longest == seg.size() || longest >= 5) return true;
  return find_pii(seg) != PiiRule::kNone;
}

// State classes: toggled by scripts, so an element's key would change while the visitor looks at
// it. Matched exactly, after an is-/has-/js-/state-/ng-/v- prefix, or as a -x/--x/_x suffix.
constexpr std::string_view kStateWords =
    "active|inactive|open|opened|closed|visible|invisible|hidden|selected|disabled|enabled|"
    "focus|focused|focus-visible|focus-within|hover|hovered|expanded|collapsed|checked|current|"
    "show|shown|showing|in|fade|loading|loaded|busy|pending|error|invalid|valid|dirty|pristine|"
    "touched|untouched|pressed|dragging|animating|entering|leaving|enter|leave|on|off|toggled|"
    "highlighted|highlight|playing|paused|muted|stuck|scrolled";

bool is_state_class(std::string_view t) {
  if (in_list(kStateWords, t)) return true;
  static constexpr std::string_view kPrefixes[] = {"is-", "has-", "js-", "state-", "ng-", "v-"};
  for (std::string_view p : kPrefixes) {
    if (t.size() > p.size() && in_list(p, t.substr(0, p.size()))) return true;
  }
  // Suffixes: btn--active, menu-open, tab_selected. "-in" is left out: sign-in, log-in are stable.
  for (size_t k = t.size(); k-- > 1;) {
    if (t[k] != '-' && t[k] != '_') continue;
    std::string_view tail = t.substr(k + 1);
    if (tail != "in" && in_list(kStateWords, tail)) return true;
    break;
  }
  return false;
}

bool is_safe_token(std::string_view t) {
  if (t.empty() || t.size() > 64) return false;
  for (char c : t) {
    if (is_digit(c) || static_cast<unsigned char>(c) <= ' ' || c == '\x7f') return false;
  }
  return !is_state_class(t) && find_pii(t) == PiiRule::kNone;
}

}  // namespace thermograph
