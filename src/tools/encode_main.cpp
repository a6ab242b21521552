// thermograph-encode: reads the JSON form of one report on stdin, writes its wire bytes on stdout
// (the current version, or 5 with --version 5). The inverse of thermograph-decode; tests and
// benchmarks use it to build reports without a browser. Exit status 0 on success; 2 with a
// precise message on stderr for invalid input.
#include <cstdio>
#include <string>
#include <vector>

#include "core/codec.h"
#include "json/report_json.h"

int main(int argc, char** argv) {
  const bool v5 = argc == 3 && std::string(argv[1]) == "--version" && std::string(argv[2]) == "5";
  if (argc > 1 && !v5) {
    const std::string arg = argv[1];
    std::fprintf(
        arg == "--help" ? stdout : stderr,
        "usage: thermograph-encode [--version 5] < report.json > report.bin\n"
        "  Input is the JSON form printed by thermograph-decode (kind, segment, counters,\n"
        "  layers, elements). Unknown keys and out-of-range values are refused.\n"
        "  --version 5 writes the previous wire version, whose deltas carry the values of\n"
        "  0/1 counters and journey steps (a current delta holds only 0 or 1 there).\n");
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
  if (!v5 && report.kind == thermograph::kKindDelta) {
    const std::string shape = thermograph::delta_shape_error(report);
    if (!shape.empty()) {
      std::fprintf(stderr, "thermograph-encode: %s (--version 5 writes other values)\n",
                   shape.c_str());
      return 2;
    }
  }
  const std::vector<uint8_t> bytes =
      v5 ? thermograph::encode_v5(report) : thermograph::encode(report);
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  return 0;
}
