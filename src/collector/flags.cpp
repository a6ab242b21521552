#include "flags.h"

#include <cerrno>
#include <cstdlib>

namespace thermograph {

Expected<void> Flags::parse(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) return Error{"unexpected argument '" + arg + "'"};
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (booleans_.count(name)) {
      if (inline_value) return Error{"flag --" + name + " takes no value"};
      values_[name].push_back("1");
    } else if (with_value_.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argc) return Error{"flag --" + name + " needs a value"};
        value = argv[++i];
      }
      values_[name].push_back(value);
    } else {
      return Error{"unknown flag --" + name};
    }
  }
  return {};
}

std::string Flags::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

const std::vector<std::string>& Flags::all(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

Expected<void> Flags::get_u64(const std::string& name, uint64_t min, uint64_t max,
                              uint64_t& out) const {
  if (!has(name)) return {};
  const std::string v = get(name);
  char* end = nullptr;
  errno = 0;
  const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end || errno || v[0] == '-' || x < min || x > max)
    return Error{"--" + name + " must be an integer in " + std::to_string(min) + ".." +
                 std::to_string(max) + ", got '" + v + "'"};
  out = x;
  return {};
}

Expected<void> Flags::get_double(const std::string& name, double min, double max,
                                 double& out) const {
  if (!has(name)) return {};
  const std::string v = get(name);
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end || !(x >= min && x <= max))
    return Error{"--" + name + " must be a number in " + std::to_string(min) + ".." +
                 std::to_string(max) + ", got '" + v + "'"};
  out = x;
  return {};
}

}  // namespace thermograph
