// Sorted sparse vector of saturating counters: the storage behind every grid and curve.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace thermograph {

inline constexpr uint32_t kU32Max = 0xffffffffu;

// std::min and std::max by value. The visitor's wasm is built for size, where libc++'s versions
// (by reference) stay out of line: every call spilled both operands to a stack frame.
template <typename T>
constexpr T min_of(T a, T b) {
  return b < a ? b : a;
}
template <typename T>
constexpr T max_of(T a, T b) {
  return a < b ? b : a;
}

inline uint32_t sat_add(uint32_t a, uint32_t b) {
  uint32_t s = a + b;
  return s < a ? kU32Max : s;
}

// Cells are kept sorted by index with no zero values, so two vectors holding the same counts
// compare equal however they were built (merge order never shows).
class SparseVec {
 public:
  struct Cell {
    uint32_t index;
    uint32_t value;
    bool operator==(const Cell&) const = default;
  };

  uint32_t get(uint32_t index) const;

  // Adds `v` (saturating) at `index`. A new index is refused (returns false) once the vector
  // holds `max_cells`; the stored value never exceeds `max_value`.
  bool add(uint32_t index, uint32_t v, uint32_t max_cells = kU32Max, uint32_t max_value = kU32Max);

  // Raises the value at `index` to at least `v` (used for monotone cumulative curves).
  void raise(uint32_t index, uint32_t v);

  void merge(const SparseVec& other);     // cell-wise saturating add
  void subtract(const SparseVec& other);  // cell-wise a - b, floored at 0; zeros are dropped

  // Appends a cell; the caller guarantees a strictly increasing index and a non-zero value.
  void push_back_unchecked(uint32_t index, uint32_t value) { cells_.push_back({index, value}); }
  void reserve(size_t n) { cells_.reserve(n); }
  void clear() { cells_.clear(); }

  const std::vector<Cell>& cells() const { return cells_; }
  size_t size() const { return cells_.size(); }
  bool empty() const { return cells_.empty(); }
  uint64_t sum() const;
  bool operator==(const SparseVec&) const = default;

 private:
  std::vector<Cell>::iterator find_slot(uint32_t index);
  std::vector<Cell> cells_;
};

}  // namespace thermograph
