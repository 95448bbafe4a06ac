// SPDX-License-Identifier: AGPL-3.0-or-later
// http/tus_routes.h: the tus 1.0.0 endpoint on the source listener
// (/api/v1/uploads/: core protocol, creation, creation-with-upload,
// termination, expiration, checksum sha1/sha256) and the request that
// attaches complete uploads to the source's case as file items
// (POST /api/v1/uploads/attach). docs/routes.md, "Resumable uploads", is the
// contract. Every request must come from a signed-in source; uploads are
// intake::ResumableUploads, bound to that source.
#ifndef SAFEHOUSE_HTTP_TUS_ROUTES_H_
#define SAFEHOUSE_HTTP_TUS_ROUTES_H_

#include <cstddef>

#include "http/router.h"
#include "http/source_routes.h"
#include "intake/resumable_uploads.h"

namespace safehouse::http {

// A PATCH with Upload-Checksum is held in memory until its checksum is
// checked (a mismatch must leave the upload as it was): at most this much.
inline constexpr std::size_t kMaxChecksumPatchBytes = 16 << 20;

// Registers the routes. Lifetime: `context` and `uploads` outlive the router.
void add_tus_routes(Router& router, SourceContext& context, intake::ResumableUploads& uploads);

}  // namespace safehouse::http

#endif  // SAFEHOUSE_HTTP_TUS_ROUTES_H_
