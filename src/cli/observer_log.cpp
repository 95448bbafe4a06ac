// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/observer_log.cpp: see observer_log.h.
#include "cli/observer_log.h"

#include <filesystem>
#include <string_view>

#include "age/age.h"
#include "cli/files.h"
#include "cli/http_fetch.h"
#include "cli/log_client.h"
#include "review/reviewer_keys.h"
#include "store/log_store.h"
#include "tlog/encoding.h"
#include "tlog/merkle.h"
#include "tlog/note_key.h"
#include "tlog/tile.h"
#include "tlog/tile_log.h"

namespace safehouse::cli {
namespace {

constexpr std::size_t kMaxIdentityBytes = 64 * 1024;
constexpr std::size_t kMaxStateBytes = 64 * 1024;
constexpr std::size_t kMaxConsentStateBytes = 256 * 1024 * 1024;

std::string text_of(ByteSpan bytes) {
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

Result<ObserverIdentity> load_observer(const std::string& path, const std::string& name) {
  const crypto::SecretBytes file = SAFEHOUSE_TRY(read_key_file(path, kMaxIdentityBytes));
  const std::string_view text(reinterpret_cast<const char*>(file.reveal().data()),
                              file.reveal().size());
  ObserverIdentity out;
  out.name = name;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    constexpr std::string_view kComment = "# Safehouse observer ";
    if (line.starts_with(kComment) && out.name.empty()) {
      out.name = std::string(line.substr(kComment.size()));
    } else if (line.starts_with("AGE-SECRET-KEY-1") && !out.identity) {
      auto identity = age::X25519Identity::parse(line);
      if (!identity) return identity.error().with_context(path);
      out.identity = std::make_unique<age::X25519Identity>(std::move(*identity));
    }
  }
  if (!out.identity) return invalid_argument(path + ": no AGE-SECRET-KEY-1 line");
  if (out.name.empty()) {
    return invalid_argument(path + ": no \"# Safehouse observer NAME\" line: give --name");
  }
  SAFEHOUSE_TRY_VOID(review::check_reviewer_name(out.name));
  return out;
}

Result<std::string> trusted_log_key(const std::string& state, const std::string& key) {
  std::string stored;
  if (!state.empty()) {
    const std::filesystem::path path = std::filesystem::path(state) / "log.vkey";
    if (std::filesystem::exists(path)) {
      const crypto::SecretBytes bytes = SAFEHOUSE_TRY(read_key_file(path.string(), kMaxStateBytes));
      stored = text_of(bytes.reveal());
      while (!stored.empty() && stored.back() == '\n') stored.pop_back();
      if (!key.empty() && key != stored) {
        return invalid_argument("--key is not the log key this observer trusts (" + stored +
                                " in " + path.string() + ")");
      }
    }
  }
  if (!key.empty()) return key;
  if (!stored.empty()) return stored;
  return invalid_argument(
      "give the organisation's log verifier key with --key, or --state DIR of an observer that "
      "ran `safehouse observe` once");
}

Result<ConsentState> read_consent_state(const std::string& state) {
  ConsentState out;
  if (state.empty()) return out;
  const std::filesystem::path path = std::filesystem::path(state) / "consent";
  if (!std::filesystem::exists(path)) return out;
  const crypto::SecretBytes bytes =
      SAFEHOUSE_TRY(read_key_file(path.string(), kMaxConsentStateBytes));
  std::string_view text(reinterpret_cast<const char*>(bytes.reveal().data()),
                        bytes.reveal().size());
  auto bad = [&](std::size_t line) {
    return Error(ErrorCode::kIntegrity,
                 path.string() + ": line " + std::to_string(line) + " is malformed");
  };
  constexpr std::string_view kHeader = "safehouse/observer-consent/v1\n";
  if (!text.starts_with(kHeader)) return bad(1);
  text.remove_prefix(kHeader.size());
  for (std::size_t line = 2; !text.empty(); ++line) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) return bad(line);
    const std::string_view row = text.substr(0, end);
    text.remove_prefix(end + 1);
    const std::size_t a = row.find(' ');
    const std::size_t b = a == std::string_view::npos ? a : row.find(' ', a + 1);
    if (b == std::string_view::npos) return bad(line);
    const auto event = tlog::parse_decimal(row.substr(a + 1, b - a - 1));
    const std::string_view value = row.substr(b + 1);
    if (a == 0 || !event || (value != "yes" && value != "no")) return bad(line);
    out[{std::string(row.substr(0, a)), *event}] = value == "yes";
  }
  return out;
}

Result<void> write_consent_state(const std::string& state, const ConsentState& consent) {
  std::string text = "safehouse/observer-consent/v1\n";
  for (const auto& [event, yes] : consent) {
    text += event.first + " " + std::to_string(event.second) + (yes ? " yes\n" : " no\n");
  }
  auto out = SAFEHOUSE_TRY(
      OutputFile::open((std::filesystem::path(state) / "consent").string(), Existing::kReplace));
  SAFEHOUSE_TRY_VOID(out->write(as_bytes(text)));
  return out->finish();
}

std::vector<std::uint64_t> refused_before(const ConsentState& seen, const std::string& case_id) {
  std::vector<std::uint64_t> out;
  for (auto it = seen.lower_bound({case_id, 0}); it != seen.end() && it->first.first == case_id;
       ++it) {
    if (!it->second) out.push_back(it->first.second);
  }
  return out;
}

Result<ObservedLog> read_observed_log(const std::string& url, const std::string& key,
                                      const ObserverIdentity& observer) {
  auto log_key = tlog::parse_verifier_key(key);
  if (!log_key) return log_key.error().with_context("log key");
  auto tiles = SAFEHOUSE_TRY(HttpTileStore::create(url));
  const std::string note = text_of(SAFEHOUSE_TRY(tiles.read(tlog::kCheckpointPath)));
  auto head = store::parse_log_head(note);
  if (!head) return Error(ErrorCode::kIntegrity, "checkpoint: " + head.error().message());
  auto opened = tlog::open_checkpoint(note, head->checkpoint.origin, **log_key);
  if (!opened) {
    return Error(ErrorCode::kIntegrity,
                 "checkpoint: not signed by " + key + ": " + opened.error().message());
  }
  ObservedLog out;
  out.checkpoint = opened->checkpoint;
  const tlog::Checkpoint& tree = out.checkpoint;
  auto log = tlog::TileLog::open(tiles, tree.size, tree.root);
  if (!log) {
    return Error(ErrorCode::kIntegrity,
                 "tiles: the log's tiles do not hash to the signed root: " + log.error().message());
  }
  std::vector<tlog::Hash> leaves;
  leaves.reserve(tree.size);
  for (std::uint64_t start = 0; start < tree.size; start += tlog::kTileWidth) {
    const auto tile = tlog::tile_for(true, 0, start, tree.size);
    const Bytes data = SAFEHOUSE_TRY(tiles.read(tlog::tile_path(tile)));
    auto bundle = tlog::parse_entry_bundle(data, tile.width);
    if (!bundle) {
      return Error(ErrorCode::kIntegrity,
                   "entries: bundle " + tlog::tile_path(tile) + ": " + bundle.error().message());
    }
    for (std::size_t i = 0; i < bundle->size(); ++i) {
      leaves.push_back(tlog::leaf_hash((*bundle)[i]));
      auto event = tlog::parse_case_event((*bundle)[i]);
      if (!event) continue;  // another kind of entry (a published file)
      out.by_event[{event->case_id, event->event}] = out.events.size();
      out.events.push_back(ObservedEvent{start + i, std::move(*event), false, {}, false});
    }
  }
  if (leaves.size() != tree.size || tlog::root_of(leaves) != tree.root) {
    return Error(ErrorCode::kIntegrity, "entries: the " + std::to_string(tree.size) +
                                            " entries do not hash to the signed root");
  }

  const HttpAnswer answer = SAFEHOUSE_TRY(http_fetch(url, "GET", "/openings/" + observer.name));
  if (answer.status != 200) {
    return Error(answer.status == 404 ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                 "openings: GET /openings/" + observer.name + ": HTTP " +
                     std::to_string(answer.status) +
                     " (is this observer accredited under the name " + observer.name + "?)");
  }
  Bytes plain;
  VectorSink sink(plain);
  SpanSource source(answer.body);
  const age::Identity* identities[] = {observer.identity.get()};
  auto decrypted = age::decrypt(identities, source, sink);
  if (!decrypted) return decrypted.error().with_context("openings");
  const tlog::OpeningsFile file = SAFEHOUSE_TRY(tlog::parse_openings_file(text_of(plain)));
  out.openings_version = file.version;
  for (const tlog::CategoryOpening& opening : file.openings) {
    auto found = out.by_event.find({opening.case_id, opening.event});
    if (found == out.by_event.end()) continue;  // beyond this checkpoint
    ObservedEvent& event = out.events[found->second];
    auto verified = tlog::verify_opening(event.event, opening);
    if (!verified) {
      return Error(ErrorCode::kIntegrity, "entry " + std::to_string(event.index) + " (case " +
                                              opening.case_id + ", event " +
                                              std::to_string(opening.event) +
                                              "): the opening to category \"" + opening.category +
                                              "\" does not open its commitment");
    }
    event.opened = true;
    event.category = opening.category;
    event.audit_consent = opening.audit_consent;
  }
  return out;
}

}  // namespace safehouse::cli
