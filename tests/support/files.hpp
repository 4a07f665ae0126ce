// Test data lives under tests/data/ as files naming their source (STYLE.md §4).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sipcred::test {

inline std::filesystem::path data_dir() {
  return std::filesystem::path{SIPCRED_SOURCE_DIR} / "tests" / "data";
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rows of a tab-separated file with a header line; lines starting with '#' are comments.
inline std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in{read_file(p)};
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cols;
    size_t b = 0;
    while (true) {
      size_t tab = line.find('\t', b);
      cols.push_back(line.substr(b, tab == std::string::npos ? tab : tab - b));
      if (tab == std::string::npos) break;
      b = tab + 1;
    }
    rows.push_back(std::move(cols));
  }
  return rows;
}

}  // namespace sipcred::test
