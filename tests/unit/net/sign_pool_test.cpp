// The signing pool of `sipcred serve` (REQ-PART ID-1): jobs handed over in batches come back on
// the I/O thread, each exactly once, each signed as the openssl CLI signs the same digest-string
// with the same key (RSA PKCS#1 v1.5 is deterministic, RFC 8017 §8.2.1); a pool destroyed with
// work queued stops without delivering, hanging or touching freed memory.
#include "net/sign_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <fstream>
#include <map>
#include <thread>

#include "identity/identity.hpp"
#include "support/files.hpp"
#include "support/run.hpp"

namespace sipcred::net {
namespace {

using test::run;

constexpr const char* kDate = "Thu, 21 Feb 2002 13:02:03 GMT";

service::SignRequest job(const std::shared_ptr<const identity::DomainKey>& key, uint64_t id) {
  identity::RequestFields f;
  f.from_uri = "sip:alice@example.com";
  f.from_host = "example.com";
  f.from_tag = "1928301774";
  f.to_uri = "sip:bob@example.com";
  f.call_id = "a84b4c76e66710-" + std::to_string(id);
  f.cseq = static_cast<uint32_t>(id);
  f.method = "NOTIFY";
  f.date = kDate;
  f.contact_uri = "sip:cert.example.com";
  f.body = "body " + std::to_string(id);
  return service::SignRequest{id, identity::SignJob{key, std::move(f)}};
}

TEST(SignPool, BatchesComeBackOnTheIoThreadOnceEachAsOpensslSigns) {
  test::TempDir dir;
  auto made =
      run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + (dir / "k.pem"));
  ASSERT_EQ(made.status, 0) << made.out;
  auto key = std::make_shared<identity::DomainKey>(identity::DomainKey{
      "example.com", *crypto::PrivateKey::from_pem(test::read_file(dir / "k.pem")), std::nullopt,
      "https://certs.example.com/example.com.der"});

  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::map<uint64_t, std::string> identities;
  size_t deliveries = 0;
  const auto io_thread = std::this_thread::get_id();
  bool on_io_thread = true;
  constexpr uint64_t kJobs = 40;
  SignPool pool{io, 2, [] { return WallTime{}; },
                [&](std::vector<Signed> batch) {
                  ++deliveries;
                  on_io_thread = on_io_thread && std::this_thread::get_id() == io_thread;
                  for (auto& s : batch) {
                    ASSERT_TRUE(s.headers) << s.headers.error().detail;
                    EXPECT_TRUE(identities.emplace(s.id, s.headers->identity).second) << s.id;
                  }
                  if (identities.size() == kJobs) guard.reset();
                }};
  // One job, then two batches: the shapes an I/O turn hands over.
  std::vector<service::SignRequest> a, b, c;
  a.push_back(job(key, 1));
  for (uint64_t i = 2; i <= 20; ++i) b.push_back(job(key, i));
  for (uint64_t i = 21; i <= kJobs; ++i) c.push_back(job(key, i));
  pool.submit(std::move(a));
  pool.submit(std::move(b));
  pool.submit(std::move(c));
  io.run_for(std::chrono::seconds{60});

  ASSERT_EQ(identities.size(), kJobs);
  EXPECT_TRUE(on_io_thread);
  EXPECT_LE(deliveries, kJobs);
  for (uint64_t id : {uint64_t{1}, uint64_t{20}, kJobs}) {
    auto j = job(key, id);
    std::ofstream{dir / "ds", std::ios::binary} << identity::digest_string(j.job.fields, kDate);
    auto sig =
        run("openssl dgst -sha1 -sign " + (dir / "k.pem") + " " + (dir / "ds") + " | base64 -w0");
    ASSERT_EQ(sig.status, 0) << sig.out;
    EXPECT_EQ(identities[id], "\"" + sig.out + "\"") << id;
  }
}

TEST(SignPool, DestroyedWithWorkQueuedStopsCleanly) {
  auto key = std::make_shared<identity::DomainKey>(identity::DomainKey{
      "example.com", *crypto::PrivateKey::generate(crypto::KeyType::ec_p256), std::nullopt,
      "https://certs.example.com/p256.der", identity::Scheme::rfc8224, identity::Alg::es256});
  boost::asio::io_context io;
  size_t delivered = 0;
  {
    SignPool pool{io, 2, [] { return WallTime{}; },
                  [&](std::vector<Signed> batch) { delivered += batch.size(); }};
    std::vector<service::SignRequest> jobs;
    for (uint64_t i = 1; i <= 500; ++i) jobs.push_back(job(key, i));
    pool.submit(std::move(jobs));
  }  // joined here, most jobs never started
  // Results posted before the join must not be handed over any more (on_done's captures may be
  // gone by now in a real server).
  io.run();
  EXPECT_EQ(delivered, 0u);
}

}  // namespace
}  // namespace sipcred::net
