#pragma once
#include <string>

namespace util {

/// Joins two strings.
inline std::string join(const std::string& a, const std::string& b) {
  return a + b;
}

}  // namespace util
