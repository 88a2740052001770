// UTF-8 validation. Request text must be valid UTF-8 before it reaches a grammar or the
// database (PostgreSQL would refuse it later with a 22021 error after doing work).
#pragma once

#include <cstddef>
#include <string_view>

namespace pgrest::utf8 {

// Length of the well-formed sequence starting at text[at], or 0 if it is not one
// (overlong forms, surrogates and code points above U+10FFFF are not well formed).
inline size_t sequence_length(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  const size_t left = text.size() - at;
  if (lead < 0x80) return 1;
  const auto continuation = [&](size_t i) { return (byte(i) & 0xC0) == 0x80; };
  if (lead >= 0xC2 && lead <= 0xDF) {
    return left >= 2 && continuation(at + 1) ? 2 : 0;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (left < 3 || !continuation(at + 1) || !continuation(at + 2)) return 0;
    const unsigned char second = byte(at + 1);
    if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
    if (lead == 0xED && second > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (left < 4 || !continuation(at + 1) || !continuation(at + 2) || !continuation(at + 3)) {
      return 0;
    }
    const unsigned char second = byte(at + 1);
    if (lead == 0xF0 && second < 0x90) return 0;  // overlong
    if (lead == 0xF4 && second > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Byte offset of the first invalid sequence, or npos when the text is valid.
inline size_t first_invalid(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = sequence_length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

}  // namespace pgrest::utf8
