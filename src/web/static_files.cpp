// SPDX-License-Identifier: AGPL-3.0-or-later
// web/static_files.cpp: maps a /static/ name to embedded bytes and a media
// type chosen by extension. Only names that were embedded exist, so there is
// no path to traverse.
#include "web/static_files.h"

#include "web/embedded.h"

namespace safehouse::web {
namespace {

std::string_view content_type_for(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".ttf")) return "font/ttf";
  if (name.ends_with(".woff2")) return "font/woff2";
  if (name.ends_with(".txt")) return "text/plain; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

std::optional<StaticFile> find_static(std::string_view name) {
  for (const EmbeddedFile& file : embedded_static()) {
    if (file.name == name) return StaticFile{file.bytes, content_type_for(name)};
  }
  return std::nullopt;
}

}  // namespace safehouse::web
