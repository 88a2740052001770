#include "resolve/fuzzy.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace pgrest::resolve::fuzzy {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The grams of size `size` of a lowercased name, with their counts, in first-seen order.
std::vector<std::pair<std::string, int>> gram_vector(std::string_view lowered, size_t size) {
  std::string normalized = "-";
  for (const char c : lowered) {
    const auto byte = static_cast<unsigned char>(c);
    // Bytes of multi-byte UTF-8 characters are kept, as Haskell keeps most letters.
    if ((byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') || byte >= 0x80 || c == ' ' ||
        c == '\t' || c == '\n' || c == '\r' || c == ',') {
      normalized += c;
    }
  }
  normalized += '-';
  while (normalized.size() < size) normalized += '-';
  std::vector<std::pair<std::string, int>> grams;
  for (size_t i = 0; i + size <= normalized.size(); ++i) {
    const std::string gram = normalized.substr(i, size);
    auto found = std::find_if(grams.begin(), grams.end(),
                              [&](const auto& entry) { return entry.first == gram; });
    if (found == grams.end()) {
      grams.emplace_back(gram, 1);
    } else {
      ++found->second;
    }
  }
  return grams;
}

double magnitude(const std::vector<std::pair<std::string, int>>& grams) {
  double sum = 0;
  for (const auto& entry : grams) sum += static_cast<double>(entry.second) * entry.second;
  return std::sqrt(sum);
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lowercase(a) == lowercase(b);
}

std::optional<size_t> best_match(std::span<const std::string_view> candidates,
                                 std::string_view query) {
  const std::string key = lowercase(query);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (lowercase(candidates[i]) == key) return i;
  }
  for (const size_t size : {size_t{3}, size_t{2}}) {
    const auto wanted = gram_vector(key, size);
    const double wanted_magnitude = magnitude(wanted);
    std::vector<std::pair<double, size_t>> scored;  // cosine, candidate index
    for (size_t i = 0; i < candidates.size(); ++i) {
      const auto grams = gram_vector(lowercase(candidates[i]), size);
      double dot = 0;
      for (const auto& [gram, count] : grams) {
        for (const auto& [other, other_count] : wanted) {
          if (gram == other) dot += static_cast<double>(count) * other_count;
        }
      }
      if (dot > 0) scored.emplace_back(dot / (wanted_magnitude * magnitude(grams)), i);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (scored.size() > 50) scored.resize(50);
    for (auto& [score, index] : scored) {
      const std::string lowered = lowercase(candidates[index]);
      const size_t longest = std::max(lowered.size(), key.size());
      score = longest == 0 ? 1.0
                           : 1.0 - static_cast<double>(edit_distance(key, lowered)) /
                                       static_cast<double>(longest);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (!scored.empty() && scored.front().first >= 0.33) return scored.front().second;
  }
  return std::nullopt;
}

}  // namespace pgrest::resolve::fuzzy
