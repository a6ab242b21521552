#include "sites.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>

#include "crypto.h"

namespace thermograph {

std::optional<std::string> normalize_origin(const std::string& origin) {
  std::string o = origin;
  std::transform(o.begin(), o.end(), o.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t host = 0;
  if (o.rfind("https://", 0) == 0) {
    host = 8;
  } else if (o.rfind("http://", 0) == 0) {
    host = 7;
  } else {
    return std::nullopt;
  }
  if (o.size() == host) return std::nullopt;
  for (size_t i = host; i < o.size(); ++i) {
    const char c = o[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
          c == '[' || c == ']'))
      return std::nullopt;  // a path, query, userinfo or trailing slash: not an origin
  }
  return o;
}

namespace {
// 256-bit read tokens are secrets (site keys are public, see create_site).
std::string new_read_token() {
  return "tgr_" + random_hex(32);
}
}  // namespace

NewSite create_site(Store& store, const std::string& name,
                    const std::vector<std::string>& origins) {
  NewSite s;
  // 96-bit site keys are public, so they only need to be unique; 256-bit tokens are secrets.
  s.record.key = "tg_" + random_hex(12);
  s.read_token = new_read_token();
  s.record.name = name;
  s.record.origins = origins;
  s.record.token_sha256 = sha256_hex(s.read_token);
  s.record.created_unix = static_cast<int64_t>(std::time(nullptr));
  store.add_site(s.record);
  return s;
}

std::optional<std::string> rotate_token(Store& store, const std::string& key) {
  for (SiteRecord& site : store.sites()) {
    if (site.key != key) continue;
    std::string token = new_read_token();
    site.token_sha256 = sha256_hex(token);
    if (!store.update_site(site)) return std::nullopt;  // deleted meanwhile
    return token;
  }
  return std::nullopt;
}

bool token_matches(const SiteRecord& site, const std::string& token) {
  // Hash first: the comparison then runs over fixed-length digests, and its timing says nothing
  // about the stored secret.
  return constant_time_equal(sha256_hex(token), site.token_sha256);
}

void SiteDirectory::reload() {
  std::unordered_map<std::string, SiteRecord> fresh;
  for (SiteRecord& s : store_.sites()) fresh.emplace(s.key, std::move(s));
  std::unique_lock lock(mu_);
  sites_.swap(fresh);
  loaded_ = std::chrono::steady_clock::now();
}

void SiteDirectory::maybe_reload() {
  {
    std::shared_lock lock(mu_);
    if (std::chrono::steady_clock::now() - loaded_ < std::chrono::seconds(1)) return;
  }
  // One thread reloads; the others go on with the current view meanwhile.
  std::unique_lock one(reload_mu_, std::try_to_lock);
  if (!one) return;
  {
    std::shared_lock lock(mu_);
    if (std::chrono::steady_clock::now() - loaded_ < std::chrono::seconds(1)) return;
  }
  reload();
}

std::optional<SiteRecord> SiteDirectory::find(const std::string& key) {
  // A view at most a second old: a new site, a rotated token, changed origins or a deleted site
  // take effect on a running collector within a second.
  maybe_reload();
  std::shared_lock lock(mu_);
  auto it = sites_.find(key);
  if (it != sites_.end()) return it->second;
  return std::nullopt;
}

bool SiteDirectory::origin_allowed(const SiteRecord& site, const std::string& origin) const {
  return std::find(site.origins.begin(), site.origins.end(), origin) != site.origins.end();
}

bool SiteDirectory::any_site_allows(const std::string& origin) {
  std::shared_lock lock(mu_);
  for (const auto& [key, site] : sites_)
    if (origin_allowed(site, origin)) return true;
  return false;
}

std::optional<SiteRecord> SiteDirectory::site_for_token(const std::string& token) {
  maybe_reload();
  const std::string digest = sha256_hex(token);
  std::optional<SiteRecord> found;
  std::shared_lock lock(mu_);
  for (const auto& [key, site] : sites_)  // no early exit: every site costs the same
    if (constant_time_equal(digest, site.token_sha256)) found = site;
  return found;
}

}  // namespace thermograph
