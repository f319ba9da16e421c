// libFuzzer target for the command line: the input is split at NUL bytes into argv (after the
// program name) and parsed as the server would (app/config). Flags that read a file are left
// out, so the fuzzer cannot make it read /dev/zero.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"switchboard"};
  std::string current;
  for (std::size_t i = 0; i < size && args.size() < 64; ++i) {
    if (data[i] == 0) {
      args.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  args.push_back(std::move(current));
  std::vector<const char*> argv;
  for (const auto& a : args) {
    if (a.find("public-key") != std::string::npos) return 0;
    argv.push_back(a.c_str());
  }
  (void)sb::app::parse_config(static_cast<int>(argv.size()), argv.data(), {});
  return 0;
}
