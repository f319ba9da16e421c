#include "bus/redis/redis_bus.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "bus/redis/origin_filter.hpp"

namespace sb::bus {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using std::chrono::milliseconds;

std::string encode_delivery(const Delivery& delivery) {
  json::array users;
  users.reserve(delivery.user_ids.size());
  for (const auto& u : delivery.user_ids) users.emplace_back(u);
  json::object o;
  o["org_id"] = delivery.org_id;
  o["user_ids"] = std::move(users);
  if (delivery.board) {
    o["board"] = {{"staff_id", delivery.board->staff_id}, {"json", delivery.board->json}};
  }
  o["payload"] = delivery.payload;
  if (delivery.queue_changed) o["queue_changed"] = true;
  return json::serialize(o);
}

std::optional<Delivery> decode_delivery(std::string_view text) {
  std::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec) return std::nullopt;
  const auto* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  const auto* org = o->if_contains("org_id");
  const auto* users = o->if_contains("user_ids");
  const auto* board = o->if_contains("board");
  const auto* payload = o->if_contains("payload");
  if (org == nullptr || !org->is_string() || users == nullptr || !users->is_array() ||
      payload == nullptr || !payload->is_string()) {
    return std::nullopt;
  }
  Delivery d;
  d.org_id = std::string(org->get_string());
  d.user_ids.reserve(users->get_array().size());
  for (const auto& u : users->get_array()) {
    if (!u.is_string()) return std::nullopt;
    d.user_ids.emplace_back(u.get_string());
  }
  if (board != nullptr) {
    const auto* b = board->if_object();
    const auto* staff_id = b ? b->if_contains("staff_id") : nullptr;
    const auto* entry = b ? b->if_contains("json") : nullptr;
    if (staff_id == nullptr || !staff_id->is_string() || entry == nullptr || !entry->is_string()) {
      return std::nullopt;
    }
    d.board = BoardEntry{std::string(staff_id->get_string()), std::string(entry->get_string())};
  }
  d.payload = std::string(payload->get_string());
  if (const auto* q = o->if_contains("queue_changed"); q != nullptr && q->is_bool()) {
    d.queue_changed = q->get_bool();
  }
  return d;
}

namespace {

enum class Wait { kReady, kTimeout, kStopped, kError };

/// Waits until `fd` is ready for `events`, `deadline` passes or `wake_fd` is signalled (stop).
/// With fd < 0 it only sleeps until the deadline or the stop.
Wait wait_fd(int fd, short events, TimePoint deadline, int wake_fd) {
  for (;;) {
    const auto now = SteadyClock::now();
    if (now >= deadline) return Wait::kTimeout;
    const auto ms = std::chrono::ceil<milliseconds>(deadline - now).count();
    pollfd fds[2] = {{wake_fd, POLLIN, 0}, {fd, events, 0}};
    const int n = ::poll(fds, fd >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(ms, 60000)));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Wait::kError;
    }
    if (n == 0) continue;
    if (fds[0].revents != 0) return Wait::kStopped;
    if (fd >= 0 && fds[1].revents != 0) return Wait::kReady;  // errors show in the read/write
  }
}

std::string wait_error(Wait w) {
  switch (w) {
    case Wait::kTimeout:
      return "timed out";
    case Wait::kStopped:
      return "stopped";
    case Wait::kError:
      return "poll failed";
    case Wait::kReady:
      break;
  }
  return {};
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

std::string_view reply_text(const redisReply& r) {
  return std::string_view(r.str != nullptr ? r.str : "", r.str != nullptr ? r.len : 0);
}

/// One non-blocking hiredis connection driven with poll(), so that every wait has a deadline
/// and wakes at once on stop.
class Conn {
 public:
  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() { close(); }

  bool open() const { return ctx_ != nullptr; }
  void close() {
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = nullptr;
  }

  /// Empty on success, else why not.
  std::string connect(const RedisUrl& ep, TimePoint deadline, int wake_fd) {
    close();
    ctx_ = redisConnectNonBlock(ep.host.c_str(), ep.port);
    if (ctx_ == nullptr) return "cannot allocate a connection";
    if (ctx_->err != 0) return fail();
    const Wait w = wait_fd(ctx_->fd, POLLOUT, deadline, wake_fd);
    if (w != Wait::kReady) {
      close();
      return "connect " + wait_error(w);
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (::getsockopt(ctx_->fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
    if (so_error != 0) {
      close();
      return std::error_code(so_error, std::system_category()).message();
    }
    redisEnableKeepAlive(ctx_);
    if (ep.password) {
      auto why = ep.user.empty() ? command({"AUTH", *ep.password}, deadline, wake_fd)
                                 : command({"AUTH", ep.user, *ep.password}, deadline, wake_fd);
      if (!why.empty()) return "AUTH: " + why;
    }
    if (ep.db != 0) {
      const std::string db = std::to_string(ep.db);
      if (auto why = command({"SELECT", db}, deadline, wake_fd); !why.empty()) {
        return "SELECT: " + why;
      }
    }
    return {};
  }

  /// Sends one command and reads its reply; empty when Redis answered without an error. On
  /// failure the connection is closed.
  std::string command(std::initializer_list<std::string_view> args, TimePoint deadline,
                      int wake_fd) {
    std::string why;
    bool timed_out = false;
    if (!append(args)) return fail();
    if (why = flush(deadline, wake_fd); !why.empty()) return why;
    ReplyPtr reply = read(deadline, wake_fd, &why, &timed_out);
    if (!reply) return why;
    if (reply->type == REDIS_REPLY_ERROR) {
      why = std::string(reply->str, reply->len);
      close();
      return why;
    }
    return {};
  }

  /// Queues a command in the output buffer.
  bool append(std::initializer_list<std::string_view> args) {
    constexpr std::size_t kMaxArgs = 12;
    if (args.size() > kMaxArgs) return false;
    const char* argv[kMaxArgs];
    size_t lens[kMaxArgs];
    int argc = 0;
    for (const auto a : args) {
      argv[argc] = a.data();
      lens[argc] = a.size();
      ++argc;
    }
    return redisAppendCommandArgv(ctx_, argc, argv, lens) == REDIS_OK;
  }

  /// Writes the output buffer; empty on success.
  std::string flush(TimePoint deadline, int wake_fd) {
    for (;;) {
      int done = 0;
      if (redisBufferWrite(ctx_, &done) == REDIS_ERR) return fail();
      if (done != 0) return {};
      const Wait w = wait_fd(ctx_->fd, POLLOUT, deadline, wake_fd);
      if (w != Wait::kReady) return "write " + wait_error(w);
    }
  }

  /// The next reply, or nullptr with `*why` (and `*timed_out` when only the deadline passed).
  ReplyPtr read(TimePoint deadline, int wake_fd, std::string* why, bool* timed_out) {
    *timed_out = false;
    for (;;) {
      void* reply = nullptr;
      if (redisGetReplyFromReader(ctx_, &reply) == REDIS_ERR) {
        *why = fail();
        return nullptr;
      }
      if (reply != nullptr) return ReplyPtr(static_cast<redisReply*>(reply));
      const Wait w = wait_fd(ctx_->fd, POLLIN, deadline, wake_fd);
      if (w != Wait::kReady) {
        *timed_out = w == Wait::kTimeout;
        *why = "read " + wait_error(w);
        return nullptr;
      }
      if (redisBufferRead(ctx_) == REDIS_ERR) {
        *why = fail();
        return nullptr;
      }
    }
  }

 private:
  std::string fail() {
    std::string why = ctx_->errstr[0] != '\0' ? ctx_->errstr : "connection error";
    close();
    return why;
  }

  redisContext* ctx_ = nullptr;
};

using Handlers = std::vector<std::function<void(const Delivery&)>>;

/// What closures posted to the io thread need; outlives the bus while any is pending.
struct Dispatch {
  std::mutex mu;
  bool closed = false;
  std::shared_ptr<const Handlers> handlers = std::make_shared<Handlers>();

  void deliver(const Delivery& d) {
    std::shared_ptr<const Handlers> hs;
    {
      std::lock_guard lock(mu);
      if (closed) return;
      hs = handlers;
    }
    for (const auto& h : *hs) h(d);
  }
};

constexpr std::size_t kBatch = 128;
/// Entries one XREAD returns at most.
constexpr const char* kReadCount = "512";

std::string random_node_id() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> any;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  char buf[17];
  const auto v = any(gen);
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, 16);
  (void)ec;
  return std::string(buf, end);
}

std::string seconds_text(SteadyClock::duration d) {
  const auto tenths = std::chrono::duration_cast<milliseconds>(d).count() / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

/// One stream entry's fields: who published it, its sequence number there, the delivery.
struct Entry {
  std::string_view id;
  std::string_view origin;
  std::string_view seq;
  std::string_view delivery;
};

/// The entries of an XREAD or XREVRANGE reply (RESP2); malformed entries come back with empty
/// fields.
std::vector<Entry> entries_of(const redisReply& list) {
  std::vector<Entry> out;
  if (list.type != REDIS_REPLY_ARRAY) return out;
  out.reserve(list.elements);
  for (std::size_t i = 0; i < list.elements; ++i) {
    const redisReply& e = *list.element[i];
    if (e.type != REDIS_REPLY_ARRAY || e.elements != 2) continue;
    Entry entry{reply_text(*e.element[0]), {}, {}, {}};
    const redisReply& fields = *e.element[1];
    for (std::size_t f = 0; fields.type == REDIS_REPLY_ARRAY && f + 1 < fields.elements; f += 2) {
      const auto name = reply_text(*fields.element[f]);
      const auto value = reply_text(*fields.element[f + 1]);
      if (name == "o") entry.origin = value;
      if (name == "s") entry.seq = value;
      if (name == "d") entry.delivery = value;
    }
    out.push_back(entry);
  }
  return out;
}

/// hiredis writes with write(2): a connection Redis reset would raise SIGPIPE and kill the
/// process. Blocked in this thread, the write fails with EPIPE instead.
void block_sigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

struct RedisBus::Impl {
  struct Item {
    std::uint64_t seq;
    std::string text;
  };

  Impl(RedisBusOptions o, RedisUrl e, Post p)
      : opt(std::move(o)),
        ep(std::move(e)),
        stream(opt.channel_prefix + ":stream"),
        node(opt.node_id.empty() ? random_node_id() : opt.node_id),
        max_len(std::to_string(opt.stream_max_len)),
        block_ms(std::to_string(std::max<long long>(1, opt.ping_interval.count()))),
        post(std::move(p)),
        wake_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_fd < 0) {
      throw std::system_error(errno, std::system_category(), "RedisBus: eventfd");
    }
    publisher = std::thread([this] { run_publisher(); });
    reader = std::thread([this] { run_reader(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    stop.store(true);
    cv.notify_all();
    const std::uint64_t one = 1;
    if (::write(wake_fd, &one, sizeof one) < 0) {
      // The stop flag and the condition variable still end both threads within a timeout.
    }
    if (publisher.joinable()) publisher.join();
    if (reader.joinable()) reader.join();
    {
      std::lock_guard lock(dispatch->mu);
      dispatch->closed = true;
      dispatch->handlers = std::make_shared<Handlers>();
    }
    ::close(wake_fd);
  }

  void event(std::string_view name, const std::string& detail) const {
    if (opt.on_event) opt.on_event(name, detail);
  }

  void pause(milliseconds d) const { wait_fd(-1, 0, SteadyClock::now() + d, wake_fd); }

  std::string where() const { return ep.host + ":" + std::to_string(ep.port); }

  /// Removes the queued items up to `seq` (those still there: a full queue may have dropped
  /// some meanwhile).
  void confirm(std::uint64_t seq, std::uint64_t count) {
    {
      std::lock_guard lock(mu);
      while (!queue.empty() && queue.front().seq <= seq) queue.pop_front();
      dropping = false;
    }
    published.fetch_add(count);
  }

  /// XADDs `batch` in one pipeline; empty on success.
  std::string send(Conn& conn, const std::vector<Item>& batch) {
    for (const auto& item : batch) {
      const std::string seq = std::to_string(item.seq);
      if (!conn.append(
              {"XADD", stream, "MAXLEN", "~", max_len, "*", "o", node, "s", seq, "d", item.text})) {
        return "cannot queue XADD";
      }
    }
    if (auto err = conn.flush(SteadyClock::now() + opt.command_timeout, wake_fd); !err.empty()) {
      return err;
    }
    std::uint64_t done = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::string why;
      bool timed_out = false;
      auto reply = conn.read(SteadyClock::now() + opt.command_timeout, wake_fd, &why, &timed_out);
      if (!reply) {
        if (done != 0) confirm(batch[done - 1].seq, done);
        return why;
      }
      if (reply->type == REDIS_REPLY_ERROR) {
        // Redis refused it (ACL, OOM): sending it again would not help.
        rejected.fetch_add(1);
        event("bus.redis.rejected", "XADD refused: " + std::string(reply_text(*reply)));
      }
      ++done;
    }
    confirm(batch.back().seq, done);
    return {};
  }

  std::string ping(Conn& conn) {
    if (!conn.append({"PING"})) return "cannot queue PING";
    if (auto err = conn.flush(SteadyClock::now() + opt.command_timeout, wake_fd); !err.empty()) {
      return err;
    }
    std::string why;
    bool timed_out = false;
    auto reply = conn.read(SteadyClock::now() + opt.command_timeout, wake_fd, &why, &timed_out);
    if (!reply) return timed_out ? "no reply to PING" : why;
    return {};
  }

  std::size_t queued() const {
    std::lock_guard lock(mu);
    return queue.size();
  }

  void run_publisher() {
    block_sigpipe();
    Conn conn;
    auto backoff = opt.backoff_min;
    bool ever_up = false;
    bool reported_down = false;
    auto down_since = SteadyClock::now();
    auto last_io = SteadyClock::now();
    const auto went_down = [&](const std::string& err) {
      if (!reported_down) {
        event("bus.redis.down", "publisher: " + where() + ": " + err +
                                    "; deliveries stay local to this node until Redis is back");
        down_since = SteadyClock::now();
      }
      reported_down = true;
    };
    while (!stop.load()) {
      if (!conn.open()) {
        auto err = conn.connect(ep, SteadyClock::now() + opt.connect_timeout, wake_fd);
        // A paused Redis still accepts connections: only an answer proves it is back.
        if (err.empty()) err = ping(conn);
        if (!err.empty()) {
          conn.close();
          if (stop.load()) break;
          went_down(err);
          pause(backoff);
          backoff = std::min(backoff * 2, opt.backoff_max);
          continue;
        }
        backoff = opt.backoff_min;
        if (ever_up) reconnects.fetch_add(1);
        pub_up.store(true);
        event("bus.redis.up",
              "publisher connected to " + where() +
                  (ever_up && reported_down
                       ? " after " + seconds_text(SteadyClock::now() - down_since) + " away; " +
                             std::to_string(queued()) + " deliveries queued for the other nodes"
                       : std::string()));
        ever_up = true;
        reported_down = false;
        last_io = SteadyClock::now();
      }
      std::vector<Item> batch;
      {
        std::unique_lock lock(mu);
        cv.wait_until(lock, last_io + opt.ping_interval,
                      [&] { return stopping || !queue.empty(); });
        if (stopping) break;
        const auto n = std::min(queue.size(), kBatch);
        batch.assign(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
      }
      const auto err = batch.empty() ? ping(conn) : send(conn, batch);
      if (!err.empty()) {
        conn.close();
        pub_up.store(false);
        if (stop.load()) break;
        went_down(err);
        pause(opt.backoff_min);
        continue;
      }
      last_io = SteadyClock::now();
    }
    pub_up.store(false);
  }

  /// The id of the stream's newest entry ("0-0" when it has none): where a reader that has
  /// read nothing yet starts, so that it gets everything published from its first connect on.
  std::string newest_id(Conn& conn, std::string* id) {
    if (!conn.append({"XREVRANGE", stream, "+", "-", "COUNT", "1"}))
      return "cannot queue XREVRANGE";
    const auto deadline = SteadyClock::now() + opt.command_timeout;
    if (auto err = conn.flush(deadline, wake_fd); !err.empty()) return err;
    std::string why;
    bool timed_out = false;
    auto reply = conn.read(deadline, wake_fd, &why, &timed_out);
    if (!reply) return timed_out ? "no reply to XREVRANGE" : why;
    if (reply->type == REDIS_REPLY_ERROR) return "XREVRANGE: " + std::string(reply_text(*reply));
    const auto entries = entries_of(*reply);
    *id = entries.empty() ? "0-0" : std::string(entries.front().id);
    return {};
  }

  void handle(const Entry& e, OriginFilter& filter) {
    std::uint64_t seq = 0;
    const auto [end, ec] = std::from_chars(e.seq.data(), e.seq.data() + e.seq.size(), seq);
    auto d = e.origin.empty() || ec != std::errc() || end != e.seq.data() + e.seq.size()
                 ? std::nullopt
                 : decode_delivery(e.delivery);
    if (!d) {
      malformed.fetch_add(1);
      event("bus.redis.malformed",
            "entry " + std::string(e.id) + " of " + stream + " is not a delivery");
      return;
    }
    switch (filter.admit(e.origin, seq)) {
      case OriginFilter::Verdict::kOwn:
        return;
      case OriginFilter::Verdict::kDuplicate:
        duplicates.fetch_add(1);
        return;
      case OriginFilter::Verdict::kDeliver:
        break;
    }
    received.fetch_add(1);
    post([target = dispatch, d = std::move(*d)] { target->deliver(d); });
  }

  /// Reads the stream from `*last_id` on until the connection fails or the bus stops; why it
  /// ended. A read that blocks for ping_interval and finds nothing is the keep-alive.
  std::string follow(Conn& conn, std::string* last_id, OriginFilter& filter) {
    for (;;) {
      if (!conn.append(
              {"XREAD", "COUNT", kReadCount, "BLOCK", block_ms, "STREAMS", stream, *last_id})) {
        return "cannot queue XREAD";
      }
      const auto deadline = SteadyClock::now() + opt.ping_interval + opt.command_timeout;
      if (auto err = conn.flush(deadline, wake_fd); !err.empty()) return err;
      std::string why;
      bool timed_out = false;
      auto reply = conn.read(deadline, wake_fd, &why, &timed_out);
      if (!reply) return timed_out ? "no reply to XREAD" : why;
      if (reply->type == REDIS_REPLY_ERROR) return "XREAD: " + std::string(reply_text(*reply));
      if (reply->type != REDIS_REPLY_ARRAY) continue;  // nil: nothing new
      for (std::size_t s = 0; s < reply->elements; ++s) {
        const redisReply& per_stream = *reply->element[s];
        if (per_stream.type != REDIS_REPLY_ARRAY || per_stream.elements != 2) continue;
        for (const auto& e : entries_of(*per_stream.element[1])) {
          *last_id = std::string(e.id);
          handle(e, filter);
        }
      }
    }
  }

  void run_reader() {
    block_sigpipe();
    Conn conn;
    OriginFilter filter(node);
    std::string last_id;  // empty until the first connect
    auto backoff = opt.backoff_min;
    bool ever_up = false;
    bool reported_down = false;
    while (!stop.load()) {
      auto err = conn.connect(ep, SteadyClock::now() + opt.connect_timeout, wake_fd);
      if (err.empty()) err = last_id.empty() ? newest_id(conn, &last_id) : ping(conn);
      if (!err.empty()) {
        conn.close();
        if (stop.load()) break;
        if (!reported_down) event("bus.redis.down", "reader: " + where() + ": " + err);
        reported_down = true;
        pause(backoff);
        backoff = std::min(backoff * 2, opt.backoff_max);
        continue;
      }
      backoff = opt.backoff_min;
      if (ever_up) reconnects.fetch_add(1);
      ever_up = true;
      reported_down = false;
      sub_up.store(true);
      event("bus.redis.up", "reader on " + stream + " at " + where() + " from entry " + last_id);
      err = follow(conn, &last_id, filter);
      conn.close();
      sub_up.store(false);
      if (stop.load()) break;
      event("bus.redis.down", "reader: " + where() + ": " + err);
      reported_down = true;
      pause(opt.backoff_min);
    }
    sub_up.store(false);
  }

  const RedisBusOptions opt;
  const RedisUrl ep;
  const std::string stream;
  const std::string node;
  const std::string max_len;
  const std::string block_ms;
  const Post post;
  const std::shared_ptr<Dispatch> dispatch = std::make_shared<Dispatch>();
  const int wake_fd;

  mutable std::mutex mu;  // guards queue, next_seq, stopping, dropping
  std::condition_variable cv;
  std::deque<Item> queue;
  std::uint64_t next_seq = 0;
  bool stopping = false;
  bool dropping = false;

  std::atomic<bool> stop{false};
  std::atomic<bool> pub_up{false};
  std::atomic<bool> sub_up{false};
  std::atomic<std::uint64_t> local{0};
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> malformed{0};
  std::atomic<std::uint64_t> reconnects{0};

  // Last, so they start after everything they use exists.
  std::thread publisher;
  std::thread reader;
};

namespace {

RedisUrl endpoint_or_throw(const RedisBusOptions& options) {
  auto ep = parse_redis_url(options.url);
  if (!ep) {
    // Never echo a URL that may hold a password.
    const bool secret = options.url.find('@') != std::string::npos;
    throw std::invalid_argument(
        "Redis URL must be redis://[[user]:password@]host:port[/db], got " +
        (secret ? std::string("a URL that is not") : "\"" + options.url + "\""));
  }
  if (options.max_pending == 0) throw std::invalid_argument("RedisBus: max_pending must be > 0");
  if (options.stream_max_len == 0) {
    throw std::invalid_argument("RedisBus: stream_max_len must be > 0");
  }
  return std::move(*ep);
}

}  // namespace

RedisBus::RedisBus(RedisBusOptions options, Post post) {
  auto ep = endpoint_or_throw(options);
  if (!post) throw std::invalid_argument("RedisBus: post function is empty");
  impl_ = std::make_unique<Impl>(std::move(options), std::move(ep), std::move(post));
}

RedisBus::~RedisBus() = default;

void RedisBus::publish(const Delivery& delivery) {
  auto text = encode_delivery(delivery);
  bool first_drop = false;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    if (impl_->queue.size() >= impl_->opt.max_pending) {
      impl_->queue.pop_front();
      impl_->dropped.fetch_add(1);
      first_drop = !impl_->dropping;
      impl_->dropping = true;
    }
    impl_->queue.push_back(Impl::Item{impl_->next_seq++, std::move(text)});
  }
  impl_->cv.notify_one();
  // This node's own connections never wait for Redis.
  impl_->local.fetch_add(1);
  impl_->post([target = impl_->dispatch, d = delivery] { target->deliver(d); });
  if (first_drop) {
    impl_->event("bus.redis.dropping", "queue full (" + std::to_string(impl_->opt.max_pending) +
                                           "): dropping the oldest deliveries for other nodes");
  }
}

void RedisBus::subscribe(std::function<void(const Delivery&)> handler) {
  auto& d = *impl_->dispatch;
  std::lock_guard lock(d.mu);
  auto next = std::make_shared<Handlers>(*d.handlers);
  next->push_back(std::move(handler));
  d.handlers = std::move(next);
}

bool RedisBus::healthy() const {
  return impl_->pub_up.load() && impl_->sub_up.load();
}

RedisBus::Stats RedisBus::stats() const {
  Stats s;
  s.local = impl_->local.load();
  s.published = impl_->published.load();
  s.received = impl_->received.load();
  s.duplicates = impl_->duplicates.load();
  s.dropped = impl_->dropped.load();
  s.malformed = impl_->malformed.load();
  s.rejected = impl_->rejected.load();
  s.reconnects = impl_->reconnects.load();
  s.max_pending = impl_->opt.max_pending;
  s.pending = impl_->queued();
  return s;
}

const std::string& RedisBus::stream_key() const {
  return impl_->stream;
}

const std::string& RedisBus::node_id() const {
  return impl_->node;
}

}  // namespace sb::bus
