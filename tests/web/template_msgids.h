// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/web/template_msgids.h: lists the {{#t}}…{{/t}} texts of the embedded
// templates, normalised as the renderer does (white space runs → one space,
// ends trimmed), so tests can check the catalogs cover them.
#ifndef SAFEHOUSE_TESTS_WEB_TEMPLATE_MSGIDS_H_
#define SAFEHOUSE_TESTS_WEB_TEMPLATE_MSGIDS_H_

#include <set>
#include <string>
#include <string_view>

#include "web/embedded.h"

namespace safehouse::web::testing {

inline std::string collapse_spaces(std::string_view raw) {
  std::string out;
  bool pending = false;
  for (char c : raw) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(' ');
    pending = false;
    out.push_back(c);
  }
  return out;
}

// Every msgid in every template. An unterminated section yields "" (which
// the tests reject).
inline std::set<std::string> template_msgids() {
  constexpr std::string_view kOpen = "{{#t}}";
  constexpr std::string_view kClose = "{{/t}}";
  std::set<std::string> ids;
  for (const EmbeddedFile& file : embedded_templates()) {
    std::string_view text = file.bytes;
    for (auto at = text.find(kOpen); at != std::string_view::npos; at = text.find(kOpen, at)) {
      const auto start = at + kOpen.size();
      const auto end = text.find(kClose, start);
      if (end == std::string_view::npos) {
        ids.insert("");
        break;
      }
      ids.insert(collapse_spaces(text.substr(start, end - start)));
      at = end + kClose.size();
    }
  }
  return ids;
}

}  // namespace safehouse::web::testing

#endif  // SAFEHOUSE_TESTS_WEB_TEMPLATE_MSGIDS_H_
