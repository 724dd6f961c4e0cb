// The shared libraries an ELF executable loads, resolved exactly as the dynamic loader does (what
// `ldd` prints): the loader named in the binary's PT_INTERP is run with --list, and its answer
// parsed. Used by collect_runtime() to bundle a binary with its libraries (bundle.h).
//   auto info = app::package::read_elf_info("/usr/bin/lambdagram");  // machine, interpreter
//   auto libs = app::package::list_shared_libraries(*info, "/usr/bin/lambdagram");
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace app::package {

struct ElfInfo {
    std::string arch;         // "x86_64", "arm64", or "machine <n>" for others
    std::string interpreter;  // PT_INTERP, e.g. "/lib64/ld-linux-x86-64.so.2"; empty if static
};

struct SharedLibrary {
    std::string name;  // as the binary asks for it (the soname): "libc.so.6"
    std::string path;  // the file the loader picked: "/lib/x86_64-linux-gnu/libc.so.6"
};

// The machine and interpreter of a 64-bit little-endian ELF file; fails on anything else.
core::Result<ElfInfo> read_elf_info(const std::string& path);

// Parses the loader's --list output (ldd's format). The loader itself and the vDSO are left out;
// a library "not found" fails with its name.
core::Result<std::vector<SharedLibrary>> parse_loader_list(std::string_view text);

// Runs `<info.interpreter> --list <binary>` (without LD_PRELOAD) and parses what it prints.
core::Result<std::vector<SharedLibrary>> list_shared_libraries(const ElfInfo& info,
                                                               const std::string& binary);

// This machine's architecture in the same spelling as ElfInfo::arch.
std::string host_arch();

}  // namespace app::package
