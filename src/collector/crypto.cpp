#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace thermograph {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void random_bytes(void* out, size_t n) {
  if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(n)) != 1) {
    std::fprintf(stderr, "thermograph-collector: RAND_bytes failed\n");
    std::abort();
  }
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr) != 1) {
    std::fprintf(stderr, "thermograph-collector: EVP_Digest(SHA-256) failed\n");
    std::abort();
  }
  std::string s;
  for (unsigned int i = 0; i < n; ++i) s += {kHex[digest[i] >> 4], kHex[digest[i] & 15]};
  return s;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_hex(size_t bytes) {
  std::string s;
  unsigned char buf[64];
  while (bytes > 0) {
    const size_t n = bytes < sizeof buf ? bytes : sizeof buf;
    random_bytes(buf, n);
    for (size_t i = 0; i < n; ++i) s += {kHex[buf[i] >> 4], kHex[buf[i] & 15]};
    bytes -= n;
  }
  return s;
}

uint64_t SecureRandom::next() {
  if (used_ == std::size(block_)) {
    random_bytes(block_, sizeof block_);
    used_ = 0;
  }
  return block_[used_++];
}

}  // namespace thermograph
