// A userspace netem for the lab (the kernel here has no netem): takes the packets iptables sends
// to NFQUEUE <queue>, drops <loss> percent of them and lets the rest through <delay> ms later, in
// order. Run it in the namespace whose iptables rules queue the packets.
// Usage: impair <queue> <delay_ms> <loss_pct>
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HELD_MAX 65536

struct held {
  uint32_t id;
  int64_t release_ms;
};

static struct held held[HELD_MAX];
static size_t head, count;
static int delay_ms;
static double loss;
static unsigned long passed_total, dropped_total;
static volatile sig_atomic_t stopping;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *msg, struct nfq_data *data,
                     void *unused) {
  (void)msg;
  (void)unused;
  struct nfqnl_msg_packet_hdr *hdr = nfq_get_msg_packet_hdr(data);
  if (!hdr) return 0;
  uint32_t id = ntohl(hdr->packet_id);
  if ((double)rand() / RAND_MAX < loss) {
    dropped_total++;
    return nfq_set_verdict(q, id, NF_DROP, 0, NULL);
  }
  if (delay_ms == 0 || count == HELD_MAX) {
    passed_total++;
    return nfq_set_verdict(q, id, NF_ACCEPT, 0, NULL);
  }
  held[(head + count) % HELD_MAX] = (struct held){id, now_ms() + delay_ms};
  count++;
  return 0;
}

static void release_due(struct nfq_q_handle *q) {
  int64_t now = now_ms();
  while (count > 0 && held[head].release_ms <= now) {
    nfq_set_verdict(q, held[head].id, NF_ACCEPT, 0, NULL);
    passed_total++;
    head = (head + 1) % HELD_MAX;
    count--;
  }
}

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <queue> <delay_ms> <loss_pct>\n", argv[0]);
    return 2;
  }
  int queue = atoi(argv[1]);
  delay_ms = atoi(argv[2]);
  loss = atof(argv[3]) / 100.0;
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  struct nfq_handle *h = nfq_open();
  if (!h) {
    perror("nfq_open");
    return 1;
  }
  struct nfq_q_handle *q = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
  if (!q) {
    perror("nfq_create_queue");
    return 1;
  }
  nfq_set_mode(q, NFQNL_COPY_META, 0);
  nfq_set_queue_maxlen(q, HELD_MAX);
  int fd = nfq_fd(h);
  // A deep socket buffer: a video burst must not overflow while packets are held.
  int rcvbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  printf("impair: queue %d, %d ms delay, %.1f %% loss\n", queue, delay_ms, loss * 100);
  fflush(stdout);

  char buf[65536];
  while (!stopping) {
    int timeout = -1;
    if (count > 0) {
      int64_t wait = held[head].release_ms - now_ms();
      timeout = wait < 0 ? 0 : (int)wait;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, timeout);
    if (r < 0 && errno != EINTR) break;
    if (r > 0) {
      ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) nfq_handle_packet(h, buf, (int)n);
    }
    release_due(q);
  }
  printf("impair: %lu passed, %lu dropped\n", passed_total, dropped_total);
  nfq_destroy_queue(q);
  nfq_close(h);
  return 0;
}
