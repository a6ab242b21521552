// Wire format v1: compact little-endian binary with varints and delta-coded sparse cells.
// The byte layout is specified in docs/wire-format.md; wire.h holds its primitives and this is
// the reference encoder and the decoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "aggregate.h"
#include "wire.h"

namespace thermograph {

inline constexpr uint8_t kMagic0 = wire::kMagic0;
inline constexpr uint8_t kMagic1 = wire::kMagic1;
inline constexpr uint8_t kWireVersion = wire::kVersion;

// Appends the encoding of `report` to `out`, as a report of kind `kind` (default: its own).
// Never fails: the caller bounds the contents (a delta's 0/1 counters and steps are 1).
void encode(const Report& report, std::vector<uint8_t>& out);
void encode(const Report& report, ReportKind kind, std::vector<uint8_t>& out);
// `report` in wire version 5, whose deltas carry the values of their 0/1 counters and journey
// steps (a version-6 delta's are 1, its mask bit alone): what older trackers send, and how tests
// and tools write a delta whose values a page view cannot have. Decoders read both.
std::vector<uint8_t> encode_v5(const Report& report);
// Empty when `report` has the shape of one page view's delta (its 0/1 counters and journey steps
// at most 1, what version 6 can carry); else the first counter or step that is not.
std::string delta_shape_error(const Report& report);
std::vector<uint8_t> encode(const Report& report);

// Caps a decoder applies before allocating anything; hostile counts are refused, not reserved.
// The defaults suit one page view's report; readers of merged aggregates raise them.
struct DecodeLimits {
  uint32_t max_cells_per_layer = 1u << 14;
  uint32_t max_elements = 1u << 12;
  uint32_t max_element_cells = kSubGrid * kSubGrid;
  uint32_t max_transitions = 64;  // journey steps (element -> element pairs) in one report
};

enum class DecodeStatus : uint8_t {
  kOk = 0,
  kTruncated,
  kBadMagic,
  kBadVersion,
  kBadKind,
  kBadVarint,
  kBadString,
  kOutOfRange,
  kTooMany,
  kNotSorted,
  kZeroValue,
  kReservedBits,
  kTrailingBytes,
};

struct DecodeResult {
  DecodeStatus status = DecodeStatus::kOk;
  size_t offset = 0;    // byte offset where the problem was found
  std::string message;  // precise, human-readable; empty when ok
  bool ok() const { return status == DecodeStatus::kOk; }
};

const char* decode_status_name(DecodeStatus s);

// Decodes one report. On error `out` is left in an unspecified but valid state.
DecodeResult decode(const uint8_t* data, size_t size, Report& out, const DecodeLimits& limits = {});

}  // namespace thermograph
