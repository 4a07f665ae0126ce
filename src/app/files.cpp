#include "app/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace sipcred::app {

Result<std::string> read_file(const std::string& path, size_t max) {
  std::ifstream in{path, std::ios::binary};
  if (!in) return fail(Errc::io, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > max) return fail(Errc::limit, path + " is larger than expected");
  return ss.str();
}

Result<void> write_file(const std::filesystem::path& path, std::span<const uint8_t> bytes,
                        bool secret) {
  // Private keys are created owner-only from the start, never chmod'ed afterwards.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) return fail(Errc::io, "cannot write " + path.string());
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return fail(Errc::io, "cannot write " + path.string());
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return fail(Errc::io, "cannot write " + path.string());
  return {};
}

Result<std::string> first_line(const std::string& path) {
  auto text = read_file(path, 4096);
  if (!text) return text;
  std::string line = text->substr(0, text->find_first_of("\r\n"));
  if (line.empty()) return fail(Errc::invalid_argument, path + ": the first line is empty");
  return line;
}

}  // namespace sipcred::app
