#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <unordered_map>

#include "pgrest/catalog.hpp"

namespace pgrest {

namespace {

// A fast 64-bit hash for identifiers (mostly under 32 bytes): eight bytes per multiply,
// the tail in at most two loads, the length folded in. Not keyed against flooding: the
// tables hold only catalog names, and a request's name is only looked up (a collision
// costs it one more probe, never anyone else).
constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;

inline uint64_t mix(uint64_t h, uint64_t word) {
  h = (h ^ word) * kMultiplier;
  return h ^ (h >> 29);
}

uint64_t hash_name(std::string_view text, uint64_t seed) {
  const char* p = text.data();
  size_t n = text.size();
  uint64_t h = seed ^ (static_cast<uint64_t>(n) * 0xC2B2AE3D27D4EB4FULL);
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = mix(h, word);
  }
  if (n >= 4) {
    uint32_t low;
    uint32_t high;
    std::memcpy(&low, p, 4);
    std::memcpy(&high, p + n - 4, 4);
    h = mix(h, (static_cast<uint64_t>(high) << 32) | low);
  } else if (n > 0) {
    const auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(p[i])); };
    h = mix(h, byte(0) | (byte(n / 2) << 8) | (byte(n - 1) << 16));
  }
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ULL;
  return h ^ (h >> 32);
}

uint64_t hash_qualified(std::string_view schema, std::string_view name) {
  return hash_name(name, hash_name(schema, 0));
}

// Table sizes: a power of two with the load at most 3/4 (2 bytes a slot for the columns of
// a relation, 8 for the catalog-wide name tables, whose tags keep probes from comparing
// names).
size_t table_size(size_t entries, size_t numerator, size_t denominator) {
  return std::bit_ceil(std::max<size_t>(4, (entries * numerator + denominator - 1) / denominator));
}

constexpr uint32_t kNoRelation = UINT32_MAX;

// How many names ahead build_name_table() hashes, prefetching the slot each goes to.
constexpr size_t kNamesAhead = 16;

// The stages of build_relationships()'s pipeline, in foreign keys ahead of the one being
// resolved (see there), and the ring that carries each key's hashes between them.
constexpr size_t kHashAhead = 24;
constexpr size_t kSlotAhead = 16;
constexpr size_t kKeyAhead = 8;
constexpr size_t kRing = 32;
static_assert(kHashAhead < kRing && kSlotAhead < kHashAhead && kKeyAhead < kSlotAhead);

}  // namespace

void Relation::index_columns() {
  column_slots_.clear();
  // Positions are stored plus one in 16 bits; wider (synthetic) relations are scanned.
  if (columns.empty() || columns.size() >= UINT16_MAX) return;
  column_slots_.assign(table_size(columns.size(), 4, 3), 0);
  const size_t mask = column_slots_.size() - 1;
  for (size_t c = 0; c < columns.size(); ++c) {
    // Linear probing keeps the first of duplicate names ahead of the later ones.
    size_t slot = hash_name(columns[c].name, 0) & mask;
    while (column_slots_[slot] != 0) slot = (slot + 1) & mask;
    column_slots_[slot] = static_cast<uint16_t>(c + 1);
  }
}

const Column* Relation::find_column(std::string_view column_name) const {
  if (column_slots_.empty()) {
    for (const Column& column : columns) {
      if (column.name == column_name) return &column;
    }
    return nullptr;
  }
  const size_t mask = column_slots_.size() - 1;
  for (size_t slot = hash_name(column_name, 0) & mask;; slot = (slot + 1) & mask) {
    const uint16_t position = column_slots_[slot];
    if (position == 0) return nullptr;
    const Column& column = columns[position - 1];
    if (column.name == column_name) return &column;
  }
}

namespace {

// Fills a name table with items 0, 1, 2... given in that order. The slots are written in
// random order, so each item's slot is prefetched when it is added and the item written
// kNamesAhead items later.
class NameTableBuilder {
 public:
  NameTableBuilder(std::vector<catalog_internal::NameSlot>& slots, size_t count) : slots_(slots) {
    slots_.assign(table_size(count, 4, 3), {});
    mask_ = slots_.size() - 1;
  }
  NameTableBuilder(const NameTableBuilder&) = delete;
  NameTableBuilder& operator=(const NameTableBuilder&) = delete;
  // Inserts the items still waiting in the ring. Call once, after the last add().
  void finish() {
    for (size_t i = added_ > kNamesAhead ? added_ - kNamesAhead : 0; i < added_; ++i) insert(i);
  }

  void add(uint64_t hash) {
    // The item kNamesAhead back leaves the ring for its slot, this one takes its place.
    if (added_ >= kNamesAhead) insert(added_ - kNamesAhead);
    hashes_[added_ % kNamesAhead] = hash;
    __builtin_prefetch(&slots_[hash & mask_], 1);
    ++added_;
  }

 private:
  void insert(size_t i) {
    const uint64_t hash = hashes_[i % kNamesAhead];
    size_t slot = hash & mask_;
    while (slots_[slot].position != 0) slot = (slot + 1) & mask_;
    slots_[slot] = {static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(i + 1)};
  }

  std::vector<catalog_internal::NameSlot>& slots_;
  size_t mask_ = 0;
  size_t added_ = 0;
  std::array<uint64_t, kNamesAhead> hashes_{};
};

template <typename Item>
void build_name_table(std::vector<catalog_internal::NameSlot>& slots,
                      const std::vector<Item>& items) {
  NameTableBuilder builder(slots, items.size());
  for (const Item& item : items) builder.add(hash_qualified(item.schema, item.name));
  builder.finish();
}

// Calls visit(position) for each item named schema.name (`hash` being hash_qualified of
// them), in the order they were added, until visit returns false.
template <typename Item, typename Visit>
void probe_name_table(const std::vector<catalog_internal::NameSlot>& slots,
                      const std::vector<Item>& items, uint64_t hash, std::string_view schema,
                      std::string_view name, Visit visit) {
  if (slots.empty()) return;
  const auto tag = static_cast<uint32_t>(hash >> 32);
  const size_t mask = slots.size() - 1;
  for (size_t slot = hash & mask; slots[slot].position != 0; slot = (slot + 1) & mask) {
    if (slots[slot].tag != tag) continue;
    const uint32_t position = slots[slot].position - 1;
    const Item& item = items[position];
    if (item.name == name && item.schema == schema && !visit(position)) return;
  }
}

}  // namespace

void Catalog::build_lookups(bool columns_indexed) {
  if (!columns_indexed) {
    for (size_t i = 0; i < relations.size(); ++i) {
      // Each relation's columns are a separate heap block; in a catalog larger than the
      // cache, fetching the names two relations ahead hides much of the wait for them
      // (finalize of 100,000 tables: columns 24 ms -> 17 ms).
      if (i + 2 < relations.size()) {
        for (const Column& column : relations[i + 2].columns) __builtin_prefetch(&column);
      }
      relations[i].index_columns();
    }
  }
  build_name_table(relation_slots_, relations);
  build_name_table(function_slots_, functions);
  std::sort(roles.begin(), roles.end());
  build_relationships();
}

uint32_t Catalog::relation_position(uint64_t hash, std::string_view schema,
                                    std::string_view name) const {
  uint32_t found = kNoRelation;
  probe_name_table(relation_slots_, relations, hash, schema, name, [&](uint32_t position) {
    found = position;
    return false;  // the first one added, as the snapshot listed it
  });
  return found;
}

namespace {

bool same_set(std::vector<std::string_view> a, std::vector<std::string_view> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

std::vector<std::string_view> views_of(const std::vector<std::string>& names) {
  return std::vector<std::string_view>(names.begin(), names.end());
}

// Whether `key` and `columns` hold the same names (as multisets). Keys and foreign keys
// are almost always one column, which needs no copies.
bool same_columns(const std::vector<std::string>& key, const std::vector<std::string>& columns) {
  if (key.size() != columns.size()) return false;
  if (key.size() == 1) return key.front() == columns.front();
  return same_set(views_of(key), views_of(columns));
}

// One-to-one when the FK columns are exactly a primary or unique key of their table.
bool is_key_of(const Relation& relation, const std::vector<std::string>& columns) {
  if (!relation.primary_key.empty() && same_columns(relation.primary_key, columns)) return true;
  return std::any_of(relation.unique_keys.begin(), relation.unique_keys.end(),
                     [&](const auto& key) { return same_columns(key, columns); });
}

// Whether every one of `columns` is one of the primary key's.
bool within(const std::vector<std::string>& primary_key, ColumnNames columns) {
  return std::all_of(columns.begin(), columns.end(), [&](const std::string& column) {
    return std::find(primary_key.begin(), primary_key.end(), column) != primary_key.end();
  });
}

// Counting sort of `count` items into groups 0..groups-1: offsets gets groups + 1 entries,
// and list the items grouped, each group in the items' order. Each group's entry is
// counted two places up, and then advanced as the group is filled, which leaves it where
// the next group starts: no separate array of write positions.
template <typename GroupOf>
void group_by(size_t groups, size_t count, GroupOf group_of, std::vector<uint32_t>& offsets,
              std::vector<uint32_t>& list) {
  offsets.assign(groups + 2, 0);
  size_t grouped = 0;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t group = group_of(i);
    if (group == kNoRelation) continue;
    ++offsets[group + 2];
    ++grouped;
  }
  for (size_t g = 0; g < groups; ++g) offsets[g + 2] += offsets[g + 1];
  list.assign(grouped, 0);
  for (size_t i = 0; i < count; ++i) {
    const uint32_t group = group_of(i);
    if (group != kNoRelation) list[offsets[group + 1]++] = static_cast<uint32_t>(i);
  }
  offsets.pop_back();
}

}  // namespace

// PostgREST's rules: every FK gives a many-to-one (one-to-one when its columns are a key)
// and the inverse one-to-many (or mirrored one-to-one); a table whose primary key covers
// the columns of two different many-to-one FKs is a junction giving many-to-many both
// ways. Linear in the FKs, plus the pairs of junction FKs (one relationship each): both
// ends of every FK are looked up once, and the groupings are flat arrays filled by
// counting.
void Catalog::build_relationships() {
  relationships.clear();
  const size_t key_count = foreign_keys.size();
  // Both ends of each FK, kNoRelation when an end is outside the introspected schemas:
  // looked up once here (hashing the names as they are, no key string built), then used
  // by index for the relationships and the junctions.
  std::vector<uint32_t> key_from(key_count, kNoRelation);
  std::vector<uint32_t> key_to(key_count, kNoRelation);
  // Whether each resolved FK's columns are a key of its table (one-to-one), worked out
  // while that table is in cache.
  std::vector<uint8_t> key_one_to_one(key_count, 0);
  // In a catalog larger than the cache, each lookup would wait on memory three times in
  // a row: the name table's slot, the relation it names (to compare the names), and then
  // that relation's primary key (a heap block of its own). So the FKs go through a
  // pipeline: FK k + kHashAhead is hashed and its slots prefetched; at k + kSlotAhead its
  // slots are read (tags only) and the relations they name prefetched; at k + kKeyAhead
  // the referencing relation's key blocks are prefetched; and FK k is resolved exactly as
  // relation_position() does, from memory that is by then in cache.
  struct Ahead {
    uint64_t from_hash = 0;
    uint64_t to_hash = 0;
    uint32_t from_guess = kNoRelation;
  };
  std::array<Ahead, kRing> ahead{};
  const size_t mask = relation_slots_.size() - 1;
  // The first relation whose slot carries the hash's tag: almost always the one a full
  // probe finds, which is all a prefetch needs.
  const auto first_candidate = [&](uint64_t hash) {
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t slot = hash & mask; relation_slots_[slot].position != 0; slot = (slot + 1) & mask) {
      if (relation_slots_[slot].tag == tag) return relation_slots_[slot].position - 1;
    }
    return kNoRelation;
  };
  // Every cache line of [begin, end) (computing the addresses reads nothing).
  const auto prefetch_lines = [](const void* begin, const void* end) {
    const char* first = static_cast<const char*>(begin);
    const size_t last = static_cast<size_t>(static_cast<const char*>(end) - first) - 1;
    for (size_t offset = 0; offset < last; offset += 64) __builtin_prefetch(first + offset);
    __builtin_prefetch(first + last);
  };
  size_t resolved = 0;
  for (size_t t = 0; t < key_count + kHashAhead; ++t) {
    if (t < key_count) {
      const ForeignKey& key = foreign_keys[t];
      Ahead& next = ahead[t % kRing];
      next.from_hash = hash_qualified(key.schema, key.table);
      next.to_hash = hash_qualified(key.ref_schema, key.ref_table);
      __builtin_prefetch(&relation_slots_[next.from_hash & mask]);
      __builtin_prefetch(&relation_slots_[next.to_hash & mask]);
    }
    if (t >= kHashAhead - kSlotAhead && t - (kHashAhead - kSlotAhead) < key_count) {
      const size_t k = t - (kHashAhead - kSlotAhead);
      Ahead& next = ahead[k % kRing];
      next.from_guess = first_candidate(next.from_hash);
      if (next.from_guess != kNoRelation) {
        // The names, and the key vectors that follow them.
        const Relation& relation = relations[next.from_guess];
        prefetch_lines(&relation, &relation.unique_keys + 1);
      }
      const uint32_t to_guess = first_candidate(next.to_hash);
      if (to_guess != kNoRelation) {
        const Relation& relation = relations[to_guess];
        prefetch_lines(&relation, &relation.name + 1);
      }
      __builtin_prefetch(foreign_keys[k].columns.data());
    }
    if (t >= kHashAhead - kKeyAhead && t - (kHashAhead - kKeyAhead) < key_count) {
      const size_t k = t - (kHashAhead - kKeyAhead);
      if (const uint32_t guess = ahead[k % kRing].from_guess; guess != kNoRelation) {
        const Relation& relation = relations[guess];
        __builtin_prefetch(relation.primary_key.data());
        if (!relation.unique_keys.empty()) __builtin_prefetch(relation.unique_keys.data());
      }
    }
    if (t < kHashAhead) continue;
    const size_t k = t - kHashAhead;
    const ForeignKey& key = foreign_keys[k];
    const Ahead& current = ahead[k % kRing];
    const uint32_t from = relation_position(current.from_hash, key.schema, key.table);
    const uint32_t to = relation_position(current.to_hash, key.ref_schema, key.ref_table);
    if (from == kNoRelation || to == kNoRelation) continue;
    key_from[k] = from;
    key_to[k] = to;
    key_one_to_one[k] = is_key_of(relations[from], key.columns) ? 1 : 0;
    ++resolved;
  }
  // The relationships that views give (none, and nothing allocated, without view keys).
  std::vector<catalog_internal::ViewEdge> view_edges;
  std::vector<uint32_t> view_primary_key_of;
  std::vector<std::vector<std::string>> view_primary_keys;
  view_columns_.clear();
  if (!view_keys.empty()) derive_view_edges(view_edges, view_primary_key_of, view_primary_keys);
  // The to-one edges for the junctions: 0 .. key_count - 1 are the FKs (those with both
  // ends in the catalog), the rest the views' edges.
  const size_t edge_count = key_count + view_edges.size();
  struct Edge {
    uint32_t source;
    uint32_t target;
    uint32_t key;
    ColumnNames source_columns;
    ColumnNames target_columns;
  };
  const auto edge = [&](uint32_t e) {
    if (e < key_count) {
      return Edge{key_from[e], key_to[e], e, ColumnNames(foreign_keys[e].columns),
                  ColumnNames(foreign_keys[e].ref_columns)};
    }
    const catalog_internal::ViewEdge& view = view_edges[e - key_count];
    return Edge{view.source, view.target, view.foreign_key, view.source_columns,
                view.target_columns};
  };
  // The edges of each table (or view), for the junctions.
  std::vector<uint32_t> key_offsets;
  std::vector<uint32_t> keys_by_table;
  if (view_edges.empty()) {
    // The common case, kept to the plain loop over the FKs.
    group_by(
        relations.size(), key_count, [&](size_t k) { return key_from[k]; }, key_offsets,
        keys_by_table);
  } else {
    group_by(
        relations.size(), edge_count,
        [&](size_t e) { return e < key_count ? key_from[e] : view_edges[e - key_count].source; },
        key_offsets, keys_by_table);
  }
  // PostgREST's addM2MRels: a table is a junction between the targets of two of its
  // many-to-one edges (one-to-one ones do not count) when the columns of both are in its
  // primary key (a view's: the one it exposes) and they come from differently named
  // constraints (a view's edges to a table and to a view over it share the FK). The edges
  // that qualify are picked out first, in one pass over the table's edges, so a table with
  // thousands of FKs costs a pass, not a pass per pair; only the qualifying ones are
  // paired, and each pair is a relationship of its own.
  std::vector<uint32_t> paired;
  const auto junction_pairs = [&](uint32_t j, auto emit) {
    const uint32_t begin = key_offsets[j];
    const uint32_t end = key_offsets[j + 1];
    const std::vector<std::string>* primary_key = &relations[j].primary_key;
    if (primary_key->empty() && !view_primary_key_of.empty() &&
        view_primary_key_of[j] != kNoRelation) {
      primary_key = &view_primary_keys[view_primary_key_of[j]];
    }
    if (end - begin < 2 || primary_key->empty()) return;
    paired.clear();
    for (uint32_t i = begin; i < end; ++i) {
      const uint32_t e = keys_by_table[i];
      if (e < key_count) {
        if (key_one_to_one[e] == 0 && within(*primary_key, ColumnNames(foreign_keys[e].columns))) {
          paired.push_back(e);
        }
      } else if (const catalog_internal::ViewEdge& view = view_edges[e - key_count];
                 !view.one_to_one && within(*primary_key, view.source_columns)) {
        paired.push_back(e);
      }
    }
    for (const uint32_t a : paired) {
      for (const uint32_t b : paired) {
        if (a == b) continue;
        // Two FKs of one table always differ in name; a view's edges are compared by it.
        if ((a >= key_count || b >= key_count) &&
            foreign_keys[edge(a).key].name == foreign_keys[edge(b).key].name) {
          continue;
        }
        emit(a, b);
      }
    }
  };
  size_t many_to_many = 0;
  for (uint32_t j = 0; j < relations.size(); ++j) {
    junction_pairs(j, [&](uint32_t, uint32_t) { ++many_to_many; });
  }
  relationships.reserve(2 * resolved + 2 * view_edges.size() + many_to_many);
  // The source of each relationship, to group them without reading the structs again.
  std::vector<uint32_t> sources;
  sources.reserve(relationships.capacity());

  for (uint32_t k = 0; k < key_count; ++k) {
    if (key_from[k] == kNoRelation) continue;
    const ForeignKey& key = foreign_keys[k];
    const uint32_t from_index = key_from[k];
    const uint32_t to_index = key_to[k];
    const bool one_to_one = key_one_to_one[k] != 0;
    Relationship& forward = relationships.emplace_back();
    forward.cardinality = one_to_one ? Cardinality::one_to_one : Cardinality::many_to_one;
    forward.source = from_index;
    forward.target = to_index;
    forward.foreign_key = k;
    forward.source_columns = ColumnNames(key.columns);
    forward.target_columns = ColumnNames(key.ref_columns);
    forward.is_self = from_index == to_index;
    Relationship& inverse = relationships.emplace_back();
    inverse.cardinality = one_to_one ? Cardinality::one_to_one : Cardinality::one_to_many;
    inverse.source = to_index;
    inverse.target = from_index;
    inverse.foreign_key = k;
    inverse.source_columns = ColumnNames(key.ref_columns);
    inverse.target_columns = ColumnNames(key.columns);
    inverse.is_self = from_index == to_index;
    sources.push_back(from_index);
    sources.push_back(to_index);
  }
  for (const catalog_internal::ViewEdge& view : view_edges) {
    Relationship& forward = relationships.emplace_back();
    forward.cardinality = view.one_to_one ? Cardinality::one_to_one : Cardinality::many_to_one;
    forward.source = view.source;
    forward.target = view.target;
    forward.foreign_key = view.foreign_key;
    forward.source_columns = view.source_columns;
    forward.target_columns = view.target_columns;
    forward.is_self = view.is_self;
    Relationship& inverse = relationships.emplace_back();
    inverse.cardinality = view.one_to_one ? Cardinality::one_to_one : Cardinality::one_to_many;
    inverse.source = view.target;
    inverse.target = view.source;
    inverse.foreign_key = view.foreign_key;
    inverse.source_columns = view.target_columns;
    inverse.target_columns = view.source_columns;
    inverse.is_self = view.is_self;
    sources.push_back(view.source);
    sources.push_back(view.target);
  }
  for (uint32_t j = 0; j < relations.size(); ++j) {
    junction_pairs(j, [&](uint32_t to_source_edge, uint32_t to_target_edge) {
      const Edge to_source = edge(to_source_edge);
      const Edge to_target = edge(to_target_edge);
      Relationship& many = relationships.emplace_back();
      many.cardinality = Cardinality::many_to_many;
      many.source = to_source.target;
      many.target = to_target.target;
      many.foreign_key = to_source.key;
      many.junction = j;
      many.junction_target_key = to_target.key;
      many.source_columns = to_source.target_columns;
      many.junction_source_columns = to_source.source_columns;
      many.junction_target_columns = to_target.source_columns;
      many.target_columns = to_target.target_columns;
      many.is_self = many.source == many.target;
      sources.push_back(many.source);
    });
  }
  group_by(
      relations.size(), sources.size(), [&](size_t r) { return sources[r]; }, relationship_offsets_,
      relationship_list_);
}

// PostgREST's addViewM2OAndO2ORels and addViewPrimaryKeys. For each foreign key, the
// views exposing its referencing columns give view -> table (when the referenced table is
// in the catalog), those exposing its referenced columns table -> view (when the
// referencing one is), and each pair of the two view -> view; every combination of the
// exposing columns is a relationship of its own, all under the constraint's name and
// cardinality (one-to-one when the key's columns are a key of the referencing table).
// Linear in the view keys and the relationships they give.
void Catalog::derive_view_edges(std::vector<catalog_internal::ViewEdge>& edges,
                                std::vector<uint32_t>& primary_key_of,
                                std::vector<std::vector<std::string>>& primary_keys) {
  const auto qualified_key = [](std::string_view schema, std::string_view table,
                                std::string_view name) {
    std::string text;
    text.reserve(schema.size() + table.size() + name.size() + 2);
    text.append(schema).append(1, '\0').append(table).append(1, '\0').append(name);
    return text;
  };
  std::unordered_map<std::string, uint32_t> key_index;
  const bool any_foreign = std::any_of(view_keys.begin(), view_keys.end(), [](const ViewKey& key) {
    return key.kind != ViewKeyKind::primary_key;
  });
  if (any_foreign) {
    key_index.reserve(foreign_keys.size());
    for (uint32_t k = 0; k < foreign_keys.size(); ++k) {
      const ForeignKey& key = foreign_keys[k];
      key_index.emplace(qualified_key(key.schema, key.table, key.name), k);
    }
  }
  // A view's exposure of one side of a foreign key: its column lists are
  // view_columns_[first .. first + count).
  struct Exposure {
    uint32_t key;
    uint32_t view;
    uint32_t first;
    uint32_t count;
    bool referenced;
    bool unique;
  };
  std::vector<Exposure> exposures;
  std::vector<size_t> choice;
  for (const ViewKey& view_key : view_keys) {
    const uint32_t view = relation_position(hash_qualified(view_key.schema, view_key.view),
                                            view_key.schema, view_key.view);
    if (view == kNoRelation || view_key.columns.empty() ||
        std::any_of(view_key.columns.begin(), view_key.columns.end(),
                    [](const auto& names) { return names.empty(); })) {
      continue;
    }
    if (view_key.kind == ViewKeyKind::primary_key) {
      // Any one of the columns exposing each key column will do: nothing names them.
      if (primary_key_of.empty()) primary_key_of.assign(relations.size(), kNoRelation);
      if (primary_key_of[view] == kNoRelation) {
        primary_key_of[view] = static_cast<uint32_t>(primary_keys.size());
        primary_keys.emplace_back();
      }
      for (const auto& names : view_key.columns) {
        primary_keys[primary_key_of[view]].push_back(names.front());
      }
      continue;
    }
    const auto found =
        key_index.find(qualified_key(view_key.table_schema, view_key.table, view_key.constraint));
    if (found == key_index.end() ||
        foreign_keys[found->second].columns.size() != view_key.columns.size()) {
      continue;
    }
    // Every combination of the exposing columns, the last key column varying fastest.
    const auto first = static_cast<uint32_t>(view_columns_.size());
    choice.assign(view_key.columns.size(), 0);
    while (true) {
      auto& combination = view_columns_.emplace_back();
      combination.reserve(choice.size());
      for (size_t c = 0; c < choice.size(); ++c) {
        combination.push_back(view_key.columns[c][choice[c]]);
      }
      size_t c = choice.size();
      while (c > 0 && ++choice[c - 1] == view_key.columns[c - 1].size()) choice[--c] = 0;
      if (c == 0) break;
    }
    exposures.push_back(Exposure{found->second, view, first,
                                 static_cast<uint32_t>(view_columns_.size()) - first,
                                 view_key.kind == ViewKeyKind::referenced_key, view_key.unique});
  }
  if (exposures.empty()) return;
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> by_key;
  group_by(
      foreign_keys.size(), exposures.size(), [&](size_t x) { return exposures[x].key; }, offsets,
      by_key);
  const auto combinations = [&](const Exposure& exposure, auto each) {
    for (uint32_t c = exposure.first; c < exposure.first + exposure.count; ++c) {
      each(ColumnNames(view_columns_[c]));
    }
  };
  for (uint32_t k = 0; k < foreign_keys.size(); ++k) {
    if (offsets[k] == offsets[k + 1]) continue;
    const ForeignKey& key = foreign_keys[k];
    const uint32_t from =
        relation_position(hash_qualified(key.schema, key.table), key.schema, key.table);
    const uint32_t to = relation_position(hash_qualified(key.ref_schema, key.ref_table),
                                          key.ref_schema, key.ref_table);
    bool one_to_one = false;
    if (from != kNoRelation) {
      one_to_one = is_key_of(relations[from], key.columns);
    } else {
      for (uint32_t x = offsets[k]; x < offsets[k + 1]; ++x) {
        if (!exposures[by_key[x]].referenced) one_to_one = exposures[by_key[x]].unique;
      }
    }
    const auto add = [&](uint32_t source, uint32_t target, ColumnNames source_columns,
                         ColumnNames target_columns, bool is_self) {
      edges.push_back(catalog_internal::ViewEdge{source, target, k, source_columns, target_columns,
                                                 one_to_one, is_self});
    };
    for (uint32_t x = offsets[k]; x < offsets[k + 1]; ++x) {
      const Exposure& exposure = exposures[by_key[x]];
      if (!exposure.referenced && to != kNoRelation) {
        combinations(exposure, [&](ColumnNames columns) {
          add(exposure.view, to, columns, ColumnNames(key.ref_columns), false);
        });
      }
      if (exposure.referenced && from != kNoRelation) {
        combinations(exposure, [&](ColumnNames columns) {
          add(from, exposure.view, ColumnNames(key.columns), columns, false);
        });
      }
    }
    for (uint32_t x = offsets[k]; x < offsets[k + 1]; ++x) {
      const Exposure& referencing = exposures[by_key[x]];
      if (referencing.referenced) continue;
      for (uint32_t y = offsets[k]; y < offsets[k + 1]; ++y) {
        const Exposure& referenced = exposures[by_key[y]];
        if (!referenced.referenced) continue;
        combinations(referencing, [&](ColumnNames source_columns) {
          combinations(referenced, [&](ColumnNames target_columns) {
            add(referencing.view, referenced.view, source_columns, target_columns,
                referencing.view == referenced.view);
          });
        });
      }
    }
  }
}

std::span<const uint32_t> Catalog::relationships_from(uint32_t source_index) const {
  if (static_cast<size_t>(source_index) + 1 >= relationship_offsets_.size()) return {};
  return std::span<const uint32_t>(relationship_list_)
      .subspan(relationship_offsets_[source_index],
               relationship_offsets_[source_index + 1] - relationship_offsets_[source_index]);
}

const Relation* Catalog::find_relation(std::string_view schema, std::string_view name) const {
  const uint32_t position = relation_position(hash_qualified(schema, name), schema, name);
  return position == kNoRelation ? nullptr : &relations[position];
}

std::vector<const Function*> Catalog::find_functions(std::string_view schema,
                                                     std::string_view name) const {
  std::vector<const Function*> overloads;
  probe_name_table(function_slots_, functions, hash_qualified(schema, name), schema, name,
                   [&](uint32_t position) {
                     overloads.push_back(&functions[position]);
                     return true;
                   });
  // Newest first, the order the multimap this replaced gave (and PGRST203 lists).
  std::reverse(overloads.begin(), overloads.end());
  return overloads;
}

bool Catalog::has_schema(std::string_view schema) const {
  return std::find(schemas.begin(), schemas.end(), schema) != schemas.end();
}

bool Catalog::has_role(std::string_view role) const {
  return std::binary_search(roles.begin(), roles.end(), role);
}

std::string_view to_string(RelationKind kind) {
  switch (kind) {
    case RelationKind::table:
      return "table";
    case RelationKind::view:
      return "view";
    case RelationKind::materialized_view:
      return "materialized_view";
    case RelationKind::foreign_table:
      return "foreign_table";
    case RelationKind::partitioned_table:
      return "partitioned_table";
  }
  return "table";
}

std::string_view to_string(Volatility volatility) {
  switch (volatility) {
    case Volatility::immutable:
      return "immutable";
    case Volatility::stable:
      return "stable";
    case Volatility::volatile_:
      return "volatile";
  }
  return "volatile";
}

std::string_view to_string(ViewKeyKind kind) {
  switch (kind) {
    case ViewKeyKind::primary_key:
      return "primary_key";
    case ViewKeyKind::foreign_key:
      return "foreign_key";
    case ViewKeyKind::referenced_key:
      return "referenced_key";
  }
  return "primary_key";
}

std::string_view to_string(ParamMode mode) {
  switch (mode) {
    case ParamMode::in:
      return "in";
    case ParamMode::out:
      return "out";
    case ParamMode::inout:
      return "inout";
    case ParamMode::variadic:
      return "variadic";
    case ParamMode::table:
      return "table";
  }
  return "in";
}

}  // namespace pgrest
