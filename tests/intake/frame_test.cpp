// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/intake/frame_test.cpp: item frames round-trip, reach a Padmé bucket,
// decode the same whatever the chunking, and malformed frames are refused
// with a specific message.
#include "intake/frame.h"

#include <gtest/gtest.h>

#include "intake/padme.h"

namespace safehouse::intake {
namespace {

FrameHeader file_header() {
  FrameHeader header;
  header.kind = ItemKind::kFile;
  header.file_name = "report ۱۴۰۲.pdf";
  header.media_type = "application/pdf";
  header.language = "fa";
  return header;
}

FrameHeader first_contact_header() {
  FrameHeader header;
  header.kind = ItemKind::kMessage;
  header.media_type = "text/plain; charset=utf-8";
  header.language = "en";
  header.claims = Claims{"police", "unit 7", "sergeant", "north"};
  return header;
}

Bytes content_of(std::size_t size, std::uint8_t seed) {
  Bytes content(size);
  for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<std::uint8_t>(seed + i * 31);
  return content;
}

std::string error_of(ByteSpan document) {
  auto frame = parse_frame(document);
  return frame ? std::string("ok") : frame.error().message();
}

TEST(Frame, RoundTripsHeaderAndContent) {
  for (std::size_t size : {0, 1, 7, 100, 4096, 70'000}) {
    const Bytes content = content_of(size, 3);
    const Bytes document = encode_frame(first_contact_header(), content).value();
    EXPECT_EQ(document.size(), padme(document.size()));
    auto frame = parse_frame(document);
    ASSERT_TRUE(frame) << frame.error().message();
    EXPECT_EQ(frame->header, first_contact_header());
    EXPECT_EQ(frame->content, content);
  }
}

TEST(Frame, ContentEndingInZerosIsKeptExactly) {
  Bytes content(5000, 0);
  content[0] = 9;
  for (std::size_t zeros : {0, 1, 8, 4999}) {
    Bytes c(content.begin(), content.end() - static_cast<std::ptrdiff_t>(4999 - zeros));
    const Bytes document = encode_frame(file_header(), c).value();
    auto frame = parse_frame(document);
    ASSERT_TRUE(frame) << frame.error().message();
    EXPECT_EQ(frame->content, c);
  }
  const Bytes all_zero(3000, 0);
  auto frame = parse_frame(encode_frame(file_header(), all_zero).value());
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->content, all_zero);
}

TEST(Frame, DecodesTheSameWhateverTheChunking) {
  const Bytes content = content_of(3000, 11);
  const Bytes document = encode_frame(file_header(), content).value();
  for (std::size_t step : {1, 2, 3, 8, 9, 13, 1000}) {
    Bytes out;
    VectorSink sink(out);
    FrameDecoder decoder(sink);
    for (std::size_t i = 0; i < document.size(); i += step) {
      ASSERT_TRUE(
          decoder.write(ByteSpan(document).subspan(i, std::min(step, document.size() - i))));
    }
    ASSERT_TRUE(decoder.finish());
    EXPECT_EQ(out, content) << step;
    EXPECT_EQ(*decoder.header(), file_header());
    EXPECT_EQ(decoder.content_bytes(), content.size());
  }
}

TEST(Frame, WriterReportsSizes) {
  Bytes out;
  VectorSink sink(out);
  auto writer = FrameWriter::create(file_header(), sink).value();
  ASSERT_TRUE(writer->write(content_of(1234, 1)));
  ASSERT_TRUE(writer->finish());
  EXPECT_EQ(writer->content_bytes(), 1234U);
  EXPECT_EQ(writer->document_bytes(), out.size());
  EXPECT_FALSE(writer->write(content_of(1, 1)));  // sticky after finish
}

TEST(Frame, RefusesHeadersItCouldNotReadBack) {
  FrameHeader header = file_header();
  header.file_name = std::string("\xff\xfe", 2);  // not UTF-8
  EXPECT_EQ(serialize_frame_header(header).error().code(), ErrorCode::kInvalidArgument);
  header.file_name = std::string(kMaxFrameFieldBytes + 1, 'a');
  EXPECT_FALSE(serialize_frame_header(header));
}

TEST(FrameMalformed, TruncatedOrEmpty) {
  const Bytes document = encode_frame(file_header(), content_of(500, 5)).value();
  EXPECT_EQ(error_of({}), "frame: truncated");
  EXPECT_EQ(error_of(ByteSpan(document).first(3)), "frame: truncated");
  EXPECT_EQ(error_of(ByteSpan(document).first(30)), "frame: truncated");
  // Cutting the end loses the trailer: the last 8 bytes read as a length.
  EXPECT_NE(error_of(ByteSpan(document).first(document.size() - 1)), "ok");
}

TEST(FrameMalformed, HeaderLength) {
  EXPECT_EQ(error_of(Bytes{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}), "frame: header length is zero");
  EXPECT_EQ(error_of(Bytes{0, 1, 0, 0, 1}), "frame: header length 65536 exceeds 16384");
}

Bytes with_header(std::string_view json, std::size_t content) {
  Bytes document{0, 0, 0, static_cast<std::uint8_t>(json.size())};
  document.insert(document.end(), json.begin(), json.end());
  const std::size_t minimum = document.size() + content + 8;
  document.resize(padme(minimum) - 8, 0);
  for (int i = 7; i >= 0; --i) document.push_back(static_cast<std::uint8_t>(content >> (8 * i)));
  return document;
}

TEST(FrameMalformed, HeaderJson) {
  EXPECT_EQ(error_of(with_header(R"({"version":1,"kind":"file","language":"en"})", 0)), "ok");
  EXPECT_EQ(error_of(with_header("{not json", 0)), "frame header: not valid JSON");
  EXPECT_EQ(error_of(with_header("[1]", 0)), "frame header: not a JSON object");
  EXPECT_EQ(error_of(with_header(R"({"version":2,"kind":"file"})", 0)),
            "frame header: unsupported version 2");
  EXPECT_EQ(error_of(with_header(R"({"version":"1","kind":"file"})", 0)),
            "frame header: \"version\" is missing or not an integer");
  EXPECT_EQ(error_of(with_header(R"({"version":1,"kind":"video"})", 0)),
            "frame header: unknown kind");
  EXPECT_EQ(error_of(with_header(R"({"version":1,"kind":"file","x":1})", 0)),
            "frame header: unknown key");
  EXPECT_EQ(error_of(with_header(R"({"version":1,"kind":"file","file_name":3})", 0)),
            "frame header: \"file_name\" is not a string");
  EXPECT_EQ(error_of(with_header(R"({"version":1,"kind":"message","claims":[]})", 0)),
            "frame header: \"claims\" is not an object");
  EXPECT_EQ(error_of(with_header(R"({"version":1,"kind":"message","claims":{"age":"1"}})", 0)),
            "frame header: claims: unknown key");
}

TEST(FrameMalformed, PaddingAndTrailer) {
  Bytes document = encode_frame(file_header(), content_of(1000, 7)).value();
  const std::size_t padding_start = document.size() - 8 - 1;  // somewhere in the padding
  Bytes dirty = document;
  ASSERT_EQ(dirty[padding_start], 0);  // 1000 bytes + header pads to a larger bucket
  dirty[padding_start] = 1;
  EXPECT_EQ(error_of(dirty), "frame: padding is not all zero");

  Bytes longer = document;
  longer[longer.size() - 2] ^= 0x40;  // claims 16 KiB more content than there is
  EXPECT_EQ(error_of(longer), "frame: content length exceeds the document");

  Bytes extra = document;  // one more zero of padding: no longer the bucket
  extra.insert(extra.end() - 8, 0);
  EXPECT_EQ(error_of(extra), "frame: padding does not match the Padmé bucket");
}

}  // namespace
}  // namespace safehouse::intake
