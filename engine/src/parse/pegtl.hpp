// The only place the engine includes PEGTL. The build compiles PEGTL inside a private
// namespace (TAO_PEGTL_NAMESPACE, set in meson.build) so that a host linking another
// PEGTL links cleanly; this alias keeps the rest of the code independent of that name.
#pragma once

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

namespace pgrest {
namespace pegtl = ::TAO_PEGTL_NAMESPACE;
}  // namespace pgrest
