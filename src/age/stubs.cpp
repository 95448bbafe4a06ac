// SPDX-License-Identifier: AGPL-3.0-or-later
// age/stubs.cpp: temporary bodies so that others can link against the API
// while the real implementation lands file by file.
#include <stdexcept>

#include "age/age.h"
#include "age/armor.h"
#include "age/identity_file.h"
#include "age/scrypt.h"
#include "age/seekable.h"
#include "age/x25519.h"

namespace safehouse::age {
namespace {
Error todo() {
  return Error(ErrorCode::kInternal, "age: not implemented yet");
}
}  // namespace

Result<X25519Recipient> X25519Recipient::parse(std::string_view) {
  return todo();
}
X25519Recipient X25519Recipient::from_public_key(std::span<const std::uint8_t, 32> pk) {
  std::array<std::uint8_t, 32> a{};
  std::copy(pk.begin(), pk.end(), a.begin());
  return X25519Recipient(a);
}
Result<std::vector<Stanza>> X25519Recipient::wrap(const crypto::SecretBytes&) const {
  return todo();
}
std::string X25519Recipient::to_string() const {
  return {};
}
X25519Identity X25519Identity::generate() {
  return from_secret(crypto::SecretBytes::random(32));
}
Result<X25519Identity> X25519Identity::parse(std::string_view) {
  return todo();
}
X25519Identity X25519Identity::from_secret(crypto::SecretBytes scalar) {
  return X25519Identity(std::move(scalar), {});
}
Result<crypto::SecretBytes> X25519Identity::unwrap(std::span<const Stanza>) const {
  return todo();
}
crypto::SecretBytes X25519Identity::to_string() const {
  return {};
}
X25519Recipient X25519Identity::recipient() const {
  return X25519Recipient::from_public_key(public_key_);
}

ScryptRecipient::ScryptRecipient(crypto::SecretBytes p, int w)
    : passphrase_(std::move(p)), work_factor_(w) {}
Result<std::vector<Stanza>> ScryptRecipient::wrap(const crypto::SecretBytes&) const {
  (void)work_factor_;
  return todo();
}
ScryptIdentity::ScryptIdentity(crypto::SecretBytes p, int w)
    : passphrase_(std::move(p)), max_work_factor_(w) {}
Result<crypto::SecretBytes> ScryptIdentity::unwrap(std::span<const Stanza>) const {
  (void)max_work_factor_;
  return todo();
}

Result<std::vector<std::unique_ptr<Identity>>> parse_identity_file(std::string_view) {
  return todo();
}
Result<std::vector<std::unique_ptr<Recipient>>> parse_recipients_file(std::string_view) {
  return todo();
}

std::unique_ptr<ByteSink> armor_writer(ByteSink&) {
  return nullptr;
}
ArmorReader::ArmorReader(ByteSource& in) : in_(in) {}
ArmorReader::~ArmorReader() = default;
Result<std::size_t> ArmorReader::read(MutableByteSpan) {
  return todo();
}
bool looks_armored(ByteSpan) {
  return false;
}

Result<std::unique_ptr<ByteSink>> encrypt(std::span<const Recipient* const>, ByteSink&) {
  return todo();
}
Result<void> decrypt(std::span<const Identity* const>, ByteSource&, ByteSink&) {
  return todo();
}
Result<void> rewrap(std::span<const Identity* const>, const Recipient&, ByteSource&, ByteSink&) {
  return todo();
}

Result<SeekableEncryptor> SeekableEncryptor::create(std::span<const Recipient* const>,
                                                    std::uint64_t) {
  return todo();
}
SeekableEncryptor::SeekableEncryptor(SeekableEncryptor&&) noexcept = default;
SeekableEncryptor& SeekableEncryptor::operator=(SeekableEncryptor&&) noexcept = default;
SeekableEncryptor::~SeekableEncryptor() = default;
std::uint64_t SeekableEncryptor::ciphertext_size() const {
  return 0;
}
Result<void> SeekableEncryptor::produce(std::uint64_t, std::uint64_t, const PlaintextReader&,
                                        ByteSink&) const {
  return todo();
}

}  // namespace safehouse::age
