// RFC 3261 §17 machines driven in virtual time: every timer path of Figures 6, 7 and 8 with the
// Table 4 defaults (T1 500 ms, T2 4 s, T4 5 s).
#include "sip/transaction/transaction.hpp"

#include <gtest/gtest.h>

#include "sip/parser.hpp"

namespace sipcred::sip::txn {
namespace {

using std::chrono::milliseconds;

TimePoint at(double seconds) {
  return TimePoint{milliseconds{static_cast<int64_t>(seconds * 1000)}};
}
double secs(TimePoint t) {
  return static_cast<double>(t.time_since_epoch().count()) / 1000.0;
}

Message response(int status) {
  std::string text =
      "SIP/2.0 " + std::to_string(status) +
      " X\r\nVia: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\nTo: <sip:b@b.example>;tag=2\r\n"
      "From: <sip:a@a.example>;tag=1\r\nCall-ID: c\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n";
  return *parse_datagram(text);
}

// Runs a machine's timers until it has none, recording when it sent and timed out.
template <class M>
void run_timers(M& m, std::vector<double>& sends, std::optional<double>& timeout,
                double until = 1e9) {
  while (auto d = m.next_deadline()) {
    if (secs(*d) > until) break;
    for (auto& a : m.on_timer(*d)) {
      if (std::holds_alternative<Send>(a)) sends.push_back(secs(*d));
      if (std::holds_alternative<TimedOut>(a)) timeout = secs(*d);
    }
  }
}

// "A NOTIFY over UDP never answered: retransmit at 0.5, 1, 2, 4, 4... s intervals, give up at
// 32 s" (Timer E doubling to T2, Timer F = 64*T1).
TEST(NonInviteClient, UdpNeverAnswered) {
  NonInviteClient c{"NOTIFY ...", false, at(0)};
  ASSERT_EQ(c.start().size(), 1u);
  std::vector<double> sends;
  std::optional<double> timeout;
  run_timers(c, sends, timeout);
  EXPECT_EQ(sends, (std::vector<double>{0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5}));
  EXPECT_EQ(timeout, 32.0);
  EXPECT_EQ(c.state(), NonInviteClient::State::terminated);
}

TEST(NonInviteClient, UdpProvisionalThenFinal) {
  NonInviteClient c{"SUBSCRIBE ...", false, at(0)};
  c.start();
  std::vector<double> sends;
  std::optional<double> timeout;
  run_timers(c, sends, timeout, 0.6);  // one retransmission at 0.5
  auto a = c.on_response(response(100), at(0.7));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Deliver>(a[0]));
  EXPECT_EQ(c.state(), NonInviteClient::State::proceeding);
  run_timers(c, sends, timeout, 10.0);
  // Proceeding: the pending E fires at 1.5, then every T2 (§17.1.2.2).
  EXPECT_EQ(sends, (std::vector<double>{0.5, 1.5, 5.5, 9.5}));
  auto f = c.on_response(response(200), at(10));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(c.state(), NonInviteClient::State::completed);
  EXPECT_TRUE(c.on_response(response(200), at(12)).empty());  // retransmission absorbed
  run_timers(c, sends, timeout);
  EXPECT_EQ(c.state(), NonInviteClient::State::terminated);  // Timer K = T4 after the final
  EXPECT_FALSE(timeout);
  EXPECT_EQ(sends.size(), 4u);
}

TEST(NonInviteClient, TcpNoRetransmissions) {
  NonInviteClient c{"PUBLISH ...", true, at(0)};
  c.start();
  std::vector<double> sends;
  std::optional<double> timeout;
  run_timers(c, sends, timeout);
  EXPECT_TRUE(sends.empty());
  EXPECT_EQ(timeout, 32.0);
  NonInviteClient d{"PUBLISH ...", true, at(0)};
  d.start();
  d.on_response(response(200), at(1));
  EXPECT_EQ(d.state(), NonInviteClient::State::terminated);  // Timer K = 0 on reliable transports
}

TEST(NonInviteServer, UdpAbsorbsRetransmissions) {
  NonInviteServer s{false};
  EXPECT_TRUE(s.on_request_retransmission().empty());  // Trying: nothing to resend
  auto p = s.respond(100, "100", at(0.1));
  EXPECT_EQ(s.state(), NonInviteServer::State::proceeding);
  ASSERT_EQ(s.on_request_retransmission().size(), 1u);
  EXPECT_EQ(std::get<Send>(s.on_request_retransmission()[0]).bytes, "100");
  s.respond(200, "200", at(1));
  EXPECT_EQ(s.state(), NonInviteServer::State::completed);
  EXPECT_EQ(std::get<Send>(s.on_request_retransmission()[0]).bytes, "200");
  EXPECT_TRUE(s.respond(500, "500", at(2)).empty());  // only one final response
  EXPECT_EQ(secs(*s.next_deadline()), 33.0);          // Timer J = 64*T1
  s.on_timer(at(33));
  EXPECT_EQ(s.state(), NonInviteServer::State::terminated);
  NonInviteServer t{true};
  t.respond(200, "200", at(1));
  EXPECT_EQ(secs(*t.next_deadline()), 1.0);  // Timer J = 0 on reliable transports
}

// A 405 to an INVITE over UDP: Timer G retransmits until the ACK, which is absorbed; Timer I.
TEST(InviteServer, FinalResponseUntilAck) {
  InviteServer s{false};
  ASSERT_EQ(s.respond(405, "405", at(0)).size(), 1u);
  std::vector<double> sends;
  std::optional<double> timeout;
  run_timers(s, sends, timeout, 2.0);
  EXPECT_EQ(sends, (std::vector<double>{0.5, 1.5}));
  EXPECT_EQ(std::get<Send>(s.on_request_retransmission()[0]).bytes, "405");
  s.on_ack(at(2.0));
  EXPECT_EQ(s.state(), InviteServer::State::confirmed);
  run_timers(s, sends, timeout);
  EXPECT_EQ(sends.size(), 2u);
  EXPECT_FALSE(timeout);
  EXPECT_EQ(s.state(), InviteServer::State::terminated);  // Timer I = T4 after the ACK
}

TEST(InviteServer, NoAckTimerH) {
  InviteServer s{false};
  s.respond(405, "405", at(0));
  std::vector<double> sends;
  std::optional<double> timeout;
  run_timers(s, sends, timeout);
  EXPECT_EQ(sends, (std::vector<double>{0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5}));
  EXPECT_EQ(timeout, 32.0);  // Timer H = 64*T1
  InviteServer r{true};
  r.respond(405, "405", at(0));
  std::vector<double> none;
  run_timers(r, none, timeout);
  EXPECT_TRUE(none.empty());  // no Timer G on reliable transports
}

Message request(const std::string& method, const std::string& branch,
                const std::string& cseq_method, const std::string& to_tag = "") {
  std::string text =
      method + " sip:bob@b.example SIP/2.0\r\nVia: SIP/2.0/UDP a.example:5060;branch=" + branch +
      "\r\nTo: <sip:bob@b.example>" + (to_tag.empty() ? "" : ";tag=" + to_tag) +
      "\r\nFrom: <sip:a@a.example>;tag=f1\r\nCall-ID: c1\r\nCSeq: 7 " + cseq_method +
      "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  return *parse_datagram(text);
}

// RFC 3261 §17.2.3 matching, with the RFC 2543 fallback.
TEST(Matching, ServerKeys) {
  auto inv = server_key(request("INVITE", "z9hG4bKabc", "INVITE"));
  EXPECT_EQ(inv, server_key(request("INVITE", "z9hG4bKabc", "INVITE")));
  EXPECT_EQ(inv, server_key(request("ACK", "z9hG4bKabc", "ACK", "t9")));
  EXPECT_NE(inv, server_key(request("INVITE", "z9hG4bKabd", "INVITE")));
  EXPECT_NE(inv, server_key(request("CANCEL", "z9hG4bKabc", "CANCEL")));
  auto old = server_key(request("INVITE", "1", "INVITE"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old, server_key(request("ACK", "1", "ACK", "t9")));
  EXPECT_NE(old, server_key(request("OPTIONS", "1", "OPTIONS")));
  EXPECT_EQ(client_key(response(200)), "z9hG4bK1|NOTIFY");
}

}  // namespace
}  // namespace sipcred::sip::txn
