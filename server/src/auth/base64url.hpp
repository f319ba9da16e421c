#pragma once
// Unpadded base64url (RFC 7515 section 2), as JWS segments and JWK members carry it.

#include <optional>
#include <string>
#include <string_view>

namespace sb::auth {

/// The decoded bytes; nullopt for padding, a character outside the alphabet or a bad length.
std::optional<std::string> base64url_decode(std::string_view in);

}  // namespace sb::auth
