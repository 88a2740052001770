// Fuzzy name matching for the hints of "not found" errors (PGRST200, PGRST202, PGRST205),
// shared by the resolve stage. Hints are a courtesy on an error path: callers bound what
// they compare (the work is quadratic in the lengths compared).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace pgrest::resolve::fuzzy {

// Levenshtein distance, bytewise.
[[nodiscard]] size_t edit_distance(std::string_view a, std::string_view b);

// PostgREST's fuzzy match (Haskell's Data.FuzzySet with its defaults, as its Error.hs
// uses it): a candidate equal to `query` ignoring ASCII case wins outright; otherwise,
// for trigrams then bigrams of the lowercased, hyphen-enclosed names (letters, digits,
// spaces and commas only), the candidates sharing a gram with the query are ranked by
// cosine similarity, the best 50 re-scored by normalised Levenshtein similarity, and the
// best scoring at least 0.33 is the answer (equal scores keep the candidates' order).
// Returns its index in `candidates`.
[[nodiscard]] std::optional<size_t> best_match(std::span<const std::string_view> candidates,
                                               std::string_view query);

// Whether `a` and `b` are equal ignoring ASCII case (what best_match calls exact).
[[nodiscard]] bool same_name(std::string_view a, std::string_view b);

}  // namespace pgrest::resolve::fuzzy
