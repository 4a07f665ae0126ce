#include "sip/headers.hpp"

#include <gtest/gtest.h>

namespace sipcred::sip {
namespace {

TEST(Headers, Via) {
  // RFC 3261 §20.42 examples.
  auto v = parse_via("SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host.text, "erlang.bell-telephone.com");
  EXPECT_EQ(v->port, 5060);
  EXPECT_EQ(v->branch(), "z9hG4bK87asdks7");
  auto w = parse_via("SIP/2.0/UDP 192.0.2.1:5060 ;received=192.0.2.207;branch=z9hG4bK77asjd");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->params.value("received"), "192.0.2.207");
  auto v6 = parse_via("SIP/2.0/TCP [2001:db8::9:1];branch=z9hG4bKas3-111");  // RFC 5118 §4.1
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host.kind, HostKind::ipv6);
  EXPECT_FALSE(parse_via("SIP/2.0/UDP"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP host;;"));
  EXPECT_FALSE(parse_via("SIP/2.0 host"));
}

TEST(Headers, CSeqAndNumbers) {
  auto c = parse_cseq("4711 INVITE");  // RFC 3261 §20.16
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 4711u);
  EXPECT_EQ(c->method, "INVITE");
  EXPECT_FALSE(parse_cseq("2147483648 INVITE"));  // must be below 2**31 (§8.1.1.5)
  EXPECT_FALSE(parse_cseq("INVITE"));
  EXPECT_FALSE(parse_cseq("1INVITE"));
  EXPECT_EQ(*parse_uint(" 70 ", 255), 70u);
  EXPECT_FALSE(parse_uint("300", 255));
  EXPECT_TRUE(parse_call_id("f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com"));
  EXPECT_FALSE(parse_call_id("a@"));
  EXPECT_FALSE(parse_call_id("has space"));
}

TEST(Headers, EventAndSubscriptionState) {
  // RFC 6665 §8.4; the etag parameter is RFC 6072's.
  auto e = parse_event("credential;etag=7ahggs;id=1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->package, "credential");
  EXPECT_EQ(e->params.value("etag"), "7ahggs");
  EXPECT_EQ(e->id(), "1");
  EXPECT_TRUE(parse_event("presence.winfo"));
  EXPECT_FALSE(parse_event("presence..winfo"));
  auto s = parse_subscription_state("terminated;reason=deactivated");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state, "terminated");
  EXPECT_EQ(s->params.value("reason"), "deactivated");
  EXPECT_TRUE(parse_subscription_state("active;expires=3600"));
  EXPECT_FALSE(parse_subscription_state("active;expires=soon"));
}

TEST(Headers, MediaTypes) {
  auto ct = parse_media_type("multipart/mixed;boundary=\"bound ary\"");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->type, "multipart");
  EXPECT_EQ(ct->params.value("boundary"), "\"bound ary\"");
  EXPECT_FALSE(parse_media_type("application/*"));
  auto range = parse_media_type("application/*", true);
  ASSERT_TRUE(range);
  EXPECT_TRUE(range->matches("Application", "pkix-cert"));
  EXPECT_FALSE(range->matches("text", "plain"));
  EXPECT_FALSE(parse_media_type("*/pkix-cert", true));
  auto cd = parse_content_disposition("signal;handling=required");  // RFC 3204 §5
  ASSERT_TRUE(cd);
  EXPECT_EQ(cd->type, "signal");
  EXPECT_EQ(cd->params.value("handling"), "required");
}

TEST(Headers, AuthFields) {
  // RFC 7616 §3.9.1 (the SHA-256 challenge, as a SIP header value).
  auto ch = parse_auth(
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  ASSERT_TRUE(ch);
  EXPECT_EQ(ch->scheme, "Digest");
  EXPECT_EQ(ch->params.value("algorithm"), "SHA-256");
  EXPECT_EQ(ch->params.value("qop"), "\"auth, auth-int\"");
  auto info = parse_auth("nextnonce=\"47364c23432d2e131a5fb210812c\", qop=auth", false);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->params.size(), 2u);
  EXPECT_FALSE(parse_auth("Digest realm"));
  EXPECT_FALSE(parse_auth("Digest realm=\"x\" nonce=\"y\""));
}

TEST(Headers, Date) {
  // RFC 3261 §20.17; 1289690940 is that instant in seconds since 1970 (python3 calendar.timegm).
  auto d = parse_date("Sat, 13 Nov 2010 23:29:00 GMT");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->time_since_epoch().count(), 1289690940);
  EXPECT_FALSE(parse_date("Fri, 13 Nov 2010 23:29:00 GMT"));  // wrong weekday
  EXPECT_FALSE(parse_date("Sat, 13 Nov 2010 23:29:00 EST"));  // RFC 4475 baddate
  EXPECT_FALSE(parse_date("Mon, 31 Feb 2011 23:29:00 GMT"));
}

TEST(Headers, IdentityForms) {
  auto old = parse_identity(
      "\"ZYNBbHC00VMZr2kZt6VmCvPonWJMGvQTBDqghoWeLxJfzB2a1pxAr3VgrB0SsSAaifsRdiOPoQZYOy2wrVghuhcsMb"
      "HWUSFxI6p6q5TOQXHMmz6uEo3svJsSH49thyGnFVcnyaZ++yRlBYYQTLqWzJ+KVhPKbfU/pryhVn9Yc6U=\"");
  ASSERT_TRUE(old);  // RFC 4474 §10.1
  EXPECT_FALSE(old->rfc8224);
  auto jws = parse_identity(
      "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.c2ln;info=<https://cert.example.org/"
      "passport.cer>;alg=ES256;ppt=shaken");
  ASSERT_TRUE(jws);
  EXPECT_TRUE(jws->rfc8224);
  EXPECT_EQ(jws->info_uri, "https://cert.example.org/passport.cer");
  EXPECT_EQ(jws->params.value("alg"), "ES256");
  EXPECT_FALSE(parse_identity("abc.def.ghi"));  // RFC 8224 requires info=
  auto info = parse_identity_info("<https://atlanta.example.com/atlanta.cer>;alg=rsa-sha1");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->uri, "https://atlanta.example.com/atlanta.cer");
  EXPECT_EQ(info->params.value("alg"), "rsa-sha1");
}

TEST(Headers, RetryAfterAndWarning) {
  auto r = parse_retry_after("18000;duration=3600");  // RFC 3261 §20.33
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seconds, 18000u);
  auto c = parse_retry_after("120 (I'm in a meeting)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->comment, "(I'm in a meeting)");
  auto w = parse_warning("307 isi.edu \"Session parameter 'foo' not understood\"");  // §20.43
  ASSERT_TRUE(w);
  EXPECT_EQ(w->code, 307);
  EXPECT_EQ(w->agent, "isi.edu");
  EXPECT_FALSE(parse_warning("1812 overture \"Unknown\""));  // RFC 4475 scalarlg
}

}  // namespace
}  // namespace sipcred::sip
