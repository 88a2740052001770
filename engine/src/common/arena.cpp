#include "common/arena.hpp"

#include <algorithm>
#include <bit>

namespace pgrest::arena {

namespace detail {
thread_local Arena* t_current = nullptr;
}  // namespace detail

namespace {
// One per thread, created by the first translation on it and freed when the thread ends.
thread_local Arena t_arena;
thread_local unsigned t_depth = 0;

constexpr size_t kBlockAlignment = alignof(std::max_align_t);
}  // namespace

Arena::~Arena() {
  for (const Block& block : blocks_) {
    PGREST_ARENA_UNPOISON(block.begin, block.size);
    ::operator delete (block.begin, std::align_val_t{kBlockAlignment});
  }
}

void Arena::add_block(size_t size) {
  // Reserve first: if the vector cannot grow, the new block must not leak.
  blocks_.reserve(blocks_.size() + 1);
  auto* begin = static_cast<char*>(::operator new (size, std::align_val_t{kBlockAlignment}));
  blocks_.push_back({begin, size});
  PGREST_ARENA_POISON(begin, size);
  cursor_ = begin;
  limit_ = begin + size;
}

void* Arena::allocate_slow(size_t bytes) {
  // Each new block at least doubles what the arena holds, so a translation that needs a
  // lot takes few blocks; a single huge request gets a block of its own size.
  const size_t held = capacity();
  const size_t wanted = std::max({kFirstBlockBytes, held, bytes});
  add_block(std::bit_ceil(wanted));
  // Blocks are max_align_t-aligned, so the start of a fresh one suits any alignment.
  void* p = cursor_;
  cursor_ += bytes;
  PGREST_ARENA_UNPOISON(p, bytes);
  return p;
}

size_t Arena::capacity() const noexcept {
  size_t total = 0;
  for (const Block& block : blocks_) total += block.size;
  return total;
}

void Arena::reset() noexcept {
  if (blocks_.size() > 1 || (blocks_.size() == 1 && blocks_.front().size > kRetainedBytes)) {
    // This translation outgrew the block: replace the blocks by one that holds all it used
    // (bounded, so that one huge request does not pin memory on the thread for good).
    const size_t wanted = std::min(std::bit_ceil(capacity()), kRetainedBytes);
    for (const Block& block : blocks_) {
      PGREST_ARENA_UNPOISON(block.begin, block.size);
      ::operator delete (block.begin, std::align_val_t{kBlockAlignment});
    }
    blocks_.clear();
    cursor_ = limit_ = nullptr;
    try {
      add_block(wanted);
    } catch (const std::bad_alloc&) {
      // Nothing held: the next allocation takes a fresh block.
    }
    return;
  }
  if (!blocks_.empty()) {
    cursor_ = blocks_.front().begin;
    PGREST_ARENA_POISON(cursor_, blocks_.front().size);
  }
}

Scope::Scope() noexcept : outermost_(t_depth == 0) {
  ++t_depth;
  if (outermost_) detail::t_current = &t_arena;
}

Scope::~Scope() {
  --t_depth;
  if (outermost_) {
    detail::t_current = nullptr;
    t_arena.reset();
  }
}

}  // namespace pgrest::arena
