// ScratchDir: a fresh directory under the system's temp dir for one test, removed afterwards.
//   test_support::ScratchDir dir("zip");  std::ofstream(dir.path() / "a") << "x";
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace test_support {

class ScratchDir {
public:
    explicit ScratchDir(const std::string& tag) {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / ("lg-" + tag + "-XXXXXX")).string();
        path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
    }
    ~ScratchDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace test_support
