// SPDX-License-Identifier: AGPL-3.0-or-later
// intake/frame_header.cpp: the JSON header of an item frame, written and
// parsed with Boost.JSON. Strict: unknown keys and wrong types are errors, so
// a header means exactly one thing to every reader.
#include <boost/json.hpp>
#include <new>

#include "crypto/secret_bytes.h"
#include "intake/frame.h"

namespace safehouse::intake {

namespace json = boost::json;

namespace {

// A header may hold the source's claims: every block Boost.JSON allocates for
// one (values, the parser's stacks) is wiped before it is freed.
class WipingResource final : public json::memory_resource {
  void* do_allocate(std::size_t bytes, std::size_t align) override {
    if (align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator new(bytes);
    return ::operator new(bytes, std::align_val_t(align));
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    crypto::wipe({static_cast<std::uint8_t*>(p), bytes});
    if (align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator delete(p);
    ::operator delete(p, std::align_val_t(align));
  }
  bool do_is_equal(const json::memory_resource& other) const noexcept override {
    return this == &other;
  }
};

json::storage_ptr wiping_storage() {
  static WipingResource resource;  // stateless, never destroyed before its users
  return json::storage_ptr(&resource);
}

void wipe_string(std::string& s) {
  crypto::wipe({reinterpret_cast<std::uint8_t*>(s.data()), s.size()});
}

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

void wipe_claims(Claims& claims) {
  wipe_string(claims.branch);
  wipe_string(claims.unit);
  wipe_string(claims.rank);
  wipe_string(claims.region);
}

Result<FrameHeader> parse_frame_header(std::string_view text) {
  json::parse_options options;
  options.max_depth = 4;
  // As json::parse() does, but with the parser's own stacks on wiped memory
  // too (json::parse gives them the default resource).
  unsigned char scratch[1024];
  json::parser parser(wiping_storage(), options, scratch, sizeof scratch);
  parser.reset(wiping_storage());
  boost::system::error_code ec;
  parser.write(text.data(), text.size(), ec);
  json::value root;
  if (!ec) root = parser.release();
  parser.reset();  // frees the parser's stacks now (wiped), not at return
  crypto::wipe({scratch, sizeof scratch});
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
  json::object object(wiping_storage());
  object["version"] = header.version;
  object["kind"] = item_kind_name(header.kind);
  if (!header.file_name.empty()) object["file_name"] = header.file_name;
  if (!header.media_type.empty()) object["media_type"] = header.media_type;
  object["language"] = header.language;
  if (header.claims) {
    object["claims"] = json::object({{"branch", header.claims->branch},
                                     {"unit", header.claims->unit},
                                     {"rank", header.claims->rank},
                                     {"region", header.claims->region}},
                                    wiping_storage());
  }
  // Serialised into storage reserved up front, so the text is never copied by
  // a reallocation that would leave an unwiped copy behind.
  std::string text;
  text.reserve(kMaxFrameHeaderBytes + 1);
  json::serializer serializer;
  serializer.reset(&object);
  char piece[1024];
  while (!serializer.done() && text.size() <= kMaxFrameHeaderBytes) {
    std::string_view out =
        serializer.read(piece, std::min(sizeof piece, text.capacity() - text.size()));
    text.append(out.data(), out.size());
  }
  crypto::wipe({reinterpret_cast<std::uint8_t*>(piece), sizeof piece});
  if (!serializer.done()) {
    wipe_string(text);
    return invalid_argument("frame header: longer than " + std::to_string(kMaxFrameHeaderBytes) +
                            " bytes");
  }
  // Boost.JSON writes bytes as given; checking the text with our own parser
  // catches invalid UTF-8 and over-long fields before anything is encrypted.
  auto check = parse_frame_header(text);
  bool round_trips = check && *check == header;
  if (check && check->claims) wipe_claims(*check->claims);
  if (!round_trips) {
    wipe_string(text);
    return invalid_argument(check ? "frame header: does not round-trip" : check.error().message());
  }
  return text;
}

}  // namespace safehouse::intake
