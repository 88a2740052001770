// The per-translation arena: where memory comes from inside and outside a scope, what a
// reset keeps, and that nested scopes leave the arena to the outermost one.
#include <gtest/gtest.h>

#include <string>

#include "common/arena.hpp"

namespace pgrest::arena {
namespace {

TEST(Arena, CarvesAlignedMemoryAndKnowsItsOwn) {
  Arena arena;
  void* a = arena.allocate(3, 1);
  void* b = arena.allocate(8, 8);
  EXPECT_TRUE(arena.owns(a));
  EXPECT_TRUE(arena.owns(b));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 8, 0u);
  EXPECT_GE(static_cast<char*>(b), static_cast<char*>(a) + 3);
  int outside = 0;
  EXPECT_FALSE(arena.owns(&outside));
  EXPECT_EQ(arena.capacity(), Arena::kFirstBlockBytes);
}

TEST(Arena, ResetKeepsOneBlockAsLargeAsWhatWasUsed) {
  Arena arena;
  for (int i = 0; i < 10; ++i) (void)arena.allocate(Arena::kFirstBlockBytes / 2, 8);
  const size_t grown = arena.capacity();
  EXPECT_GT(grown, Arena::kFirstBlockBytes);
  arena.reset();
  EXPECT_GE(arena.capacity(), Arena::kFirstBlockBytes * 5);
  // The same work again fits in the one block: no new block.
  const size_t kept = arena.capacity();
  for (int i = 0; i < 10; ++i) (void)arena.allocate(Arena::kFirstBlockBytes / 2, 8);
  EXPECT_EQ(arena.capacity(), kept);
}

TEST(Arena, ResetDropsBlocksBeyondTheRetainedBound) {
  Arena arena;
  void* huge = arena.allocate(Arena::kRetainedBytes * 4, 8);
  EXPECT_TRUE(arena.owns(huge));
  arena.reset();
  EXPECT_LE(arena.capacity(), Arena::kRetainedBytes);
}

TEST(Arena, ContainersUseTheHeapOutsideAScopeAndTheArenaInside) {
  ASSERT_EQ(detail::t_current, nullptr);
  String outside(100, 'x');  // longer than the inline buffer
  {
    const Scope scope;
    ASSERT_NE(detail::t_current, nullptr);
    EXPECT_FALSE(detail::t_current->owns(outside.data()));
    String inside(100, 'y');
    EXPECT_TRUE(detail::t_current->owns(inside.data()));
    // Heap memory released inside a scope still goes back to the heap (ASan would
    // report a bad free otherwise), and arena memory is simply dropped.
    outside.clear();
    outside.shrink_to_fit();
    inside.clear();
    inside.shrink_to_fit();
  }
  EXPECT_EQ(detail::t_current, nullptr);
  outside.assign(200, 'z');  // the heap again
  EXPECT_EQ(outside, std::string(200, 'z'));
}

TEST(Arena, InnerScopesLeaveTheArenaToTheOutermost) {
  const Scope outer;
  Vector<int> numbers{1, 2, 3};
  Arena* const arena = detail::t_current;
  {
    const Scope inner;
    EXPECT_EQ(detail::t_current, arena);
    numbers.push_back(4);
  }
  // The inner scope neither closed nor reset the arena: the vector is intact.
  EXPECT_EQ(detail::t_current, arena);
  EXPECT_EQ(numbers, (Vector<int>{1, 2, 3, 4}));
  EXPECT_TRUE(arena->owns(numbers.data()));
}

TEST(Arena, StringsCompareWithStdStrings) {
  const String arena_text("abc");
  const std::string text("abc");
  EXPECT_TRUE(arena_text == text);
  EXPECT_TRUE(text == arena_text);
  EXPECT_FALSE(arena_text == std::string("abd"));
}

}  // namespace
}  // namespace pgrest::arena
