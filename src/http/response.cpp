// SPDX-License-Identifier: AGPL-3.0-or-later
// http/response.cpp: response helpers and the error-code-to-status mapping.
#include "http/response.h"

#include <spdlog/spdlog.h>
#include <strings.h>

namespace safehouse::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Response Response::html(std::string body, unsigned status) {
  return Response(status, "text/html; charset=utf-8", std::move(body));
}

Response Response::text(std::string body, unsigned status) {
  return Response(status, "text/plain; charset=utf-8", std::move(body));
}

Response Response::json(std::string body, unsigned status) {
  return Response(status, "application/json", std::move(body));
}

Response Response::redirect_see_other(std::string location) {
  Response response(303, "", "");
  response.set_header("Location", std::move(location));
  return response;
}

Response Response::file(std::string content_type, std::string bytes) {
  return Response(200, std::move(content_type), std::move(bytes));
}

Response Response::stream(std::string content_type, std::shared_ptr<ByteSource> source,
                          std::uint64_t length) {
  Response response(200, std::move(content_type), {});
  response.body_source_ = std::move(source);
  response.body_source_length_ = length;
  return response;
}

void Response::set_header(std::string name, std::string value) {
  std::erase_if(headers_, [&](const auto& header) { return iequals(header.first, name); });
  headers_.emplace_back(std::move(name), std::move(value));
}

void Response::add_header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

unsigned status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kIntegrity:
      return 400;
    case ErrorCode::kNoMatch:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kUnsupported:
      return 415;
    case ErrorCode::kUnavailable:
    case ErrorCode::kOutcomeUnknown:  // the database went away mid-commit: try again later
      return 503;
    case ErrorCode::kQuotaExceeded:
      return 429;
    case ErrorCode::kInsufficientStorage:
      return 507;
    case ErrorCode::kGone:
      return 410;
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      break;
  }
  return 500;
}

unsigned status_for(const Error& error) {
  const unsigned status = status_for(error.code());
  if (status == 500) spdlog::error("http: 500: {}", error.message());
  return status;
}

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 423:
      return "Locked";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 460:
      return "Checksum Mismatch";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 507:
      return "Insufficient Storage";
    default:
      return "Error";
  }
}

}  // namespace safehouse::http
