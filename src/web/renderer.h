// SPDX-License-Identifier: AGPL-3.0-or-later
// web/renderer.h: turns page data into a complete HTML document. Templates
// (src/web/templates/*.mustache) are embedded at build time; strings are
// translated through the gettext catalog; numbers are written in the page's
// digits. Every value is HTML-escaped. No page has any resource outside
// /static/; only kApp (the source's JavaScript page: /static/source.js) and
// the staff pages kStaffSignIn and kStaffEnrol (/static/staff.js) have
// script. Knows nothing of HTTP, sessions or the domain: the caller (http/)
// gathers the data and sends the string.
#ifndef SAFEHOUSE_WEB_RENDERER_H_
#define SAFEHOUSE_WEB_RENDERER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/wiping_allocator.h"
#include "web/language.h"

namespace safehouse::web {

// The pages and the data keys each reads (anything else is ignored; a key
// left out renders as empty / false):
//
// every page   — nothing required; the layout gets the organisation name from
//                SiteInfo and builds the language-switch link itself.
// kLanding     — log_verifier_key (text): the log's verifier key
//                "name+hash+base64", shown verbatim for copying; optional
//                onions (list of {address}) and onion_note (text): the
//                genuine onion addresses and their note signed with the log key;
//                statements (list, http/log_pages.h statement_items): id, href,
//                first_day, last_day, one_day, size, statuses and categories
//                (lists of {below, count, s_<status> flag | name}),
//                has_categories, cosigned, cosigners (list of {name}).
// kFirstContact— codename (text): the words, shown once in
//                <p id="codename" class="codename">; csrf (text).
// kLogin       — csrf (text); error (flag): show the one generic
//                "That codename was not recognised" message.
// kInbox       — csrf (text); sent (flag): show the "received" notice;
//                replies (list of {day (localized, "2026-11-25"), text (text)}),
//                oldest first as given.
// kError       — status (number): 400, 403, 404, 405, 413, 415 or 5xx; the
//                page shows the status and a translated message chosen by it.
// kStaffHome   — nothing: says the reviewer workspace is the CLI.
// kApp         — log_verifier_key (text): the JavaScript page (the only one
//                with a script: /static/source.js); the script checks the
//                signed recipient set against this key.
// kStaffSignIn — installation (text): the log verifier key, in the
//                Argon2id salt. The staff listener's sign-in and workspace,
//                driven by /static/staff.js (the only pages with a script).
// kStaffEnrol  — installation (text). The enrolment page (staff.js).
// kPublished   — the published files (http/log_pages.h): files (list of
//                {index, sha256, day, in_en|in_fa, check_href}), total, shown,
//                truncated, none_published; after a check: malformed, or
//                checked and not_found (asked) or found (file: a one-item
//                list as above, asked, size, root, leaf_hash, entry_index,
//                proof (list of {hash}), empty_proof, checkpoint_note).
enum class Page {
  kLanding,
  kFirstContact,
  kLogin,
  kInbox,
  kError,
  kStaffHome,
  kApp,
  kStaffSignIn,
  kStaffEnrol,
  kPublished
};

// A small tree of named values for one page. Use distinct setters on purpose:
// an overloaded set(key, bool) would swallow string literals.
class PageData {
 public:
  // Shown exactly as given (escaped): keys, tokens, user text.
  PageData& set_text(std::string key, std::string value);
  // Shown like set_text, for plaintext that must not outlive the page: a new
  // codename, a decrypted reply. Held in wiped memory; the template engine
  // only ever sees a placeholder, and the escaped text is spliced into the
  // finished page, built without reallocation. The caller wipes `value`.
  PageData& set_secret(std::string key, std::string_view value);
  // Shown with ASCII digits written in the page language's digits (dates,
  // counts already formatted as text).
  PageData& set_localized(std::string key, std::string value);
  // Formatted per language with format_number().
  PageData& set_number(std::string key, std::int64_t value);
  // For {{#key}} / {{^key}} sections.
  PageData& set_flag(std::string key, bool value);
  // For repeated sections; each item is its own PageData.
  PageData& set_list(std::string key, std::vector<PageData> items);

  struct Value {
    enum class Kind { kText, kLocalized, kNumber, kFlag, kList, kSecret };
    Kind kind = Kind::kText;
    std::string text;
    crypto::WipedString secret;
    std::int64_t number = 0;
    bool flag = false;
    std::vector<PageData> list;
  };
  const std::map<std::string, Value, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, Value, std::less<>> values_;
};

// Site-wide facts every page shows.
struct SiteInfo {
  std::string organisation_name;
};

class Renderer {
 public:
  // Loads the embedded catalogs and checks every embedded template parses.
  static Result<Renderer> create(SiteInfo site);

  Renderer(Renderer&&) noexcept;
  Renderer& operator=(Renderer&&) noexcept;
  ~Renderer();

  // A complete "<!DOCTYPE html>…" document in `language`:
  // <html lang="en|fa" dir="ltr|rtl">, a <title>, a link to
  // /static/safehouse.css and a link to the same page in the other language.
  // Thread-safe (const; templates are parsed per call, they are small).
  std::string render(Page page, Language language, const PageData& data) const;

  // Translates one msgid (for text the caller puts outside a page, such as a
  // plain-text error body).
  std::string translate(Language language, std::string_view msgid) const;

 private:
  struct Impl;
  explicit Renderer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace safehouse::web

#endif  // SAFEHOUSE_WEB_RENDERER_H_
