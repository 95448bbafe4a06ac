// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/codename.cpp: packing 9 11-bit word indices into 13 bytes, and
// reading and writing them as words. Knows nothing of derived keys.
#include "codename/codename.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "codename/normalise.h"

namespace safehouse::codename {
namespace {

using Indices = std::array<std::uint16_t, Codename::kWords>;

// Index i takes bits 11i..11i+10, most significant bit first; the bits
// after the last index stay zero.
void pack(const Indices& indices, std::span<std::uint8_t> out) {
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  for (std::size_t i = 0; i < Codename::kWords; ++i) {
    for (std::size_t bit = 0; bit < kWordBits; ++bit) {
      const std::size_t at = i * kWordBits + bit;
      const unsigned value = (indices[i] >> (kWordBits - 1 - bit)) & 1u;
      out[at / 8] = static_cast<std::uint8_t>(out[at / 8] | (value << (7 - at % 8)));
    }
  }
}

void unpack(std::span<const std::uint8_t> bytes, Indices& out) {
  for (std::size_t i = 0; i < Codename::kWords; ++i) {
    unsigned index = 0;
    for (std::size_t bit = 0; bit < kWordBits; ++bit) {
      const std::size_t at = i * kWordBits + bit;
      index = (index << 1) | ((bytes[at / 8] >> (7 - at % 8)) & 1u);
    }
    out[i] = static_cast<std::uint16_t>(index);
  }
}

// The bits of the last byte that no index uses.
constexpr std::uint8_t kUnusedBits =
    static_cast<std::uint8_t>((1u << (Codename::kSecretBytes * 8 - Codename::kBits)) - 1);

void wipe_indices(Indices& indices) {
  crypto::wipe({reinterpret_cast<std::uint8_t*>(indices.data()), sizeof(indices)});
}

void wipe_string(std::string& text) {
  crypto::wipe({reinterpret_cast<std::uint8_t*>(text.data()), text.size()});
}

// Splits the folding key of a typed codename into words: since no word's key
// is a prefix of another's, at most one word starts at each position. Counts
// every word it finds, so that a short or long codename gets the more useful
// message.
Result<void> lookup_words(std::string_view keys, Indices& out) {
  std::size_t count = 0;
  while (!keys.empty()) {
    const auto match = match_prefix(keys);
    if (!match) {
      return malformed("codename: word " + std::to_string(count + 1) + " is not in the word list");
    }
    if (count < Codename::kWords) out[count] = match->index;
    ++count;
    keys.remove_prefix(match->length);
  }
  if (count != Codename::kWords) {
    return malformed("codename: expected " + std::to_string(Codename::kWords) + " words, got " +
                     std::to_string(count));
  }
  return {};
}

}  // namespace

Codename Codename::generate() {
  crypto::SecretBytes secret = crypto::SecretBytes::random(kSecretBytes);
  secret.reveal()[kSecretBytes - 1] &= static_cast<std::uint8_t>(~kUnusedBits);
  return Codename(std::move(secret));
}

Result<Codename> Codename::parse(std::string_view typed) {
  if (typed.size() > kMaxTypedBytes) {
    return Error(ErrorCode::kTooLarge,
                 "codename: longer than " + std::to_string(kMaxTypedBytes) + " bytes");
  }
  auto normalised = normalise(typed);
  if (!normalised) return normalised.error().with_context("codename");
  std::string keys = fold_key(*normalised);
  wipe_string(*normalised);
  Indices indices{};
  const Result<void> found = lookup_words(keys, indices);
  wipe_string(keys);
  if (!found) {
    wipe_indices(indices);
    return found.error();
  }
  crypto::SecretBytes secret(kSecretBytes);
  pack(indices, secret.reveal());
  wipe_indices(indices);
  return Codename(std::move(secret));
}

Result<Codename> Codename::from_secret(crypto::SecretBytes secret) {
  if (secret.size() != kSecretBytes) {
    return invalid_argument("codename: secret must be " + std::to_string(kSecretBytes) +
                            " bytes, got " + std::to_string(secret.size()));
  }
  if ((secret.reveal()[kSecretBytes - 1] & kUnusedBits) != 0) {
    return invalid_argument("codename: secret has bits set past the last word");
  }
  return Codename(std::move(secret));
}

std::string Codename::render(Language language) const {
  Indices indices{};
  unpack(secret_.reveal(), indices);
  const auto words = wordlist(language);
  std::string out;
  out.reserve(kWords * 20);  // no reallocation: no stray copies of the words
  for (std::size_t i = 0; i < kWords; ++i) {
    if (i != 0) out.push_back(' ');
    out.append(words[indices[i]]);
  }
  wipe_indices(indices);
  return out;
}

}  // namespace safehouse::codename
