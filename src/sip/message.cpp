#include "sip/message.hpp"

#include <algorithm>
#include <charconv>

#include "sip/scanner.hpp"

namespace sipcred::sip {

Span Message::append(std::string_view s) {
  Span span{static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(s.size())};
  arena_.append(s);
  return span;
}

Message Message::request(std::string_view method, std::string_view request_uri) {
  Message m;
  m.is_request_ = true;
  m.arena_.reserve(512);
  m.start_[0] = m.append(method);
  m.start_[1] = m.append(request_uri);
  m.start_[2] = m.append("SIP/2.0");
  return m;
}

Message Message::response(int status, std::string_view reason) {
  Message m;
  m.is_request_ = false;
  m.arena_.reserve(512);
  m.start_[0] = m.append("SIP/2.0");
  m.status_ = status;
  // Reason-Phrase excludes CR and LF (RFC 3261 §25.1); anything that would break the line goes.
  std::string clean;
  clean.reserve(reason.size());
  for (char c : reason) {
    auto u = static_cast<unsigned char>(c);
    clean.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  m.start_[2] = m.append(clean);
  return m;
}

std::optional<std::string_view> Message::first(HeaderId id) const {
  for (const auto& f : fields_) {
    if (f.id == id) return view(f.value);
  }
  return std::nullopt;
}

std::optional<std::string_view> Message::first(std::string_view name) const {
  HeaderId id = lookup_header(name);
  if (id != HeaderId::unknown) return first(id);
  for (const auto& f : fields_) {
    if (f.id == HeaderId::unknown && iequals(view(f.name), name)) return view(f.value);
  }
  return std::nullopt;
}

size_t Message::count(HeaderId id) const {
  return static_cast<size_t>(
      std::count_if(fields_.begin(), fields_.end(), [id](const auto& f) { return f.id == id; }));
}

std::vector<std::string_view> Message::all(HeaderId id) const {
  std::vector<std::string_view> out;
  for (const auto& f : fields_) {
    if (f.id == id) out.push_back(view(f.value));
  }
  return out;
}

void Message::add(HeaderId id, std::string_view value) {
  fields_.push_back({id, Span{}, append(value)});
}

void Message::add(std::string_view name, std::string_view value) {
  HeaderId id = lookup_header(name);
  if (id != HeaderId::unknown) {
    add(id, value);
    return;
  }
  Span n = append(name);
  fields_.push_back({id, n, append(value)});
}

void Message::set(HeaderId id, std::string_view value) {
  remove(id);
  add(id, value);
}

void Message::remove(HeaderId id) {
  std::erase_if(fields_, [id](const auto& f) { return f.id == id; });
}

void Message::replace_first(HeaderId id, std::string_view value) {
  for (auto& f : fields_) {
    if (f.id == id) {
      f.value = append(value);
      return;
    }
  }
  add(id, value);
}

void Message::set_body(std::string_view body) {
  body_ = append(body);
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, body.size());
  set(HeaderId::content_length, std::string_view{buf, static_cast<size_t>(end - buf)});
}

void Message::serialize_to(std::string& out) const {
  out.reserve(out.size() + arena_.size() + fields_.size() * 8 + 32);
  if (is_request_) {
    out.append(method()).append(" ").append(request_uri()).append(" ").append(version());
  } else {
    char code[8];
    auto [end, ec] = std::to_chars(code, code + sizeof code, status_);
    out.append(version()).append(" ").append(code, end).append(" ").append(reason());
  }
  out.append("\r\n");
  for (const auto& f : fields_) {
    out.append(f.id == HeaderId::unknown ? view(f.name) : header_info(f.id).name);
    out.append(": ").append(view(f.value)).append("\r\n");
  }
  out.append("\r\n").append(body());
}

size_t Message::serialized_size() const {
  // The same lines as serialize_to.
  size_t n = 2;
  if (is_request_) {
    n += method().size() + 1 + request_uri().size() + 1 + version().size();
  } else {
    n += version().size() + 1 + std::to_string(status_).size() + 1 + reason().size();
  }
  for (const auto& f : fields_) {
    n += (f.id == HeaderId::unknown ? view(f.name) : header_info(f.id).name).size();
    n += 2 + view(f.value).size() + 2;
  }
  return n + 2 + body().size();
}

std::string Message::serialize() const {
  std::string out;
  serialize_to(out);
  return out;
}

void MessageBuilder::set_request(Span method, Span uri, Span version) {
  msg_.is_request_ = true;
  msg_.start_[0] = method;
  msg_.start_[1] = uri;
  msg_.start_[2] = version;
}

void MessageBuilder::set_response(Span version, int status, Span reason) {
  msg_.is_request_ = false;
  msg_.start_[0] = version;
  msg_.status_ = status;
  msg_.start_[2] = reason;
}

}  // namespace sipcred::sip
