// Handing a command's last big structures to the end of the process instead of freeing them.
#pragma once

#include <type_traits>
#include <utility>

namespace upgrade::cli {

/// Moves `value` to the heap for the rest of the process and returns it. Freeing a plan of
/// 1,000 steps and the program behind it node by node takes longer than the rest of the exit;
/// the end of the process releases that memory at once. Only for values whose destruction
/// does nothing but free memory (no files, locks or threads).
template <typename T>
std::remove_reference_t<T>& KeepUntilExit(T&& value) {
  static_assert(!std::is_lvalue_reference_v<T>, "pass the value to keep with std::move");
  return *new std::remove_reference_t<T>(std::move(value));
}

}  // namespace upgrade::cli
