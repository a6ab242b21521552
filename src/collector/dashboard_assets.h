// The dashboard's files, embedded in the binary at build time (embed_assets.cmake generates the
// definition from js/dashboard/), so /dashboard works with nothing installed beside the collector.
#pragma once

#include <string_view>

namespace thermograph {

struct DashboardAsset {
  const char* path;  // "/dashboard" (index.html), "/dashboard/app.js", ...
  const char* type;  // Content-Type
  std::string_view body;
};

// nullptr when `path` is none of the dashboard's files.
const DashboardAsset* find_dashboard_asset(std::string_view path);

}  // namespace thermograph
