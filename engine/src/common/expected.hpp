// A value or an Error: the return type of every fallible stage function. Stages never
// throw across their boundary (PEGTL's parse errors are caught inside parse/).
#pragma once

#include <utility>
#include <variant>

#include "pgrest/engine.hpp"

namespace pgrest {

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : value_(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : value_(std::in_place_index<1>, std::move(error)) {}

  [[nodiscard]] bool ok() const { return value_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& operator*() { return std::get<0>(value_); }
  const T& operator*() const { return std::get<0>(value_); }
  T* operator->() { return &std::get<0>(value_); }
  const T* operator->() const { return &std::get<0>(value_); }
  Error& error() { return std::get<1>(value_); }
  const Error& error() const { return std::get<1>(value_); }

 private:
  std::variant<T, Error> value_;
};

}  // namespace pgrest
