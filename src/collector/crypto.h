// Secrets and randomness for the collector, all from OpenSSL (libcrypto): read tokens are stored
// only as their SHA-256 and compared in constant time; keys, tokens and DP noise come from
// RAND_bytes (the OS-seeded, cryptographically secure generator).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/dp.h"

namespace thermograph {

std::string sha256_hex(std::string_view data);

// Compares two strings without an early exit (CRYPTO_memcmp); only a length difference shows in
// timing, and callers compare fixed-length digests.
bool constant_time_equal(std::string_view a, std::string_view b);

// `bytes` random bytes, hex-encoded. Aborts if the generator fails: a predictable secret is worse
// than none.
std::string random_hex(size_t bytes);

// DP noise source for release(): RAND_bytes, read in blocks. One per release, on one thread.
class SecureRandom final : public RandomSource {
 public:
  uint64_t next() override;

 private:
  uint64_t block_[64];
  size_t used_ = 64;
};

}  // namespace thermograph
