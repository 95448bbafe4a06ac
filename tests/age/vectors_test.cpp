// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/vectors_test.cpp: every C2SP CCTV age vector in tests/data/age.
// Success vectors must decrypt to the payload hash; failures must fail in
// the expected class, with whatever plaintext was released matching the
// hash for payload failures. Hybrid (ML-KEM) stanzas are not implemented:
// each of the 19 hybrid vectors has its own expected answer for a
// decryptor without ML-KEM (kHybridWithoutMlKem below, with the reason);
// where that is the vector's own class (header failures the generic
// grammar or the X25519 stanza reveal, "no match" vectors) the test suite
// is CctvHybridSameClass, otherwise (an ML-KEM identity is needed to reach
// the vector's class) CctvHybridNeedsMlKem, which asserts "no match".
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "age/age.h"
#include "age/armor.h"
#include "age/format.h"
#include "age/scrypt.h"
#include "age/stream.h"
#include "age/x25519.h"
#include "sodium_reference.h"
#include "test_util.h"

namespace safehouse::age {
namespace {

using testing::sha256_hex;

struct Vector {
  std::string name;
  std::string expect;
  std::string payload;
  std::vector<std::string> identities;
  std::vector<std::string> passphrases;
  std::string file_key;
  bool armored = false;
  bool compressed = false;
  Bytes body;
};

Bytes inflate_all(ByteSpan in) {
  Bytes out;
  z_stream z{};
  EXPECT_EQ(inflateInit(&z), Z_OK);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  std::array<std::uint8_t, 65536> buf{};
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = buf.data();
    z.avail_out = buf.size();
    rc = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), buf.begin(), buf.begin() + (buf.size() - z.avail_out));
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

Vector load(const std::filesystem::path& path) {
  Bytes raw = testing::read_file(path.string());
  Vector v;
  v.name = path.filename().string();
  std::size_t pos = 0;
  for (;;) {
    auto nl = std::find(raw.begin() + static_cast<std::ptrdiff_t>(pos), raw.end(), '\n');
    std::string line(raw.begin() + static_cast<std::ptrdiff_t>(pos), nl);
    pos = static_cast<std::size_t>(nl - raw.begin()) + 1;
    if (line.empty()) break;
    auto colon = line.find(": ");
    std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "expect") v.expect = value;
    if (key == "payload") v.payload = value;
    if (key == "identity") v.identities.push_back(value);
    if (key == "passphrase") v.passphrases.push_back(value);
    if (key == "file key") v.file_key = value;
    if (key == "armored") v.armored = value == "yes";
    if (key == "compressed") v.compressed = value == "zlib";
  }
  v.body.assign(raw.begin() + static_cast<std::ptrdiff_t>(pos), raw.end());
  if (v.compressed) v.body = inflate_all(v.body);
  return v;
}

std::string classify(const Result<void>& r) {
  if (r) return "success";
  const Error& e = r.error();
  const std::string& m = e.message();
  if (e.code() == ErrorCode::kNoMatch) return "no match";
  if (m.starts_with("armor: ")) return "armor failure";
  if (m.starts_with("header: MAC") && e.code() == ErrorCode::kIntegrity) return "HMAC failure";
  if (m.starts_with("header: ") && e.code() != ErrorCode::kIntegrity) return "header failure";
  if (m.starts_with("payload: ")) return "payload failure";
  return "unclassified: " + std::string(error_code_name(e.code())) + ": " + m;
}

bool is_hybrid(const std::string& name) {
  return name.starts_with("hybrid") || name == "armor_hybrid";
}

// What this decryptor, which has no ML-KEM, must answer for each hybrid
// vector, and why.
struct HybridExpectation {
  std::string_view name;
  std::string_view without_mlkem;
  std::string_view why;
};
constexpr HybridExpectation kHybridWithoutMlKem[] = {
    {"armor_hybrid", "no match", "success upstream: only the ML-KEM identity opens it"},
    {"hybrid", "no match", "success upstream: only the ML-KEM identity opens it"},
    {"hybrid_and_x25519", "no match", "success upstream: only the ML-KEM identity is given"},
    {"hybrid_bad_tag", "no match", "same class: the stanza cannot be opened"},
    {"hybrid_currupted_enc_mlkem", "no match", "same class"},
    {"hybrid_currupted_enc_x25519", "no match", "same class"},
    {"hybrid_extra_argument", "no match",
     "header failure upstream: only an mlkem768x25519 parser knows its argument count"},
    {"hybrid_grease", "no match", "success upstream: only the ML-KEM identity opens it"},
    {"hybrid_identity", "no match", "header failure upstream: found by the ML-KEM KEM only"},
    {"hybrid_long_file_key", "no match",
     "header failure upstream: found after ML-KEM decapsulation"},
    {"hybrid_long_share", "no match", "header failure upstream: found by the ML-KEM KEM only"},
    {"hybrid_low_order", "no match", "header failure upstream: found by the ML-KEM KEM only"},
    {"hybrid_multiple_recipients", "no match",
     "success upstream: only the ML-KEM identity opens it"},
    {"hybrid_no_match", "no match", "same class"},
    {"hybrid_not_canonical_body", "header failure",
     "same class: the generic header grammar requires canonical base64 stanza bodies"},
    {"hybrid_not_canonical_enc", "no match",
     "header failure upstream: stanza arguments are opaque to the generic grammar"},
    {"hybrid_short_share", "no match", "header failure upstream: found by the ML-KEM KEM only"},
    {"hybrid_uppercase", "no match", "same class: an unknown stanza type"},
    {"hybrid_x25519_arg", "header failure",
     "same class: the X25519 stanza, whose identity is given, has a malformed argument"},
};

const HybridExpectation* hybrid_expectation(const std::string& name) {
  for (const auto& e : kHybridWithoutMlKem) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

// Every vector file; `which` picks non-hybrid, hybrid vectors whose class
// this decryptor reaches, or hybrid vectors that need ML-KEM for it.
enum class Which { kAll, kNotHybrid, kHybridSameClass, kHybridNeedsMlKem };
std::vector<std::filesystem::path> vector_files(Which which = Which::kAll) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(SAFEHOUSE_TEST_DATA "/age")) {
    const std::string name = e.path().filename().string();
    if (name == "README.md") continue;
    bool keep = which == Which::kAll || (which == Which::kNotHybrid && !is_hybrid(name));
    if (is_hybrid(name) && which != Which::kAll && which != Which::kNotHybrid) {
      const HybridExpectation* expected = hybrid_expectation(name);
      const bool same = expected != nullptr && load(e.path()).expect == expected->without_mlkem;
      keep = same == (which == Which::kHybridSameClass);
    }
    if (keep) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Decrypts `v` with its X25519 and scrypt identities (ML-KEM ones are
// skipped: not implemented), into `plaintext`; the class of the outcome.
std::string decrypt_vector(const Vector& v, Bytes& plaintext, int& finishes) {
  std::vector<std::unique_ptr<Identity>> owned;
  for (const auto& text : v.identities) {
    if (text.starts_with("AGE-SECRET-KEY-PQ-")) continue;  // ML-KEM: not implemented
    auto id = X25519Identity::parse(text);
    EXPECT_TRUE(id) << id.error().message();
    if (id) owned.push_back(std::make_unique<X25519Identity>(std::move(*id)));
  }
  for (const auto& p : v.passphrases) {
    owned.push_back(std::make_unique<ScryptIdentity>(crypto::SecretBytes::copy_of(as_bytes(p))));
  }
  std::vector<const Identity*> ids;
  for (const auto& id : owned) ids.push_back(id.get());
  testing::CountingSink sink(plaintext);
  // Small pieces exercise the header reader's and armor's refills.
  testing::PieceSource file(v.body, 1000);
  Result<void> r;
  if (v.armored) {
    ArmorReader armor(file);
    r = decrypt(ids, armor, sink);
  } else {
    r = decrypt(ids, file, sink);
  }
  finishes = sink.finishes;
  return classify(r);
}

class AgeVectorTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(AgeVectorTest, DecryptsAsExpected) {
  Vector v = load(GetParam());
  ASSERT_FALSE(v.expect.empty());
  Bytes plaintext;
  int finishes = 0;
  const std::string got = decrypt_vector(v, plaintext, finishes);
  EXPECT_EQ(got, v.expect) << v.name;
  EXPECT_EQ(finishes, got == "success" ? 1 : 0);
  if (v.expect == "success" || v.expect == "payload failure") {
    EXPECT_EQ(sha256_hex(plaintext), v.payload) << v.name;
  }
}

// Hybrid vectors: exactly the answer kHybridWithoutMlKem names, no plaintext
// released. In CctvHybridSameClass that is the vector's own class.
class HybridVectorTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(HybridVectorTest, AnswersAsWithoutMlKem) {
  Vector v = load(GetParam());
  const HybridExpectation* expected = hybrid_expectation(v.name);
  ASSERT_NE(expected, nullptr) << v.name << ": not in kHybridWithoutMlKem";
  Bytes plaintext;
  int finishes = 0;
  EXPECT_EQ(decrypt_vector(v, plaintext, finishes), expected->without_mlkem)
      << v.name << ": " << expected->why;
  EXPECT_TRUE(plaintext.empty());
  EXPECT_EQ(finishes, 0);
}

Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The age file itself: dearmored when armored (nullopt if the armor is bad).
std::optional<Bytes> age_file(const Vector& v) {
  if (!v.armored) return v.body;
  SpanSource source(v.body);
  ArmorReader armor(source);
  Bytes out(v.body.size());
  std::size_t used = 0;
  for (;;) {
    auto n = armor.read(MutableByteSpan(out).subspan(used));
    if (!n) return std::nullopt;
    if (*n == 0) break;
    used += *n;
  }
  out.resize(used);
  return out;
}

// As the CCTV README suggests: every header that parses re-encodes to the
// same bytes, and every success vector's payload, decrypted with the given
// file key and encrypted again with the same nonce, gives back the file byte
// for byte (hybrid ones included, as only the header needs ML-KEM).
class VectorRoundTripTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(VectorRoundTripTest, HeaderAndPayloadRoundTrip) {
  Vector v = load(GetParam());
  if (v.expect == "header failure" || v.expect == "armor failure") return;
  auto file = age_file(v);
  ASSERT_TRUE(file);
  auto parsed = detail::parse_header(*file);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(detail::header_mac_input(parsed->header.stanzas), parsed->mac_input);
  if (v.expect != "success") return;

  const std::size_t header_len = parsed->mac_input.size() + 1 + 43 + 1;  // " " MAC "\n"
  ASSERT_GE(file->size(), header_len + detail::kPayloadNonceBytes);
  detail::SealedHeader header{
      Bytes(file->begin(), file->begin() + static_cast<std::ptrdiff_t>(header_len)),
      crypto::SecretBytes::copy_of(from_hex(v.file_key))};
  std::span<const std::uint8_t, 16> nonce(file->data() + header_len, 16);
  Bytes plaintext;
  VectorSink plain_sink(plaintext);
  SpanSource payload(ByteSpan(*file).subspan(header_len + 16));
  ASSERT_TRUE(
      detail::decrypt_stream(detail::payload_key(header.file_key, nonce), {}, payload, plain_sink));
  EXPECT_EQ(sha256_hex(plaintext), v.payload);

  Bytes again;
  VectorSink sink(again);
  auto w = detail::encrypt_with(header, nonce, sink);
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->write(plaintext));
  ASSERT_TRUE((*w)->finish());
  EXPECT_TRUE(again == *file) << v.name;
}

// Both payload AEADs on every CCTV vector that reaches its payload: the
// library's (libcrypto, detail::decrypt_stream) and the libsodium reference
// (sodium_reference.h), keyed from the vector's file key. They must agree
// on accepting or rejecting it; on success both give the payload hash, and
// the reference, sealing that plaintext again with the same key, gives the
// vector's payload byte for byte; on "payload failure" the reference
// rejects the whole payload and the library releases no more than the
// vector's hash allows (checked by AgeVectorTest).
class VectorAeadTest : public ::testing::TestWithParam<std::filesystem::path> {};

// The vectors whose payload a decryptor reaches: success and payload failure.
std::vector<std::filesystem::path> payload_vector_files() {
  std::vector<std::filesystem::path> out;
  // Only the header lines (listing the tests must stay quick: no inflating).
  for (const auto& path : vector_files(Which::kAll)) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    while (std::getline(in, line) && !line.empty()) {
      if (line == "expect: success" || line == "expect: payload failure") out.push_back(path);
    }
  }
  return out;
}

TEST_P(VectorAeadTest, LibcryptoAndLibsodiumAgree) {
  Vector v = load(GetParam());
  ASSERT_FALSE(v.file_key.empty()) << v.name;
  auto file = age_file(v);
  ASSERT_TRUE(file);
  auto parsed = detail::parse_header(*file);
  ASSERT_TRUE(parsed) << parsed.error().message();
  const std::size_t header_len = parsed->mac_input.size() + 1 + 43 + 1;
  if (file->size() < header_len + detail::kPayloadNonceBytes) {
    ASSERT_EQ(v.expect, "payload failure") << v.name << ": no payload nonce";
    return;
  }
  std::span<const std::uint8_t, 16> nonce(file->data() + header_len, 16);
  const crypto::SecretBytes key =
      detail::payload_key(crypto::SecretBytes::copy_of(from_hex(v.file_key)), nonce);
  const ByteSpan payload = ByteSpan(*file).subspan(header_len + 16);

  Bytes ours;
  VectorSink sink(ours);
  SpanSource source(payload);
  const bool ours_ok = static_cast<bool>(detail::decrypt_stream(key, {}, source, sink));
  const std::optional<Bytes> reference = testing::sodium_open_payload(key, payload);
  EXPECT_EQ(ours_ok, reference.has_value()) << v.name;
  EXPECT_EQ(ours_ok, v.expect == "success") << v.name;
  if (reference) {
    EXPECT_EQ(sha256_hex(*reference), v.payload) << v.name;
    EXPECT_TRUE(*reference == ours) << v.name;
    EXPECT_TRUE(testing::sodium_seal_payload(key, *reference) ==
                Bytes(payload.begin(), payload.end()))
        << v.name;
  }
}

auto file_name = [](const auto& info) { return info.param.filename().string(); };
// The 124 vectors without ML-KEM stanzas decrypt to their class.
INSTANTIATE_TEST_SUITE_P(Cctv, AgeVectorTest, ::testing::ValuesIn(vector_files(Which::kNotHybrid)),
                         file_name);
// All 143 (the hybrid ones too) round-trip where their header parses.
INSTANTIATE_TEST_SUITE_P(CctvAll, VectorRoundTripTest,
                         ::testing::ValuesIn(vector_files(Which::kAll)), file_name);
// Those of the 143 that reach the payload, through both payload AEADs
// (hybrid ones too: the file key is given, no ML-KEM is needed).
INSTANTIATE_TEST_SUITE_P(CctvAead, VectorAeadTest, ::testing::ValuesIn(payload_vector_files()),
                         file_name);
INSTANTIATE_TEST_SUITE_P(CctvHybridSameClass, HybridVectorTest,
                         ::testing::ValuesIn(vector_files(Which::kHybridSameClass)), file_name);
INSTANTIATE_TEST_SUITE_P(CctvHybridNeedsMlKem, HybridVectorTest,
                         ::testing::ValuesIn(vector_files(Which::kHybridNeedsMlKem)), file_name);

TEST(AgeVectors, AllPresent) {
  EXPECT_EQ(vector_files().size(), 143u);
  EXPECT_EQ(vector_files(Which::kNotHybrid).size(), 124u);
  // Every hybrid vector has its expectation, and is in exactly one suite.
  EXPECT_EQ(std::size(kHybridWithoutMlKem), 19u);
  for (const auto& e : kHybridWithoutMlKem) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(SAFEHOUSE_TEST_DATA "/age") /
                                        std::string(e.name)))
        << e.name;
  }
  EXPECT_EQ(
      vector_files(Which::kHybridSameClass).size() + vector_files(Which::kHybridNeedsMlKem).size(),
      19u);
}

}  // namespace
}  // namespace safehouse::age
