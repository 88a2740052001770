// Per-translation memory. A translation builds a syntax tree and a plan (dozens of small
// vectors, strings and tree nodes), uses them to write the SQL, and drops them. Taking
// each from the heap costs a malloc and a free; here they are carved from a block that
// the thread keeps, and released all at once when the translation ends. A thread that
// translates in a loop makes no heap allocation for them once its block is large enough.
//
// How: ast/plan containers use arena::Allocator, which is stateless. Inside an
// arena::Scope (Engine::translate and Translator::translate open one) it takes memory
// from this thread's Arena and frees nothing; outside any scope (unit tests calling a
// stage directly, catalog code) it is plain new/delete. Stateless, so containers move
// and swap in O(1) whatever side they came from. The rule that keeps it safe: nothing
// allocated inside a scope may outlive it. Results and errors hold std::string only, and
// the scope is the first object of the translate functions, so it is destroyed last.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

// Under AddressSanitizer the unused part of every block is poisoned, so a use of arena
// memory after its translation ended (something kept across requests) is reported.
#if defined(__SANITIZE_ADDRESS__)
#define PGREST_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PGREST_ARENA_ASAN 1
#endif
#endif
#ifdef PGREST_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define PGREST_ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#define PGREST_ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#else
#define PGREST_ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#define PGREST_ARENA_POISON(p, n) ((void)(p), (void)(n))
#endif

namespace pgrest::arena {

class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `alignment` is a power of two no larger than alignof(std::max_align_t).
  void* allocate(size_t bytes, size_t alignment) {
    const auto limit = reinterpret_cast<uintptr_t>(limit_);
    const uintptr_t cursor =
        (reinterpret_cast<uintptr_t>(cursor_) + alignment - 1) & ~(uintptr_t{alignment} - 1);
    // No block yet: cursor_ and limit_ are null, and the first test fails.
    if (cursor < limit && bytes <= limit - cursor) {
      cursor_ = reinterpret_cast<char*>(cursor + bytes);
      PGREST_ARENA_UNPOISON(reinterpret_cast<void*>(cursor), bytes);
      return reinterpret_cast<void*>(cursor);
    }
    return allocate_slow(bytes);
  }

  // Whether `p` was carved from this arena (and so must not be passed to delete).
  [[nodiscard]] bool owns(const void* p) const noexcept {
    const auto address = reinterpret_cast<uintptr_t>(p);
    for (const Block& block : blocks_) {
      if (address - reinterpret_cast<uintptr_t>(block.begin) < block.size) return true;
    }
    return false;
  }

  // Forgets every allocation. Keeps one block as large as everything used since the last
  // reset (so the next translation of the same shape fits in it), up to kRetainedBytes.
  void reset() noexcept;

  // Frees every block (an Arena is reusable afterwards).
  void release() noexcept;

  // Bytes in the blocks held now (for tests and benchmarks).
  [[nodiscard]] size_t capacity() const noexcept;

  static constexpr size_t kFirstBlockBytes = 16 * 1024;
  static constexpr size_t kRetainedBytes = 1024 * 1024;

 private:
  struct Block {
    char* begin;
    size_t size;
  };
  void* allocate_slow(size_t bytes);
  void add_block(size_t size);

  char* cursor_ = nullptr;
  char* limit_ = nullptr;
  std::vector<Block> blocks_;  // the last one is being carved
};

namespace detail {
// This thread's arena while a Scope is open, nullptr otherwise. constinit: read without
// a TLS wrapper call on every allocation.
extern thread_local constinit Arena* t_current;
}  // namespace detail

// Opens this thread's arena for a translation; the outermost scope resets it on exit.
// Scopes nest (a Translator falls back to Engine::translate), inner ones do nothing.
// A translation during thread teardown, after the thread's arena was destroyed (from
// another thread_local's destructor), runs on the heap.
class Scope {
 public:
  Scope() noexcept;
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  bool outermost_;
};

template <typename T>
struct Allocator {
  using value_type = T;

  Allocator() noexcept = default;
  template <typename U>
  Allocator(const Allocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] T* allocate(size_t n) {
    // Blocks and the bump pointer align to at most max_align_t (here, where T is complete).
    static_assert(alignof(T) <= alignof(std::max_align_t), "over-aligned types are not supported");
    if (Arena* arena = detail::t_current) {
      if (n > std::numeric_limits<size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
      return static_cast<T*>(arena->allocate(n * sizeof(T), alignof(T)));
    }
    return std::allocator<T>().allocate(n);
  }

  void deallocate(T* p, size_t n) noexcept {
    if (Arena* arena = detail::t_current; arena != nullptr && arena->owns(p)) {
      // Not reused before the scope ends, but a dangling view into it is a bug: ASan
      // reports it as it would a heap use-after-free.
      PGREST_ARENA_POISON(p, n * sizeof(T));
      return;
    }
    std::allocator<T>().deallocate(p, n);
  }

  template <typename U>
  friend bool operator==(const Allocator& /*a*/, const Allocator<U>& /*b*/) noexcept {
    return true;
  }
};

using String = std::basic_string<char, std::char_traits<char>, Allocator<char>>;
template <typename T>
using Vector = std::vector<T, Allocator<T>>;

// Found by argument-dependent lookup (the allocator lives here); C++20 also uses it with
// the operands swapped.
inline bool operator==(const String& a, const std::string& b) noexcept {
  return std::string_view(a) == std::string_view(b);
}

// For the nodes of recursive trees held by unique_ptr: `new Node` takes arena memory in
// a scope. Inherit from it.
struct Allocated {
  static void* operator new(size_t bytes) {
    if (Arena* arena = detail::t_current) return arena->allocate(bytes, alignof(std::max_align_t));
    return ::operator new(bytes);
  }
  static void operator delete(void* p, size_t bytes) noexcept {
    if (Arena* arena = detail::t_current; arena != nullptr && arena->owns(p)) {
      PGREST_ARENA_POISON(p, bytes);
      return;
    }
    ::operator delete(p);
  }
};

}  // namespace pgrest::arena
