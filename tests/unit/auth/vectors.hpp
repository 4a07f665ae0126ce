// Botan-style vector files under tests/data/auth/: "[name]" opens a block, "Key = value" lines
// fill it, lines starting with "#" are comments. Every block carries a Source.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.hpp"

namespace sipcred::auth::test {

struct Vector {
  std::string name;
  std::map<std::string, std::string> kv;
  bool has(const std::string& k) const { return kv.count(k) != 0; }
  const std::string& operator[](const std::string& k) const { return kv.at(k); }
};

inline std::vector<Vector> load_vectors(const std::string& file) {
  std::vector<Vector> out;
  std::istringstream in{sipcred::test::read_file(sipcred::test::data_dir() / "auth" / file)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      out.push_back(Vector{line.substr(1, line.size() - 2), {}});
      continue;
    }
    size_t eq = line.find(" = ");
    if (eq == std::string::npos || out.empty()) {
      ADD_FAILURE() << file << ": bad vector line: " << line;
      continue;
    }
    out.back().kv[line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

inline std::string unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string{h.substr(i, 2)}, nullptr, 16)));
  return out;
}

}  // namespace sipcred::auth::test
