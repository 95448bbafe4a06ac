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
    SAFEHOUSE_TRY_VOID(read_assessments(db, case_id, result.assessments, loaded.sealed));
    result.copies = SAFEHOUSE_TRY(store::list_publication_copies(db, case_id));
    for (auto& copy : result.copies) copy.reviewer_id = 0;
    return {};
  }));
  result.items = SAFEHOUSE_TRY(store.list_items(case_id));
  return loaded;
}

}  // namespace

Result<void> read_assessments(store::SqlSession& db, store::CaseId case_id,
                              std::vector<BundleAssessment>& listed, std::vector<Bytes>& sealed) {
  for (auto& a : SAFEHOUSE_TRY(store::list_assessments(db, case_id))) {
    listed.push_back({a.version, a.day, a.reliability, a.credibility, store::sha256_of(a.sealed),
                      a.sealed.size()});
    sealed.push_back(std::move(a.sealed));
  }
  return {};
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
