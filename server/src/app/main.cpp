// Switchboard server entry point: parse the configuration, then run. Nothing else lives here.

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <variant>

#include "app/app.hpp"
#include "app/config.hpp"

extern char** environ;

int main(int argc, char** argv) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    if (auto eq = entry.find('='); eq != std::string::npos) {
      env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
  auto parsed = sb::app::parse_config(argc, argv, env);
  if (auto* print = std::get_if<sb::app::PrintAndExit>(&parsed)) {
    std::cout << print->text;
    return 0;
  }
  if (auto* error = std::get_if<sb::app::ConfigError>(&parsed)) {
    std::cerr << "switchboard: " << error->message << "\n";
    return 2;
  }
  return sb::app::run_server(std::get<sb::app::Config>(parsed));
}
