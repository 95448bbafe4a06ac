// SPDX-License-Identifier: AGPL-3.0-or-later
// web/catalog.h: translated page strings. The gettext catalogs in
// src/web/locales/{en,fa}/LC_MESSAGES/safehouse.po are compiled to .mo by
// msgfmt at build time, embedded in the binary and read with Boost.Locale's
// gettext loader, so the program finds them from any working directory.
// msgid is the English text. Knows nothing of templates or HTTP.
#ifndef SAFEHOUSE_WEB_CATALOG_H_
#define SAFEHOUSE_WEB_CATALOG_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "web/language.h"

namespace safehouse::web {

class Catalog {
 public:
  // Loads the catalogs compiled into this binary. Fails only if an embedded
  // .mo is unreadable, which is a build bug.
  static Result<Catalog> load_embedded();

  Catalog(Catalog&&) noexcept;
  Catalog& operator=(Catalog&&) noexcept;
  ~Catalog();

  // The translation of `msgid` in `language`, or `msgid` itself when the
  // catalog has no (or an empty) translation.
  std::string translate(Language language, std::string_view msgid) const;

  // ngettext: picks the form for `n` by the catalog's Plural-Forms; falls
  // back to `singular` (n == 1) or `plural` as English does.
  std::string translate_plural(Language language, std::string_view singular,
                               std::string_view plural, long n) const;

  // True if the catalog holds a non-empty translation of `msgid` (used by
  // tests to catch untranslated strings).
  bool has_translation(Language language, std::string_view msgid) const;

  // Thread safety: all const members may be called concurrently.

 private:
  struct Impl;
  explicit Catalog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace safehouse::web

#endif  // SAFEHOUSE_WEB_CATALOG_H_
