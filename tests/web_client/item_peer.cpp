// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/web_client/item_peer.cpp: the C++ side of the web client's item
// tests. The JavaScript client builds and seals items; this reads them with
// the server's own code, so the tests show the C++ accepts exactly what the
// browser writes:
//   item_peer open IDENTITY_FILE AGE_FILE CONTENT_OUT
//     age-decrypts with intake::decrypt_document (the reviewers' path),
//     writes the content, prints the header as serialize_frame_header does;
//   item_peer frame FRAME_FILE
//     parse_frame, then encode_frame of what was parsed: exits 0 only if the
//     bytes are identical (the JavaScript frame is the C++ frame).
// Exit status 1 with the error message on stderr otherwise.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "age/x25519.h"
#include "crypto/sodium_init.h"
#include "intake/frame.h"
#include "intake/item_reader.h"

namespace {

using safehouse::Bytes;

Bytes read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int fail(const std::string& message) {
  std::cerr << "item_peer: " << message << "\n";
  return 1;
}

int print_header(const safehouse::intake::FrameHeader& header) {
  auto json = safehouse::intake::serialize_frame_header(header);
  if (!json) return fail(json.error().message());
  std::cout << *json << "\n";
  return 0;
}

int open_item(const char* identity_path, const char* age_path, const char* content_path) {
  const Bytes identity_file = read_file(identity_path);
  const std::string text(identity_file.begin(), identity_file.end());
  const auto at = text.find("AGE-SECRET-KEY-1");
  if (at == std::string::npos) return fail("no identity in " + std::string(identity_path));
  auto identity = safehouse::age::X25519Identity::parse(text.substr(at, text.find('\n', at) - at));
  if (!identity) return fail(identity.error().message());
  const Bytes age_file = read_file(age_path);
  safehouse::SpanSource source(age_file);
  Bytes content;
  safehouse::VectorSink sink(content);
  const safehouse::age::Identity* identities[] = {&*identity};
  auto header = safehouse::intake::decrypt_document(source, identities, sink);
  if (!header) return fail(header.error().message());
  std::ofstream(content_path, std::ios::binary)
      .write(reinterpret_cast<const char*>(content.data()),
             static_cast<std::streamsize>(content.size()));
  return print_header(*header);
}

int check_frame(const char* frame_path) {
  const Bytes document = read_file(frame_path);
  auto frame = safehouse::intake::parse_frame(document);
  if (!frame) return fail(frame.error().message());
  auto again = safehouse::intake::encode_frame(frame->header, frame->content);
  if (!again) return fail(again.error().message());
  if (*again != document) return fail("frame: re-encoding differs from the input");
  return print_header(frame->header);
}

}  // namespace

int main(int argc, char** argv) {
  safehouse::crypto::init_sodium();
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "open" && argc == 5) return open_item(argv[2], argv[3], argv[4]);
  if (mode == "frame" && argc == 3) return check_frame(argv[2]);
  return fail("usage: item_peer open IDENTITY AGE_FILE CONTENT_OUT | item_peer frame FRAME_FILE");
}
