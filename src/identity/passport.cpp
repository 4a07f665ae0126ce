#include "identity/passport.hpp"

#include <array>

namespace sipcred::identity {

namespace {

JsonValue header_json(const PassportHeader& h) {
  JsonObject o;
  o["alg"] = h.alg;
  if (!h.ppt.empty()) o["ppt"] = h.ppt;
  o["typ"] = h.typ;
  o["x5u"] = h.x5u;
  return o;
}

JsonValue claims_json(const PassportClaims& c) {
  JsonObject o;
  if (!c.body_sha256.empty()) o["body"] = JsonObject{{"sha256", c.body_sha256}};
  JsonObject dest;
  auto strings = [](const std::vector<std::string>& v) {
    JsonArray a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
  };
  if (!c.dest_tn.empty()) dest["tn"] = strings(c.dest_tn);
  if (!c.dest_uri.empty()) dest["uri"] = strings(c.dest_uri);
  o["dest"] = std::move(dest);
  o["iat"] = c.iat;
  JsonObject orig;
  if (!c.orig_tn.empty()) orig["tn"] = c.orig_tn;
  if (!c.orig_uri.empty()) orig["uri"] = c.orig_uri;
  o["orig"] = std::move(orig);
  return o;
}

Result<std::vector<std::string>> string_list(const JsonValue* v, std::string_view what) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  const JsonArray* a = v->array();
  if (a == nullptr) return fail(Errc::parse, "PASSporT " + std::string{what} + " is not an array");
  for (const auto& e : *a) {
    if (e.string() == nullptr) {
      return fail(Errc::parse, "PASSporT " + std::string{what} + " holds a non-string");
    }
    out.push_back(*e.string());
  }
  return out;
}

Result<std::string> optional_string(const JsonValue& obj, std::string_view name) {
  const JsonValue* v = obj.get(name);
  if (v == nullptr) return std::string{};
  if (v->string() == nullptr) {
    return fail(Errc::parse, "PASSporT \"" + std::string{name} + "\" is not a string");
  }
  return *v->string();
}

}  // namespace

std::string passport_signing_input(const PassportHeader& h, const PassportClaims& c) {
  return base64url_encode(header_json(h).canonical()) + "." +
         base64url_encode(claims_json(c).canonical());
}

Result<ParsedPassport> parse_passport(std::string_view jws) {
  if (jws.size() > 8192) return fail(Errc::limit, "PASSporT too long");
  size_t d1 = jws.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : jws.find('.', d1 + 1);
  if (d2 == std::string_view::npos || jws.find('.', d2 + 1) != std::string_view::npos) {
    return fail(Errc::parse, "PASSporT is not three dot-separated parts");
  }
  std::string_view h64 = jws.substr(0, d1), p64 = jws.substr(d1 + 1, d2 - d1 - 1),
                   s64 = jws.substr(d2 + 1);
  if (p64.empty()) return fail(Errc::parse, "compact-form PASSporT (no payload) not supported");
  ParsedPassport out;
  auto hdr = base64url_decode(h64);
  auto pay = base64url_decode(p64);
  auto sig = base64url_decode(s64);
  if (!hdr || !pay || !sig) return fail(Errc::parse, "PASSporT part is not base64url");
  auto hj = parse_json(*hdr);
  if (!hj) return fail(Errc::parse, "PASSporT header: " + hj.error().detail);
  auto pj = parse_json(*pay);
  if (!pj) return fail(Errc::parse, "PASSporT payload: " + pj.error().detail);
  if (!hj->object() || !pj->object()) return fail(Errc::parse, "PASSporT part is not an object");

  for (auto [field, name] :
       {std::pair{&out.header.alg, "alg"}, std::pair{&out.header.typ, "typ"},
        std::pair{&out.header.ppt, "ppt"}, std::pair{&out.header.x5u, "x5u"}}) {
    auto s = optional_string(*hj, name);
    if (!s) return Unexpected{s.error()};
    *field = std::move(*s);
  }
  const JsonValue* iat = pj->get("iat");
  if (iat == nullptr || iat->integer() == nullptr) {
    return fail(Errc::parse, "PASSporT has no integer \"iat\"");
  }
  out.claims.iat = *iat->integer();
  const JsonValue* orig = pj->get("orig");
  if (orig == nullptr || orig->object() == nullptr) {
    return fail(Errc::parse, "PASSporT has no \"orig\" object");
  }
  auto otn = optional_string(*orig, "tn");
  auto ouri = optional_string(*orig, "uri");
  if (!otn || !ouri) return fail(Errc::parse, "PASSporT \"orig\" member is not a string");
  out.claims.orig_tn = *otn;
  out.claims.orig_uri = *ouri;
  if (out.claims.orig_tn.empty() == out.claims.orig_uri.empty()) {
    return fail(Errc::parse, "PASSporT \"orig\" needs exactly one of tn and uri");
  }
  const JsonValue* dest = pj->get("dest");
  if (dest == nullptr || dest->object() == nullptr) {
    return fail(Errc::parse, "PASSporT has no \"dest\" object");
  }
  auto dtn = string_list(dest->get("tn"), "dest.tn");
  auto duri = string_list(dest->get("uri"), "dest.uri");
  if (!dtn) return Unexpected{dtn.error()};
  if (!duri) return Unexpected{duri.error()};
  out.claims.dest_tn = std::move(*dtn);
  out.claims.dest_uri = std::move(*duri);
  if (out.claims.dest_tn.empty() && out.claims.dest_uri.empty()) {
    return fail(Errc::parse, "PASSporT \"dest\" is empty");
  }
  if (const JsonValue* body = pj->get("body")) {
    auto s = body->object() ? optional_string(*body, "sha256") : Result<std::string>{std::string{}};
    if (!s || s->empty()) return fail(Errc::parse, "PASSporT \"body\" claim has no sha256 string");
    out.claims.body_sha256 = *s;
  }
  out.signing_input = std::string{jws.substr(0, d2)};
  out.signature = std::move(*sig);
  return out;
}

}  // namespace sipcred::identity
