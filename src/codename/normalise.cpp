// SPDX-License-Identifier: AGPL-3.0-or-later
// codename/normalise.cpp: the normalisation pipeline on ICU's C API (ICU
// does NFKC and case folding; the Persian-specific mappings and the folding
// key are ours, as no library does them). Knows nothing of word lists.
#include "codename/normalise.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <string>

#include "crypto/wiping_allocator.h"

namespace safehouse::codename {
namespace {

// The typed codename passes through several UTF-16 copies; each is wiped
// when freed, growth included.
using U16String =
    std::basic_string<char16_t, std::char_traits<char16_t>, crypto::WipingAllocator<char16_t>>;

// NFKC_Casefold turns one UTF-16 unit into at most 18 (U+FDFA). Giving ICU
// that much room up front means it never grows a buffer of its own, which it
// would free unwiped.
constexpr std::size_t kMaxExpansion = 18;

// Each pass is NFKC_Casefold then our mappings. Removing a mark can bring a
// base letter and a combining mark together, so passes repeat until nothing
// changes; real input settles after two.
constexpr int kMaxPasses = 8;

Error icu_failure(const char* what) {
  return Error(ErrorCode::kInternal, std::string("normalise: ICU ") + what + " failed");
}

// Characters that carry no letter: joiners, bidi controls, tatweel, Arabic
// diacritics (harakat, tanwin, shadda, sukun, hamza and madda marks, the
// superscript alef). Typing them or not must not change a word.
bool is_removed(UChar32 c) {
  return c == 0x200C || c == 0x200D || c == 0x200E || c == 0x200F || c == 0x061C ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x0640 ||
         (c >= 0x064B && c <= 0x065F) || c == 0x0670;
}

// Word separators: any Unicode white space (NBSP included), and the commas
// and hyphens people put between words of a phrase.
bool is_separator(UChar32 c) {
  return u_isUWhiteSpace(c) || c == u',' || c == u'-' || c == 0x060C /* ، */ ||
         c == 0x061B /* ؛ */ || (c >= 0x2010 && c <= 0x2015) || c == 0x2212;
}

UChar32 mapped(UChar32 c) {
  if (c >= 0x06F0 && c <= 0x06F9) return u'0' + (c - 0x06F0);  // Persian digits
  if (c >= 0x0660 && c <= 0x0669) return u'0' + (c - 0x0660);  // Arabic-Indic digits
  if (c == 0x064A || c == 0x0649) return 0x06CC;               // ي ى → ی
  if (c == 0x0643) return 0x06A9;                              // ك → ک
  return c;
}

// Applies is_removed/is_separator/mapped and collapses separators to one
// space, trimmed at both ends. `in` is valid UTF-16.
U16String map_and_collapse(const U16String& in) {
  U16String out;
  out.reserve(in.size());
  bool pending_space = false;
  const auto length = static_cast<int32_t>(in.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U16_NEXT(in.data(), i, length, c);
    if (is_removed(c)) continue;
    if (is_separator(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(u' ');
    pending_space = false;
    c = mapped(c);
    if (U_IS_BMP(c)) {
      out.push_back(static_cast<char16_t>(c));
    } else {
      out.push_back(static_cast<char16_t>(U16_LEAD(c)));
      out.push_back(static_cast<char16_t>(U16_TRAIL(c)));
    }
  }
  return out;
}

Result<U16String> to_utf16(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  const auto size = static_cast<int32_t>(text.size());
  u_strFromUTF8(nullptr, 0, &length, text.data(), size, &status);
  if (status == U_INVALID_CHAR_FOUND) return malformed("normalise: input is not valid UTF-8");
  if (U_FAILURE(status) && status != U_BUFFER_OVERFLOW_ERROR) return icu_failure("u_strFromUTF8");
  U16String out(static_cast<std::size_t>(length), u'\0');
  status = U_ZERO_ERROR;
  u_strFromUTF8(out.data(), length, nullptr, text.data(), size, &status);
  if (U_FAILURE(status)) return icu_failure("u_strFromUTF8");
  return out;
}

Result<std::string> to_utf8(const U16String& text) {
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  const auto size = static_cast<int32_t>(text.size());
  u_strToUTF8(nullptr, 0, &length, text.data(), size, &status);
  if (U_FAILURE(status) && status != U_BUFFER_OVERFLOW_ERROR) return icu_failure("u_strToUTF8");
  std::string out(static_cast<std::size_t>(length), '\0');
  status = U_ZERO_ERROR;
  u_strToUTF8(out.data(), length, nullptr, text.data(), size, &status);
  if (U_FAILURE(status)) return icu_failure("u_strToUTF8");
  return out;
}

// NFKC, full case folding, and removal of default-ignorable code points.
Result<U16String> nfkc_casefold(const U16String& text) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* normalizer = unorm2_getNFKCCasefoldInstance(&status);
  if (U_FAILURE(status)) return icu_failure("NFKC_Casefold instance");
  const auto size = static_cast<int32_t>(text.size());
  U16String out(text.size() * kMaxExpansion + 1, u'\0');
  const int32_t length = unorm2_normalize(normalizer, text.data(), size, out.data(),
                                          static_cast<int32_t>(out.size()), &status);
  if (U_FAILURE(status)) return icu_failure("unorm2_normalize");
  out.resize(static_cast<std::size_t>(length));
  return out;
}

// The folding key's letter classes (normalise.h). generate.py's FOLD table
// is the same; tests/codename compares the two on every candidate word.
UChar32 folded(UChar32 c) {
  switch (c) {
    case 0x0637:      // ط
      return 0x062A;  // ت
    case 0x0635:      // ص
    case 0x062B:      // ث
      return 0x0633;  // س
    case 0x0630:      // ذ
    case 0x0636:      // ض
    case 0x0638:      // ظ
    case 0x0698:      // ژ
      return 0x0632;  // ز
    case 0x062D:      // ح
    case 0x0629:      // ة
    case 0x06D5:      // ە (Kurdish ae)
    case 0x06BE:      // ھ (heh doachashmee)
    case 0x06C1:      // ہ (heh goal)
      return 0x0647;  // ه
    case 0x063A:      // غ
      return 0x0642;  // ق
    case 0x0622:      // آ
    case 0x0639:      // ع
    case 0x0623:      // أ
    case 0x0625:      // إ
    case 0x0671:      // ٱ
      return 0x0627;  // ا
    case 0x0624:      // ؤ
      return 0x0648;  // و
    case 0x0626:      // ئ
    case 0x064A:      // ي
    case 0x0649:      // ى
      return 0x06CC;  // ی
    case 0x0643:      // ك
    case 0x06AF:      // گ
      return 0x06A9;  // ک
    case 0x067E:      // پ
      return 0x0628;  // ب
    case 0x0686:      // چ
      return 0x062C;  // ج
    default:
      return c;
  }
}

bool dropped_from_key(UChar32 c) {
  return c == 0x0621 /* ء */ || u_isUWhiteSpace(c) || u_isdigit(c) || u_ispunct(c);
}

}  // namespace

std::string fold_key(std::string_view normalised) {
  std::string out;
  // Every folded letter is as long in UTF-8 as the one it replaces, so the
  // key is never longer than its input: no reallocation leaves a copy behind.
  out.reserve(normalised.size());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(normalised.data());
  const auto length = static_cast<int32_t>(normalised.size());
  // A combining mark goes with the character it sits on: were the base
  // dropped and the mark kept, the mark would land on the previous letter
  // and compose with it (n, space, U+0301 would become ń), and the key would
  // no longer be a fixed point of normalise(). Found by the fuzz target.
  bool base_dropped = false;
  for (int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) continue;  // ill-formed: not from normalise()
    if ((U_GET_GC_MASK(c) & U_GC_M_MASK) == 0) base_dropped = dropped_from_key(c);
    if (base_dropped) continue;
    c = folded(c);
    char encoded[U8_MAX_LENGTH];
    int32_t n = 0;
    U8_APPEND_UNSAFE(encoded, n, c);
    out.append(encoded, static_cast<std::size_t>(n));
  }
  return out;
}

Result<std::string> normalise(std::string_view typed) {
  if (typed.size() > kMaxNormaliseInputBytes) {
    return Error(ErrorCode::kTooLarge, "normalise: input is longer than " +
                                           std::to_string(kMaxNormaliseInputBytes) + " bytes");
  }
  U16String text = SAFEHOUSE_TRY(to_utf16(typed));
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    U16String next = map_and_collapse(SAFEHOUSE_TRY(nfkc_casefold(text)));
    if (next == text) return to_utf8(text);
    text = std::move(next);
  }
  return malformed("normalise: input does not settle to a normal form");
}

}  // namespace safehouse::codename
