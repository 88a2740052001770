#include "common/arena.hpp"

#include <algorithm>
#include <bit>

namespace pgrest::arena {

namespace detail {
thread_local constinit Arena* t_current = nullptr;
}  // namespace detail

namespace {
// Set once this thread's arena is destroyed at thread exit; a later translation (from a
// destructor that runs after it) must not touch it.
thread_local constinit bool t_arena_gone = false;

// One per thread, created by the first translation on it and freed when the thread ends.
struct ThreadArena {
  Arena arena;
  ~ThreadArena() { t_arena_gone = true; }  // `arena` is destroyed right after
};
thread_local ThreadArena t_arena;
thread_local constinit unsigned t_depth = 0;

constexpr size_t kBlockAlignment = alignof(std::max_align_t);

void free_block(char* begin, size_t size) noexcept {
  PGREST_ARENA_UNPOISON(begin, size);
  ::operator delete (begin, std::align_val_t{kBlockAlignment});
}
}  // namespace

Arena::~Arena() {
  release();
}

void Arena::release() noexcept {
  for (const Block& block : blocks_) free_block(block.begin, block.size);
  blocks_.clear();
  cursor_ = limit_ = nullptr;
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
  if (bytes > (size_t{1} << 62)) throw std::bad_alloc();  // bit_ceil would overflow
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
    // This translation outgrew the block: keep one that holds all it used (bounded, so
    // that one huge request does not pin memory on the thread for good).
    const size_t wanted = std::min(std::bit_ceil(capacity()), kRetainedBytes);
    if (blocks_.front().size != wanted) {
      release();
      try {
        add_block(wanted);
      } catch (const std::bad_alloc&) {
        // Nothing held: the next allocation takes a fresh block.
      }
      return;
    }
    // The first block is already the largest kept (requests beyond the bound): keep it
    // rather than free and take the same size again.
    for (size_t i = 1; i < blocks_.size(); ++i) free_block(blocks_[i].begin, blocks_[i].size);
    blocks_.resize(1);
    limit_ = blocks_.front().begin + blocks_.front().size;
  }
  if (!blocks_.empty()) {
    cursor_ = blocks_.front().begin;
    PGREST_ARENA_POISON(cursor_, blocks_.front().size);
  }
}

Scope::Scope() noexcept : outermost_(t_depth == 0 && !t_arena_gone) {
  ++t_depth;
  if (outermost_) detail::t_current = &t_arena.arena;
}

Scope::~Scope() {
  --t_depth;
  if (outermost_) {
    detail::t_current = nullptr;
    t_arena.arena.reset();
  }
}

}  // namespace pgrest::arena
