// A small strict flag parser: --name value, --name=value, and boolean --name. Unknown flags,
// missing values and bad numbers are errors, reported in one line by the caller.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "expected.h"

namespace thermograph {

class Flags {
 public:
  // `with_value` flags take an argument (repeatable ones keep every value); `booleans` do not.
  Flags(std::set<std::string> with_value, std::set<std::string> booleans)
      : with_value_(std::move(with_value)), booleans_(std::move(booleans)) {}

  // Parses argv[first..].
  Expected<void> parse(int argc, char** argv, int first);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& all(const std::string& name) const;

  // Numeric accessors: leave `out` alone when the flag is absent; errors name the flag.
  Expected<void> get_u64(const std::string& name, uint64_t min, uint64_t max, uint64_t& out) const;
  Expected<void> get_double(const std::string& name, double min, double max, double& out) const;

 private:
  std::set<std::string> with_value_;
  std::set<std::string> booleans_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace thermograph
