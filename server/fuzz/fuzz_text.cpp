// libFuzzer target for the small text parsers that read what operators and other nodes write:
// the first input byte picks one, the rest is its input.
//   0: host:port (--listen, util/endpoints)       1: redis:// URLs (--redis)
//   2: durations ("250ms", "1.5s": every timing flag)  3: JWT algorithm names
//   4: a delivery read from another node through Redis (bus/redis decode_delivery)
//   5: a request target's percent-decoded path (net/http_message decoded_path)

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/jwt_verifier.hpp"
#include "bus/redis/redis_bus.hpp"
#include "net/http_message.hpp"
#include "util/duration.hpp"
#include "util/endpoints.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      (void)sb::parse_host_port(rest);
      break;
    case 1:
      (void)sb::parse_redis_url(rest);
      break;
    case 2:
      (void)sb::parse_duration(rest);
      break;
    case 3:
      (void)sb::auth::parse_jwt_algorithm(rest);
      break;
    case 4:
      if (auto d = sb::bus::decode_delivery(rest)) {
        // What is decoded encodes back to the same delivery.
        auto again = sb::bus::decode_delivery(sb::bus::encode_delivery(*d));
        if (!again || again->payload != d->payload || again->user_ids != d->user_ids)
          __builtin_trap();
      }
      break;
    default:
      (void)sb::net::decoded_path(rest);
      break;
  }
  return 0;
}
