// Page keys: the only part of a URL that leaves the browser. Origin + templated path +
// allow-listed query; fragment, userinfo and every other query parameter are dropped.
// Rules in docs/privacy.md ("Page keys").
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pii.h"

namespace thermograph {

inline constexpr std::string_view kDefaultQueryAllowList[] = {"utm_source", "utm_medium",
                                                              "utm_campaign", "ref"};
const std::vector<std::string>& default_query_allow_list();  // the same, as strings

// `https://Shop.Example:443/user/jane@x.com/orders/123/?email=a@b.c&utm_source=news#t=abc`
//   -> `https://shop.example/user/:id/orders/:id?utm_source=news`
// - scheme and host lowercased, default ports (80, 443) and userinfo (user:pass@) dropped;
// - path case kept; empty and "." segments removed, ".." resolved; ";matrix" params dropped
//   (;jsessionid=...); trailing slash dropped; id-like segments (is_id_like) become ":id";
// - query: only allow-listed keys, first occurrence, in allow-list order; a parameter whose
//   value is empty or flagged by find_pii is dropped;
// - `profile` is the PII profile of is_id_like and find_pii (pii.h): kCompact in the visitor and
//   the overlay, kFull in the collector;
// - at most kMaxPageKeyBytes (512): whole path segments, then parameters, are left off the end.
// Returns "" when the URL can't be parsed (relative URL, bad scheme or port, empty host).
std::string canonical_page_key(
    std::string_view url, PiiProfile profile,
    const std::vector<std::string>& allowed_query = default_query_allow_list());

// The same without allocating (the visitor module has no allocator): writes the key into `out`
// (room for kMaxPageKeyBytes) and returns its length, 0 when the URL can't be parsed.
size_t canonical_page_key_into(std::string_view url, std::span<const std::string_view> allowed,
                               PiiProfile profile, char* out);

// The same from a browser's already canonical `location.origin` and `pathname + search` (the
// visitor module: the browser parsed the URL, so the module ships no URL parser). A non-canonical
// origin (uppercase, userinfo, odd characters) gives 0.
size_t canonical_page_key_from_origin(std::string_view origin, std::string_view path_and_query,
                                      std::span<const std::string_view> allowed, PiiProfile profile,
                                      char* out);

// A folder's index document is the folder's page: "/docs/index.html" (or .htm) and "/docs" are
// one key, "/index.html" and "/" too (a trailing slash is already dropped above). Applied where
// keys are stored and read (collector ingest and read API, the overlay's query), not in the
// visitor module: its download budget has no room, and the collector folds what it receives.
std::string fold_index_document(std::string_view key);

// What names a page in the route_from layer (kLayerRouteFrom): 31 bits of the FNV-1a hash of its
// canonical key. The tracker hashes the page an SPA navigation leaves; the collector hashes the
// pages it knows to name them back.
inline uint32_t route_hash(const char* s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 16777619u;
  return h >> 1;
}

}  // namespace thermograph
