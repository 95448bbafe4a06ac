// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/http/multipart_test.cpp: the streaming multipart parser: results do
// not depend on how the body is split; malformed bodies fail specifically.
#include "http/multipart.h"

#include <gtest/gtest.h>

#include <vector>

namespace safehouse::http {
namespace {

struct Part {
  PartHeaders headers;
  std::string data;
  bool ended = false;
};

bool operator==(const Part& a, const Part& b) {
  return a.headers.field_name == b.headers.field_name &&
         a.headers.file_name == b.headers.file_name &&
         a.headers.content_type == b.headers.content_type && a.data == b.data && a.ended == b.ended;
}

class Collector {
 public:
  explicit Collector(std::string boundary = "XyZ", MultipartLimits limits = {})
      : parser_(std::move(boundary),
                {[this](const PartHeaders& headers) -> Result<void> {
                   parts.push_back(Part{headers, {}, false});
                   return {};
                 },
                 [this](ByteSpan data) -> Result<void> {
                   if (data.empty()) return malformed("test: empty data callback");
                   largest_piece = std::max(largest_piece, data.size());
                   parts.back().data.append(reinterpret_cast<const char*>(data.data()),
                                            data.size());
                   return {};
                 },
                 [this]() -> Result<void> {
                   parts.back().ended = true;
                   return {};
                 }},
                limits) {}

  Result<void> feed(std::string_view data) { return parser_.feed(as_bytes(data)); }
  Result<void> finish() { return parser_.finish(); }
  // Feeds `body` in pieces of `step` bytes, then finishes.
  Result<void> run(std::string_view body, std::size_t step) {
    for (std::size_t i = 0; i < body.size(); i += step) {
      SAFEHOUSE_TRY_VOID(feed(body.substr(i, step)));
    }
    return finish();
  }

  std::vector<Part> parts;
  std::size_t largest_piece = 0;

 private:
  MultipartParser parser_;
};

const std::string kBody =
    "preamble is ignored\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"csrf\"\r\n"
    "\r\n"
    "tok\r\n"
    "--XyZ  \r\n"
    "content-disposition: form-data; name=\"files\"; filename=\"C:\\docs\\a;b.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "hello\r\n--XyNot a boundary\r\n--X\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=message\r\n"
    "\r\n"
    "\r\n"
    "--XyZ--\r\n"
    "epilogue is ignored";

std::vector<Part> expected_parts() {
  return {
      Part{{"csrf", std::nullopt, "text/plain"}, "tok", true},
      Part{
          {"files", "C:\\docs\\a;b.txt", "text/plain"}, "hello\r\n--XyNot a boundary\r\n--X", true},
      Part{{"message", std::nullopt, "text/plain"}, "", true},
  };
}

TEST(Multipart, ParsesWholeBody) {
  Collector collector;
  auto result = collector.run(kBody, kBody.size());
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(collector.parts, expected_parts());
}

TEST(Multipart, SameResultAtEverySplitPoint) {
  for (std::size_t split = 0; split <= kBody.size(); ++split) {
    Collector collector;
    ASSERT_TRUE(collector.feed(std::string_view(kBody).substr(0, split)));
    ASSERT_TRUE(collector.feed(std::string_view(kBody).substr(split)));
    ASSERT_TRUE(collector.finish()) << split;
    EXPECT_EQ(collector.parts, expected_parts()) << "split at " << split;
  }
}

TEST(Multipart, OneByteAtATime) {
  Collector collector;
  ASSERT_TRUE(collector.run(kBody, 1));
  EXPECT_EQ(collector.parts, expected_parts());
}

TEST(Multipart, NeverBuffersAWholeLargePart) {
  std::string data(1 << 20, 'a');
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"v.mp4\"\r\n"
      "Content-Type: video/mp4\r\n\r\n" +
      data + "\r\n--XyZ--";
  Collector collector;
  ASSERT_TRUE(collector.run(body, 4096));
  ASSERT_EQ(collector.parts.size(), 1u);
  EXPECT_EQ(collector.parts[0].data, data);
  EXPECT_EQ(collector.parts[0].headers.content_type, "video/mp4");
  EXPECT_LE(collector.largest_piece, 4096u + 16);
}

TEST(Multipart, SameResultAtEveryThreeWaySplit) {
  // The middle piece 0-24 bytes long (a delimiter is 7 here), or longer in
  // steps of 5: all of them took a minute under ASan.
  for (std::size_t i = 0; i <= kBody.size(); ++i) {
    for (std::size_t j = i; j <= kBody.size(); j += j - i < 24 ? 1 : 5) {
      Collector collector;
      const std::string_view body(kBody);
      ASSERT_TRUE(collector.feed(body.substr(0, i)));
      ASSERT_TRUE(collector.feed(body.substr(i, j - i)));
      ASSERT_TRUE(collector.feed(body.substr(j)));
      ASSERT_TRUE(collector.finish()) << i << " " << j;
      ASSERT_EQ(collector.parts, expected_parts()) << "split at " << i << " and " << j;
    }
  }
}

// A large file part whose bytes hold near-delimiters (the delimiter cut
// short, and one byte off) at and around every piece boundary: the same
// parts however it is fed, and the file's bytes are handed on from the
// caller's buffer (not copied into the parser's) once the part is under way.
TEST(Multipart, LargePartHandedOnInPlaceHoweverSplit) {
  const std::string delimiter = "\r\n--XyZ";
  std::string data;
  std::uint32_t x = 12345;
  while (data.size() < 300'000) {
    x = x * 1103515245u + 12345u;
    if ((x >> 16) % 97 == 0) {
      const std::size_t cut = (x >> 8) % delimiter.size();  // 0 .. 7 bytes of it
      data += delimiter.substr(0, cut);
      if ((x >> 4) % 2 == 0) data += "Xq";  // "\r\n--XyX…": one byte off
    } else {
      const char c = static_cast<char>(x >> 24);
      data.push_back(c == 'Z' ? 'z' : c);  // never completing a cut-short delimiter
    }
  }
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nt\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"files\"; "
      "filename=\"f.bin\"\r\n\r\n" +
      data + "\r\n--XyZ\r\nContent-Disposition: form-data; name=m\r\n\r\n" + "end\r\n--XyZ--\r\n";
  Collector whole;
  auto parsed = whole.run(body, body.size());
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(whole.parts.size(), 3u);
  ASSERT_EQ(whole.parts[1].data, data);
  for (std::size_t step : {std::size_t{7}, std::size_t{8}, std::size_t{9}, std::size_t{100},
                           std::size_t{4096}, std::size_t{65536}}) {
    Collector collector;
    ASSERT_TRUE(collector.run(body, step)) << step;
    EXPECT_EQ(collector.parts, whole.parts) << "pieces of " << step;
  }
  // Random piece sizes, and where the bytes handed on come from.
  std::size_t pieces = 0, in_place = 0;  // in_place: bytes
  const char* fed_begin = nullptr;
  const char* fed_end = nullptr;
  std::string file;
  MultipartParser parser("XyZ", {[](const PartHeaders&) -> Result<void> { return {}; },
                                 [&](ByteSpan piece) -> Result<void> {
                                   const char* p = reinterpret_cast<const char*>(piece.data());
                                   ++pieces;
                                   if (p >= fed_begin && p + piece.size() <= fed_end)
                                     in_place += piece.size();
                                   file.append(p, piece.size());
                                   return {};
                                 },
                                 []() -> Result<void> { return {}; }});
  for (std::size_t at = 0; at < body.size();) {
    x = x * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(body.size() - at, 1 + (x >> 16) % 20'000);
    const std::string piece = body.substr(at, n);  // a buffer of its own, as a chunk is
    fed_begin = piece.data();
    fed_end = piece.data() + piece.size();
    ASSERT_TRUE(parser.feed(as_bytes(std::string_view(piece))));
    at += n;
  }
  ASSERT_TRUE(parser.finish());
  EXPECT_EQ(file, "t" + data + "end");
  EXPECT_GT(pieces, 30u);
  // All but the held-back delimiter-lengths and the first piece of the part.
  EXPECT_GT(in_place, data.size() * 9 / 10) << in_place << " of " << data.size() << " bytes";
}

TEST(Multipart, BodyWithoutPreambleOrCrlfAtEnd) {
  Collector collector;
  ASSERT_TRUE(
      collector.run("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--", 3));
  ASSERT_EQ(collector.parts.size(), 1u);
  EXPECT_EQ(collector.parts[0].data, "1");
}

void expect_error(std::string_view body, ErrorCode code, std::string_view words,
                  MultipartLimits limits = {}) {
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, body.size() + 1}) {
    Collector collector("XyZ", limits);
    auto result = collector.run(body, step);
    ASSERT_FALSE(result) << body;
    EXPECT_EQ(result.error().code(), code) << result.error().message();
    EXPECT_NE(result.error().message().find(words), std::string::npos) << result.error().message();
  }
}

TEST(Multipart, RejectsTruncatedBody) {
  expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1234", ErrorCode::kMalformed,
               "closing boundary");
  expect_error("", ErrorCode::kMalformed, "closing boundary");
  expect_error("no boundary at all", ErrorCode::kMalformed, "closing boundary");
}

TEST(Multipart, RejectsBadPartHeaders) {
  expect_error("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", ErrorCode::kMalformed,
               "no content-disposition");
  expect_error("--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--XyZ--",
               ErrorCode::kMalformed, "not form-data");
  expect_error("--XyZ\r\nContent-Disposition: form-data; filename=a\r\n\r\nx\r\n--XyZ--",
               ErrorCode::kMalformed, "no field name");
  expect_error("--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--", ErrorCode::kMalformed, "no colon");
  expect_error("--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--",
               ErrorCode::kMalformed, "unterminated");
  expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n folded\r\n\r\nx\r\n--XyZ--",
               ErrorCode::kMalformed, "folded");
  expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\nX: \x01\r\n\r\nx\r\n--XyZ--",
               ErrorCode::kMalformed, "control character");
  expect_error("--XyZjunk\r\n", ErrorCode::kMalformed, "line break");
}

TEST(Multipart, RejectsOversizedHeader) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-Pad: " + std::string(5000, 'p') +
      "\r\n\r\nx\r\n--XyZ--";
  expect_error(body, ErrorCode::kTooLarge, "headers are too long");
  // The same without the final blank line: still caught before it ends.
  expect_error("--XyZ\r\nX: " + std::string(5000, 'p'), ErrorCode::kTooLarge, "too long");
}

TEST(Multipart, HeaderExactlyAtTheLimitPassesHoweverSplit) {
  std::string headers = "Content-Disposition: form-data; name=a\r\nX-Pad: ";
  MultipartLimits limits;
  headers += std::string(limits.max_part_header_bytes - headers.size(), 'p');
  ASSERT_EQ(headers.size(), limits.max_part_header_bytes);
  std::string body = "--XyZ\r\n" + headers + "\r\n\r\nxyz\r\n--XyZ--";
  for (std::size_t step : {std::size_t{1}, std::size_t{3}, body.size()}) {
    Collector collector("XyZ", limits);
    auto result = collector.run(body, step);
    ASSERT_TRUE(result) << step << ": " << result.error().message();
    ASSERT_EQ(collector.parts.size(), 1u);
    EXPECT_EQ(collector.parts[0].data, "xyz");
  }
  // One byte more is refused, however split.
  std::string longer = "--XyZ\r\n" + headers + "p\r\n\r\nxyz\r\n--XyZ--";
  expect_error(longer, ErrorCode::kTooLarge, "too long", limits);
}

TEST(Multipart, RejectsTooManyParts) {
  std::string body;
  for (int i = 0; i < 4; ++i)
    body += "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n";
  body += "--XyZ--";
  MultipartLimits limits;
  limits.max_parts = 3;
  expect_error(body, ErrorCode::kTooLarge, "too many parts", limits);
  limits.max_parts = 4;
  Collector collector("XyZ", limits);
  EXPECT_TRUE(collector.run(body, 5));
}

TEST(Multipart, ErrorsAreSticky) {
  Collector collector;
  ASSERT_FALSE(collector.feed("--XyZ\r\nbad\r\n\r\n"));
  auto again = collector.feed("--XyZ--");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("no colon"), std::string::npos);
  EXPECT_FALSE(collector.finish());
}

TEST(Multipart, CallbackErrorStopsParsing) {
  MultipartParser parser("b", {[](const PartHeaders&) -> Result<void> {
                                 return Error(ErrorCode::kTooLarge, "intake: too many files");
                               },
                               nullptr, nullptr});
  auto result = parser.feed(as_bytes("--b\r\nContent-Disposition: form-data; name=f\r\n\r\nx"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "intake: too many files");
}

TEST(Boundary, FromContentType) {
  EXPECT_EQ(boundary_from_content_type("multipart/form-data; boundary=----WebKitFormBoundaryab12")
                .value(),
            "----WebKitFormBoundaryab12");
  EXPECT_EQ(
      boundary_from_content_type("Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b:c\"").value(),
      "a b:c");
}

TEST(Boundary, Rejects) {
  auto other = boundary_from_content_type("application/x-www-form-urlencoded");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), ErrorCode::kUnsupported);
  for (const char* bad :
       {"multipart/form-data", "multipart/form-data; charset=utf-8",
        "multipart/form-data; boundary=", "multipart/form-data; boundary=a\x01",
        "multipart/form-data; boundary=\"ends \"", "multipart/form-data; boundary=\"unterminated",
        "multipart/form-data; boundary"}) {
    auto result = boundary_from_content_type(bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code(), ErrorCode::kMalformed) << bad;
  }
  auto too_long =
      boundary_from_content_type("multipart/form-data; boundary=" + std::string(71, 'a'));
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message().find("too long"), std::string::npos);
}

TEST(SanitizeFileName, StripsPathsControlsAndDots) {
  EXPECT_EQ(sanitize_file_name("report.pdf"), "report.pdf");
  EXPECT_EQ(sanitize_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(sanitize_file_name("C:\\Users\\me\\photo.jpg"), "photo.jpg");
  EXPECT_EQ(sanitize_file_name("..hidden"), "hidden");
  EXPECT_EQ(sanitize_file_name(" . .x"), "x");
  EXPECT_EQ(sanitize_file_name("a\r\nb\x01\x7f.txt"), "ab.txt");
  EXPECT_EQ(sanitize_file_name("invoice\xE2\x80\xAE"
                               "fdp.exe"),
            "invoicefdp.exe");  // U+202E
  EXPECT_EQ(sanitize_file_name("\xD8\xB3\xD9\x86\xD8\xAF.pdf"), "\xD8\xB3\xD9\x86\xD8\xAF.pdf");
  EXPECT_EQ(sanitize_file_name("bad\xFFutf8"), "badutf8");
  EXPECT_EQ(sanitize_file_name(""), "file");
  EXPECT_EQ(sanitize_file_name("dir/"), "file");
  EXPECT_EQ(sanitize_file_name(".."), "file");
}

TEST(SanitizeFileName, CapsLengthAtCharacterBoundary) {
  std::string persian;
  for (int i = 0; i < 150; ++i) persian += "\xD8\xB3";  // 2 bytes each
  std::string out = sanitize_file_name("x" + persian);
  EXPECT_LE(out.size(), kMaxFileNameBytes);
  EXPECT_EQ(out.size() % 2, 1u);  // "x" plus whole characters
  EXPECT_EQ(sanitize_file_name(std::string(500, 'a')).size(), kMaxFileNameBytes);
}

}  // namespace
}  // namespace safehouse::http
