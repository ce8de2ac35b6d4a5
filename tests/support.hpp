// Helpers shared by the tests: capturing stderr around a block.
#pragma once

#include <functional>
#include <string>

namespace corio_test {

// Runs f with file descriptor 2 redirected to a temporary file and returns what was written.
std::string capture_stderr(const std::function<void()>& f);

}  // namespace corio_test
