#pragma once
// What this binary is: the project version (server/CMakeLists.txt) and the git commit it was
// built from ("unknown" outside a checkout). Written at every build (cmake/build_info.cmake).

#include <string_view>

namespace sb {

std::string_view build_version();
std::string_view build_commit();

}  // namespace sb
