// SPDX-License-Identifier: AGPL-3.0-or-later
// web/embedded.h: files compiled into the binary by cmake/embed.cmake
// (templates, compiled catalogs, static files). Internal to web/ and its
// tests; callers use renderer.h, catalog.h and static_files.h.
#ifndef SAFEHOUSE_WEB_EMBEDDED_H_
#define SAFEHOUSE_WEB_EMBEDDED_H_

#include <span>
#include <string_view>

namespace safehouse::web {

struct EmbeddedFile {
  std::string_view name;   // e.g. "layout.mustache", "fa.mo", "safehouse.css"
  std::string_view bytes;  // static storage
};

std::span<const EmbeddedFile> embedded_templates();
std::span<const EmbeddedFile> embedded_catalogs();
std::span<const EmbeddedFile> embedded_static();

}  // namespace safehouse::web

#endif  // SAFEHOUSE_WEB_EMBEDDED_H_
