# Writes OUT: the C++ table of the wire error codes, generated from SPEC (spec/errors.json).
# Each code becomes ErrorCode::k<CamelCase>, so a code the enum lacks fails to compile, and the
# generated switch covers the whole enum, so an enumerator the JSON lacks fails -Wswitch.
file(READ ${SPEC} spec)
string(JSON count LENGTH "${spec}" codes)
if(count EQUAL 0)
  message(FATAL_ERROR "${SPEC}: no codes")
endif()
math(EXPR last "${count} - 1")
set(rows "")
set(cases "")
foreach(i RANGE ${last})
  string(JSON code GET "${spec}" codes ${i} code)
  string(JSON status GET "${spec}" codes ${i} status)
  string(JSON retryable GET "${spec}" codes ${i} retryable)
  string(JSON message GET "${spec}" codes ${i} message)
  if(NOT code MATCHES "^[a-z]+(_[a-z]+)*$")
    message(FATAL_ERROR "${SPEC}: code '${code}' is not snake_case")
  endif()
  if(NOT status MATCHES "^[45][0-9][0-9]$")
    message(FATAL_ERROR "${SPEC}: ${code} has status '${status}', not a 4xx or 5xx")
  endif()
  if(retryable)
    set(retryable true)
  else()
    set(retryable false)
  endif()
  set(enumerator "k")
  string(REPLACE "_" ";" words "${code}")
  foreach(word ${words})
    string(SUBSTRING "${word}" 0 1 head)
    string(SUBSTRING "${word}" 1 -1 tail)
    string(TOUPPER "${head}" head)
    string(APPEND enumerator "${head}${tail}")
  endforeach()
  string(APPEND rows "    {ErrorCode::${enumerator}, \"${code}\", ${status}, ${retryable},\n     R\"SBMSG(${message})SBMSG\"},\n")
  string(APPEND cases "    case ErrorCode::${enumerator}:\n      return kTable[${i}];\n")
endforeach()

set(body "// Generated from spec/errors.json by server/cmake/embed_errors.cmake: edit the JSON.
#include \"call/errors.hpp\"

namespace sb::call {
namespace {

constexpr ErrorInfo kTable[] = {
${rows}};

}  // namespace

std::span<const ErrorInfo> error_table() {
  return kTable;
}

const ErrorInfo& error_info(ErrorCode code) {
  switch (code) {
${cases}  }
  return kTable[0];
}

}  // namespace sb::call
")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
