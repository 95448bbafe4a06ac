// SPDX-License-Identifier: AGPL-3.0-or-later
// web/static_files.h: the stylesheet and fonts served under /static/, embedded
// in the binary at build time (the fonts are copied from Debian's
// fonts-noto-core, SIL Open Font License). Knows nothing of HTTP: the caller
// maps GET /static/<name> to find_static(name).
#ifndef SAFEHOUSE_WEB_STATIC_FILES_H_
#define SAFEHOUSE_WEB_STATIC_FILES_H_

#include <optional>
#include <string_view>

namespace safehouse::web {

struct StaticFile {
  std::string_view bytes;         // static storage: valid for the program's life
  std::string_view content_type;  // e.g. "text/css; charset=utf-8", "font/ttf"
};

// Looks up a file by its bare name ("safehouse.css",
// "NotoNaskhArabic-Regular.ttf", "NotoSansArabic-Regular.ttf",
// "fonts-LICENSE.txt" (the fonts' OFL notice, which must travel with them),
// "staff.js" (the staff pages' script, bundled from web/)). Names with
// '/' or anything not embedded → nullopt (404). Thread-safe.
std::optional<StaticFile> find_static(std::string_view name);

}  // namespace safehouse::web

#endif  // SAFEHOUSE_WEB_STATIC_FILES_H_
