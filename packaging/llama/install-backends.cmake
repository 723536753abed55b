# Injected into llama-cpp-python's build with -DCMAKE_PROJECT_llama_cpp_INCLUDE=<this file>.
#
# With GGML_BACKEND_DL every ggml backend is a module that the program loads at run time, and
# GGML_CPU_ALL_VARIANTS builds one CPU module per x86 feature level (the best one for the CPU it runs
# on is picked at load time). llama-cpp-python installs only the backend targets it names, which leaves
# the CPU variants out of the wheel: this installs every ggml-cpu-* module beside libllama.so.

function(_mysearch_collect_targets dir out)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _mysearch_collect_targets("${sub}" more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(_mysearch_install_backends)
  _mysearch_collect_targets("${CMAKE_SOURCE_DIR}" all)
  foreach(target IN LISTS all)
    get_target_property(kind ${target} TYPE)
    if(target MATCHES "^ggml-cpu-" AND kind MATCHES "^(MODULE|SHARED)_LIBRARY$")
      message(STATUS "mysearch: installing CPU backend variant ${target}")
      install(TARGETS ${target}
        LIBRARY DESTINATION ${SKBUILD_PLATLIB_DIR}/llama_cpp/lib
        RUNTIME DESTINATION ${SKBUILD_PLATLIB_DIR}/llama_cpp/lib)
    endif()
  endforeach()
endfunction()

cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _mysearch_install_backends)
