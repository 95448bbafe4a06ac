// SPDX-License-Identifier: AGPL-3.0-or-later
// web/catalog.cpp: Boost.Locale's gettext reader fed from the embedded .mo
// files through messages_info::callback, so no file system path is involved.
// Only the message facet is used, not a full std::locale: pages never need
// the process locale, and the facet's const lookups are thread-safe.
#include "web/catalog.h"

#include <boost/locale/gnu_gettext.hpp>
#include <boost/locale/message.hpp>
#include <exception>
#include <locale>
#include <vector>

#include "web/embedded.h"

namespace safehouse::web {
namespace {

constexpr const char* kDomain = "safehouse";
// Boost asks for "<path>/<lang>/LC_MESSAGES/<domain>.mo"; this prefix marks
// the request as ours so the callback can map it to an embedded file.
constexpr const char* kVirtualRoot = "embedded";

std::vector<char> read_embedded_mo(const std::string& file_name) {
  const std::string expected_suffix = std::string("/LC_MESSAGES/") + kDomain + ".mo";
  const std::string prefix = std::string(kVirtualRoot) + "/";
  if (file_name.rfind(prefix, 0) != 0 || !file_name.ends_with(expected_suffix)) return {};
  const std::string language =
      file_name.substr(prefix.size(), file_name.size() - prefix.size() - expected_suffix.size());
  for (const EmbeddedFile& file : embedded_catalogs()) {
    if (file.name == language + ".mo") return {file.bytes.begin(), file.bytes.end()};
  }
  return {};  // Boost treats an empty vector as "no such catalog"
}

using Facet = boost::locale::message_format<char>;

// A facet's destructor is protected: a std::locale owns it, and the facet
// pointer stays valid for as long as that locale lives.
struct LoadedCatalog {
  std::locale owner;
  const Facet* facet = nullptr;
};

Result<LoadedCatalog> load_facet(Language language) {
  boost::locale::gnu_gettext::messages_info info;
  info.language = std::string(code(language));
  info.encoding = "UTF-8";
  info.domains.emplace_back(kDomain);
  info.paths.emplace_back(kVirtualRoot);
  info.callback = [](const std::string& file_name, const std::string&) {
    return read_embedded_mo(file_name);
  };
  try {
    Facet* facet = boost::locale::gnu_gettext::create_messages_facet<char>(info);
    if (facet == nullptr) return Error(ErrorCode::kInternal, "catalog: no message facet");
    LoadedCatalog loaded{std::locale(std::locale::classic(), facet), nullptr};
    loaded.facet = &std::use_facet<Facet>(loaded.owner);
    return loaded;
  } catch (const std::exception&) {
    // Boost throws on a corrupt .mo; ours is built by msgfmt --check.
    return Error(ErrorCode::kInternal,
                 "catalog: embedded " + std::string(code(language)) + ".mo is unreadable");
  }
}

}  // namespace

struct Catalog::Impl {
  LoadedCatalog english;
  LoadedCatalog persian;

  const Facet& facet(Language language) const {
    return language == Language::kPersian ? *persian.facet : *english.facet;
  }
};

Result<Catalog> Catalog::load_embedded() {
  auto impl = std::make_unique<Impl>();
  impl->english = SAFEHOUSE_TRY(load_facet(Language::kEnglish));
  impl->persian = SAFEHOUSE_TRY(load_facet(Language::kPersian));
  return Catalog(std::move(impl));
}

Catalog::Catalog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;
Catalog::~Catalog() = default;

std::string Catalog::translate(Language language, std::string_view msgid) const {
  if (msgid.empty()) return {};  // "" is the .po header in gettext, never a message
  const std::string id(msgid);   // the facet wants a NUL-terminated key
  const char* found = impl_->facet(language).get(0, nullptr, id.c_str());
  return found != nullptr && *found != '\0' ? std::string(found) : id;
}

std::string Catalog::translate_plural(Language language, std::string_view singular,
                                      std::string_view plural, long n) const {
  if (singular.empty()) return {};
  const std::string id(singular);
  const char* found = impl_->facet(language).get(0, nullptr, id.c_str(), static_cast<int>(n));
  if (found != nullptr && *found != '\0') return std::string(found);
  return std::string(n == 1 ? singular : plural);
}

bool Catalog::has_translation(Language language, std::string_view msgid) const {
  if (msgid.empty()) return false;
  const std::string id(msgid);
  const char* found = impl_->facet(language).get(0, nullptr, id.c_str());
  return found != nullptr && *found != '\0';
}

}  // namespace safehouse::web
