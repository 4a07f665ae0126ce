#include "mime/base64.hpp"

#include <array>
#include <cstdint>

namespace sipcred::mime {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";  // RFC 4648 Table 1

constexpr int8_t kSkip = -2;  // transport white space
constexpr int8_t kPad = -3;
constexpr int8_t kBad = -1;

constexpr std::array<int8_t, 256> make_decode_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = kBad;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  t['\r'] = t['\n'] = t[' '] = t['\t'] = kSkip;
  t['='] = kPad;
  return t;
}
constexpr std::array<int8_t, 256> kDecode = make_decode_table();

}  // namespace

std::string base64_encode(std::string_view data, size_t line_length) {
  std::string out;
  size_t chars = (data.size() + 2) / 3 * 4;
  out.reserve(chars + (line_length ? chars / line_length * 2 : 0));
  size_t on_line = 0;
  auto put = [&](char c) {
    if (line_length != 0 && on_line == line_length) {
      out += "\r\n";
      on_line = 0;
    }
    out.push_back(c);
    ++on_line;
  };
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(data[i])) << 16 |
                 static_cast<uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8 |
                 static_cast<unsigned char>(data[i + 2]);
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put(kAlphabet[(v >> 6) & 63]);
    put(kAlphabet[v & 63]);
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (rest == 2) v |= static_cast<uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    put('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  size_t sextets = 0;  // alphabet characters seen
  size_t pads = 0;
  for (char c : text) {
    int8_t v = kDecode[static_cast<unsigned char>(c)];
    if (v == kSkip) continue;
    if (v == kBad) return fail(Errc::parse, "invalid character in base64 text");
    if (v == kPad) {
      ++pads;
      continue;
    }
    if (pads != 0) return fail(Errc::parse, "bad base64 padding");  // data after "="
    acc = (acc << 6) | static_cast<uint32_t>(v);
    if (++sextets % 4 == 0) {
      out.push_back(static_cast<char>((acc >> 16) & 0xff));
      out.push_back(static_cast<char>((acc >> 8) & 0xff));
      out.push_back(static_cast<char>(acc & 0xff));
      acc = 0;
    }
  }
  // A final group of 2 or 3 characters carries 1 or 2 bytes and needs 2 or 1 "=" (RFC 4648 §4).
  size_t tail = sextets % 4;
  size_t want_pads = tail == 0 ? 0 : 4 - tail;
  if (tail == 1 || pads != want_pads) return fail(Errc::parse, "bad base64 padding");
  if (tail == 2) {
    if ((acc & 0x0f) != 0) return fail(Errc::parse, "bad base64 padding");
    out.push_back(static_cast<char>((acc >> 4) & 0xff));
  } else if (tail == 3) {
    if ((acc & 0x03) != 0) return fail(Errc::parse, "bad base64 padding");
    out.push_back(static_cast<char>((acc >> 10) & 0xff));
    out.push_back(static_cast<char>((acc >> 2) & 0xff));
  }
  return out;
}

namespace {
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int url_sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}
}  // namespace

std::string base64url_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(data[k])); };
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kUrlAlphabet[v >> 18];
    out += kUrlAlphabet[(v >> 12) & 63];
    out += kUrlAlphabet[(v >> 6) & 63];
    out += kUrlAlphabet[v & 63];
  }
  if (data.size() - i == 1) {
    uint32_t v = byte(i) << 16;
    out += kUrlAlphabet[v >> 18];
    out += kUrlAlphabet[(v >> 12) & 63];
  } else if (data.size() - i == 2) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    out += kUrlAlphabet[v >> 18];
    out += kUrlAlphabet[(v >> 12) & 63];
    out += kUrlAlphabet[(v >> 6) & 63];
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  // RFC 7515 §2: no padding, no white space; a length of 1 mod 4 cannot come from any data, and
  // the bits past the data must be zero (one text per value, RFC 4648 §3.5).
  if (text.size() % 4 == 1) return fail(Errc::parse, "bad base64url length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = url_sextet(c);
    if (v < 0) return fail(Errc::parse, "invalid character in base64url text");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return fail(Errc::parse, "non-canonical base64url text");
  return out;
}

}  // namespace sipcred::mime
