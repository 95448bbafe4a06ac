// SPDX-License-Identifier: AGPL-3.0-or-later
// age/age.cpp: joins the header format, the recipients and the payload
// stream into encrypt, decrypt and rewrap. Error classes are fixed here:
// everything before the payload is "header: ...", then "payload: ...".
#include "age/age.h"

#include "age/format.h"
#include "age/parallel_stream.h"
#include "age/primitives.h"
#include "age/stream.h"
#include "crypto/hkdf.h"

namespace safehouse::age {
namespace {

constexpr std::string_view kScryptType = "scrypt";

detail::Mac header_mac(const crypto::SecretBytes& file_key, std::string_view mac_input) {
  crypto::SecretBytes key = crypto::hkdf_sha256(file_key.reveal(), {}, "header", 32);
  return detail::hmac_sha256(key, as_bytes(mac_input));
}

bool has_scrypt(std::span<const Stanza> stanzas) {
  for (const Stanza& s : stanzas) {
    if (s.type == kScryptType) return true;
  }
  return false;
}

Result<crypto::SecretBytes> unwrap_file_key(std::span<const Identity* const> identities,
                                            std::span<const Stanza> stanzas) {
  // The spec makes this the identity's duty; checking it here as well means
  // no identity type can forget it.
  if (has_scrypt(stanzas) && stanzas.size() != 1) {
    return malformed("header: an scrypt stanza must be the only stanza");
  }
  for (const Identity* identity : identities) {
    auto key = identity->unwrap(stanzas);
    if (key) {
      if (key->size() != kFileKeyBytes) return malformed("header: unwrapped file key size");
      return key;
    }
    if (key.error().code() != ErrorCode::kNoMatch) return key.error().with_context("header");
  }
  return Error(ErrorCode::kNoMatch, "no identity matched any of the file's recipients");
}

// Reads the header, finds the file key and checks the MAC.
Result<crypto::SecretBytes> open_header(std::span<const Identity* const> identities, ByteSource& in,
                                        detail::ParsedHeader& parsed) {
  parsed = SAFEHOUSE_TRY(detail::read_header(in));
  auto file_key = SAFEHOUSE_TRY(unwrap_file_key(identities, parsed.header.stanzas));
  detail::Mac mac = header_mac(file_key, parsed.mac_input);
  if (!detail::equal_constant_time(mac, parsed.header.mac)) {
    return Error(ErrorCode::kIntegrity,
                 "header: MAC does not match (file corrupted or tampered with)");
  }
  return file_key;
}

Result<void> copy_all(ByteSource& in, ByteSink& out) {
  Bytes buf(detail::kEncryptedChunkBytes);
  for (;;) {
    std::size_t n = SAFEHOUSE_TRY(in.read(buf));
    if (n == 0) return {};
    SAFEHOUSE_TRY_VOID(out.write(ByteSpan(buf).first(n)));
  }
}

}  // namespace

namespace detail {

Result<SealedHeader> seal_header(std::span<const Recipient* const> recipients) {
  if (recipients.empty()) return invalid_argument("encrypt: no recipients");
  for (const Recipient* r : recipients) {
    if (r->requires_sole_stanza() && recipients.size() != 1) {
      return invalid_argument("encrypt: a passphrase cannot be combined with other recipients");
    }
  }
  SealedHeader out{{}, crypto::SecretBytes::random(kFileKeyBytes)};
  std::vector<Stanza> stanzas;
  for (const Recipient* r : recipients) {
    auto wrapped = SAFEHOUSE_TRY(r->wrap(out.file_key));
    for (auto& s : wrapped) stanzas.push_back(std::move(s));
  }
  // Never write a header that this parser (or another reader with the same
  // limits) would refuse.
  if (stanzas.size() > kMaxStanzas) return invalid_argument("encrypt: too many recipients");
  std::string mac_input = header_mac_input(stanzas);
  std::string text = header_with_mac(mac_input, header_mac(out.file_key, mac_input));
  if (text.size() > kMaxHeaderBytes) {
    return Error(ErrorCode::kTooLarge, "encrypt: header larger than the header size limit");
  }
  out.bytes.assign(text.begin(), text.end());
  return out;
}

Result<std::unique_ptr<ByteSink>> encrypt_with(const SealedHeader& header,
                                               std::span<const std::uint8_t, 16> nonce,
                                               ByteSink& out, const EncryptOptions& options) {
  SAFEHOUSE_TRY_VOID(out.write(header.bytes));
  SAFEHOUSE_TRY_VOID(out.write(nonce));
  crypto::SecretBytes key = payload_key(header.file_key, nonce);
  std::unique_ptr<ByteSink> sink;
  if (options.threads <= 1) {
    sink = std::make_unique<StreamWriter>(std::move(key), out);
  } else {
    sink = std::make_unique<ParallelStreamWriter>(std::move(key), out, options.threads);
  }
  return sink;
}

}  // namespace detail

Result<std::unique_ptr<ByteSink>> encrypt(std::span<const Recipient* const> recipients,
                                          ByteSink& out) {
  return encrypt(recipients, out, EncryptOptions{});
}

Result<std::unique_ptr<ByteSink>> encrypt(std::span<const Recipient* const> recipients,
                                          ByteSink& out, const EncryptOptions& options) {
  auto header = SAFEHOUSE_TRY(detail::seal_header(recipients));
  std::array<std::uint8_t, detail::kPayloadNonceBytes> nonce{};
  detail::random_bytes(nonce);
  return detail::encrypt_with(header, nonce, out, options);
}

Result<void> decrypt(std::span<const Identity* const> identities, ByteSource& in, ByteSink& out) {
  detail::ParsedHeader parsed;
  auto file_key = SAFEHOUSE_TRY(open_header(identities, in, parsed));
  std::array<std::uint8_t, detail::kPayloadNonceBytes> nonce{};
  ByteSpan rest = parsed.rest;
  if (SAFEHOUSE_TRY(detail::read_full(rest, in, nonce)) != nonce.size()) {
    return malformed("header: file ends before the payload nonce");
  }
  crypto::SecretBytes key = detail::payload_key(file_key, nonce);
  SAFEHOUSE_TRY_VOID(detail::decrypt_stream(key, rest, in, out));
  return out.finish();
}

Result<Bytes> encrypt_bytes(std::span<const Recipient* const> recipients, ByteSpan plaintext) {
  Bytes sealed;
  VectorSink out(sealed);
  auto sink = SAFEHOUSE_TRY(encrypt(recipients, out));
  SAFEHOUSE_TRY_VOID(sink->write(plaintext));
  SAFEHOUSE_TRY_VOID(sink->finish());
  return sealed;
}

Result<void> rewrap(std::span<const Identity* const> identities, const Recipient& extra,
                    ByteSource& in, ByteSink& out) {
  detail::ParsedHeader parsed;
  auto file_key = SAFEHOUSE_TRY(open_header(identities, in, parsed));
  std::vector<Stanza>& stanzas = parsed.header.stanzas;
  if (extra.requires_sole_stanza() || has_scrypt(stanzas)) {
    return invalid_argument("rewrap: a passphrase-encrypted file cannot gain recipients");
  }
  if (stanzas.size() >= detail::kMaxStanzas) return invalid_argument("rewrap: too many stanzas");
  auto wrapped = SAFEHOUSE_TRY(extra.wrap(file_key));
  for (auto& s : wrapped) stanzas.push_back(std::move(s));
  std::string mac_input = detail::header_mac_input(stanzas);
  std::string text = detail::header_with_mac(mac_input, header_mac(file_key, mac_input));
  if (text.size() > detail::kMaxHeaderBytes) {
    return Error(ErrorCode::kTooLarge, "rewrap: header larger than the header size limit");
  }
  SAFEHOUSE_TRY_VOID(out.write(as_bytes(text)));
  // The payload (nonce and chunks) is copied untouched: it depends only on
  // the file key, which has not changed.
  SAFEHOUSE_TRY_VOID(out.write(parsed.rest));
  SAFEHOUSE_TRY_VOID(copy_all(in, out));
  return out.finish();
}

}  // namespace safehouse::age
