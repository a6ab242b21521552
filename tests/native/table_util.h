// Expected-output tables (tests/native/data/*_expected.json) for the table tests: loading,
// writing, byte strings in JSON and the regenerate mode they share.
//
// A table holds inputs and the outputs production gave for them. The tests recompute the outputs
// and compare, so a behaviour change fails a test first and, once accepted, shows up as a diff of
// the table that a reviewer reads. To accept a deliberate change, or to fill in a new case (add an
// entry with its inputs only), regenerate and review the diff:
//   THERMOGRAPH_REGENERATE=1 ./build/core_tests -tc='*table*'
//   git diff tests/native/data
// Regenerating rewrites the expected values of the inputs already in the file, from production
// code only; it never adds or removes cases.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace thermograph::test {

using Table = nlohmann::ordered_json;  // keeps the file's key order when rewriting it

inline std::string table_path(std::string_view name) {
  return std::string(THERMOGRAPH_SOURCE_DIR "/tests/native/data/") + std::string(name);
}

inline Table load_table(std::string_view name) {
  std::ifstream f(table_path(name));
  if (!f) throw std::runtime_error("cannot open " + table_path(name));
  return Table::parse(f);
}

// THERMOGRAPH_REGENERATE set (and not "0"): the table tests rewrite their tables.
inline bool regenerating() {
  const char* v = std::getenv("THERMOGRAPH_REGENERATE");
  return v && *v && std::string_view(v) != "0";
}

// Writes `table` with each element of a top-level array (a case) on a line of its own, so a diff
// of the file names the cases that changed. In a case that has the key `expand` (an array), each
// key starts a line and that array has one element per line too.
inline void write_table(std::string_view name, const Table& table, std::string_view expand = {}) {
  std::ofstream f(table_path(name));
  auto write_case = [&](const Table& item) {
    if (expand.empty() || !item.is_object() || !item.contains(expand)) {
      f << item.dump();
      return;
    }
    const char* key_sep = "{";
    for (const auto& [key, value] : item.items()) {
      f << key_sep << Table(key).dump() << ": ";
      key_sep = ",\n     ";
      if (key != expand || !value.is_array() || value.empty()) {
        f << value.dump();
        continue;
      }
      const char* sep = "[\n      ";
      for (const auto& element : value) {
        f << sep << element.dump();
        sep = ",\n      ";
      }
      f << "]";
    }
    f << "}";
  };
  f << "{";
  const char* sep = "\n";
  for (const auto& [key, value] : table.items()) {
    f << sep << "  " << Table(key).dump() << ": ";
    sep = ",\n";
    if (!value.is_array() || value.empty()) {
      f << value.dump();
      continue;
    }
    f << "[";
    const char* item_sep = "\n";
    for (const auto& item : value) {
      f << item_sep << "    ";
      write_case(item);
      item_sep = ",\n";
    }
    f << "\n  ]";
  }
  f << "\n}\n";
  if (!f) throw std::runtime_error("cannot write " + table_path(name));
}

inline std::string to_hex(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 15];
  }
  return out;
}

inline std::string from_hex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  return out;
}

// Bytes in a table: printable ASCII as a JSON string, anything else as {"hex": "..."} (JSON
// strings are Unicode text, detector inputs are arbitrary bytes).
inline Table bytes_json(std::string_view s) {
  for (char c : s) {
    if (c < ' ' || c > '~')
      return {{"hex", to_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size())}};
  }
  return std::string(s);
}

inline std::string bytes_from(const Table& j) {
  return j.is_string() ? j.get<std::string>() : from_hex(j.at("hex").get<std::string>());
}

}  // namespace thermograph::test
