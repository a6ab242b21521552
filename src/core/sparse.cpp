#include "sparse.h"

#include <algorithm>

namespace thermograph {

std::vector<SparseVec::Cell>::iterator SparseVec::find_slot(uint32_t index) {
  return std::lower_bound(cells_.begin(), cells_.end(), index,
                          [](const Cell& c, uint32_t i) { return c.index < i; });
}

uint32_t SparseVec::get(uint32_t index) const {
  auto it = std::lower_bound(cells_.begin(), cells_.end(), index,
                             [](const Cell& c, uint32_t i) { return c.index < i; });
  return (it != cells_.end() && it->index == index) ? it->value : 0;
}

bool SparseVec::add(uint32_t index, uint32_t v, uint32_t max_cells, uint32_t max_value) {
  if (v == 0) return true;
  auto it = find_slot(index);
  if (it != cells_.end() && it->index == index) {
    it->value = std::min(sat_add(it->value, v), max_value);
    return true;
  }
  if (cells_.size() >= max_cells || max_value == 0) return false;
  cells_.insert(it, Cell{index, std::min(v, max_value)});
  return true;
}

void SparseVec::raise(uint32_t index, uint32_t v) {
  if (v == 0) return;
  auto it = find_slot(index);
  if (it != cells_.end() && it->index == index) {
    it->value = std::max(it->value, v);
  } else {
    cells_.insert(it, Cell{index, v});
  }
}

void SparseVec::merge(const SparseVec& other) {
  if (other.cells_.empty()) return;
  if (cells_.empty()) {
    cells_ = other.cells_;
    return;
  }
  if (&other == this) {
    for (Cell& c : cells_) c.value = sat_add(c.value, c.value);
    return;
  }
  // In place, from the back: count the indexes new to this vector, grow it once (within its
  // capacity when a long-lived row merges cells it mostly has already), then fill it from the
  // end. No temporary vector per merge.
  size_t fresh = 0;
  {
    auto a = cells_.cbegin(), ae = cells_.cend();
    for (const Cell& c : other.cells_) {
      while (a != ae && a->index < c.index) ++a;
      if (a == ae || a->index != c.index) ++fresh;
    }
  }
  size_t i = cells_.size(), j = other.cells_.size(), w = i + fresh;
  cells_.resize(w);
  while (j > 0) {  // once `other` is used up, what is left of this vector is in place (w == i)
    const Cell b = other.cells_[j - 1];
    if (i > 0 && cells_[i - 1].index > b.index) {
      --i;
      cells_[--w] = cells_[i];
      continue;
    }
    Cell c = b;
    if (i > 0 && cells_[i - 1].index == b.index) c.value = sat_add(cells_[--i].value, b.value);
    cells_[--w] = c;
    --j;
  }
}

void SparseVec::subtract(const SparseVec& other) {
  auto b = other.cells_.begin(), be = other.cells_.end();
  size_t w = 0;
  for (size_t r = 0; r < cells_.size(); ++r) {
    Cell c = cells_[r];
    while (b != be && b->index < c.index) ++b;
    if (b != be && b->index == c.index) c.value = c.value > b->value ? c.value - b->value : 0;
    if (c.value != 0) cells_[w++] = c;
  }
  cells_.resize(w);
}

uint64_t SparseVec::sum() const {
  uint64_t s = 0;
  for (const Cell& c : cells_) s += c.value;
  return s;
}

}  // namespace thermograph
