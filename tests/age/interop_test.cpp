// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/age/interop_test.cpp: files made here open with the reference `age`
// CLI (Debian's age 1.1.1) and files it makes open here. A missing `age`
// binary is a failure (scripts/lib.sh installs it), never a skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "age/age.h"
#include "age/armor.h"
#include "age/x25519.h"
#include "test_util.h"

namespace safehouse::age {
namespace {

namespace fs = std::filesystem;

class Interop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(std::system("command -v age >/dev/null 2>&1"), 0)
        << "the age CLI is not installed (apt-get install age)";
    dir_ = fs::temp_directory_path() / ("safehouse_age_interop_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path path(const std::string& name) const { return dir_ / name; }
  static void write(const fs::path& p, ByteSpan data) {
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
  }
  static int run(const std::string& cmd) { return std::system((cmd + " 2>/dev/null").c_str()); }

  fs::path dir_;
};

constexpr std::size_t kSizes[] = {0, 1, 65535, 65536, 65537, 131072, 131073, 200000};

TEST_F(Interop, AgeCliDecryptsOurFiles) {
  X25519Identity id = X25519Identity::generate();
  auto key = id.to_string();
  write(path("key.txt"), key.reveal());
  X25519Recipient r = id.recipient();
  const Recipient* rs[] = {&r};
  // Sizes at the payload's chunk boundaries (the libcrypto chunk cipher's
  // edge cases), each sealed by the single- and the two-thread writer.
  for (bool armored : {false, true}) {
    for (std::size_t size : kSizes) {
      const unsigned threads = size % 2 == 0 ? 2 : 1;
      Bytes data = testing::pattern(size, 5);
      Bytes ct;
      VectorSink sink(ct);
      std::unique_ptr<ByteSink> armor = armored ? armor_writer(sink) : nullptr;
      auto w = encrypt(rs, armored ? *armor : static_cast<ByteSink&>(sink),
                       EncryptOptions{.threads = threads});
      ASSERT_TRUE(w);
      ASSERT_TRUE((*w)->write(data));
      ASSERT_TRUE((*w)->finish());
      write(path("ct.age"), ct);
      fs::remove(path("pt"));  // age creates its output only on the first write
      ASSERT_EQ(run("age -d -i " + path("key.txt").string() + " -o " + path("pt").string() + " " +
                    path("ct.age").string()),
                0)
          << size << (armored ? " armored" : "");
      EXPECT_EQ(testing::read_file(path("pt").string()), data) << size;
    }
  }
}

TEST_F(Interop, WeDecryptAgeCliFiles) {
  X25519Identity id = X25519Identity::generate();
  const Identity* ids[] = {&id};
  for (std::size_t size : kSizes) {
    Bytes data = testing::pattern(size, 6);
    write(path("pt"), data);
    for (std::string flags : {"", "-a"}) {
      ASSERT_EQ(run("age " + flags + " -r " + id.recipient().to_string() + " -o " +
                    path("ct.age").string() + " " + path("pt").string()),
                0);
      Bytes ct = testing::read_file(path("ct.age").string());
      SpanSource source(ct);
      ArmorReader armor(source);
      ByteSource& in = flags.empty() ? static_cast<ByteSource&>(source) : armor;
      EXPECT_EQ(looks_armored(ct), !flags.empty());
      Bytes back;
      VectorSink sink(back);
      auto r = decrypt(ids, in, sink);
      ASSERT_TRUE(r) << size << ": " << r.error().message();
      EXPECT_EQ(back, data) << size;
    }
  }
}

}  // namespace
}  // namespace safehouse::age
