#include "net/error_response.hpp"

#include <boost/json/serialize.hpp>

#include "call/errors_json.hpp"

namespace sb::net {

HttpResponse error_response(const call::Error& error) {
  HttpResponse res;
  res.status = call::http_status(error.code);
  res.body = boost::json::serialize(boost::json::object{{"error", call::error_json(error)}});
  return res;
}

}  // namespace sb::net
