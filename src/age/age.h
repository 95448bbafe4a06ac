// SPDX-License-Identifier: AGPL-3.0-or-later
// age/age.h: encrypt, decrypt and rewrap age v1 files. The one place that
// joins the header format, the recipients and the payload stream. Armor is
// explicit (age/armor.h); this file never guesses it.
#ifndef SAFEHOUSE_AGE_AGE_H_
#define SAFEHOUSE_AGE_AGE_H_

#include <array>
#include <memory>
#include <span>

#include "age/recipient.h"
#include "base/byte_stream.h"

namespace safehouse::age {

// Returns a sink the caller writes plaintext to and then MUST finish(); the
// ciphertext goes to `out`, and the sink's finish() calls out.finish().
// Memory use is constant (one 64 KiB chunk). Fails when `recipients` is empty
// or mixes a sole-stanza recipient (scrypt) with others.
// Requires: `out` outlives the returned sink.
Result<std::unique_ptr<ByteSink>> encrypt(std::span<const Recipient* const> recipients,
                                          ByteSink& out);

// encrypt() of `plaintext` in memory, for small records (sealed notes,
// assessments, openings); the whole age file.
Result<Bytes> encrypt_bytes(std::span<const Recipient* const> recipients, ByteSpan plaintext);

struct EncryptOptions {
  // Threads sealing payload chunks, the caller's included. 1 seals on the
  // caller's thread only (what a busy server wants: it encrypts many files at
  // once). More is for one big file, e.g. the CLI, or a server's lone upload;
  // memory stays constant: 3 chunks of 64 KiB per thread, at most 8 threads.
  // Output is the same.
  unsigned threads = 1;
};

// encrypt() with options.
Result<std::unique_ptr<ByteSink>> encrypt(std::span<const Recipient* const> recipients,
                                          ByteSink& out, const EncryptOptions& options);

// Decrypts `in` to `out`, streaming, in constant memory. Error message
// prefixes and codes: "header: ..." (kMalformed, kUnsupported, kTooLarge),
// "header: MAC ..." (kIntegrity), "payload: ..." (kMalformed, kIntegrity),
// kNoMatch when no identity matched, and errors of `in` passed through
// ("armor: ..." from an ArmorReader). On error some plaintext may already be
// in `out`: the caller discards it. Calls out.finish() on success.
Result<void> decrypt(std::span<const Identity* const> identities, ByteSource& in, ByteSink& out);

// Copies the age file `in` to `out` with one more stanza for `extra` and a
// new header MAC; the payload bytes are copied untouched (not decrypted).
Result<void> rewrap(std::span<const Identity* const> identities, const Recipient& extra,
                    ByteSource& in, ByteSink& out);

namespace detail {

// A serialised header (through the MAC line's newline) and its file key.
struct SealedHeader {
  Bytes bytes;
  crypto::SecretBytes file_key;
};

// Makes a fresh file key, wraps it for every recipient and MACs the header.
Result<SealedHeader> seal_header(std::span<const Recipient* const> recipients);

// Like encrypt(), but with a given header, file key and payload nonce, so
// that tests can compare outputs byte for byte.
Result<std::unique_ptr<ByteSink>> encrypt_with(const SealedHeader& header,
                                               std::span<const std::uint8_t, 16> nonce,
                                               ByteSink& out, const EncryptOptions& options = {});

}  // namespace detail
}  // namespace safehouse::age

#endif  // SAFEHOUSE_AGE_AGE_H_
