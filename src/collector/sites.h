// Sites, keys and tokens. A site has a public site key (it ships in page HTML and only lets a
// tracker write) and a secret read token (only its SHA-256 is stored; shown once at creation).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "store.h"

namespace thermograph {

struct NewSite {
  SiteRecord record;
  std::string read_token;  // plaintext, returned to the operator once
};

// Validates and normalizes an origin ("https://Shop.example:8443" -> "https://shop.example:8443").
// Returns nullopt for anything that is not scheme://host[:port] with http or https.
std::optional<std::string> normalize_origin(const std::string& origin);

NewSite create_site(Store& store, const std::string& name, const std::vector<std::string>& origins);

bool token_matches(const SiteRecord& site, const std::string& token);

// Gives the site a new read token (returned once; only its SHA-256 is stored); the old one stops
// working. nullopt if there is no such site.
std::optional<std::string> rotate_token(Store& store, const std::string& key);

// In-memory view of the sites table for the request path, reloaded from the store when it is more
// than a second old, so `site create|update|rotate-token|delete` on a running collector take
// effect within a second, without a restart.
class SiteDirectory {
 public:
  explicit SiteDirectory(Store& store) : store_(store) { reload(); }
  std::optional<SiteRecord> find(const std::string& key);
  bool origin_allowed(const SiteRecord& site, const std::string& origin) const;
  bool any_site_allows(const std::string& origin);
  // The site whose read token this is, if any (for endpoints not tied to one site).
  std::optional<SiteRecord> site_for_token(const std::string& token);

 private:
  void reload();
  void maybe_reload();
  Store& store_;
  std::shared_mutex mu_;
  std::mutex reload_mu_;  // held by the one thread reloading
  std::unordered_map<std::string, SiteRecord> sites_;
  std::chrono::steady_clock::time_point loaded_;
};

}  // namespace thermograph
