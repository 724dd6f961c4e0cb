// Shell: what the package tests use to drive real tools (unzip, skopeo, sha256sum, the built
// binary) and read what they wrote: a command's status and output, a whole file.
//   test_support::Shell r = test_support::sh("sha256sum '" + path + "'");  // r.status, r.output
//   std::string text = test_support::read_file(dir / "config.json");
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace test_support {

struct Shell {
    int status = -1;     // as from pclose (WEXITSTATUS for the exit code); -1: did not run
    std::string output;  // stdout and stderr
};

// Runs `command` under /bin/sh with stderr sent to stdout, capturing both.
inline Shell sh(const std::string& command) {
    Shell r;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    r.status = pclose(p);
    return r;
}

// The bytes of a file; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace test_support
