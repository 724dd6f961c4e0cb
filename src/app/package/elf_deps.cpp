// Resolving an executable's shared libraries: a few ELF header fields read by hand (layout below)
// and the real dynamic loader asked for the rest, so the search (RUNPATH, ld.so.cache, hwcaps
// subdirectories) is the loader's own.
#include "app/package/elf_deps.h"

#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace app::package {

namespace {

// ELF64 header (little-endian), the fields used here:
//   0  e_ident[16]  "\x7f" "ELF", [4] class (2 = 64-bit), [5] data (1 = little-endian)
//  18  e_machine    u16 (62 = x86-64, 183 = AArch64)
//  32  e_phoff      u64 offset of the program headers
//  54  e_phentsize  u16, 56 e_phnum u16
// Program header (56 bytes): 0 p_type u32 (3 = PT_INTERP), 8 p_offset u64, 32 p_filesz u64.
constexpr size_t kHeaderSize = 64;
constexpr uint32_t kPtInterp = 3;

template <class T>
T read_le(const std::string& bytes, size_t at) {
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
        v |= static_cast<T>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    }
    return v;
}

std::string machine_name(uint16_t machine) {
    if (machine == 62) return "x86_64";
    if (machine == 183) return "arm64";
    return "machine " + std::to_string(machine);
}

// Everything the command wrote to stdout, and its exit status.
core::Result<std::string> run_capture(const std::vector<std::string>& argv, int* status) {
    int fds[2];
    if (pipe(fds) != 0) return core::fail(core::ErrorCode::Io, std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> env;  // the caller's, minus LD_PRELOAD (it would add libraries)
    for (char** e = environ; *e; ++e) {
        if (std::strncmp(*e, "LD_PRELOAD=", 11) != 0) env.push_back(*e);
    }
    env.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return core::fail(core::ErrorCode::Io, "cannot run " + argv[0] + ": " + std::strerror(rc));
    }
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
    }
    return out;
}

}  // namespace

std::string host_arch() {
    utsname u{};
    uname(&u);
    std::string m = u.machine;
    return m == "aarch64" ? "arm64" : m;
}

core::Result<ElfInfo> read_elf_info(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::fail(core::ErrorCode::NotFound, path + ": cannot open the file");
    std::string head(kHeaderSize, '\0');
    in.read(head.data(), kHeaderSize);
    if (in.gcount() != static_cast<std::streamsize>(kHeaderSize) ||
        head.compare(0, 4,
                     "\x7f"
                     "ELF") != 0 ||
        head[4] != 2 || head[5] != 1) {
        return core::fail(core::ErrorCode::Parse,
                          path + ": not a 64-bit little-endian ELF executable");
    }
    ElfInfo info;
    info.arch = machine_name(read_le<uint16_t>(head, 18));
    auto phoff = read_le<uint64_t>(head, 32);
    auto phentsize = read_le<uint16_t>(head, 54);
    auto phnum = read_le<uint16_t>(head, 56);
    for (uint16_t i = 0; i < phnum && phentsize >= 40; ++i) {
        std::string ph(phentsize, '\0');
        in.seekg(static_cast<std::streamoff>(phoff + uint64_t{i} * phentsize));
        if (!in.read(ph.data(), phentsize)) {
            return core::fail(core::ErrorCode::Parse,
                              path + ": program headers past the end of the file");
        }
        if (read_le<uint32_t>(ph, 0) != kPtInterp) continue;
        auto offset = read_le<uint64_t>(ph, 8);
        auto size = read_le<uint64_t>(ph, 32);
        if (size == 0 || size > 4096)
            return core::fail(core::ErrorCode::Parse, path + ": bad PT_INTERP");
        std::string interp(size, '\0');
        in.seekg(static_cast<std::streamoff>(offset));
        if (!in.read(interp.data(), static_cast<std::streamsize>(size))) {
            return core::fail(core::ErrorCode::Parse,
                              path + ": PT_INTERP past the end of the file");
        }
        info.interpreter = interp.substr(0, interp.find('\0'));
    }
    return info;
}

core::Result<std::vector<SharedLibrary>> parse_loader_list(std::string_view text) {
    std::vector<SharedLibrary> libs;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos) continue;
        line.erase(0, start);
        size_t arrow = line.find(" => ");
        if (arrow == std::string::npos)
            continue;  // the loader itself, the vDSO, "statically linked"
        SharedLibrary lib{line.substr(0, arrow), line.substr(arrow + 4)};
        if (lib.path.rfind("not found", 0) == 0) {
            return core::fail(core::ErrorCode::NotFound,
                              "the library " + lib.name + " is not found on this machine");
        }
        if (size_t paren = lib.path.find(" ("); paren != std::string::npos) lib.path.resize(paren);
        if (lib.path.empty() || lib.path[0] != '/') {
            return core::fail(core::ErrorCode::Parse, "unexpected loader output: " + line);
        }
        libs.push_back(std::move(lib));
    }
    return libs;
}

core::Result<std::vector<SharedLibrary>> list_shared_libraries(const ElfInfo& info,
                                                               const std::string& binary) {
    if (info.interpreter.empty()) return std::vector<SharedLibrary>{};  // static: nothing to load
    int status = 0;
    auto out = run_capture({info.interpreter, "--list", binary}, &status);
    if (!out) return core::fail(std::move(out).error());
    auto libs = parse_loader_list(*out);
    if (!libs) return libs;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return core::fail(core::ErrorCode::Internal, info.interpreter + " --list " + binary +
                                                         " failed (status " +
                                                         std::to_string(status) + ")");
    }
    return libs;
}

}  // namespace app::package
