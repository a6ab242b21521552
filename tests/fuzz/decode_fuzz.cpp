// libFuzzer target for the wire-format decoder: any input must decode or fail with a message,
// never crash, leak or trip UBSan; whatever decodes must re-encode into an equal report
// and merge with itself without overflow.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  thermograph::Report report;
  auto res = thermograph::decode(data, size, report);
  if (!res.ok()) {
    if (res.message.empty() || res.offset > size) std::abort();
    return 0;
  }
  // A delta of an older version may hold values a version-6 delta cannot carry (a 0/1 counter
  // above 1): it re-encodes in version 5, the layout it came in.
  const bool v5 =
      report.kind == thermograph::kKindDelta && !thermograph::delta_shape_error(report).empty();
  auto bytes = v5 ? thermograph::encode_v5(report) : thermograph::encode(report);
  thermograph::Report again;
  if (!thermograph::decode(bytes.data(), bytes.size(), again).ok() || !(again == report))
    std::abort();
  thermograph::Aggregate sum = report.data;
  sum.merge(report.data);
  return 0;
}
