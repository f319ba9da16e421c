// libFuzzer target for raw HTTP/1.1 bytes as a client sends them: Beast's request parser with
// the server's own header and body limits, then net/'s conversion into the HttpRequest that
// handlers see (target decoding, headers, body). Whatever parses must convert without a fault.

#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "net/http_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (used < size && !ec && !parser.is_done()) {
    const auto n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (n == 0) break;
    used += n;
  }
  // Beast asserts that a parser given no byte is never told the stream ended.
  if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  auto req = parser.release();
  (void)sb::net::to_http_request(req, "127.0.0.1");
  return 0;
}
