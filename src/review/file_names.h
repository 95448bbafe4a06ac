// SPDX-License-Identifier: AGPL-3.0-or-later
// review/file_names.h: turning a file name a source's browser sent into one
// safe to create on a reviewer's machine: one path component, no control or
// bidi-override characters, no leading dots, bounded length. The name is
// untrusted input; the result never leaves the directory it is joined to.
#ifndef SAFEHOUSE_REVIEW_FILE_NAMES_H_
#define SAFEHOUSE_REVIEW_FILE_NAMES_H_

#include <string>
#include <string_view>

#include "base/utf8.h"

namespace safehouse::review {

// Longest sanitized name, bytes (well under NAME_MAX with a prefix).
inline constexpr std::size_t kMaxSanitizedNameBytes = 150;

// The last component of `name` (after '/' or '\'), with every byte that is
// not valid UTF-8, every C0/C1 control, DEL, bidi control and one of
// <>:"|?* replaced by '_', leading and trailing dots and spaces removed,
// cut to kMaxSanitizedNameBytes at a character boundary; "file" if nothing
// is left. Never "", ".", ".." and never contains '/' or NUL.
std::string sanitize_file_name(std::string_view name);

// `text` for a terminal: valid UTF-8 with controls other than newline and
// tab (escape sequences, bidi overrides, invalid bytes) replaced by U+FFFD,
// so a source's message cannot drive the reviewer's terminal.
std::string printable_text(std::string_view text);

// Strict UTF-8 validation lives in base/ (shared with http and intake).
using safehouse::is_valid_utf8;

}  // namespace safehouse::review

#endif  // SAFEHOUSE_REVIEW_FILE_NAMES_H_
