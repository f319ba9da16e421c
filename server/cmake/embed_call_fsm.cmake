# Writes OUT: a C++ file whose call_fsm_spec_json() returns the text of IN (spec/call-fsm.json),
# so the server loads its state machine from the same file the web client and the tests read.
file(READ ${IN} text)
set(body "#include \"call/call_fsm_spec.hpp\"\n\nnamespace sb::call {\n\nstd::string_view call_fsm_spec_json() {\n  return R\"SBFSM(${text})SBFSM\";\n}\n\n}  // namespace sb::call\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
