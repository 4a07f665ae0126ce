#include "mime/multipart.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "mime/base64.hpp"
#include "support/files.hpp"

namespace sipcred::mime {
namespace {

using namespace std::string_literals;

// A stored message split into its top-level Content-Type value and its body (the header is
// unfolded, RFC 5322 §2.2.3, and its field names compared case-insensitively).
struct Message {
  std::string content_type;
  std::string body;
};

Message read_message(const std::string& name) {
  std::string raw = test::read_file(test::data_dir() / "mime" / name);
  Message m;
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return m;
  std::string header = raw.substr(0, end + 2);
  m.body = raw.substr(end + 4);
  std::string unfolded;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header.compare(i, 2, "\r\n") == 0 && i + 2 < header.size() &&
        (header[i + 2] == ' ' || header[i + 2] == '\t')) {
      ++i;
      continue;
    }
    unfolded.push_back(header[i]);
  }
  size_t pos = 0;
  while (pos < unfolded.size()) {
    size_t eol = unfolded.find("\r\n", pos);
    std::string line = unfolded.substr(pos, eol - pos);
    pos = eol + 2;
    std::string lower;
    for (char c : line.substr(0, 13)) lower.push_back(static_cast<char>(std::tolower(c)));
    if (lower == "content-type:") {
      size_t b = line.find_first_not_of(" \t", 13);
      m.content_type = line.substr(b);
    }
  }
  return m;
}

std::string bytes_of(const std::vector<uint8_t>& v) {
  return {v.begin(), v.end()};
}

Part part(std::string type, std::string body, std::string encoding = "") {
  Part p;
  p.content_type = std::move(type);
  p.transfer_encoding = std::move(encoding);
  p.body = std::move(body);
  return p;
}

// Every byte value, and the sequences a multipart parser could trip on.
std::string awkward_binary() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  s += "\r\n\r\n--\r\n--\r--\n\0\0--"s;
  s += "\r\n--gc0pJq0M:08jU534c0";        // the RFC 2046 example boundary minus its last character
  s += "\r\n--gc0pJq0M:08jU534c0px\r\n";  // a longer line that starts with --boundary: not a
                                          // delimiter
  s += "\r";                              // ends in CR: the delimiter's CRLF must still be found
  return s;
}

// ---- base64 (RFC 2045 §6.8, RFC 4648) ----

TEST(MultipartBase64, Rfc4648TestVectors) {
  // RFC 4648 §10.
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(MultipartBase64, LinesOf76AndTransportWhiteSpace) {
  std::string data(100, '\xff');
  std::string text = base64_encode(data);
  // RFC 2045 §6.8: lines of at most 76 characters; 100 bytes are 136 characters.
  EXPECT_EQ(text.find("\r\n"), 76u);
  EXPECT_EQ(text.size(), 136u + 2);
  EXPECT_EQ(*base64_decode(text), data);
  EXPECT_EQ(*base64_decode(" Zm9v\r\nYmFy \t\r\n"), "foobar");
  EXPECT_EQ(base64_encode(data, 0).find('\r'), std::string::npos);
}

TEST(MultipartBase64, RefusesInvalidCharactersAndBadPadding) {
  for (const char* bad : {"Zm9v!", "Zm9v-_", "Zm9v\x80", "Zm.9"}) {
    auto r = base64_decode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().detail, "invalid character in base64 text") << bad;
  }
  EXPECT_FALSE(base64_decode("Zm9v\0"s));
  // Missing, extra or misplaced "=", a lone sextet, non-zero discarded bits (RFC 4648 §3.5).
  for (const char* bad :
       {"Zg", "Zg=", "Zg===", "Zm8", "Z", "Z===", "=", "Zg==Zg==", "Zm=9", "Zh==", "Zm9="}) {
    auto r = base64_decode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().detail, "bad base64 padding") << bad;
  }
}

// ---- parsing ----

TEST(MultipartParse, Rfc2046Section511Example) {
  // RFC 2046 §5.1.1: preamble and epilogue ignored; part 1 has no header and does not end with a
  // line break; part 2 is explicitly typed and does.
  Message m = read_message("rfc2046-5.1.1-example.eml");
  ASSERT_EQ(m.content_type, "multipart/mixed; boundary=\"simple boundary\"");
  auto parts = parse_multipart(m.body, m.content_type);
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].content_type, "");
  EXPECT_TRUE((*parts)[0].other_headers.empty());
  EXPECT_EQ((*parts)[0].body,
            "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.");
  EXPECT_EQ((*parts)[1].content_type, "text/plain; charset=us-ascii");
  EXPECT_EQ((*parts)[1].body,
            "This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n");
}

TEST(MultipartParse, CrlfBeforeTheDelimiterBelongsToTheDelimiter) {
  // RFC 2046 §5.1.1: "the CRLF preceding the boundary delimiter line is conceptually attached to
  // the boundary", so a body that ends in CRLF is written with two.
  std::string body = "--b\r\n\r\nline\r\n\r\n--b\r\n\r\nno line break\r\n--b--";
  auto parts = parse_multipart(body, "multipart/mixed;boundary=b");
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].body, "line\r\n");
  EXPECT_EQ((*parts)[1].body, "no line break");
}

TEST(MultipartParse, TransportPaddingPreambleAndEpilogue) {
  std::string body =
      "preamble --b\r\n--b is not at the start of this line\r\n"
      "--b \t \r\n"  // transport padding after the boundary (RFC 2046 §5.1.1)
      "\r\none\r\n"
      "--b\t\r\n"
      "\r\ntwo\r\n"
      "--b-- \t\r\n"
      "epilogue\r\n--b\r\n\r\nnot a part\r\n--b--\r\n";
  auto parts = parse_multipart(body, "multipart/mixed; boundary=b");
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].body, "one");
  EXPECT_EQ((*parts)[1].body, "two");
}

TEST(MultipartParse, ALongerLineStartingWithTheBoundaryIsNotADelimiter) {
  std::string body = "--b\r\n\r\nx\r\n--bb\r\n--b-x\r\n--b --\r\n--b--x\r\ny\r\n--b--";
  auto parts = parse_multipart(body, "multipart/mixed;boundary=b");
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].body, "x\r\n--bb\r\n--b-x\r\n--b --\r\n--b--x\r\ny");
}

TEST(MultipartParse, CloseDelimiterMayEndTheBody) {
  auto parts = parse_multipart("--b\r\n\r\nx\r\n--b--", "multipart/mixed;boundary=b");
  ASSERT_TRUE(parts);
  EXPECT_EQ((*parts)[0].body, "x");
}

TEST(MultipartParse, FoldedCaseInsensitiveHeadersKeptInOrder) {
  std::string body =
      "--b\r\n"
      "content-TYPE:\r\n application/pkix-cert\r\n"
      "X-First: 1\r\n"
      "CONTENT-DISPOSITION : signal;\r\n\thandling=required\r\n"
      "content-id: <c1@example.com>\r\n"
      "X-Second:two  \r\n"
      "Content-Transfer-Encoding: Binary\r\n"
      "MIME-Version: 1.0\r\n"
      "\r\n"
      "DER\r\n"
      "--b--\r\n";
  auto parts = parse_multipart(body, "Multipart/Mixed;Boundary=b");
  ASSERT_TRUE(parts) << parts.error().message();
  const Part& p = parts->at(0);
  EXPECT_EQ(p.content_type, "application/pkix-cert");
  EXPECT_EQ(p.disposition, "signal;\thandling=required");  // unfolding keeps the white space
  EXPECT_EQ(p.content_id, "<c1@example.com>");
  EXPECT_EQ(p.transfer_encoding, "Binary");
  using H = std::pair<std::string, std::string>;
  EXPECT_EQ(p.other_headers,
            (std::vector<H>{{"X-First", "1"}, {"X-Second", "two"}, {"MIME-Version", "1.0"}}));
  EXPECT_EQ(p.body, "DER");
}

TEST(MultipartParse, QuotedTokenAndLongestBoundaries) {
  const std::string b70(70, 'z');
  const std::pair<std::string, std::string> cases[] = {
      {"multipart/mixed;boundary=\"gc0pJq0M:08jU534c0p\"", "gc0pJq0M:08jU534c0p"},  // RFC 2046
      {"multipart/mixed; boundary=\"simple boundary\"", "simple boundary"},
      {"multipart/mixed;boundary=token-boundary", "token-boundary"},
      {"multipart/mixed;boundary=\"'()+_,-./:=?\"", "'()+_,-./:=?"},  // every bchars symbol
      {"multipart/mixed;boundary=" + b70, b70},
      {"multipart/alternative;boundary=x", "x"},  // RFC 2046 §5.1.7: any subtype parses as mixed
  };
  for (const auto& [type, boundary] : cases) {
    std::string body = "--" + boundary + "\r\n\r\nbody\r\n--" + boundary + "--";
    auto parts = parse_multipart(body, type);
    ASSERT_TRUE(parts) << type << ": " << parts.error().message();
    EXPECT_EQ((*parts)[0].body, "body") << type;
  }
}

TEST(MultipartParse, EmptyAndHeaderOnlyParts) {
  std::string body =
      "--b\r\n"
      "\r\n--b\r\n"                          // no headers, no body
      "\r\n\r\n--b\r\n"                      // no headers, empty body
      "Content-Type: a/b\r\n\r\n--b\r\n"     // headers only, no empty line
      "Content-Type: c/d\r\n\r\n\r\n--b--";  // headers, empty line, empty body
  auto parts = parse_multipart(body, "multipart/mixed;boundary=b");
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 4u);
  EXPECT_EQ((*parts)[0], Part{});
  EXPECT_EQ((*parts)[1], Part{});
  EXPECT_EQ((*parts)[2], part("a/b", ""));
  EXPECT_EQ((*parts)[3], part("c/d", ""));
}

TEST(MultipartParse, Base64PartsAreDecoded) {
  std::string body =
      "--b\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "Zm9v\r\nYmFy\r\n"
      "--b\r\nContent-Transfer-Encoding: BASE64\r\n\r\n\r\n"
      "--b\r\nContent-Transfer-Encoding: 8bit\r\n\r\nZm9v\r\n"
      "--b--";
  auto parts = parse_multipart(body, "multipart/mixed;boundary=b");
  ASSERT_TRUE(parts) << parts.error().message();
  EXPECT_EQ((*parts)[0].body, "foobar");
  EXPECT_EQ((*parts)[0].transfer_encoding, "base64");
  EXPECT_EQ((*parts)[1].body, "");
  EXPECT_EQ((*parts)[2].body, "Zm9v");
}

TEST(MultipartParse, LimitsAreInclusive) {
  Limits limits{.max_parts = 2, .max_part_size = 4, .max_header_bytes = 20};
  // "X: 1234567890123\r\n" is 18 bytes, and the empty line makes 20.
  std::string at_limit = "--b\r\n\r\n1234\r\n--b\r\nX: 1234567890123\r\n\r\n1234\r\n--b--";
  auto parts = parse_multipart(at_limit, "multipart/mixed;boundary=b", limits);
  ASSERT_TRUE(parts) << parts.error().message();
  EXPECT_EQ(parts->size(), 2u);
}

TEST(MultipartParse, EveryTruncationFailsCleanly) {
  Message m = read_message("rfc2046-5.1.1-example.eml");
  const size_t close_end = m.body.find("--simple boundary--") + 19;
  for (size_t n = 0; n < m.body.size(); ++n) {
    auto parts = parse_multipart(std::string_view{m.body}.substr(0, n), m.content_type);
    // Complete once the close delimiter is; a lone CR after it is not a line end, so that one
    // prefix fails too (RFC 2046 §5.1.1: close-delimiter transport-padding [CRLF epilogue]).
    bool complete = n >= close_end && n != close_end + 1;
    EXPECT_EQ(static_cast<bool>(parts), complete) << "prefix of " << n << " bytes";
  }
}

struct ErrorCase {
  const char* what;
  std::string content_type;
  std::string body;
  Limits limits;
  Errc code;
  std::string detail;
};

TEST(MultipartParse, EveryErrorSaysWhatWasWrong) {
  const std::string ok_body = "--b\r\n\r\nx\r\n--b--";
  const std::string b71(71, 'a');
  const Limits d{};
  std::string nine_parts = "--b\r\n";
  for (int i = 0; i < 9; ++i) nine_parts += "\r\npart\r\n--b" + std::string{i == 8 ? "--" : "\r\n"};
  const ErrorCase cases[] = {
      {"missing close delimiter", "multipart/mixed;boundary=b", "--b\r\n\r\nx\r\n--b\r\n\r\ny", d,
       Errc::parse, "multipart body has no close delimiter"},
      {"close delimiter without its CRLF", "multipart/mixed;boundary=b", "--b\r\n\r\nx--b--", d,
       Errc::parse, "multipart body has no close delimiter"},
      {"boundary too long", "multipart/mixed;boundary=" + b71, ok_body, d, Errc::parse,
       "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"},
      {"empty boundary", "multipart/mixed;boundary=\"\"", ok_body, d, Errc::parse,
       "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"},
      {"boundary ends in a space", "multipart/mixed;boundary=\"b \"", ok_body, d, Errc::parse,
       "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"},
      {"boundary outside bchars", "multipart/mixed;boundary=\"a@b\"", ok_body, d, Errc::parse,
       "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"},
      {"no boundary parameter", "multipart/mixed", ok_body, d, Errc::parse,
       "multipart Content-Type has no boundary parameter"},
      {"boundary without value", "multipart/mixed;boundary", ok_body, d, Errc::parse,
       "multipart Content-Type has no boundary parameter"},
      {"two boundaries", "multipart/mixed;boundary=b;BOUNDARY=c", ok_body, d, Errc::parse,
       "multipart Content-Type has more than one boundary parameter"},
      {"not multipart", "application/pkix-cert", ok_body, d, Errc::parse,
       "Content-Type is not multipart"},
      {"not a media type", "multipart", ok_body, d, Errc::parse,
       "Content-Type: malformed media type"},
      {"no opening delimiter", "multipart/mixed;boundary=b", "x--b\r\n\r\nx\r\n--bb--", d,
       Errc::parse, "multipart body has no opening delimiter"},
      {"no body parts", "multipart/mixed;boundary=b", "preamble\r\n--b--\r\n", d, Errc::parse,
       "multipart body has no body parts"},
      {"too many parts", "multipart/mixed;boundary=b", nine_parts, d, Errc::limit,
       "more than 8 body parts"},
      {"part too large", "multipart/mixed;boundary=b", "--b\r\n\r\n12345\r\n--b--",
       Limits{.max_part_size = 4}, Errc::limit, "body part 1: larger than 4 bytes"},
      {"header too large", "multipart/mixed;boundary=b",
       "--b\r\n\r\nx\r\n--b\r\nX: 12345678901234\r\n\r\n\r\n--b--", Limits{.max_header_bytes = 20},
       Errc::limit, "body part 2: header section larger than 20 bytes"},
      {"header never ends", "multipart/mixed;boundary=b", "--b\r\nX: 1\r\nbody\r\n--b--", d,
       Errc::parse, "body part 1: header section not ended by an empty line"},
      {"bare LF in the header section", "multipart/mixed;boundary=b",
       "--b\r\nX: 1\nY: 2\r\n\r\n\r\n--b--", d, Errc::parse,
       "body part 1: bare CR or LF in the header section"},
      {"continuation first", "multipart/mixed;boundary=b", "--b\r\n X: 1\r\n\r\n\r\n--b--", d,
       Errc::parse, "body part 1: continuation line before the first header"},
      {"header without colon", "multipart/mixed;boundary=b", "--b\r\nX 1\r\n\r\n\r\n--b--", d,
       Errc::parse, "body part 1: header line without ':'"},
      {"invalid header name", "multipart/mixed;boundary=b", "--b\r\nBad Name: 1\r\n\r\n\r\n--b--",
       d, Errc::parse, "body part 1: invalid header name 'Bad Name'"},
      {"empty header name", "multipart/mixed;boundary=b", "--b\r\n: 1\r\n\r\n\r\n--b--", d,
       Errc::parse, "body part 1: invalid header name ''"},
      {"two Content-Types", "multipart/mixed;boundary=b",
       "--b\r\nContent-Type: a/b\r\ncontent-type: c/d\r\n\r\n\r\n--b--", d, Errc::parse,
       "body part 1: more than one Content-Type header"},
      {"bad base64 character", "multipart/mixed;boundary=b",
       "--b\r\n\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\nZm9v*\r\n--b--", d,
       Errc::parse, "body part 2: invalid character in base64 text"},
      {"bad base64 padding", "multipart/mixed;boundary=b",
       "--b\r\nContent-Transfer-Encoding: base64\r\n\r\nZm9vY\r\n--b--", d, Errc::parse,
       "body part 1: bad base64 padding"},
      {"unknown transfer encoding", "multipart/mixed;boundary=b",
       "--b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=41\r\n--b--", d, Errc::parse,
       "body part 1: unsupported Content-Transfer-Encoding 'quoted-printable'"},
      {"empty transfer encoding", "multipart/mixed;boundary=b",
       "--b\r\nContent-Transfer-Encoding:\r\n\r\nx\r\n--b--", d, Errc::parse,
       "body part 1: unsupported Content-Transfer-Encoding ''"},
  };
  for (const auto& c : cases) {
    auto r = parse_multipart(c.body, c.content_type, c.limits);
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().detail, c.detail) << c.what;
    EXPECT_EQ(r.error().code, c.code) << c.what;
  }
}

// ---- building ----

TEST(MultipartBuild, ExactBytes) {
  Part a = part("application/pkix-cert", "DER\r\n", "binary");
  a.disposition = "signal";
  a.content_id = "<a@example.com>";
  a.other_headers = {{"X-Note", "first"}};
  Part b;  // no headers at all
  b.body = "plain";
  const Part parts[] = {a, b};
  auto built = build_multipart(parts, "xyz");
  ASSERT_TRUE(built) << built.error().message();
  // RFC 2046 §5.1.1: dash-boundary CRLF body-part, then CRLF "--" boundary before each next
  // part, and the close delimiter. CRLF line ends throughout.
  EXPECT_EQ(*built,
            "--xyz\r\n"
            "Content-Type: application/pkix-cert\r\n"
            "Content-Disposition: signal\r\n"
            "Content-ID: <a@example.com>\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            "X-Note: first\r\n"
            "\r\n"
            "DER\r\n"
            "\r\n--xyz\r\n"
            "\r\n"
            "plain"
            "\r\n--xyz--\r\n");
}

TEST(MultipartBuild, BinaryBodiesRoundTrip) {
  const std::string binary = awkward_binary();
  const std::string boundary = "gc0pJq0M:08jU534c0p";
  const Part parts[] = {
      part("application/octet-stream", binary, "binary"),
      part("application/octet-stream", binary, "base64"),
      part("", std::string(1, '\0')),
      part("text/plain", ""),
      part("application/octet-stream", "\r\n"),
  };
  auto built = build_multipart(parts, boundary);
  ASSERT_FALSE(built);  // the awkward body holds "--gc0pJq0M:08jU534c0px": the boundary occurs
  EXPECT_EQ(built.error().detail, "body part 1: the boundary occurs in the part");

  auto fresh = build_multipart_fresh(parts);
  ASSERT_TRUE(fresh) << fresh.error().message();
  EXPECT_EQ(fresh->content_type, "multipart/mixed;boundary=" + fresh->boundary);
  auto back = parse_multipart(fresh->body, fresh->content_type);
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_EQ(back->size(), std::size(parts));
  for (size_t i = 0; i < back->size(); ++i) EXPECT_EQ((*back)[i], parts[i]) << "part " << i + 1;
}

TEST(MultipartBuild, BoundaryLookalikesRoundTrip) {
  // The bodies hold everything that looks like a delimiter but the boundary itself.
  const std::string boundary = "simple boundary";
  const Part parts[] = {
      part("text/plain",
           "--simple boundar\r\n--simple\r\n-- simple boundar y\r\n--Simple Boundary\r\n"),
      part("text/plain", "\r\n--\r\n--\r\n"),
  };
  auto built = build_multipart(parts, boundary);
  ASSERT_TRUE(built) << built.error().message();
  auto back = parse_multipart(*built, multipart_content_type(boundary));
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0], parts[0]);
  EXPECT_EQ((*back)[1], parts[1]);
}

TEST(MultipartBuild, RefusesWhatCannotBeWritten) {
  const Part ok[] = {part("a/b", "x")};
  struct Case {
    const char* what;
    std::vector<Part> parts;
    std::string boundary;
    std::string detail;
  };
  Part crlf_value = part("a/b\r\nX-Injected: 1", "x");
  Part known_twice = part("a/b", "x");
  known_twice.other_headers = {{"content-type", "c/d"}};
  Part bad_name = part("a/b", "x");
  bad_name.other_headers = {{"X Y", "1"}};
  Part lf_other = part("a/b", "x");
  lf_other.other_headers = {{"X-Y", "1\n2"}};
  const Case cases[] = {
      {"no parts", {}, "b", "no body parts"},
      {"empty boundary",
       {ok[0]},
       "",
       "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"},
      {"boundary too long",
       {ok[0]},
       std::string(71, 'b'),
       "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"},
      {"CRLF in boundary",
       {ok[0]},
       "b\r\n",
       "boundary must be 1 to 70 characters of RFC 2046 bchars, not ending in a space"},
      {"collision",
       {part("a/b", "x\r\n--b\r\ny")},
       "b",
       "body part 1: the boundary occurs in the part"},
      {"collision in a header",
       {ok[0], part("a/b;p=bound", "x")},
       "bound",
       "body part 2: the boundary occurs in the part"},
      {"CR LF in a value",
       {crlf_value},
       "b",
       "body part 1: CR or LF in the value of header 'Content-Type'"},
      {"LF in another value",
       {lf_other},
       "b",
       "body part 1: CR or LF in the value of header 'X-Y'"},
      {"known header twice", {known_twice}, "b", "body part 1: header 'content-type' set twice"},
      {"bad header name", {bad_name}, "b", "body part 1: invalid header name 'X Y'"},
      {"unknown encoding",
       {part("a/b", "x", "quoted-printable")},
       "b",
       "body part 1: unsupported Content-Transfer-Encoding 'quoted-printable'"},
  };
  for (const auto& c : cases) {
    auto r = build_multipart(c.parts, c.boundary);
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << c.what;
    EXPECT_EQ(r.error().detail, c.detail) << c.what;
  }
}

TEST(MultipartBuild, RandomBoundaries) {
  std::string a = make_boundary();
  std::string b = make_boundary();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), kGeneratedBoundaryLength);
  EXPECT_TRUE(is_valid_boundary(a));
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << a;
  EXPECT_EQ(multipart_content_type("simple boundary"),
            "multipart/mixed;boundary=\"simple boundary\"");
  EXPECT_EQ(multipart_content_type("abc", "alternative"), "multipart/alternative;boundary=abc");
  EXPECT_EQ(multipart_content_type("a:b"), "multipart/mixed;boundary=\"a:b\"");
}

// ---- interop: bodies made by other implementations ----

TEST(MultipartInterop, PythonEmailCredential) {
  // Made by Python's email package (tests/data/mime/README.md): base64 parts, "=" in the boundary,
  // MIME-Version headers in the parts.
  Message m = read_message("python-email-credential.eml");
  auto parts = parse_multipart(m.body, m.content_type);
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].content_type, "application/pkix-cert");
  EXPECT_EQ((*parts)[0].disposition, "signal");
  EXPECT_EQ((*parts)[0].transfer_encoding, "base64");
  EXPECT_EQ((*parts)[0].body, test::read_file(test::data_dir() / "mime/interop-cert.der"));
  EXPECT_EQ((*parts)[1].body, test::read_file(test::data_dir() / "mime/interop-key.p8.der"));
}

TEST(MultipartInterop, OpensslSmimeSigned) {
  // `openssl smime -sign`: multipart/signed, a boundary starting with "----", base64 lines ended
  // by bare LF. The signature part must decode to the DER that openssl itself extracts.
  Message m = read_message("openssl-smime-signed.eml");
  auto parts = parse_multipart(m.body, m.content_type);
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].content_type, "text/plain");
  EXPECT_EQ((*parts)[0].body, "sipcred interop content\r\nsecond line\r\n");
  EXPECT_EQ((*parts)[1].content_type, "application/x-pkcs7-signature; name=\"smime.p7s\"");
  EXPECT_EQ((*parts)[1].body,
            test::read_file(test::data_dir() / "mime/openssl-smime-signed.p7s.der"));
}

// ---- the credential body (draft-ietf-sip-certs-06 §7.5, §7.9) ----

TEST(MimeBodyCredential, BuildsTheSeedsBody) {
  // REQ-PART CRED-4 PUB-2: multipart/mixed, application/pkix-cert + application/pkcs8, each with
  // Content-Disposition: signal and binary transfer encoding.
  const std::string cert = test::read_file(test::data_dir() / "certs/good.der");
  const std::string key = test::read_file(test::data_dir() / "certs/good-aes.p8.der");
  std::vector<uint8_t> cert_der(cert.begin(), cert.end()), key_der(key.begin(), key.end());
  std::string type;
  std::string body = build_credential_body(cert_der, key_der, type);
  ASSERT_EQ(type.rfind("multipart/mixed;boundary=", 0), 0u) << type;

  auto parts = parse_multipart(body, type);
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 2u);
  Part want_cert = part("application/pkix-cert", cert, "binary");
  want_cert.disposition = "signal";
  Part want_key = part("application/pkcs8", key, "binary");
  want_key.disposition = "signal";
  EXPECT_EQ((*parts)[0], want_cert);
  EXPECT_EQ((*parts)[1], want_key);

  auto cred = parse_credential_body(body, type);
  ASSERT_TRUE(cred) << cred.error().message();
  EXPECT_EQ(cred->cert_der, cert_der);
  ASSERT_TRUE(cred->pkcs8_der);
  EXPECT_EQ(*cred->pkcs8_der, key_der);

  // Without a key, only the certificate part.
  body = build_credential_body(cert_der, {}, type);
  cred = parse_credential_body(body, type);
  ASSERT_TRUE(cred) << cred.error().message();
  EXPECT_EQ(cred->cert_der, cert_der);
  EXPECT_FALSE(cred->pkcs8_der);
}

TEST(MimeBodyCredential, ReadsPythonsBodyAndEitherOrder) {
  // REQ-PART PUB-2
  Message m = read_message("python-email-credential.eml");
  auto cred = parse_credential_body(m.body, m.content_type);
  ASSERT_TRUE(cred) << cred.error().message();
  EXPECT_EQ(bytes_of(cred->cert_der), test::read_file(test::data_dir() / "mime/interop-cert.der"));
  ASSERT_TRUE(cred->pkcs8_der);
  EXPECT_EQ(bytes_of(*cred->pkcs8_der),
            test::read_file(test::data_dir() / "mime/interop-key.p8.der"));

  const Part key_first[] = {part("application/pkcs8", "KEY"),
                            part("Application/PKIX-Cert; x=1", "CERT")};
  auto built = build_multipart(key_first, "b");
  ASSERT_TRUE(built);
  cred = parse_credential_body(*built, "multipart/mixed;boundary=b");
  ASSERT_TRUE(cred) << cred.error().message();
  EXPECT_EQ(bytes_of(cred->cert_der), "CERT");
  EXPECT_EQ(bytes_of(*cred->pkcs8_der), "KEY");
}

TEST(MimeBodyCredential, BareCertificate) {
  // REQ-PART PUB-2: "When publishing just a certificate, the body contains an
  // application/pkix-cert" (§7.9).
  auto cred = parse_credential_body("\x30\x03\x02\x01\x00"s, "application/pkix-cert");
  ASSERT_TRUE(cred) << cred.error().message();
  EXPECT_EQ(cred->cert_der.size(), 5u);
  EXPECT_FALSE(cred->pkcs8_der);
  auto empty = parse_credential_body("", "application/pkix-cert");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().detail, "empty application/pkix-cert body");
}

TEST(MimeBodyCredential, RefusalsSayWhy) {
  auto body_of = [](std::vector<Part> parts) { return *build_multipart(parts, "b"); };
  const std::string type = "multipart/mixed;boundary=b";
  struct Case {
    const char* what;
    std::string body;
    std::string type;
    std::string detail;
  };
  const Case cases[] = {
      {"two certificates",
       body_of({part("application/pkix-cert", "A"), part("application/pkix-cert", "B")}), type,
       "body part 2: second application/pkix-cert part"},
      {"two keys",
       body_of({part("application/pkcs8", "A"), part("application/pkix-cert", "C"),
                part("application/pkcs8", "B")}),
       type, "body part 3: second application/pkcs8 part"},
      {"unknown part type",
       body_of({part("application/pkix-cert", "A"), part("application/pkcs7-mime", "B")}), type,
       "body part 2: unexpected type application/pkcs7-mime; expected application/pkix-cert or "
       "application/pkcs8"},
      {"untyped part", body_of({part("application/pkix-cert", "A"), part("", "B")}), type,
       "body part 2: missing Content-Type"},
      {"malformed part type", body_of({part("application", "A")}), type,
       "body part 1: Content-Type: malformed media type"},
      {"missing certificate", body_of({part("application/pkcs8", "K")}), type,
       "credential body has no application/pkix-cert part"},
      {"empty certificate", body_of({part("application/pkix-cert", "")}), type,
       "body part 1: empty application/pkix-cert part"},
      {"empty key", body_of({part("application/pkix-cert", "C"), part("application/pkcs8", "")}),
       type, "body part 2: empty application/pkcs8 part"},
      {"wrong outer type", body_of({part("application/pkix-cert", "A")}),
       "multipart/signed;boundary=b",
       "credential body must be application/pkix-cert or multipart/mixed"},
      {"outer type is no media type", "x", "pkix-cert", "Content-Type: malformed media type"},
      {"multipart errors pass through", "--b\r\n\r\nx", type,
       "multipart body has no close delimiter"},
  };
  for (const auto& c : cases) {
    auto r = parse_credential_body(c.body, c.type);
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().detail, c.detail) << c.what;
  }
}

}  // namespace
}  // namespace sipcred::mime
