// SPDX-License-Identifier: AGPL-3.0-or-later
// http/source_api_json.cpp: the JavaScript client API's JSON bodies
// (source_api_json.h).
#include "http/source_api_json.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdint>

#include "intake/sealed_items.h"

namespace safehouse::http {

static_assert(kSourceSigningKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSourceSignatureBytes == crypto_sign_BYTES);

namespace {

// The value of each standard base64 digit; -1 for every other byte ('=' too).
constexpr std::array<std::int8_t, 256> kBase64Digit = [] {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  constexpr std::string_view kDigits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < kDigits.size(); ++i) {
    table[static_cast<unsigned char>(kDigits[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}();

std::optional<boost::json::object> json_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::optional<std::string_view> string_field(const boost::json::object& object,
                                             std::string_view name) {
  auto it = object.find(name);
  if (it == object.end() || !it->value().is_string()) return std::nullopt;
  const auto& text = it->value().get_string();
  return std::string_view(text.data(), text.size());
}

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> fixed_from_base64(std::string_view text) {
  auto bytes = source_api_from_base64(text, N);
  if (!bytes || bytes->size() != N) return std::nullopt;
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// The items: base64 age files.
std::optional<std::vector<Bytes>> items_of(const boost::json::object& body) {
  auto it = body.find("items");
  if (it == body.end() || !it->value().is_array()) return std::nullopt;
  const auto& array = it->value().get_array();
  if (array.size() > intake::kMaxSealedItems) return std::nullopt;
  std::vector<Bytes> items;
  for (const auto& value : array) {
    if (!value.is_string()) return std::nullopt;
    const auto& text = value.get_string();
    auto bytes = source_api_from_base64(std::string_view(text.data(), text.size()),
                                        intake::kMaxSealedItemBytes);
    if (!bytes) return std::nullopt;
    items.push_back(std::move(*bytes));
  }
  return items;
}

}  // namespace

std::optional<Bytes> source_api_from_base64(std::string_view text, std::size_t max_bytes) {
  // Only the one canonical spelling of the bytes: padded to a multiple of 4,
  // '=' only as the last one or two characters, and the bits that padding
  // leaves over zero. Table-driven, not constant-time: what it decodes (age
  // ciphertext, public keys, signatures) is not secret. libsodium's
  // constant-time decoder and the re-encoding that checked its result for
  // canonical spelling cost nearly half the server's instructions per
  // pre-encrypted submission (bench/RESULTS.md, "sealed submissions").
  if (text.size() % 4 != 0 || text.size() / 4 * 3 > max_bytes + 3) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  const std::size_t length = text.size() / 4 * 3 - pad;
  if (length > max_bytes) return std::nullopt;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t whole = pad == 0 ? text.size() : text.size() - 4;
  Bytes out(length);
  std::size_t at = 0;
  for (std::size_t i = 0; i < whole; i += 4) {
    const int a = kBase64Digit[in[i]], b = kBase64Digit[in[i + 1]];
    const int c = kBase64Digit[in[i + 2]], d = kBase64Digit[in[i + 3]];
    if ((a | b | c | d) < 0) return std::nullopt;
    const std::uint32_t v = (std::uint32_t(a) << 18) | (std::uint32_t(b) << 12) |
                            (std::uint32_t(c) << 6) | std::uint32_t(d);
    out[at++] = static_cast<std::uint8_t>(v >> 16);
    out[at++] = static_cast<std::uint8_t>(v >> 8);
    out[at++] = static_cast<std::uint8_t>(v);
  }
  if (pad != 0) {
    const int a = kBase64Digit[in[whole]], b = kBase64Digit[in[whole + 1]];
    if ((a | b) < 0) return std::nullopt;
    if (pad == 2) {
      if ((b & 0x0F) != 0) return std::nullopt;
      out[at++] = static_cast<std::uint8_t>((a << 2) | (b >> 4));
    } else {
      const int c = kBase64Digit[in[whole + 2]];
      if (c < 0 || (c & 0x03) != 0) return std::nullopt;
      out[at++] = static_cast<std::uint8_t>((a << 2) | (b >> 4));
      out[at++] = static_cast<std::uint8_t>(((b & 0x0F) << 4) | (c >> 2));
    }
  }
  return out;
}

std::string source_api_to_base64(ByteSpan bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

std::optional<store::SourceId> source_id_from_hex(std::string_view hex) {
  store::SourceId id{};
  if (hex.size() != id.size() * 2) return std::nullopt;
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(id.data(), id.size(), hex.data(), hex.size(), nullptr, &length, &end) != 0 ||
      length != id.size() || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return id;
}

std::optional<SignInBody> parse_sign_in_body(std::string_view body) {
  auto object = json_object(body);
  if (!object) return std::nullopt;
  auto id_text = string_field(*object, "source_id");
  auto signature_text = string_field(*object, "signature");
  if (!id_text || !signature_text) return std::nullopt;
  auto source_id = source_id_from_hex(*id_text);
  auto signature = fixed_from_base64<kSourceSignatureBytes>(*signature_text);
  if (!source_id || !signature) return std::nullopt;
  return SignInBody{*source_id, *signature};
}

std::optional<SubmissionBody> parse_submission_body(std::string_view body) {
  auto object = json_object(body);
  if (!object) return std::nullopt;
  auto items = items_of(*object);
  if (!items) return std::nullopt;
  SubmissionBody out;
  out.items = std::move(*items);
  auto first = object->find("first_contact");
  if (first == object->end() || !first->value().is_object()) return out;
  out.first_contact_state = SubmissionBody::FirstContact::kMalformed;
  const auto& fields = first->value().get_object();
  auto id_text = string_field(fields, "source_id");
  auto recipient = string_field(fields, "reply_recipient");
  auto key_text = string_field(fields, "signing_key");
  auto signature_text = string_field(fields, "signature");
  if (!id_text || !recipient || !key_text || !signature_text) return out;
  auto source_id = source_id_from_hex(*id_text);
  auto key = fixed_from_base64<kSourceSigningKeyBytes>(*key_text);
  auto signature = fixed_from_base64<kSourceSignatureBytes>(*signature_text);
  if (!source_id || !key || !signature) return out;
  bool audit_consent = false;
  if (auto consent = fields.find("audit_consent"); consent != fields.end()) {
    if (!consent->value().is_bool()) return out;
    audit_consent = consent->value().get_bool();
  }
  out.first_contact =
      FirstContactBody{*source_id, std::string(*recipient), *key, *signature, audit_consent};
  out.first_contact_state = SubmissionBody::FirstContact::kPresent;
  return out;
}

namespace {

bool is_upload_id(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::optional<AttachBody> parse_attach_body(std::string_view body) {
  auto object = json_object(body);
  if (!object) return std::nullopt;
  auto uploads = object->find("uploads");
  if (uploads == object->end() || !uploads->value().is_array()) return std::nullopt;
  const auto& list = uploads->value().get_array();
  if (list.empty() || list.size() > kMaxAttachUploads) return std::nullopt;
  AttachBody out;
  for (const auto& value : list) {
    if (!value.is_string()) return std::nullopt;
    const std::string_view id(value.get_string().data(), value.get_string().size());
    if (!is_upload_id(id)) return std::nullopt;
    if (std::find(out.upload_ids.begin(), out.upload_ids.end(), id) != out.upload_ids.end()) {
      return std::nullopt;
    }
    out.upload_ids.emplace_back(id);
  }
  if (object->contains("language")) {
    auto language = string_field(*object, "language");
    if (!language || (*language != "en" && *language != "fa")) return std::nullopt;
    out.language = std::string(*language);
  }
  return out;
}

}  // namespace safehouse::http
