// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/codename.cpp: packing 8 12-bit word indices into 12 bytes, and
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

// Two indices share three bytes: aaaaaaaa aaaabbbb bbbbbbbb.
void pack(const Indices& indices, std::span<std::uint8_t> out) {
  for (std::size_t pair = 0; pair < Codename::kWords / 2; ++pair) {
    const std::uint16_t a = indices[2 * pair];
    const std::uint16_t b = indices[2 * pair + 1];
    out[3 * pair] = static_cast<std::uint8_t>(a >> 4);
    out[3 * pair + 1] = static_cast<std::uint8_t>(((a & 0x0f) << 4) | (b >> 8));
    out[3 * pair + 2] = static_cast<std::uint8_t>(b & 0xff);
  }
}

void unpack(std::span<const std::uint8_t> bytes, Indices& out) {
  for (std::size_t pair = 0; pair < Codename::kWords / 2; ++pair) {
    const std::uint8_t* p = bytes.data() + 3 * pair;
    out[2 * pair] = static_cast<std::uint16_t>((p[0] << 4) | (p[1] >> 4));
    out[2 * pair + 1] = static_cast<std::uint16_t>(((p[1] & 0x0f) << 8) | p[2]);
  }
}

void wipe_indices(Indices& indices) {
  crypto::wipe({reinterpret_cast<std::uint8_t*>(indices.data()), sizeof(indices)});
}

void wipe_string(std::string& text) {
  crypto::wipe({reinterpret_cast<std::uint8_t*>(text.data()), text.size()});
}

// Looks each space-separated word of `normalised` up; the count is checked
// first so that a short or long codename gets the more useful message.
Result<void> lookup_words(std::string_view normalised, Indices& out) {
  std::size_t count = normalised.empty() ? 0 : 1;
  for (const char c : normalised) count += c == ' ' ? 1 : 0;
  if (count != Codename::kWords) {
    return malformed("codename: expected " + std::to_string(Codename::kWords) + " words, got " +
                     std::to_string(count));
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i < Codename::kWords; ++i) {
    const std::size_t end = std::min(normalised.find(' ', start), normalised.size());
    const auto index = find_word(normalised.substr(start, end - start));
    if (!index)
      return malformed("codename: word " + std::to_string(i + 1) + " is not in the word list");
    out[i] = *index;
    start = end + 1;
  }
  return {};
}

}  // namespace

Codename Codename::generate() {
  return Codename(crypto::SecretBytes::random(kSecretBytes));
}

Result<Codename> Codename::parse(std::string_view typed) {
  if (typed.size() > kMaxTypedBytes) {
    return Error(ErrorCode::kTooLarge,
                 "codename: longer than " + std::to_string(kMaxTypedBytes) + " bytes");
  }
  auto normalised = normalise(typed);
  if (!normalised) return normalised.error().with_context("codename");
  Indices indices{};
  const Result<void> found = lookup_words(*normalised, indices);
  wipe_string(*normalised);
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
