// Expected<T>: a value or an error, for the collector's parsing and validation code.
//
// The collector has one error style per layer (see also http_common.h):
//   - core (src/core): result structs (DecodeResult) and no exceptions, as the wasm build needs;
//   - store (Store, SqliteStore): throws StoreError; nothing is half-written when it does;
//   - parsing and validation (flags, query parameters): return Expected<T>, a value or a message
//     meant for a human (it ends up on stderr or in a 400 body);
//   - HTTP handlers: every refusal becomes an HttpError, mapped to a status and a JSON body
//     {"error", "reason"} in one place (send_error); an escaped exception becomes a 500;
//   - CLI: exit status 64 for usage errors, 1 for runtime failures, one line on stderr.
// It is a small stand-in for C++23 std::expected, with the same member names.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace thermograph {

// A failure described for a human.
struct Error {
  std::string message;
};

template <typename T, typename E = Error>
class Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Expected(E error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Success with no value, or an error.
template <typename E>
class Expected<void, E> {
 public:
  Expected() = default;
  Expected(E error) : e_(std::move(error)) {}

  bool has_value() const { return !e_; }
  explicit operator bool() const { return has_value(); }
  const E& error() const { return *e_; }

 private:
  std::optional<E> e_;
};

}  // namespace thermograph
