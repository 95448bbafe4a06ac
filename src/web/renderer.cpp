// SPDX-License-Identifier: AGPL-3.0-or-later
// web/renderer.cpp: fills the embedded mustache templates. The layout pulls
// in the page as the partial "content"; {{#t}}English text{{/t}} sections are
// translated by a lambda that escapes the result, so a translation can never
// inject markup. Only this file includes mustache.hpp, to keep builds quick.
#include "web/renderer.h"

#include <sodium.h>

#include <array>
#include <kainjow/mustache.hpp>
#include <utility>

#include "web/catalog.h"
#include "web/embedded.h"

namespace safehouse::web {
namespace mustache = kainjow::mustache;
namespace {

constexpr std::string_view kLayoutTemplate = "layout.mustache";
// The one placeholder a translated string may hold, filled after translation.
constexpr std::string_view kOrganisationPlaceholder = "{organisation}";

struct PageInfo {
  Page page;
  std::string_view template_name;
  std::string_view flag;  // layout flag that picks the page's <title>
  std::string_view path;  // after "/<lang>/", for the language switch
  bool offers_language_switch;
};

constexpr PageInfo kPages[] = {
    {Page::kLanding, "landing.mustache", "page_landing", "", true},
    {Page::kFirstContact, "first_contact.mustache", "page_first_contact", "first-contact", true},
    {Page::kLogin, "login.mustache", "page_login", "login", true},
    {Page::kInbox, "inbox.mustache", "page_inbox", "inbox", true},
    {Page::kError, "error.mustache", "page_error", "", true},
    {Page::kApp, "app.mustache", "page_app", "app", true},
    {Page::kPublished, "published.mustache", "page_published", "published", true},
    // The staff listener has no per-language routes.
    {Page::kStaffHome, "staff_home.mustache", "page_staff_home", "", false},
    {Page::kStaffSignIn, "staff_sign_in.mustache", "page_staff_sign_in", "", true},
    {Page::kStaffEnrol, "staff_enrol.mustache", "page_staff_enrol", "enrol", true},
};

// The staff listener's pages run /static/staff.js (CSP script-src 'self').
bool has_staff_script(Page page) {
  return page == Page::kStaffSignIn || page == Page::kStaffEnrol;
}

const PageInfo& page_info(Page page) {
  for (const PageInfo& info : kPages) {
    if (info.page == page) return info;
  }
  return kPages[0];  // unreachable: every enumerator has a row
}

std::string_view template_source(std::string_view name) {
  for (const EmbeddedFile& file : embedded_templates()) {
    if (file.name == name) return file.bytes;
  }
  return {};
}

// The text between {{#t}} and {{/t}} with runs of white space made one space
// and the ends trimmed, so a template may wrap a long sentence.
std::string normalise_msgid(std::string_view raw) {
  std::string out;
  bool pending_space = false;
  for (char c : raw) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Secret values stand in the template as "shs<nonce>i<index>e": letters and
// digits, which escaping leaves alone; the nonce is random per page, so no
// other text on it can pose as a placeholder.
struct Secrets {
  std::string marker;  // "shs<nonce>i"
  std::vector<const crypto::WipedString*> values;

  Secrets() {
    std::array<std::uint8_t, 8> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    static constexpr char kHex[] = "0123456789abcdef";
    marker = "shs";
    for (std::uint8_t byte : nonce) {
      marker.push_back(kHex[byte >> 4]);
      marker.push_back(kHex[byte & 15]);
    }
    marker.push_back('i');
  }

  std::string placeholder(const crypto::WipedString& value) {
    values.push_back(&value);
    return marker + std::to_string(values.size() - 1) + "e";
  }
};

// What mustache's html_escape writes for `c`, for sizing and writing secrets
// outside the library.
std::string_view escaped(const char& c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&apos;";
    default:
      return {&c, 1};
  }
}

// Calls literal(text) and secret(value) for the pieces of `html` in order.
template <typename Literal, typename Secret>
void for_each_piece(std::string_view html, const Secrets& secrets, Literal literal, Secret secret) {
  std::size_t at = 0;
  for (;;) {
    std::size_t found = html.find(secrets.marker, at);
    if (found == std::string_view::npos) return literal(html.substr(at));
    literal(html.substr(at, found - at));
    std::size_t end = found + secrets.marker.size();
    std::size_t index = 0;
    while (end < html.size() && html[end] >= '0' && html[end] <= '9') {
      index = index * 10 + static_cast<std::size_t>(html[end++] - '0');
    }
    secret(*secrets.values.at(index));
    at = end + 1;  // past the closing 'e'
  }
}

// The page with every placeholder replaced by its escaped secret, in a string
// sized exactly first: growing it would free copies of the secrets unwiped.
std::string splice_secrets(std::string_view html, const Secrets& secrets) {
  std::size_t size = 0;
  for_each_piece(
      html, secrets, [&](std::string_view text) { size += text.size(); },
      [&](const crypto::WipedString& value) {
        for (const char& c : value) size += escaped(c).size();
      });
  std::string out;
  out.reserve(size);
  for_each_piece(
      html, secrets, [&](std::string_view text) { out.append(text); },
      [&](const crypto::WipedString& value) {
        for (const char& c : value) out.append(escaped(c));
      });
  return out;
}

mustache::data to_mustache(const PageData& page, Language language, Secrets& secrets) {
  mustache::data out(mustache::data::type::object);
  for (const auto& [key, value] : page.values()) {
    using Kind = PageData::Value::Kind;
    switch (value.kind) {
      case Kind::kText:
        out.set(key, mustache::data(value.text));
        break;
      case Kind::kSecret:
        out.set(key, mustache::data(secrets.placeholder(value.secret)));
        break;
      case Kind::kLocalized:
        out.set(key, mustache::data(localize_digits(language, value.text)));
        break;
      case Kind::kNumber:
        out.set(key, mustache::data(format_number(language, value.number)));
        break;
      case Kind::kFlag:
        out.set(key, mustache::data(value.flag));
        break;
      case Kind::kList: {
        mustache::data list(mustache::data::type::list);
        for (const PageData& item : value.list) {
          list.push_back(to_mustache(item, language, secrets));
        }
        out.set(key, list);
        break;
      }
    }
  }
  return out;
}

// The error page shows one message chosen by status; each is a flag the
// template tests, so every msgid stays in the templates.
std::string_view error_flag(std::int64_t status) {
  switch (status) {
    case 400:
      return "status_400";
    case 403:
      return "status_403";
    case 404:
      return "status_404";
    case 405:
      return "status_405";
    case 413:
      return "status_413";
    case 415:
      return "status_415";
    case 429:
      return "status_429";
    case 503:
      return "status_503";
    case 507:
      return "status_507";
    default:
      return status >= 500 ? "status_5xx" : "status_other";
  }
}

}  // namespace

PageData& PageData::set_text(std::string key, std::string value) {
  values_[std::move(key)] = Value{.kind = Value::Kind::kText, .text = std::move(value)};
  return *this;
}
PageData& PageData::set_secret(std::string key, std::string_view value) {
  values_[std::move(key)] =
      Value{.kind = Value::Kind::kSecret, .secret = crypto::WipedString(value)};
  return *this;
}
PageData& PageData::set_localized(std::string key, std::string value) {
  values_[std::move(key)] = Value{.kind = Value::Kind::kLocalized, .text = std::move(value)};
  return *this;
}
PageData& PageData::set_number(std::string key, std::int64_t value) {
  values_[std::move(key)] = Value{.kind = Value::Kind::kNumber, .number = value};
  return *this;
}
PageData& PageData::set_flag(std::string key, bool value) {
  values_[std::move(key)] = Value{.kind = Value::Kind::kFlag, .flag = value};
  return *this;
}
PageData& PageData::set_list(std::string key, std::vector<PageData> items) {
  values_[std::move(key)] = Value{.kind = Value::Kind::kList, .list = std::move(items)};
  return *this;
}

struct Renderer::Impl {
  Catalog catalog;
  SiteInfo site;
};

Result<Renderer> Renderer::create(SiteInfo site) {
  for (const EmbeddedFile& file : embedded_templates()) {
    mustache::mustache parsed{std::string(file.bytes)};
    if (!parsed.is_valid()) {
      return Error(ErrorCode::kInternal, "renderer: template " + std::string(file.name) +
                                             " does not parse: " + parsed.error_message());
    }
  }
  for (const PageInfo& info : kPages) {
    if (template_source(info.template_name).empty()) {
      return Error(ErrorCode::kInternal,
                   "renderer: template " + std::string(info.template_name) + " is missing");
    }
  }
  Catalog catalog = SAFEHOUSE_TRY(Catalog::load_embedded());
  return Renderer(std::make_unique<Impl>(Impl{std::move(catalog), std::move(site)}));
}

Renderer::Renderer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Renderer::Renderer(Renderer&&) noexcept = default;
Renderer& Renderer::operator=(Renderer&&) noexcept = default;
Renderer::~Renderer() = default;

std::string Renderer::translate(Language language, std::string_view msgid) const {
  return impl_->catalog.translate(language, msgid);
}

std::string Renderer::render(Page page, Language language, const PageData& data) const {
  const PageInfo& info = page_info(page);
  const std::string lang(code(language));
  const Language other = other_language(language);

  Secrets secrets;
  mustache::data context = to_mustache(data, language, secrets);
  context.set("lang", lang);
  context.set("dir", std::string(dir(language)));
  context.set("organisation_name", impl_->site.organisation_name);
  context.set("home_href", "/" + lang + "/");
  context.set(std::string(info.flag), mustache::data(true));
  if (has_staff_script(page)) context.set("staff_script", mustache::data(true));
  if (info.offers_language_switch) {
    context.set("language_switch", mustache::data(true));
    context.set("switch_lang", std::string(code(other)));
    context.set("switch_href", "/" + std::string(code(other)) + "/" + std::string(info.path));
    // Each language's name in its own script, so a reader of either finds it.
    context.set("switch_label", other == Language::kPersian ? "فارسی" : "English");
  }
  if (page == Page::kError) {
    const auto status = data.values().find("status");
    const std::int64_t code_value =
        status != data.values().end() ? status->second.number : std::int64_t{500};
    context.set(std::string(error_flag(code_value)), mustache::data(true));
  }

  const std::string escaped_organisation = mustache::html_escape(impl_->site.organisation_name);
  const Catalog* catalog = &impl_->catalog;
  context.set("t", mustache::lambda2{[catalog, language, escaped_organisation](
                                         const std::string& text, const mustache::renderer&) {
                const std::string msgid = normalise_msgid(text);
                return replace_all(mustache::html_escape(catalog->translate(language, msgid)),
                                   kOrganisationPlaceholder, escaped_organisation);
              }});
  const std::string content(template_source(info.template_name));
  context.set("content", mustache::partial{[content] { return content; }});

  mustache::mustache layout{std::string(template_source(kLayoutTemplate))};
  std::string html = layout.render(context);
  // The templates open with a licence comment; "<!DOCTYPE html>" must come
  // first or browsers fall back to quirks mode.
  html.erase(0, html.find_first_not_of(" \n"));
  if (secrets.values.empty()) return html;
  return splice_secrets(html, secrets);
}

}  // namespace safehouse::web
