// SPDX-License-Identifier: AGPL-3.0-or-later
// review/bundle.h: the export bundle for offline review (docs/reviewing.md,
// "Offline review"): a directory holding cases' encrypted items, sealed
// assessment versions and publication copies exactly as stored
// (item-<id>.age, assessment-<case>-<version>.age, copy-<id>.age: age files
// the stock `age -d` opens), one case-<id>.txt per case with what the
// server knows of it (status, events, and each file's SHA-256) and
// manifest.txt, the SHA-256 of every other file in `sha256sum` format. Writing needs the store;
// reading needs only the directory, and verifies the whole manifest before anything is decrypted.
// Nothing here decrypts: review/case_reader.h does, with the bundle as the
// source of item bodies.
#ifndef SAFEHOUSE_REVIEW_BUNDLE_H_
#define SAFEHOUSE_REVIEW_BUNDLE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/byte_stream.h"
#include "base/error.h"
#include "store/publication_copy_records.h"
#include "store/store.h"
#include "store/workflow_records.h"

namespace safehouse::review {

inline constexpr const char* kBundleManifestName = "manifest.txt";
// Limits of the reader (bytes): larger files are refused before parsing.
inline constexpr std::size_t kMaxManifestBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxCaseFileBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxBundleNameBytes = 64;

// One manifest line: "<sha256 hex>  <name>".
struct ManifestEntry {
  std::string name;
  store::Sha256 sha256{};
  bool operator==(const ManifestEntry&) const = default;
};

// A name a bundle may hold: 1–64 of [a-z0-9.-], starting with a letter or
// digit (so never ".", "..", a path or a hidden file).
bool is_bundle_file_name(std::string_view name);

// "item-<id>.age", "case-<id>.txt", "assessment-<case>-<version>.age",
// "copy-<id>.age".
std::string bundle_item_name(store::ItemId item_id);
std::string bundle_case_name(store::CaseId case_id);
std::string bundle_assessment_name(store::CaseId case_id, std::int64_t version);
std::string bundle_copy_name(std::int64_t copy_id);

// The manifest's text, in sha256sum's format (`sha256sum -c manifest.txt`
// checks a bundle too). parse_manifest is strict: every line
// "<64 lower-case hex digits><two spaces><name>\n", names valid and unique,
// at least one line, not the manifest itself. kMalformed otherwise, with
// the line number.
std::string format_manifest(std::span<const ManifestEntry> entries);
Result<std::vector<ManifestEntry>> parse_manifest(std::string_view text);

// One assessment version as a case file lists it: the grade the server
// keeps in clear and the sealed record's SHA-256 and size.
struct BundleAssessment {
  std::int64_t version = 0;  // 1, 2, …
  store::Day day = 0;
  char reliability = 'F';  // 'A'..'F'
  int credibility = 6;     // 1..6
  store::Sha256 sha256{};
  std::uint64_t size = 0;
  bool operator==(const BundleAssessment&) const = default;
};

// The case's assessment versions as a case file lists them, oldest first,
// appended to `listed`, and their sealed records, appended to `sealed` in
// the same order. Run inside Store::read.
Result<void> read_assessments(store::SqlSession& db, store::CaseId case_id,
                              std::vector<BundleAssessment>& listed, std::vector<Bytes>& sealed);

// What a case file holds: the server-visible fields of a case, its events,
// its items, assessment versions and publication copies (no bodies). The
// source id and the reviewers' ids are not exported.
struct BundleCase {
  store::CaseRecord record;  // source_id left zero
  std::string alias;
  std::vector<store::CaseEventRecord> events;
  std::vector<store::ItemRecord> items;
  std::vector<BundleAssessment> assessments;
  std::vector<store::PublicationCopyRecord> copies;  // reviewer_id left zero
  bool operator==(const BundleCase& other) const;
};

// The case file's text and its strict parser (docs/reviewing.md gives the
// format: v1 for a case without assessments and copies, which older
// readers know, v2 otherwise). kMalformed with the line number for
// anything else.
std::string format_case_file(const BundleCase& bundle_case);
Result<BundleCase> parse_case_file(std::string_view text);

// Writes a new bundle at `path` (which must not exist; created mode 0700)
// with `case_ids` (duplicates ignored): every item body is streamed from
// the store, checked against its SHA-256, and fsynced; manifest.txt is
// written last, under a temporary name renamed into place, so a bundle
// with a manifest is complete. On failure the directory is removed again.
struct ExportSummary {
  std::size_t cases = 0;
  std::size_t items = 0;
  std::size_t assessments = 0;  // versions
  std::size_t copies = 0;
  std::uint64_t bytes = 0;  // ciphertext bytes copied
};
// How a bundle differs from a plain export (the sampled audit's share,
// review/audit_share.h, uses both):
//   - rewrite: when set, every age file (item, assessment version,
//     publication copy) is written through it (read the stored ciphertext,
//     write the file) instead of copied byte for byte; the case file then
//     lists the written files' SHA-256 and size;
//   - extra_files: more files (bundle file names of no other kind, none
//     clashing) in the bundle and its manifest.
struct BundleOptions {
  std::function<Result<void>(ByteSource& stored, ByteSink& out)> rewrite;
  std::vector<std::pair<std::string, Bytes>> extra_files;
};
Result<ExportSummary> export_bundle(store::Store& store, std::span<const store::CaseId> case_ids,
                                    const std::filesystem::path& path,
                                    const BundleOptions& options = {});

// An opened, verified bundle. open() reads the manifest, hashes every file
// it names (a missing, extra-large or changed one is an error naming the
// file), parses every case file, and checks that each case's items are in
// the manifest with the same SHA-256. Thread safety: none.
class Bundle {
 public:
  static Result<std::unique_ptr<Bundle>> open(const std::filesystem::path& path);
  ~Bundle();
  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;

  // Ascending case id.
  const std::vector<BundleCase>& cases() const { return cases_; }
  // kNotFound when the bundle does not hold the case.
  Result<const BundleCase*> find_case(store::CaseId case_id) const;
  // The item's ciphertext, checked again against its size and SHA-256 as it
  // is read (the file could change after open()).
  Result<std::unique_ptr<ByteSource>> open_item(const store::ItemRecord& item) const;
  // The same for a sealed assessment version and a publication copy.
  Result<std::unique_ptr<ByteSource>> open_assessment(const BundleCase& c,
                                                      const BundleAssessment& assessment) const;
  Result<std::unique_ptr<ByteSource>> open_copy(const store::PublicationCopyRecord& copy) const;
  // Every file the manifest lists, by name, with its SHA-256.
  const std::map<std::string, store::Sha256, std::less<>>& listed() const { return listed_; }
  // A small file the manifest lists (e.g. an extra file), read whole and
  // checked again against its SHA-256: kNotFound if not listed, kTooLarge
  // beyond `max_bytes`, kIntegrity if it changed.
  Result<std::string> read_listed(std::string_view name, std::size_t max_bytes) const;

 private:
  Bundle(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_;
  std::vector<BundleCase> cases_;
  std::map<std::string, store::Sha256, std::less<>> listed_;
};

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_BUNDLE_H_
