// Reader of the `.vec` known-answer files of tests/data/rfc2876/ (format in that folder's
// README.md): blocks of `name = value` lines, each preceded by a `# source:` line.
#pragma once

#include <cctype>
#include <cstdint>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/files.hpp"

namespace sipcred::test {

struct VecBlock {
  std::string source;  // the `# source:` text
  int line = 0;        // first line of the block, for failure messages
  std::map<std::string, std::string> fields;

  bool has(const std::string& name) const { return fields.count(name) != 0; }
  const std::string& text(const std::string& name) const { return fields.at(name); }
  std::vector<uint8_t> bytes(const std::string& name) const;
  std::string where() const { return "line " + std::to_string(line) + " (" + source + ")"; }
};

inline std::vector<uint8_t> hex_bytes(const std::string& hex) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) throw std::runtime_error("odd-length hex: " + hex);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int h = nibble(hex[i]), l = nibble(hex[i + 1]);
    if (h < 0 || l < 0) throw std::runtime_error("bad hex: " + hex);
    out.push_back(static_cast<uint8_t>(h * 16 + l));
  }
  return out;
}

inline std::vector<uint8_t> VecBlock::bytes(const std::string& name) const {
  return hex_bytes(text(name));
}

// Parses a .vec file below tests/data/. Throws (a test fixture error, not untrusted input) on a
// malformed line or a block without its source.
inline std::vector<VecBlock> read_vec(const std::string& relative_path) {
  std::istringstream in{read_file(data_dir() / relative_path)};
  std::vector<VecBlock> blocks;
  std::string pending_source;
  VecBlock cur;
  std::string line;
  int n = 0;
  auto flush = [&] {
    if (cur.fields.empty()) return;
    if (cur.source.empty()) {
      throw std::runtime_error(relative_path + ": block at line " + std::to_string(cur.line) +
                               " has no '# source:' line");
    }
    blocks.push_back(cur);
    cur = VecBlock{};
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') {
      const std::string tag = "# source:";
      if (line.rfind(tag, 0) == 0) {
        flush();
        pending_source = line.substr(line.find_first_not_of(' ', tag.size()));
      }
      continue;
    }
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos) {
      throw std::runtime_error(relative_path + ":" + std::to_string(n) + ": not 'name = value'");
    }
    if (cur.fields.empty()) {
      cur.line = n;
      cur.source = pending_source;
      pending_source.clear();
    }
    cur.fields[line.substr(0, eq)] = line.substr(eq + 3);
  }
  flush();
  return blocks;
}

}  // namespace sipcred::test
