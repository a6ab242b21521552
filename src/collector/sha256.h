// SHA-256 and helpers for secrets: read tokens are stored only as their SHA-256, and compared in
// constant time so response timing never reveals how much of a guessed token was right.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace thermograph {

std::array<uint8_t, 32> sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

// Compares two strings without an early exit; only the length difference shows in timing.
bool constant_time_equal(std::string_view a, std::string_view b);

// `bytes` random bytes from the kernel (getrandom), hex-encoded. Aborts if the kernel refuses:
// a predictable secret is worse than none.
std::string random_hex(size_t bytes);

}  // namespace thermograph
