// thermograph-decode: reads one binary report on stdin, prints its JSON form on stdout.
// Exit status 0 on success; 2 with the decoder's precise message on stderr otherwise.
#include <cstdio>
#include <vector>

#include "core/codec.h"
#include "json/report_json.h"

int main(int argc, char** argv) {
  thermograph::DecodeLimits limits;
  if (argc > 1) {
    std::string arg = argv[1];
    if (arg == "--aggregate") {
      limits.max_cells_per_layer = 1u << 24;
      limits.max_elements = 1u << 20;
      limits.max_transitions = 1u << 20;
    } else {
      std::fprintf(stderr,
                   "usage: thermograph-decode [--aggregate] < report.bin > report.json\n"
                   "  --aggregate  accept merged aggregates (raises per-report limits)\n");
      return arg == "--help" ? 0 : 64;
    }
  }
  std::vector<uint8_t> bytes;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) bytes.insert(bytes.end(), buf, buf + n);
  thermograph::Report report;
  auto res = thermograph::decode(bytes.data(), bytes.size(), report, limits);
  if (!res.ok()) {
    std::fprintf(stderr, "thermograph-decode: %s\n", res.message.c_str());
    return 2;
  }
  std::string out = thermograph::to_json(report).dump();
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}
