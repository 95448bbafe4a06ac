// SPDX-License-Identifier: AGPL-3.0-or-later
// cli/statement.cpp: the organisation's own statements (docs/tlog.md,
// "Published files"):
//   safehouse statement sign --data DIR [--language en|fa] FILE...
//     appends one entry per file (SHA-256, language, day) to the log in one
//     batch, publishes the new signed checkpoint, and writes FILE.sig;
//   safehouse statement check FILE --url URL [--key VKEY] [--sig SIGFILE]
//     tells whether FILE is one the organisation published: checks FILE.sig
//     (or finds the hash in the log), the checkpoint's signature and the
//     entry's inclusion proof; exits 1 saying why otherwise.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/log_client.h"
#include "cli/log_key_unlock.h"
#include "cli/published_file.h"
#include "config/installation.h"
#include "config/transparency_log.h"
#include "crypto/process_hardening.h"
#include "intake/sources.h"
#include "store/log_store.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note_key.h"
#include "tlog/tile.h"
#include "tlog/tile_log.h"

namespace safehouse::cli {
namespace {

// A FILE.sig is a short note; anything larger is not one.
constexpr std::size_t kMaxSigBytes = 64 * 1024;

struct StatementOptions {
  std::string data;
  std::string language = "en";
  std::vector<std::string> files;
  std::string file;
  std::string url;
  std::string key;
  std::string sig;
};

std::string text_of(ByteSpan bytes) {
  return std::string(bytes.begin(), bytes.end());
}

Result<crypto::Sha256Digest> hash_file(const std::string& path) {
  auto input = SAFEHOUSE_TRY(InputFile::open(path));
  crypto::Sha256 hasher;
  for (;;) {
    ByteSpan chunk = SAFEHOUSE_TRY(input->next());
    if (chunk.empty()) break;
    hasher.update(chunk);
  }
  return hasher.finish();
}

Result<void> write_text_file(const std::string& path, std::string_view text) {
  auto output = SAFEHOUSE_TRY(OutputFile::open(path, Existing::kReplace));
  SAFEHOUSE_TRY_VOID(output->write(as_bytes(text)));
  return output->finish();
}

Result<void> run_sign(const StatementOptions& options) {
  if (!is_statement_language(options.language)) {
    return invalid_argument("statement sign: --language must be en or fa");
  }
  // Before the log key is in memory: no core dump (docs/secrets.md).
  SAFEHOUSE_TRY_VOID(crypto::disable_core_dumps());
  auto installation =
      SAFEHOUSE_TRY(config::Installation::open(options.data, store::FileSystem::posix()));
  SAFEHOUSE_TRY_VOID(ensure_log_key_unlocked(*installation, "statement sign"));
  const config::LogKey& key = installation->log_key();
  const tlog::Ed25519Signer signer = config::log_signer(key);
  const std::string day = intake::format_day(store::day_of(std::chrono::system_clock::now()));

  std::vector<PublishedFile> published;
  std::vector<Bytes> entries;
  for (const std::string& path : options.files) {
    auto digest = hash_file(path);
    if (!digest) return digest.error().with_context(path);
    PublishedFile file{*digest, options.language, day};
    const std::string entry = SAFEHOUSE_TRY(format_published_file(file));
    published.push_back(std::move(file));
    entries.emplace_back(entry.begin(), entry.end());
  }
  auto log = SAFEHOUSE_TRY(store::LogStore::open(installation->layout().dir,
                                                 installation->config().storage.database,
                                                 store::FileSystem::posix()));
  // An installation made before the log existed gets it now.
  SAFEHOUSE_TRY_VOID(log->create(config::log_origin(key), signer));
  const store::LogAppended appended = SAFEHOUSE_TRY(log->append(entries, signer));

  const tlog::NoteSigner* signers[] = {&signer};
  for (std::size_t i = 0; i < published.size(); ++i) {
    PublishedFileReceipt receipt{published[i], appended.head.checkpoint.origin,
                                 appended.first_index + i, key.verifier_key()};
    const std::string text = SAFEHOUSE_TRY(format_receipt(receipt));
    const std::string note = SAFEHOUSE_TRY(tlog::sign_note(text, signers));
    const std::string sig_path = options.files[i] + ".sig";
    auto written = write_text_file(sig_path, note);
    if (!written) {
      return written.error().with_context(sig_path + " (the entry is in the log as index " +
                                          std::to_string(receipt.index) +
                                          "; `statement check` finds it without the .sig)");
    }
    std::cout << options.files[i] << ": entry " << receipt.index << " (sha256 "
              << hex(receipt.file.sha256) << ", " << receipt.file.language << ", " << day
              << "), signed note " << sig_path << "\n";
  }
  std::cout << "Published checkpoint: " << appended.head.checkpoint.origin << " size "
            << appended.head.checkpoint.size << "\n";
  return {};
}

// Why a check failed, as the first words of the error.
Error refused(std::string why) {
  return Error(ErrorCode::kIntegrity, std::move(why));
}

// Finds the entry for `digest` in the first `size` entries, reading every
// entry bundle (for a file whose .sig is missing or does not match).
Result<std::optional<std::pair<std::uint64_t, PublishedFile>>> find_in_log(
    tlog::TileStore& tiles, std::uint64_t size, const crypto::Sha256Digest& digest) {
  for (std::uint64_t start = 0; start < size; start += tlog::kTileWidth) {
    const auto tile = tlog::tile_for(true, 0, start, size);
    const Bytes data = SAFEHOUSE_TRY(tiles.read(tlog::tile_path(tile)));
    const auto bundle = SAFEHOUSE_TRY(tlog::parse_entry_bundle(data, tile.width));
    for (std::size_t i = 0; i < bundle.size(); ++i) {
      auto file = parse_published_file(text_of(bundle[i]));
      if (file && file->sha256 == digest) {
        return std::optional(std::pair(start + i, std::move(*file)));
      }
    }
  }
  return std::nullopt;
}

Result<void> run_check(const StatementOptions& options) {
  const crypto::Sha256Digest digest = SAFEHOUSE_TRY(hash_file(options.file));
  const std::string sig_path = options.sig.empty() ? options.file + ".sig" : options.sig;

  // The receipt, if there is one, and the key to trust.
  std::optional<PublishedFileReceipt> receipt;
  std::string key_text = options.key;
  std::string note;
  if (std::filesystem::exists(sig_path)) {
    const crypto::SecretBytes bytes = SAFEHOUSE_TRY(read_key_file(sig_path, kMaxSigBytes));
    note = text_of(bytes.reveal());
    auto parsed = tlog::parse_note(note);
    if (!parsed) return refused(sig_path + ": not a signed note: " + parsed.error().message());
    auto read = parse_receipt(parsed->text);
    if (!read) return refused(sig_path + ": " + read.error().message());
    receipt = std::move(*read);
    if (key_text.empty()) key_text = receipt->verifier_key;
  } else if (!options.sig.empty()) {
    return invalid_argument("statement check: " + sig_path + " does not exist");
  } else if (key_text.empty()) {
    return invalid_argument("statement check: no " + sig_path +
                            ": give the organisation's verifier key with --key");
  }
  auto verifier = tlog::parse_verifier_key(key_text);
  if (!verifier) return refused("verifier key: " + verifier.error().message());
  const tlog::NoteVerifier* known[] = {verifier->get()};
  if (receipt) {
    auto opened = tlog::open_note(note, known);
    if (!opened) {
      return refused("bad signature: " + sig_path + " is not signed by " + key_text + ": " +
                     opened.error().message());
    }
    if (receipt->file.sha256 != digest) {
      std::cout << options.file << ": its SHA-256 " << hex(digest) << " is not the one " << sig_path
                << " names (" << hex(receipt->file.sha256) << "); looking for it in the log\n";
      receipt.reset();
    }
  }

  auto tiles = SAFEHOUSE_TRY(HttpTileStore::create(options.url));
  const Bytes checkpoint_note = SAFEHOUSE_TRY(tiles.read(tlog::kCheckpointPath));
  auto head = store::parse_log_head(text_of(checkpoint_note));
  if (!head) return refused("checkpoint: " + head.error().message());
  const std::string origin = receipt ? receipt->origin : head->checkpoint.origin;
  auto checkpoint = tlog::open_checkpoint(text_of(checkpoint_note), origin, **verifier);
  if (!checkpoint) {
    return refused("bad signature: the log's checkpoint at " + options.url + " is not signed by " +
                   key_text + " for " + origin + ": " + checkpoint.error().message());
  }
  const tlog::Checkpoint& tree = checkpoint->checkpoint;

  std::uint64_t index = 0;
  PublishedFile file;
  if (receipt) {
    index = receipt->index;
    file = receipt->file;
  } else {
    auto found = SAFEHOUSE_TRY(find_in_log(tiles, tree.size, digest));
    if (!found) {
      return refused("not published: no entry of " + origin + " (size " +
                     std::to_string(tree.size) + ") has the SHA-256 " + hex(digest) + " of " +
                     options.file);
    }
    index = found->first;
    file = found->second;
  }
  if (index >= tree.size) {
    return refused("proof mismatch: entry " + std::to_string(index) + " is beyond the log's size " +
                   std::to_string(tree.size));
  }
  auto log = tlog::TileLog::open(tiles, tree.size, tree.root);
  if (!log) return refused("proof mismatch: the log's tiles: " + log.error().message());
  const Bytes entry = SAFEHOUSE_TRY(log->entry(index));
  const std::string expected = SAFEHOUSE_TRY(format_published_file(file));
  if (text_of(entry) != expected) {
    return refused("proof mismatch: entry " + std::to_string(index) + " of the log is not " +
                   options.file + "'s");
  }
  const tlog::Hash leaf = tlog::leaf_hash(entry);
  auto proof = log->prove_inclusion(index, tree.size);
  if (!proof) return refused("proof mismatch: " + proof.error().message());
  auto included = tlog::verify_inclusion(index, tree.size, leaf, *proof, tree.root);
  if (!included) return refused("proof mismatch: " + included.error().message());

  std::cout << "OK: " << options.file << " was published by " << (*verifier)->name() << ": entry "
            << index << " of " << origin << " (sha256 " << hex(digest) << ", " << file.language
            << ", " << file.day << ").\n"
            << "Inclusion proof (" << proof->size() << (proof->size() == 1 ? " hash" : " hashes")
            << ") checked against the checkpoint of size " << tree.size << " signed by " << key_text
            << ".\n";
  if (options.key.empty()) {
    std::cout << "The key came from " << sig_path
              << ": compare it with the key the organisation publishes.\n";
  }
  return {};
}

}  // namespace

void add_statement_command(CLI::App& app) {
  auto options = std::make_shared<StatementOptions>();
  CLI::App* cmd = app.add_subcommand(
      "statement", "Sign the organisation's statements into the log, or check one");
  cmd->require_subcommand(1);

  CLI::App* sign = cmd->add_subcommand(
      "sign", "Log the SHA-256 of each FILE and write a signed note FILE.sig beside it");
  sign->add_option("--data", options->data, "The installation's data directory")->required();
  sign->add_option("--language", options->language, "The statements' language: en or fa")
      ->capture_default_str();
  sign->add_option("files", options->files, "The files (texts, videos) to sign")->required();
  sign->callback([options] { exit_on_error(run_sign(*options)); });

  CLI::App* check = cmd->add_subcommand(
      "check", "Tell whether FILE is one the organisation published, with its inclusion proof");
  check->add_option("file", options->file, "The file to check")->required();
  check->add_option("--url", options->url, "The log's URL, e.g. http://ONION/log")->required();
  check->add_option("--key", options->key,
                    "The organisation's log verifier key (default: the one FILE.sig names)");
  check->add_option("--sig", options->sig, "The signed note (default: FILE.sig)");
  check->callback([options] { exit_on_error(run_check(*options)); });

  add_statement_publish_command(*cmd);
}

}  // namespace safehouse::cli
