// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/frame_header.cpp: the JSON header of an item frame, written and
// parsed with Boost.JSON. Strict: unknown keys and wrong types are errors, so
// a header means exactly one thing to every reader.
#include <boost/json.hpp>

#include "crypto/secret_bytes.h"
#include "intake/frame.h"

namespace safehouse::intake {

namespace json = boost::json;

namespace {

constexpr std::string_view kKindNames[] = {"message", "file", "reply"};

Result<std::string> string_field(const json::object& object, std::string_view key,
                                 std::string_view where) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::string();
  if (!value->is_string()) {
    return malformed(std::string(where) + ": \"" + std::string(key) + "\" is not a string");
  }
  const json::string& text = value->get_string();
  if (text.size() > kMaxFrameFieldBytes) {
    return Error(ErrorCode::kTooLarge, std::string(where) + ": \"" + std::string(key) +
                                           "\" is longer than " +
                                           std::to_string(kMaxFrameFieldBytes) + " bytes");
  }
  return std::string(text.data(), text.size());
}

Result<void> check_keys(const json::object& object, std::initializer_list<std::string_view> keys,
                        std::string_view where) {
  for (const auto& entry : object) {
    bool known = false;
    for (std::string_view key : keys) known = known || entry.key() == key;
    // The key comes from the sender; name it only by position.
    if (!known) return malformed(std::string(where) + ": unknown key");
  }
  return {};
}

Result<Claims> parse_claims(const json::value& value) {
  if (!value.is_object()) return malformed("frame header: \"claims\" is not an object");
  const json::object& object = value.get_object();
  SAFEHOUSE_TRY_VOID(
      check_keys(object, {"branch", "unit", "rank", "region"}, "frame header: claims"));
  Claims claims;
  claims.branch = SAFEHOUSE_TRY(string_field(object, "branch", "frame header: claims"));
  claims.unit = SAFEHOUSE_TRY(string_field(object, "unit", "frame header: claims"));
  claims.rank = SAFEHOUSE_TRY(string_field(object, "rank", "frame header: claims"));
  claims.region = SAFEHOUSE_TRY(string_field(object, "region", "frame header: claims"));
  return claims;
}

Result<ItemKind> parse_kind(const json::object& object) {
  const json::value* kind = object.if_contains("kind");
  if (kind == nullptr || !kind->is_string()) {
    return malformed("frame header: \"kind\" is missing or not a string");
  }
  for (std::size_t i = 0; i < std::size(kKindNames); ++i) {
    if (kind->get_string() == kKindNames[i]) return static_cast<ItemKind>(i);
  }
  return Error(ErrorCode::kUnsupported, "frame header: unknown kind");
}

}  // namespace

std::string_view item_kind_name(ItemKind kind) {
  return kKindNames[static_cast<int>(kind)];
}

Result<FrameHeader> parse_frame_header(std::string_view text) {
  json::parse_options options;
  options.max_depth = 4;
  boost::system::error_code ec;
  json::value root = json::parse(text, ec, {}, options);
  if (ec) return malformed("frame header: not valid JSON");
  if (!root.is_object()) return malformed("frame header: not a JSON object");
  const json::object& object = root.get_object();
  SAFEHOUSE_TRY_VOID(
      check_keys(object, {"version", "kind", "file_name", "media_type", "language", "claims"},
                 "frame header"));
  const json::value* version = object.if_contains("version");
  if (version == nullptr || !version->is_int64()) {
    return malformed("frame header: \"version\" is missing or not an integer");
  }
  if (version->get_int64() != kFrameVersion) {
    return Error(ErrorCode::kUnsupported,
                 "frame header: unsupported version " + std::to_string(version->get_int64()));
  }
  FrameHeader header;
  header.kind = SAFEHOUSE_TRY(parse_kind(object));
  header.file_name = SAFEHOUSE_TRY(string_field(object, "file_name", "frame header"));
  header.media_type = SAFEHOUSE_TRY(string_field(object, "media_type", "frame header"));
  header.language = SAFEHOUSE_TRY(string_field(object, "language", "frame header"));
  if (const json::value* claims = object.if_contains("claims")) {
    header.claims = SAFEHOUSE_TRY(parse_claims(*claims));
  }
  return header;
}

Result<std::string> serialize_frame_header(const FrameHeader& header) {
  json::object object;
  object["version"] = header.version;
  object["kind"] = item_kind_name(header.kind);
  if (!header.file_name.empty()) object["file_name"] = header.file_name;
  if (!header.media_type.empty()) object["media_type"] = header.media_type;
  object["language"] = header.language;
  if (header.claims) {
    object["claims"] = json::object{{"branch", header.claims->branch},
                                    {"unit", header.claims->unit},
                                    {"rank", header.claims->rank},
                                    {"region", header.claims->region}};
  }
  std::string text = json::serialize(object);
  // Boost.JSON writes bytes as given; checking the text with our own parser
  // catches invalid UTF-8 and over-long fields before anything is encrypted.
  auto check = parse_frame_header(text);
  if (!check || !(*check == header) || text.size() > kMaxFrameHeaderBytes) {
    crypto::wipe({reinterpret_cast<std::uint8_t*>(text.data()), text.size()});
    return invalid_argument(check ? "frame header: does not round-trip" : check.error().message());
  }
  return text;
}

}  // namespace safehouse::intake
