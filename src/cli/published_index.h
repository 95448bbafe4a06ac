// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/published_index.h: the files the organisation published
// (cli/published_file.h entries) found in the installation's log, for the
// source listener's /{lang}/published page (http/log_pages.h). Kept in
// memory and brought up to the log's head at each use: only the entry
// bundles appended since are read, so the first use reads every bundle
// once (4,000 bundles for a 1,000,000-entry log) and later ones read
// O(new entries). Whoever appended them (this server, `statement sign`,
// another server on the database) does not matter: the log is the source.
#ifndef SAFEHOUSE_CLI_PUBLISHED_INDEX_H_
#define SAFEHOUSE_CLI_PUBLISHED_INDEX_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "base/error.h"
#include "cli/published_file.h"
#include "store/log_store.h"
#include "tlog/merkle.h"

namespace safehouse::cli {

struct IndexedFile {
  std::uint64_t index = 0;
  PublishedFile file;
};

struct PublishedFileInclusion {
  IndexedFile file;
  store::LogHead head;            // the checkpoint the proof is for
  tlog::Hash leaf{};              // the entry's leaf hash
  std::vector<tlog::Hash> proof;  // verified against head's root
};

// Thread-safe. Lifetime: `log` outlives the index.
class PublishedFileIndex {
 public:
  explicit PublishedFileIndex(store::LogStore& log) : log_(log) {}

  // Every published file below the log's current head, in log order.
  Result<std::vector<IndexedFile>> files();
  // The first entry publishing `digest`, with its inclusion proof in the
  // current checkpoint (checked before it is returned: kIntegrity if the
  // tiles do not prove it); nullopt if no entry names it.
  Result<std::optional<PublishedFileInclusion>> find(const crypto::Sha256Digest& digest);

 private:
  // Reads the bundles from scanned_ up to the head; returns the head.
  Result<store::LogHead> refresh_locked();

  store::LogStore& log_;
  std::mutex mu_;
  std::uint64_t scanned_ = 0;       // guarded by mu_
  std::vector<IndexedFile> files_;  // guarded by mu_
};

}  // namespace safehouse::cli

#endif  // SAFEHOUSE_CLI_PUBLISHED_INDEX_H_
