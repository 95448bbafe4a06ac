// SPDX-License-Identifier: AGPL-3.0-or-later
// review/bundle.cpp: writing and verifying export bundles. Files are
// created and opened relative to the bundle directory's descriptor with
// O_NOFOLLOW, so a bundle cannot point the reader (or writer) elsewhere.
#include "review/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <set>

#include "crypto/sha256.h"
#include "store/staff_records.h"
#include "store/verifying_source.h"

namespace safehouse::review {
namespace {

// v1: events and items only (what readers before assessments and copies
// know); v2 adds assessment and copy lines. A case without either is
// written as v1.
constexpr std::string_view kCaseFileHeader = "safehouse bundle case v1";
constexpr std::string_view kCaseFileHeaderV2 = "safehouse bundle case v2";

Error errno_error(std::string what) {
  const int saved = errno;
  return Error(ErrorCode::kIo, what + ": " + std::strerror(saved));
}

// Reads a descriptor it owns.
class FdSource final : public ByteSource {
 public:
  explicit FdSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  ~FdSource() override { ::close(fd_); }
  FdSource(const FdSource&) = delete;
  FdSource& operator=(const FdSource&) = delete;
  Result<std::size_t> read(MutableByteSpan data) override {
    for (;;) {
      const ssize_t n = ::read(fd_, data.data(), data.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return errno_error("bundle: " + name_);
    }
  }

 private:
  int fd_;
  std::string name_;
};

// Opens a regular file in the bundle (no symbolic link, no device).
Result<std::unique_ptr<FdSource>> open_in(int dir_fd, const std::string& name) {
  const int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Error(ErrorCode::kNotFound,
                   "bundle: " + name + ": listed in the manifest but missing");
    }
    if (errno == ELOOP) {
      return Error(ErrorCode::kMalformed, "bundle: " + name + ": a symbolic link, not a file");
    }
    return errno_error("bundle: " + name);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::kMalformed, "bundle: " + name + ": not a regular file");
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) (void)::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return std::make_unique<FdSource>(fd, name);
}

Result<std::string> read_small(int dir_fd, const std::string& name, std::size_t max_bytes) {
  auto in = SAFEHOUSE_TRY(open_in(dir_fd, name));
  std::string text;
  Bytes buffer(64 * 1024);
  for (;;) {
    const std::size_t n = SAFEHOUSE_TRY(in->read(buffer));
    if (n == 0) return text;
    if (text.size() + n > max_bytes) {
      return Error(ErrorCode::kTooLarge,
                   "bundle: " + name + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    text.append(reinterpret_cast<const char*>(buffer.data()), n);
  }
}

Result<store::Sha256> hash_file(int dir_fd, const std::string& name) {
  auto in = SAFEHOUSE_TRY(open_in(dir_fd, name));
  crypto::Sha256 hasher;
  Bytes buffer(256 * 1024);
  for (;;) {
    const std::size_t n = SAFEHOUSE_TRY(in->read(buffer));
    if (n == 0) return hasher.finish();
    hasher.update(ByteSpan(buffer.data(), n));
  }
}

// Splits text into lines, each of which must end with '\n'.
Result<std::vector<std::string_view>> split_lines(std::string_view text, std::string_view what) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      return malformed(std::string(what) + ": line " + std::to_string(lines.size() + 1) +
                       " does not end with a newline");
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = line.find(' ', start);
    words.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return words;
    start = end + 1;
  }
}

// A canonical decimal: no sign, no leading zero, within [min, max].
std::optional<std::int64_t> parse_number(std::string_view text, std::int64_t min,
                                         std::int64_t max) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return {};
  for (char c : text) {
    if (c < '0' || c > '9') return {};
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return {};
  }
  return value;
}

std::optional<store::Day> parse_day(std::string_view text) {
  if (text.size() != 8) return {};
  auto value = parse_number(text, 10000101, 99991231);
  if (!value) return {};
  const std::int64_t month = *value / 100 % 100;
  const std::int64_t day = *value % 100;
  if (month < 1 || month > 12 || day < 1 || day > 31) return {};
  return static_cast<store::Day>(*value);
}

bool is_alias(std::string_view alias) {
  if (alias.empty() || alias.size() > 64) return false;
  return std::all_of(alias.begin(), alias.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

// Writes to a descriptor it does not own, hashing what passes.
class FdSink final : public ByteSink {
 public:
  FdSink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Result<void> write(ByteSpan data) override {
    hasher.update(data);
    total += data.size();
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t w = ::write(fd_, data.data() + done, data.size() - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno_error("export: " + name_);
      }
      done += static_cast<std::size_t>(w);
    }
    return {};
  }
  Result<void> finish() override { return {}; }
  crypto::Sha256 hasher;
  std::uint64_t total = 0;

 private:
  int fd_;
  std::string name_;
};

// Creates files in the new bundle and remembers them, to remove them all
// again if the export fails.
class BundleWriter {
 public:
  static Result<std::unique_ptr<BundleWriter>> create(const std::filesystem::path& path) {
    if (::mkdir(path.c_str(), 0700) != 0) {
      if (errno == EEXIST) {
        return Error(ErrorCode::kConflict,
                     "export: " + path.string() + " exists; give a new directory for the bundle");
      }
      return errno_error("export: " + path.string());
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      auto error = errno_error("export: " + path.string());
      ::rmdir(path.c_str());
      return error;
    }
    return std::unique_ptr<BundleWriter>(new BundleWriter(path, fd));
  }
  ~BundleWriter() {
    if (!done_) {
      for (const auto& name : created_) ::unlinkat(fd_, name.c_str(), 0);
      ::rmdir(path_.c_str());
    }
    ::close(fd_);
  }
  BundleWriter(const BundleWriter&) = delete;
  BundleWriter& operator=(const BundleWriter&) = delete;

  // Writes `name` from `source`, fsynced; returns its SHA-256 and size.
  Result<std::pair<store::Sha256, std::uint64_t>> write(const std::string& name,
                                                        ByteSource& source) {
    return write_with(name, [&source](ByteSink& out) -> Result<void> {
      Bytes buffer(256 * 1024);
      for (;;) {
        const std::size_t n = SAFEHOUSE_TRY(source.read(buffer));
        if (n == 0) return out.finish();
        SAFEHOUSE_TRY_VOID(out.write(ByteSpan(buffer.data(), n)));
      }
    });
  }

  // Writes `name` with what `produce` writes to the sink it is given (and
  // finishes), fsynced; returns its SHA-256 and size.
  Result<std::pair<store::Sha256, std::uint64_t>> write_with(
      const std::string& name, const std::function<Result<void>(ByteSink&)>& produce) {
    const int fd =
        ::openat(fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return errno_error("export: " + name);
    created_.push_back(name);
    FdSink sink(fd, name);
    auto written = produce(sink);
    if (written && ::fsync(fd) != 0) written = errno_error("export: " + name);
    ::close(fd);
    if (!written) return written.error();
    return std::make_pair(sink.hasher.finish(), sink.total);
  }

  Result<void> rename(const std::string& from, const std::string& to) {
    if (::renameat(fd_, from.c_str(), fd_, to.c_str()) != 0) return errno_error("export: " + to);
    std::replace(created_.begin(), created_.end(), from, to);
    return {};
  }

  Result<void> sync_and_keep() {
    if (::fsync(fd_) != 0) return errno_error("export: " + path_.string());
    done_ = true;
    return {};
  }

 private:
  BundleWriter(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_;
  std::vector<std::string> created_;
  bool done_ = false;
};

// A case as exported: its case file's contents and its sealed assessment
// versions (small: they are kept in the database, not as blobs).
struct LoadedCase {
  BundleCase c;
  std::vector<Bytes> sealed;  // one per c.assessments
};

Result<LoadedCase> load_case(store::Store& store, store::CaseId case_id) {
  LoadedCase loaded;
  BundleCase& result = loaded.c;
  result.record = SAFEHOUSE_TRY(store.get_case(case_id));
  auto source = store.get_source(result.record.source_id);
  if (!source) return source.error().with_context("case " + std::to_string(case_id));
  result.alias = source->alias;
  result.record.source_id = {};
  SAFEHOUSE_TRY_VOID(store.read([&](store::SqlSession& db) -> Result<void> {
    result.events = SAFEHOUSE_TRY(store::list_case_events(db, case_id));
    for (auto& a : SAFEHOUSE_TRY(store::list_assessments(db, case_id))) {
      result.assessments.push_back({a.version, a.day, a.reliability, a.credibility,
                                    store::sha256_of(a.sealed), a.sealed.size()});
      loaded.sealed.push_back(std::move(a.sealed));
    }
    result.copies = SAFEHOUSE_TRY(store::list_publication_copies(db, case_id));
    for (auto& copy : result.copies) copy.reviewer_id = 0;
    return {};
  }));
  result.items = SAFEHOUSE_TRY(store.list_items(case_id));
  return loaded;
}

}  // namespace

bool is_bundle_file_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxBundleNameBytes) return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return ok(c) || c == '.' || c == '-'; });
}

std::string bundle_item_name(store::ItemId item_id) {
  return "item-" + std::to_string(item_id) + ".age";
}

std::string bundle_case_name(store::CaseId case_id) {
  return "case-" + std::to_string(case_id) + ".txt";
}

std::string bundle_assessment_name(store::CaseId case_id, std::int64_t version) {
  return "assessment-" + std::to_string(case_id) + "-" + std::to_string(version) + ".age";
}

std::string bundle_copy_name(std::int64_t copy_id) {
  return "copy-" + std::to_string(copy_id) + ".age";
}

std::string format_manifest(std::span<const ManifestEntry> entries) {
  std::string out;
  for (const auto& entry : entries) out += store::to_hex(entry.sha256) + "  " + entry.name + "\n";
  return out;
}

Result<std::vector<ManifestEntry>> parse_manifest(std::string_view text) {
  if (text.size() > kMaxManifestBytes) {
    return Error(ErrorCode::kTooLarge,
                 "manifest: larger than " + std::to_string(kMaxManifestBytes) + " bytes");
  }
  const auto lines = SAFEHOUSE_TRY(split_lines(text, "manifest"));
  if (lines.empty()) return malformed("manifest: empty");
  std::vector<ManifestEntry> entries;
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string where = "manifest: line " + std::to_string(i + 1);
    const std::string_view line = lines[i];
    if (line.size() < 67 || line.substr(64, 2) != "  ") {
      return malformed(where + ": not \"<sha256 hex>  <name>\"");
    }
    auto digest = store::sha256_from_hex(line.substr(0, 64));
    if (!digest) return malformed(where + ": the SHA-256 is not 64 lower-case hex digits");
    const std::string_view name = line.substr(66);
    if (!is_bundle_file_name(name)) return malformed(where + ": not a bundle file name");
    if (name == kBundleManifestName) return malformed(where + ": lists the manifest itself");
    if (!names.insert(std::string(name)).second) {
      return malformed(where + ": " + std::string(name) + " is listed twice");
    }
    entries.push_back(ManifestEntry{std::string(name), *digest});
  }
  return entries;
}

bool BundleCase::operator==(const BundleCase& other) const {
  auto same_record = [](const store::CaseRecord& a, const store::CaseRecord& b) {
    return a.case_id == b.case_id && a.source_id == b.source_id && a.status == b.status &&
           a.created_day == b.created_day && a.last_event_day == b.last_event_day &&
           a.item_count == b.item_count;
  };
  auto same_event = [](const store::CaseEventRecord& a, const store::CaseEventRecord& b) {
    return a.case_id == b.case_id && a.event_number == b.event_number && a.day == b.day &&
           a.status == b.status;
  };
  auto same_item = [](const store::ItemRecord& a, const store::ItemRecord& b) {
    return a.item_id == b.item_id && a.case_id == b.case_id && a.direction == b.direction &&
           a.sha256 == b.sha256 && a.ciphertext_size == b.ciphertext_size && a.day == b.day;
  };
  auto same_copy = [](const store::PublicationCopyRecord& a,
                      const store::PublicationCopyRecord& b) {
    return a.copy_id == b.copy_id && a.case_id == b.case_id && a.item_id == b.item_id &&
           a.body == b.body && a.day == b.day;
  };
  return same_record(record, other.record) && alias == other.alias &&
         std::equal(events.begin(), events.end(), other.events.begin(), other.events.end(),
                    same_event) &&
         std::equal(items.begin(), items.end(), other.items.begin(), other.items.end(),
                    same_item) &&
         assessments == other.assessments &&
         std::equal(copies.begin(), copies.end(), other.copies.begin(), other.copies.end(),
                    same_copy);
}

std::string format_case_file(const BundleCase& c) {
  std::string out;
  const bool v2 = !c.assessments.empty() || !c.copies.empty();
  out += std::string(v2 ? kCaseFileHeaderV2 : kCaseFileHeader) + "\n";
  out += "case " + std::to_string(c.record.case_id) + "\n";
  out += "alias " + c.alias + "\n";
  out += "status " + std::string(store::status_name(c.record.status)) + "\n";
  out += "created " + std::to_string(c.record.created_day) + "\n";
  out += "last-event " + std::to_string(c.record.last_event_day) + "\n";
  for (const auto& event : c.events) {
    out += "event " + std::to_string(event.event_number) + " " + std::to_string(event.day) + " " +
           std::string(store::status_name(event.status)) + "\n";
  }
  for (const auto& item : c.items) {
    out += "item " + std::to_string(item.item_id) + " " +
           std::string(store::direction_name(item.direction)) + " " + std::to_string(item.day) +
           " " + store::to_hex(item.sha256) + " " + std::to_string(item.ciphertext_size) + "\n";
  }
  for (const auto& a : c.assessments) {
    out += "assessment " + std::to_string(a.version) + " " + std::to_string(a.day) + " " +
           std::string(1, a.reliability) + std::to_string(a.credibility) + " " +
           store::to_hex(a.sha256) + " " + std::to_string(a.size) + "\n";
  }
  for (const auto& copy : c.copies) {
    out += "copy " + std::to_string(copy.copy_id) + " " + std::to_string(copy.item_id) + " " +
           std::to_string(copy.day) + " " + store::to_hex(copy.body.sha256) + " " +
           std::to_string(copy.body.size) + "\n";
  }
  return out;
}

Result<BundleCase> parse_case_file(std::string_view text) {
  if (text.size() > kMaxCaseFileBytes) {
    return Error(ErrorCode::kTooLarge,
                 "case file: larger than " + std::to_string(kMaxCaseFileBytes) + " bytes");
  }
  const auto lines = SAFEHOUSE_TRY(split_lines(text, "case file"));
  std::size_t at = 0;
  auto bad = [&](std::string_view why) {
    return malformed("case file: line " + std::to_string(at + 1) + ": " + std::string(why));
  };
  // "KEY VALUE" with exactly one value word.
  auto field = [&](std::string_view key) -> std::optional<std::string_view> {
    if (at >= lines.size()) return {};
    const auto words = split_words(lines[at]);
    if (words.size() != 2 || words[0] != key) return {};
    return words[1];
  };
  if (lines.empty() || (lines[0] != kCaseFileHeader && lines[0] != kCaseFileHeaderV2)) {
    return malformed("case file: line 1: not \"" + std::string(kCaseFileHeader) + "\" or \"" +
                     std::string(kCaseFileHeaderV2) + "\"");
  }
  const bool v2 = lines[0] == kCaseFileHeaderV2;
  at = 1;
  BundleCase c;
  auto id = field("case");
  auto case_id = id ? parse_number(*id, 1, INT64_MAX) : std::nullopt;
  if (!case_id) return bad("want \"case <id>\"");
  c.record.case_id = *case_id;
  ++at;
  auto alias = field("alias");
  if (!alias || !is_alias(*alias)) return bad("want \"alias <a-z and ->\"");
  c.alias = std::string(*alias);
  ++at;
  auto status_word = field("status");
  auto status = store::status_from_name(status_word ? *status_word : std::string_view());
  if (!status_word || !status) return bad("want \"status <status word>\"");
  c.record.status = *status;
  ++at;
  auto created_word = field("created");
  auto created = created_word ? parse_day(*created_word) : std::nullopt;
  if (!created) return bad("want \"created <YYYYMMDD>\"");
  c.record.created_day = *created;
  ++at;
  auto last_word = field("last-event");
  auto last = last_word ? parse_day(*last_word) : std::nullopt;
  if (!last) return bad("want \"last-event <YYYYMMDD>\"");
  c.record.last_event_day = *last;
  ++at;
  for (; at < lines.size(); ++at) {
    const auto words = split_words(lines[at]);
    if (words[0] != "event") break;
    if (words.size() != 4) return bad("want \"event <number> <YYYYMMDD> <status word>\"");
    store::CaseEventRecord event;
    event.case_id = c.record.case_id;
    auto number = parse_number(words[1], 1, INT64_MAX);
    auto day = parse_day(words[2]);
    auto event_status = store::status_from_name(words[3]);
    if (!number || !day || !event_status) {
      return bad("want \"event <number> <YYYYMMDD> <status word>\"");
    }
    if (*number != static_cast<std::int64_t>(c.events.size()) + 1) {
      return bad("events must be numbered 1, 2, … in order");
    }
    event.event_number = *number;
    event.day = *day;
    event.status = *event_status;
    c.events.push_back(event);
  }
  for (; at < lines.size(); ++at) {
    const auto words = split_words(lines[at]);
    if (v2 && (words[0] == "assessment" || words[0] == "copy")) break;
    if (words.size() != 6 || words[0] != "item") {
      return bad("want \"item <id> <source|reviewer> <YYYYMMDD> <sha256> <size>\"");
    }
    store::ItemRecord item;
    item.case_id = c.record.case_id;
    auto item_id = parse_number(words[1], 1, INT64_MAX);
    auto direction = store::direction_from_name(words[2]);
    auto day = parse_day(words[3]);
    auto digest = store::sha256_from_hex(words[4]);
    auto size = parse_number(words[5], 1, INT64_MAX);
    if (!item_id || !direction || !day || !digest || !size) {
      return bad("want \"item <id> <source|reviewer> <YYYYMMDD> <sha256> <size>\"");
    }
    if (!c.items.empty() && *item_id <= c.items.back().item_id) {
      return bad("items must be in ascending id order");
    }
    item.item_id = *item_id;
    item.direction = *direction;
    item.day = *day;
    item.sha256 = *digest;
    item.ciphertext_size = static_cast<std::uint64_t>(*size);
    c.items.push_back(item);
  }
  const char* want_assessment =
      "want \"assessment <version> <YYYYMMDD> <A-F><1-6> <sha256> <size>\"";
  for (; at < lines.size(); ++at) {
    const auto words = split_words(lines[at]);
    if (words[0] == "copy") break;
    if (words.size() != 6 || words[0] != "assessment") return bad(want_assessment);
    auto version = parse_number(words[1], 1, INT64_MAX);
    auto day = parse_day(words[2]);
    auto digest = store::sha256_from_hex(words[4]);
    auto size = parse_number(words[5], 1, INT64_MAX);
    const std::string_view grade = words[3];
    if (!version || !day || !digest || !size || grade.size() != 2 || grade[0] < 'A' ||
        grade[0] > 'F' || grade[1] < '1' || grade[1] > '6') {
      return bad(want_assessment);
    }
    if (*version != static_cast<std::int64_t>(c.assessments.size()) + 1) {
      return bad("assessment versions must be numbered 1, 2, … in order");
    }
    c.assessments.push_back(
        {*version, *day, grade[0], grade[1] - '0', *digest, static_cast<std::uint64_t>(*size)});
  }
  const char* want_copy = "want \"copy <id> <item id> <YYYYMMDD> <sha256> <size>\"";
  for (; at < lines.size(); ++at) {
    const auto words = split_words(lines[at]);
    if (words.size() != 6 || words[0] != "copy") return bad(want_copy);
    auto copy_id = parse_number(words[1], 1, INT64_MAX);
    auto item_id = parse_number(words[2], 1, INT64_MAX);
    auto day = parse_day(words[3]);
    auto digest = store::sha256_from_hex(words[4]);
    auto size = parse_number(words[5], 1, INT64_MAX);
    if (!copy_id || !item_id || !day || !digest || !size) return bad(want_copy);
    if (!c.copies.empty() && *copy_id <= c.copies.back().copy_id) {
      return bad("copies must be in ascending id order");
    }
    const bool of_this_case = std::any_of(
        c.items.begin(), c.items.end(), [&](const auto& item) { return item.item_id == *item_id; });
    if (!of_this_case) return bad("a copy of an item the case does not list");
    store::PublicationCopyRecord copy;
    copy.copy_id = *copy_id;
    copy.case_id = c.record.case_id;
    copy.item_id = *item_id;
    copy.day = *day;
    copy.body = {*digest, static_cast<std::uint64_t>(*size)};
    c.copies.push_back(copy);
  }
  // One spelling per case: v2 only when v1 cannot say it.
  if (v2 && c.assessments.empty() && c.copies.empty()) {
    return malformed("case file: line 1: v2, but it lists no assessment or copy (that is v1)");
  }
  c.record.item_count = static_cast<std::int64_t>(c.items.size());
  return c;
}

Result<ExportSummary> export_bundle(store::Store& store, std::span<const store::CaseId> case_ids,
                                    const std::filesystem::path& path,
                                    const BundleOptions& options) {
  std::vector<store::CaseId> ids(case_ids.begin(), case_ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return invalid_argument("export: no case given");
  // Every case is read before the directory is made: an unknown case
  // leaves nothing behind.
  std::vector<LoadedCase> cases;
  for (store::CaseId id : ids) cases.push_back(SAFEHOUSE_TRY(load_case(store, id)));

  for (const auto& [name, bytes] : options.extra_files) {
    if (!is_bundle_file_name(name) || name == kBundleManifestName || name.starts_with("case-") ||
        name.starts_with("item-") || name.starts_with("assessment-") || name.starts_with("copy-")) {
      return invalid_argument("export: " + name + " cannot be an extra file of a bundle");
    }
  }

  auto writer = SAFEHOUSE_TRY(BundleWriter::create(path));
  ExportSummary summary;
  std::vector<ManifestEntry> manifest;
  // Writes `name` from `source`: copied and checked against `expected`, or,
  // with options.rewrite, rewritten; returns what the file holds.
  auto copy_in = [&](const std::string& name, ByteSource& source,
                     const store::BlobRef& expected) -> Result<store::BlobRef> {
    if (options.rewrite) {
      const auto [digest, size] =
          SAFEHOUSE_TRY(writer->write_with(name, [&](ByteSink& out) -> Result<void> {
            auto rewritten = options.rewrite(source, out);
            if (!rewritten) return rewritten.error().with_context("export: " + name);
            return {};
          }));
      manifest.push_back(ManifestEntry{name, digest});
      summary.bytes += size;
      return store::BlobRef{digest, size};
    }
    const auto [digest, size] = SAFEHOUSE_TRY(writer->write(name, source));
    if (digest != expected.sha256 || size != expected.size) {
      return Error(ErrorCode::kIntegrity, "export: " + name + " changed while copied");
    }
    manifest.push_back(ManifestEntry{name, digest});
    summary.bytes += size;
    return expected;
  };
  for (LoadedCase& loaded : cases) {
    BundleCase& c = loaded.c;
    for (std::size_t i = 0; i < c.assessments.size(); ++i) {
      BundleAssessment& a = c.assessments[i];
      SpanSource sealed(loaded.sealed[i]);
      const store::BlobRef written = SAFEHOUSE_TRY(
          copy_in(bundle_assessment_name(c.record.case_id, a.version), sealed, {a.sha256, a.size}));
      a.sha256 = written.sha256;
      a.size = written.size;
      ++summary.assessments;
    }
    for (store::PublicationCopyRecord& copy : c.copies) {
      auto body = store.blobs().open_blob(copy.body);
      if (!body) {
        return body.error().with_context("export: publication copy " +
                                         std::to_string(copy.copy_id));
      }
      copy.body = SAFEHOUSE_TRY(copy_in(bundle_copy_name(copy.copy_id), **body, copy.body));
      ++summary.copies;
    }
    for (store::ItemRecord& item : c.items) {
      auto body = store.open_item_body(item.item_id);
      if (!body) return body.error().with_context("export: item " + std::to_string(item.item_id));
      const store::BlobRef written =
          SAFEHOUSE_TRY(copy_in(bundle_item_name(item.item_id), **body,
                                store::BlobRef{item.sha256, item.ciphertext_size}));
      item.sha256 = written.sha256;
      item.ciphertext_size = written.size;
      ++summary.items;
    }
    const std::string text = format_case_file(c);
    SpanSource source(as_bytes(text));
    const std::string name = bundle_case_name(c.record.case_id);
    const auto written = SAFEHOUSE_TRY(writer->write(name, source));
    manifest.push_back(ManifestEntry{name, written.first});
    ++summary.cases;
  }
  for (const auto& [name, bytes] : options.extra_files) {
    SpanSource source(bytes);
    const auto written = SAFEHOUSE_TRY(writer->write(name, source));
    manifest.push_back(ManifestEntry{name, written.first});
  }
  std::sort(manifest.begin(), manifest.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) { return a.name < b.name; });
  const std::string text = format_manifest(manifest);
  SpanSource source(as_bytes(text));
  const std::string temp = std::string(kBundleManifestName) + ".tmp";
  SAFEHOUSE_TRY(writer->write(temp, source));
  SAFEHOUSE_TRY_VOID(writer->rename(temp, kBundleManifestName));
  SAFEHOUSE_TRY_VOID(writer->sync_and_keep());
  return summary;
}

Bundle::~Bundle() {
  ::close(fd_);
}

Result<std::unique_ptr<Bundle>> Bundle::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("bundle: " + path.string());
  std::unique_ptr<Bundle> bundle(new Bundle(path, fd));
  auto manifest_text = read_small(fd, kBundleManifestName, kMaxManifestBytes);
  if (!manifest_text) {
    if (manifest_text.error().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNotFound, "bundle: " + path.string() +
                                             " has no manifest.txt (not a bundle, or an "
                                             "export that did not finish)");
    }
    return manifest_text.error();
  }
  auto manifest = parse_manifest(*manifest_text);
  if (!manifest) return manifest.error().with_context("bundle: " + path.string());
  // Every listed file first: nothing is parsed or decrypted from a bundle
  // that does not match its manifest.
  std::map<std::string, store::Sha256, std::less<>> listed;
  for (const auto& entry : *manifest) {
    const store::Sha256 digest = SAFEHOUSE_TRY(hash_file(fd, entry.name));
    if (digest != entry.sha256) {
      return Error(ErrorCode::kIntegrity, "bundle: " + entry.name +
                                              ": its SHA-256 does not match the manifest "
                                              "(the file was changed or damaged)");
    }
    listed.emplace(entry.name, entry.sha256);
  }
  bundle->listed_ = listed;
  for (const auto& entry : *manifest) {
    if (!entry.name.starts_with("case-") || !entry.name.ends_with(".txt")) continue;
    const std::string text = SAFEHOUSE_TRY(read_small(fd, entry.name, kMaxCaseFileBytes));
    if (store::sha256_of(as_bytes(text)) != entry.sha256) {
      return Error(ErrorCode::kIntegrity, "bundle: " + entry.name + ": changed while read");
    }
    auto parsed = parse_case_file(text);
    if (!parsed) return parsed.error().with_context("bundle: " + entry.name);
    if (bundle_case_name(parsed->record.case_id) != entry.name) {
      return malformed("bundle: " + entry.name + ": holds case " +
                       std::to_string(parsed->record.case_id));
    }
    // Each file the case names must be listed with the same SHA-256.
    auto check_listed = [&](const std::string& what, const std::string& name,
                            const store::Sha256& digest) -> Result<void> {
      auto found = listed.find(name);
      if (found == listed.end()) {
        return Error(ErrorCode::kNotFound, "bundle: " + entry.name + ": " + what + " (" + name +
                                               ") is not in the manifest");
      }
      if (found->second != digest) {
        return Error(ErrorCode::kIntegrity,
                     "bundle: " + name + ": its SHA-256 differs from the one in " + entry.name);
      }
      return {};
    };
    for (const auto& item : parsed->items) {
      SAFEHOUSE_TRY_VOID(check_listed("item " + std::to_string(item.item_id),
                                      bundle_item_name(item.item_id), item.sha256));
    }
    for (const auto& a : parsed->assessments) {
      SAFEHOUSE_TRY_VOID(check_listed("assessment version " + std::to_string(a.version),
                                      bundle_assessment_name(parsed->record.case_id, a.version),
                                      a.sha256));
    }
    for (const auto& copy : parsed->copies) {
      SAFEHOUSE_TRY_VOID(check_listed("publication copy " + std::to_string(copy.copy_id),
                                      bundle_copy_name(copy.copy_id), copy.body.sha256));
    }
    bundle->cases_.push_back(std::move(*parsed));
  }
  if (bundle->cases_.empty()) return malformed("bundle: " + path.string() + " holds no case");
  std::sort(
      bundle->cases_.begin(), bundle->cases_.end(),
      [](const BundleCase& a, const BundleCase& b) { return a.record.case_id < b.record.case_id; });
  return bundle;
}

Result<const BundleCase*> Bundle::find_case(store::CaseId case_id) const {
  for (const auto& c : cases_) {
    if (c.record.case_id == case_id) return &c;
  }
  return Error(ErrorCode::kNotFound,
               "bundle: " + path_.string() + " does not hold case " + std::to_string(case_id));
}

Result<std::string> Bundle::read_listed(std::string_view name, std::size_t max_bytes) const {
  auto found = listed_.find(name);
  if (found == listed_.end()) {
    return Error(ErrorCode::kNotFound, "bundle: " + std::string(name) + " is not in the manifest");
  }
  const std::string text = SAFEHOUSE_TRY(read_small(fd_, std::string(name), max_bytes));
  if (store::sha256_of(as_bytes(text)) != found->second) {
    return Error(ErrorCode::kIntegrity, "bundle: " + std::string(name) + ": changed while read");
  }
  return text;
}

Result<std::unique_ptr<ByteSource>> Bundle::open_item(const store::ItemRecord& item) const {
  std::unique_ptr<ByteSource> file = SAFEHOUSE_TRY(open_in(fd_, bundle_item_name(item.item_id)));
  return store::make_verifying_source(std::move(file),
                                      store::BlobRef{item.sha256, item.ciphertext_size});
}

Result<std::unique_ptr<ByteSource>> Bundle::open_assessment(
    const BundleCase& c, const BundleAssessment& assessment) const {
  std::unique_ptr<ByteSource> file =
      SAFEHOUSE_TRY(open_in(fd_, bundle_assessment_name(c.record.case_id, assessment.version)));
  return store::make_verifying_source(std::move(file),
                                      store::BlobRef{assessment.sha256, assessment.size});
}

Result<std::unique_ptr<ByteSource>> Bundle::open_copy(
    const store::PublicationCopyRecord& copy) const {
  std::unique_ptr<ByteSource> file = SAFEHOUSE_TRY(open_in(fd_, bundle_copy_name(copy.copy_id)));
  return store::make_verifying_source(std::move(file), copy.body);
}

}  // namespace safehouse::review
