// splitmix64: one step of a small, seedable generator whose sequence is the same on every
// platform (native, wasm), so results reproduce from a printed seed. Not a CSPRNG. The one home
// for dp.h's Rng and the seeded generators of the native tests, tools and benches.
#pragma once

#include <cstdint>

namespace thermograph {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace thermograph
