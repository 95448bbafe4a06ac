// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/fuzz/web_render_fuzz.cpp: pages rendered with arbitrary user text (a
// reply, a codename, a key) and arbitrary language and status must never
// crash, and no markup from the input may survive escaping: the input's '<',
// '>', '"' and '&' never reach the page unescaped. Secrets (set_secret) render
// exactly as the same text does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "web/renderer.h"

using namespace safehouse::web;

namespace {

const Renderer& renderer() {
  static const Renderer loaded = Renderer::create(SiteInfo{.organisation_name = "Org"}).value();
  return loaded;
}

// Counts '<' in the page: the templates' own tags are the same whatever the
// text, so a page with user text must have as many as one with plain text.
std::size_t count_lt(const std::string& html) {
  std::size_t n = 0;
  for (char c : html) n += c == '<';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const Language language = data[0] & 1 ? Language::kPersian : Language::kEnglish;
  const std::int64_t status = 400 + data[1];
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);

  std::vector<PageData> replies;
  replies.push_back(PageData().set_localized("day", text).set_text("text", text));
  const PageData inbox =
      PageData().set_text("csrf", text).set_flag("sent", true).set_list("replies", replies);
  std::vector<PageData> plain_replies;
  plain_replies.push_back(PageData().set_localized("day", "x").set_text("text", "x"));
  const PageData plain =
      PageData().set_text("csrf", "x").set_flag("sent", true).set_list("replies", plain_replies);
  if (count_lt(renderer().render(Page::kInbox, language, inbox)) !=
      count_lt(renderer().render(Page::kInbox, language, plain))) {
    std::abort();
  }

  const std::string landing =
      renderer().render(Page::kLanding, language, PageData().set_text("log_verifier_key", text));
  const std::string plain_landing =
      renderer().render(Page::kLanding, language, PageData().set_text("log_verifier_key", "x"));
  if (count_lt(landing) != count_lt(plain_landing)) std::abort();

  (void)renderer().render(Page::kError, language, PageData().set_number("status", status));

  // The log's pages (http/log_pages.h): a category or observer name, a
  // note, a hash field and a day from the log or the database.
  auto log_pages = [&](const std::string& value) {
    std::vector<PageData> categories, cosigners, statements, files, proof;
    categories.push_back(PageData().set_text("name", value).set_number("count", 10));
    cosigners.push_back(PageData().set_text("name", value));
    statements.push_back(PageData()
                             .set_localized("first_day", value)
                             .set_localized("last_day", value)
                             .set_list("categories", categories)
                             .set_flag("has_categories", true)
                             .set_flag("cosigned", true)
                             .set_list("cosigners", cosigners));
    files.push_back(
        PageData().set_text("sha256", value).set_localized("day", value).set_flag("in_en", true));
    proof.push_back(PageData().set_text("hash", value));
    const PageData published = PageData()
                                   .set_list("files", files)
                                   .set_list("file", files)
                                   .set_flag("found", true)
                                   .set_text("asked", value)
                                   .set_text("root", value)
                                   .set_text("leaf_hash", value)
                                   .set_list("proof", proof)
                                   .set_text("checkpoint_note", value);
    return count_lt(renderer().render(Page::kLanding, language,
                                      PageData().set_list("statements", statements))) +
           count_lt(renderer().render(Page::kPublished, language, published));
  };
  if (log_pages(text) != log_pages("x")) std::abort();

  // Differential: a secret (spliced in after rendering) must give the very
  // page the same text gives through the template engine.
  std::vector<PageData> secret_replies;
  secret_replies.push_back(PageData().set_localized("day", text).set_secret("text", text));
  const PageData secret_inbox =
      PageData().set_text("csrf", text).set_flag("sent", true).set_list("replies", secret_replies);
  if (renderer().render(Page::kInbox, language, secret_inbox) !=
      renderer().render(Page::kInbox, language, inbox)) {
    std::abort();
  }
  if (renderer().render(Page::kFirstContact, language, PageData().set_secret("codename", text)) !=
      renderer().render(Page::kFirstContact, language, PageData().set_text("codename", text))) {
    std::abort();
  }
  return 0;
}
