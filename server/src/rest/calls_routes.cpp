// The calls resource (docs/openapi.yaml): create, list, read, and the actions on one call.
#include "rest/api.hpp"
#include "rest/call_bodies.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"

namespace sb::rest {
namespace {

namespace json = boost::json;
using call::ErrorCode;

net::HttpResponse create(const Services& s, Exchange& ex) {
  auto body = parse_object(ex.req.body);
  if (!body) return error_response(body.error());
  auto request = read_create(*body, ex.req.header("idempotency-key"));
  if (!request) return error_response(request.error());
  if (s.options.admit_new_call && !s.options.admit_new_call()) {
    auto res =
        error_response(ErrorCode::kUnavailable, "The server is overloaded; try again shortly.");
    res.headers.emplace_back("Retry-After", "1");
    return res;
  }
  auto created = s.calls.create_call(*ex.user, *request);
  if (!created) return error_response(created.error());
  ex.call_id = created->call.id;
  // docs/api.md#actions-on-a-call: a retried create answers 201 with the call as it is now.
  return json_response(201, s.calls.render(created->call));
}

net::HttpResponse list(const Services& s, Exchange& ex) {
  auto query = read_list_query(ex.req.query);
  if (!query) return error_response(query.error());
  auto page = s.calls.list_calls(*ex.user, *query);
  if (!page) return error_response(page.error());
  json::array calls;
  for (const auto& c : page->calls) calls.push_back(s.calls.render(c));
  json::value next = nullptr;
  if (page->more && !page->calls.empty()) next = json::string(make_cursor(page->calls.back()));
  return json_response(200, json::object{{"calls", std::move(calls)}, {"next", next}});
}

net::HttpResponse get(const Services& s, Exchange& ex) {
  auto c = s.calls.get_call(*ex.user, ex.call_id);
  if (!c) return error_response(c.error());
  return json_response(200, s.calls.render(*c));
}

net::HttpResponse call_answer(const Services& s, const call::Result<call::Call>& result) {
  if (!result) return error_response(result.error());
  return json_response(200, s.calls.render(*result));
}

// Every action takes a JSON object (most an empty one), checked before anything else.
template <class Action>
net::HttpResponse with_body(Exchange& ex, Action&& action) {
  auto body = parse_object(ex.req.body);
  if (!body) return error_response(body.error());
  return action(*body);
}

net::HttpResponse accept(const Services& s, Exchange& ex) {
  return with_body(ex, [&](const json::object&) {
    return call_answer(s, s.calls.accept(*ex.user, ex.call_id));
  });
}

net::HttpResponse decline(const Services& s, Exchange& ex) {
  return with_body(ex, [&](const json::object&) {
    return call_answer(s, s.calls.decline(*ex.user, ex.call_id));
  });
}

net::HttpResponse cancel(const Services& s, Exchange& ex) {
  return with_body(ex, [&](const json::object&) {
    return call_answer(s, s.calls.cancel(*ex.user, ex.call_id));
  });
}

net::HttpResponse connected(const Services& s, Exchange& ex) {
  return with_body(ex, [&](const json::object& body) {
    bool bad = false;
    auto candidate = opt_string(body, "candidate_type", bad);
    if (bad || (candidate && !is_candidate_type(*candidate))) {
      return error_response(ErrorCode::kInvalidRequest,
                            "candidate_type must be host, srflx, prflx or relay.");
    }
    return call_answer(s, s.calls.connected(*ex.user, ex.call_id, candidate));
  });
}

net::HttpResponse end(const Services& s, Exchange& ex) {
  return with_body(ex, [&](const json::object& body) {
    bool bad = false;
    auto reason = opt_string(body, "reason", bad);
    if (bad ||
        (reason && (reason->empty() || reason->size() > 64 || !auth::is_valid_id(*reason)))) {
      return error_response(ErrorCode::kInvalidRequest, "reason must be a short word.");
    }
    return call_answer(s, s.calls.end(*ex.user, ex.call_id, reason));
  });
}

net::HttpResponse quality(const Services& s, Exchange& ex) {
  return with_body(ex, [&](const json::object& body) {
    auto sample = read_quality(body);
    if (!sample) {
      return error_response(ErrorCode::kInvalidRequest,
                            "A quality sample takes non-negative numbers and a known "
                            "candidate_type.");
    }
    auto added = s.calls.add_quality(*ex.user, ex.call_id, *sample);
    if (!added) return error_response(added.error());
    return json_response(202, json::object{{"accepted", true}});
  });
}

net::HttpResponse feedback(const Services& s, Exchange& ex) {
  return with_body(ex, [&](const json::object& body) {
    auto given = read_feedback(body);
    if (!given) {
      return error_response(ErrorCode::kInvalidRequest,
                            "Feedback takes a score from 1 to 5, optional issues (short words) "
                            "and an optional comment of up to 1000 characters.");
    }
    auto stored = s.calls.give_feedback(*ex.user, ex.call_id, *given);
    if (!stored) return error_response(stored.error());
    json::array issues(given->issues.begin(), given->issues.end());
    return json_response(200, json::object{{"call_id", ex.call_id},
                                           {"score", given->score},
                                           {"issues", std::move(issues)},
                                           {"comment", given->comment}});
  });
}

// docs/queue.md#transfer: to a staff member or a topic, one of the two; 201 with the new call.
net::HttpResponse transfer(const Services& s, Exchange& ex) {
  return with_body(ex, [&](const json::object& body) {
    bool bad = false;
    auto staff_id = opt_string(body, "staff_id", bad);
    auto topic = opt_string(body, "topic", bad);
    const bool valid_target =
        staff_id ? !topic && auth::is_valid_id(*staff_id) : topic && auth::is_valid_id(*topic);
    if (bad || !valid_target) {
      return error_response(ErrorCode::kInvalidRequest,
                            "Say whom to transfer to: a staff_id or a topic.");
    }
    auto next = s.calls.transfer(*ex.user, ex.call_id, staff_id, topic);
    if (!next) return error_response(next.error());
    return json_response(201, s.calls.render(*next));
  });
}

net::HttpResponse not_found(const Services&, Exchange&) {
  return error_response(ErrorCode::kNotFound);
}

}  // namespace

std::vector<Route> calls_routes() {
  constexpr auto kSignedIn = Access::kSignedIn;
  return {
      {"POST", "/v1/calls", kSignedIn, &create},
      {"GET", "/v1/calls", kSignedIn, &list},
      {"GET", "/v1/calls/{id}", kSignedIn, &get},
      {"POST", "/v1/calls/{id}/accept", kSignedIn, &accept},
      {"POST", "/v1/calls/{id}/decline", kSignedIn, &decline},
      {"POST", "/v1/calls/{id}/cancel", kSignedIn, &cancel},
      {"POST", "/v1/calls/{id}/connected", kSignedIn, &connected},
      {"POST", "/v1/calls/{id}/end", kSignedIn, &end},
      {"POST", "/v1/calls/{id}/quality", kSignedIn, &quality},
      {"POST", "/v1/calls/{id}/feedback", kSignedIn, &feedback},
      {"POST", "/v1/calls/{id}/transfer", kSignedIn, &transfer},
      // Any other action: 404, but a bad id is still 400; counted as `other` so the metrics
      // label stays bounded.
      {"*", "/v1/calls/{id}/*", kSignedIn, &not_found, "other"},
  };
}

}  // namespace sb::rest
