// Every message of RFC 4475 §3 and the complete messages of RFC 3261 §24, as files
// (tests/data/sip/, bytes and sources described in its README). For each message:
//  - what the expectations file (taken from the RFC's text) says of it holds for our parser and
//    validator;
//  - what sipcred's endpoint answers, end to end through Endpoint::on_message;
//  - valid messages survive split-at-every-byte stream feeding and parse -> serialize -> parse.
#include <gtest/gtest.h>

#include <map>

#include "service/endpoint.hpp"
#include "sip/headers.hpp"
#include "sip/name_addr.hpp"
#include "sip/parser.hpp"
#include "sip/response.hpp"
#include "sip/validate.hpp"
#include "support/files.hpp"

namespace sipcred::sip {
namespace {

constexpr int kDropped = -1;  // the datagram does not parse: nothing can be answered
constexpr int kSilent = 0;    // a response (or ACK): parsed, never answered

struct OurAnswer {
  int status;
  const char* why;  // where it differs from the RFC's suggestion for another kind of element
};

// What sipcred's endpoint (a UAS serving OPTIONS only, RFC 3261 §8.2 order: method inspection
// before header and content processing) answers to each RFC 4475 message.
const std::map<std::string, OurAnswer>& our_answers() {
  static const std::map<std::string, OurAnswer> m = {
      {"wsinv", {405, "INVITE is not served here"}},
      {"intmeth", {501, "unknown method"}},
      {"esc01", {405, "INVITE"}},
      {"escnull", {405, "REGISTER"}},
      {"esc02", {501, "RE%47IST%45R is not REGISTER"}},
      {"lwsdisp", {200, ""}},
      {"longreq", {405, "INVITE"}},
      {"dblreq", {405, "the REGISTER; the trailing bytes are discarded"}},
      {"semiuri", {200, ""}},
      {"transports", {200, ""}},
      {"mpart01", {405, "MESSAGE"}},
      {"unreason", {kSilent, ""}},
      {"noreason", {kSilent, ""}},
      {"badinv01", {400, ""}},
      {"clerr", {400, ""}},
      {"ncl", {400, ""}},
      {"scalar02", {400, ""}},
      {"scalarlg", {kSilent, "a response is discarded"}},
      {"quotbal", {400, ""}},
      {"ltgtruri", {400, ""}},
      {"lwsruri", {400, ""}},
      {"lwsstart", {400, ""}},
      {"trws", {400, ""}},
      {"escruri", {400, ""}},
      {"baddate",
       {405, "Date plays no part in serving this INVITE's answer; RFC 4475 allows ignoring it"}},
      {"regbadct", {400, ""}},
      {"badaspec", {400, ""}},
      {"baddn", {400, ""}},
      {"badvers", {505, ""}},
      {"mismatch01", {400, ""}},
      {"mismatch02", {400, "RFC 4475 accepts 400 or 501; the CSeq check comes first here"}},
      {"bigcode", {kDropped, "a response with an unparsable status is dropped"}},
      {"badbranch", {200, "stateless answer; RFC 4475 lets an element process it"}},
      {"insuf", {400, ""}},
      {"unkscm", {416, ""}},
      {"novelsc", {416, ""}},
      {"unksm2", {405, "the 400 of RFC 4475 is a registrar's; REGISTER is not served here"}},
      {"bext01", {420, ""}},
      {"invut", {405, "method inspection (RFC 3261 §8.2.1) precedes content (§8.2.3)"}},
      {"regaut01", {405, "REGISTER"}},
      {"multi01", {400, ""}},
      {"mcl01", {400, ""}},
      {"bcast", {kSilent, "a response"}},
      {"zeromf", {200, "Max-Forwards 0 matters to proxies only"}},
      {"cparam01", {405, "REGISTER"}},
      {"cparam02", {405, "REGISTER"}},
      {"regescrt", {405, "REGISTER"}},
      {"sdp01", {405, "INVITE: method inspection precedes Accept"}},
      {"inv2543",
       {400, "RFC 2543 compatibility is not kept: Max-Forwards is mandatory (RFC 3261 §8.1.1)"}},
  };
  return m;
}

struct Case {
  std::string folder, name, section, kind;
  int rfc_status;
  std::string note;
};

std::vector<Case> load(const std::string& folder) {
  std::vector<Case> out;
  for (const auto& row : test::read_tsv(test::data_dir() / "sip" / folder / "expectations.tsv")) {
    out.push_back({folder, row.at(0), row.at(1), row.at(2), std::stoi(row.at(3)), row.at(4)});
  }
  return out;
}

std::string bytes_of(const Case& c) {
  return test::read_file(test::data_dir() / "sip" / c.folder / (c.name + ".sip"));
}

// The answer our endpoint gives to one datagram, as (status, reason).
std::pair<int, std::string> answer(std::string_view datagram) {
  auto msg = parse_datagram(datagram);
  if (!msg) return {kDropped, msg.error().detail};
  service::Endpoint ep{service::EndpointConfig{.seed = 1}};
  auto outs =
      ep.on_message(*msg, service::Peer{"192.0.2.99", 5070, service::Transport::udp}, TimePoint{});
  if (outs.empty()) return {kSilent, ""};
  EXPECT_EQ(outs.size(), 1u);
  const service::Outgoing* out = &outs[0];
  auto resp = parse_datagram(out->bytes);
  EXPECT_TRUE(resp.has_value()) << "our own response does not parse: " << out->bytes;
  if (!resp) return {kDropped, ""};
  // A response to a well-formed request is well-formed; one to a malformed request echoes the
  // malformed headers it must copy (RFC 3261 §8.2.6.2), so only parsing is required of it.
  if (validate_request(*msg).ok()) {
    EXPECT_TRUE(validate_response(*resp).ok()) << out->bytes;
  }
  return {resp->status(), std::string{resp->reason()}};
}

// Feeds `bytes` to a stream parser in two pieces split at `at`; returns the message.
Result<Message> feed_split(std::string_view bytes, size_t at) {
  Parser p;
  std::string_view pieces[2] = {bytes.substr(0, at), bytes.substr(at)};
  for (auto piece : pieces) {
    while (!piece.empty()) {
      auto step = p.feed(piece);
      piece.remove_prefix(step.consumed);
      if (step.status == ParseStatus::done) return p.take();
      if (step.status == ParseStatus::invalid) return fail(Errc::parse, step.reason);
    }
  }
  return fail(Errc::parse, "stream ended before a whole message");
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.folder << "/" << c.name;
}

class Rfc4475 : public ::testing::TestWithParam<Case> {};
class Rfc3261 : public ::testing::TestWithParam<Case> {};

void check_valid_message(const Case& c) {
  std::string bytes = bytes_of(c);
  auto msg = parse_datagram(bytes);
  ASSERT_TRUE(msg.has_value()) << msg.error().detail;
  Verdict v = msg->is_request() ? validate_request(*msg) : validate_response(*msg);
  EXPECT_TRUE(v.ok()) << v.status << " " << v.reason;

  // parse -> serialize -> parse gives the same message.
  std::string wire = msg->serialize();
  EXPECT_EQ(msg->serialized_size(), wire.size());
  auto again = parse_datagram(wire);
  ASSERT_TRUE(again.has_value()) << again.error().detail << "\n" << wire;
  EXPECT_EQ(again->serialize(), wire);
  EXPECT_EQ(again->fields().size(), msg->fields().size());
  EXPECT_EQ(again->body(), msg->body());

  // Every split point of a stream gives the same message (only messages a stream can carry:
  // those with a Content-Length that frames them).
  if (msg->count(HeaderId::content_length) == 1 && msg->defect().empty()) {
    for (size_t at = 0; at <= bytes.size(); ++at) {
      auto s = feed_split(bytes, at);
      ASSERT_TRUE(s.has_value()) << "split at " << at << ": " << s.error().detail;
      ASSERT_EQ(s->serialize(), wire) << "split at " << at;
    }
  }
}

TEST_P(Rfc4475, ParserAndValidatorAgreeWithTheRfc) {
  const Case& c = GetParam();
  std::string bytes = bytes_of(c);
  ASSERT_FALSE(bytes.empty()) << "missing file for " << c.name;
  if (c.kind == "valid") {
    check_valid_message(c);
  } else if (c.kind == "frame") {
    // RFC 4475 "dblreq": one datagram, the message framed by its Content-Length, rest discarded.
    auto msg = parse_datagram(bytes);
    ASSERT_TRUE(msg.has_value());
    EXPECT_EQ(msg->method(), "REGISTER");
    EXPECT_TRUE(msg->body().empty());
    EXPECT_TRUE(validate_request(*msg).ok());
  } else {
    // invalid / lenient: whatever the RFC says to answer, the parser must not fail in a way that
    // loses the message, unless it cannot be framed or is a response with no valid status line.
    auto msg = parse_datagram(bytes);
    if (msg && msg->is_request() && c.rfc_status != 0 && c.kind == "invalid") {
      Verdict v = validate_request(*msg);
      const auto& ours = our_answers().at(c.name);
      // The statuses the validator itself gives (the others come from the endpoint's logic).
      bool validator_status = ours.status == 400 || ours.status == 416 || ours.status == 505;
      if (validator_status && ours.status == c.rfc_status) {
        EXPECT_EQ(v.status, c.rfc_status) << v.reason;
      }
    }
    if (msg && msg->is_response() && c.kind == "invalid") {
      // scalarlg: out-of-range values make the response invalid; bcast: well-formed.
      EXPECT_EQ(validate_response(*msg).ok(), c.name == "bcast") << c.name;
    }
  }
}

TEST_P(Rfc4475, EndpointAnswersAsExpected) {
  const Case& c = GetParam();
  const auto& ours = our_answers().at(c.name);
  if (ours.status != c.rfc_status && c.rfc_status != 0) {
    // Every departure from the RFC's suggested status is explained in the table.
    EXPECT_NE(std::string{ours.why}, "") << c.name;
  }
  auto [status, reason] = answer(bytes_of(c));
  EXPECT_EQ(status, ours.status) << c.name << ": " << reason;
  if (status >= 400) {
    EXPECT_FALSE(reason.empty());
  }
}

TEST_P(Rfc3261, ValidMessages) {
  check_valid_message(GetParam());
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string n = info.param.name;
  for (auto& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Corpus, Rfc4475, ::testing::ValuesIn(load("rfc4475")), case_name);
INSTANTIATE_TEST_SUITE_P(Corpus, Rfc3261, ::testing::ValuesIn(load("rfc3261")), case_name);

// Values the RFC 4475 text states for individual messages.
Message parse_file(const std::string& name) {
  auto m = parse_datagram(test::read_file(test::data_dir() / "sip/rfc4475" / (name + ".sip")));
  EXPECT_TRUE(m.has_value());
  return m ? std::move(*m) : Message{};
}

TEST(Rfc4475Details, WsinvUnfoldsAndTrims) {
  Message m = parse_file("wsinv");
  auto cseq = parse_cseq(*m.first(HeaderId::cseq));
  ASSERT_TRUE(cseq);
  EXPECT_EQ(cseq->number, 9u);
  EXPECT_EQ(cseq->method, "INVITE");
  EXPECT_EQ(*parse_uint(*m.first(HeaderId::max_forwards), 255), 68u);
  auto from = parse_name_addr(*m.first(HeaderId::from));
  ASSERT_TRUE(from);
  EXPECT_EQ(from->display(), "J Rosenberg \\\"");
  EXPECT_EQ(from->tag(), "98asjd8");
  auto to = parse_name_addr(*m.first(HeaderId::to));
  ASSERT_TRUE(to);
  EXPECT_EQ(to->tag(), "1918181833n");
  auto vias = m.all(HeaderId::via);
  ASSERT_GE(vias.size(), 2u);
  auto v1 = parse_via(vias[1]);
  ASSERT_TRUE(v1) << v1.error().detail;
  EXPECT_EQ(v1->transport, "TCP");
  EXPECT_EQ(v1->host.text, "spindle.example.com");
  EXPECT_EQ(m.first(HeaderId::subject), std::string_view{});
  EXPECT_EQ(m.body().size(), 150u);
}

TEST(Rfc4475Details, Esc01UnescapesUserParts) {
  Message m = parse_file("esc01");
  auto ruri = parse_uri(m.request_uri());
  ASSERT_TRUE(ruri);
  EXPECT_EQ(*unescape(ruri->user), "sips:user@example.com");
  EXPECT_EQ(ruri->host.text, "example.net");
  auto to = parse_name_addr(*m.first(HeaderId::to));
  EXPECT_EQ(*unescape(to->uri.user), "user");
  auto from = parse_name_addr(*m.first(HeaderId::from));
  EXPECT_EQ(*unescape(from->uri.user), "I have spaces");
}

TEST(Rfc4475Details, EscnullKeepsTheNul) {
  Message m = parse_file("escnull");
  auto to = parse_name_addr(*m.first(HeaderId::to));
  ASSERT_TRUE(to);
  EXPECT_EQ(*unescape(to->uri.user), std::string("null-\0-null", 11));
  auto contacts = m.all(HeaderId::contact);
  ASSERT_EQ(contacts.size(), 2u);
  auto c0 = parse_name_addr(contacts[0]);
  auto c1 = parse_name_addr(contacts[1]);
  EXPECT_FALSE(uri_equivalent(c0->uri, c1->uri));  // "%00" and "%00%00" are different users
}

TEST(Rfc4475Details, Esc02UnknownMethodAndHeader) {
  Message m = parse_file("esc02");
  EXPECT_EQ(m.method(), "RE%47IST%45R");
  EXPECT_EQ(m.count(HeaderId::contact), 2u);  // C%6Fntact is an unknown header
  EXPECT_TRUE(m.first("C%6Fntact").has_value());
}

TEST(Rfc4475Details, SemiuriUserHoldsTheSemicolon) {
  Message m = parse_file("semiuri");
  auto ruri = parse_uri(m.request_uri());
  ASSERT_TRUE(ruri);
  EXPECT_EQ(*unescape(ruri->user), "user;par=u@example.net");
  EXPECT_TRUE(ruri->params.empty());
  EXPECT_EQ(m.count(HeaderId::accept), 6u);  // one list over three folded lines
}

TEST(Rfc4475Details, TransportsAreTokens) {
  Message m = parse_file("transports");
  std::vector<std::string> transports;
  for (auto v : m.all(HeaderId::via)) transports.emplace_back(parse_via(v)->transport);
  EXPECT_EQ(transports, (std::vector<std::string>{"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"}));
}

TEST(Rfc4475Details, LongreqHas34Vias) {
  Message m = parse_file("longreq");
  EXPECT_EQ(m.count(HeaderId::via), 34u);
}

TEST(Rfc4475Details, Mpart01BodyFramedByContentLength) {
  Message m = parse_file("mpart01");
  EXPECT_EQ(m.body().size(), 553u);
}

TEST(Rfc4475Details, ContactParameterOwnership) {
  // cparam01: addr-spec form, the parameter is the header's; cparam02: inside <>, the URI's.
  // The views of a NameAddr point into its message: keep the messages alive.
  Message m1 = parse_file("cparam01"), m2 = parse_file("cparam02"), m3 = parse_file("regescrt");
  auto c1 = parse_name_addr(*m1.first(HeaderId::contact));
  ASSERT_TRUE(c1);
  EXPECT_TRUE(c1->params.has("unknownparam"));
  EXPECT_FALSE(c1->uri.params.has("unknownparam"));
  auto c2 = parse_name_addr(*m2.first(HeaderId::contact));
  ASSERT_TRUE(c2);
  EXPECT_TRUE(c2->uri.params.has("unknownparam"));
  EXPECT_FALSE(c2->params.has("unknownparam"));
  auto c3 = parse_name_addr(*m3.first(HeaderId::contact));
  ASSERT_TRUE(c3);
  EXPECT_EQ(*unescape(c3->uri.headers), "Route=<sip:sip.example.com>");
}

TEST(Rfc4475Details, Bext01ListsUnsupportedExtensions) {
  std::string bytes = test::read_file(test::data_dir() / "sip/rfc4475/bext01.sip");
  service::Endpoint ep{service::EndpointConfig{.seed = 1}};
  auto out = ep.on_message(*parse_datagram(bytes), {"192.0.2.99", 5060, service::Transport::udp},
                           TimePoint{});
  ASSERT_EQ(out.size(), 1u);
  auto resp = parse_datagram(out[0].bytes);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->all(HeaderId::unsupported),
            (std::vector<std::string_view>{"nothingSupportsThis", "nothingSupportsThisEither"}));
}

}  // namespace
}  // namespace sipcred::sip
