// thermograph-encode: reads the JSON form of one report on stdin, writes wire v1 bytes on stdout.
// The inverse of thermograph-decode; tests and benchmarks use it to build reports without a
// browser. Exit status 0 on success; 2 with a precise message on stderr for invalid input.
#include <cstdio>
#include <string>
#include <vector>

#include "core/codec.h"
#include "json/report_json.h"

int main(int argc, char** argv) {
  if (argc > 1) {
    const std::string arg = argv[1];
    std::fprintf(
        arg == "--help" ? stdout : stderr,
        "usage: thermograph-encode < report.json > report.bin\n"
        "  Input is the JSON form printed by thermograph-decode (kind, segment, counters,\n"
        "  layers, elements). Unknown keys and out-of-range values are refused.\n");
    return arg == "--help" ? 0 : 64;
  }
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) text.append(buf, n);
  // allow_exceptions=false: a parse error yields a discarded value instead of throwing.
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::fprintf(stderr, "thermograph-encode: input is not valid JSON\n");
    return 2;
  }
  thermograph::Report report;
  std::string error;
  if (!thermograph::from_json(j, report, error)) {
    std::fprintf(stderr, "thermograph-encode: %s\n", error.c_str());
    return 2;
  }
  const std::vector<uint8_t> bytes = thermograph::encode(report);
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  return 0;
}
