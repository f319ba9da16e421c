# Writes OUT: build_info.cpp with the version (VERSION) and the commit of SOURCE_DIR, run at
# every build so `switchboard --version` and switchboard_build_info name the code they run.
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE commit
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET
  RESULT_VARIABLE failed)
if(failed OR commit STREQUAL "")
  set(commit "unknown")
endif()
set(body "#include \"util/build_info.hpp\"\n\nnamespace sb {\n\nstd::string_view build_version() { return \"${VERSION}\"; }\nstd::string_view build_commit() { return \"${commit}\"; }\n\n}  // namespace sb\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
