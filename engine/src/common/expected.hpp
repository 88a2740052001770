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
  // By reference, not by value: a by-value parameter would move a returned plan twice
  // (into the parameter, then into the variant), and plans hold dozens of strings.
  Expected(T&& value) : value_(std::in_place_index<0>, std::move(value)) {}
  Expected(const T& value) : value_(std::in_place_index<0>, value) {}
  Expected(Error&& error) : value_(std::in_place_index<1>, std::move(error)) {}
  Expected(const Error& error) : value_(std::in_place_index<1>, error) {}

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
