// SPDX-License-Identifier: GPL-2.0
/*
 * gpupart_fuzz: random and mutated generic netlink messages for the gpupart
 * family, on a raw socket (no libnl, so that nothing cleans a message up).
 *
 *   gpupart_fuzz MESSAGES SEED GPU...
 *
 * Every message goes to the gpupart family: a random command (known ones
 * and beyond), random flags, version and reserved byte, and attributes of
 * every known type and beyond, with boundary values, strings of every
 * length around the limits, nesting, and lengths that lie. One message in
 * four is a valid request (assign, release, DEV_SET, DDA, clear, dumps), so
 * state really changes under the fuzzing, and one in eight is a valid
 * request with some bytes flipped. The same SEED sends the same messages.
 *
 * Each request that asks for an answer must get it: a message unanswered
 * for ANSWER_S seconds fails the run. Prints the answers by errno.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/gpupart.h>

#define ANSWER_S	90
#define BUF		8192
#define MAX_ERRNO	134

static int fd;
static uint16_t family;
static uint32_t seq;
static unsigned int seed;
static const char **gpus;
static int n_gpus;
static unsigned long answers[MAX_ERRNO + 1], sent, unanswered_ok;

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)rand_r(&seed) % n : 0;
}

struct msg {
	union {
		struct nlmsghdr nlh;
		char buf[BUF];
	};
	size_t len;
};

static void put(struct msg *m, const void *p, size_t len)
{
	if (m->len + len > BUF)
		len = BUF - m->len;
	memcpy(m->buf + m->len, p, len);
	m->len += len;
}

static void pad(struct msg *m)
{
	static const char zero[4];

	put(m, zero, NLA_ALIGN(m->len) - m->len);
}

/* An attribute; returns its offset, for a nest to be closed later. */
static size_t attr(struct msg *m, uint16_t type, const void *p, size_t len)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	size_t at = m->len;

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > BUF)
		return at;
	put(m, &a, sizeof(a));
	put(m, p, len);
	pad(m);
	return at;
}

static void attr_str(struct msg *m, uint16_t type, const char *s)
{
	attr(m, type, s, strlen(s) + 1);
}

static void attr_u32(struct msg *m, uint16_t type, uint32_t v)
{
	attr(m, type, &v, sizeof(v));
}

static void start(struct msg *m, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr g = { .cmd = cmd, .version = GPUPART_FAMILY_VERSION };

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = flags;
	m->nlh.nlmsg_seq = ++seq;
	m->len = NLMSG_HDRLEN;
	put(m, &g, sizeof(g));
}

static const char *gpu(void)
{
	return gpus[rnd(n_gpus)];
}

static void vm(char *buf, size_t len)
{
	snprintf(buf, len, "fuzz-%u", rnd(16));
}

/* A valid request that changes (or reads) state. */
static void valid(struct msg *m)
{
	const uint16_t req = NLM_F_REQUEST | NLM_F_ACK;
	char name[32];

	vm(name, sizeof(name));
	switch (rnd(10)) {
	case 0:
		start(m, GPUPART_CMD_DEV_SET, req);
		attr_str(m, GPUPART_A_PCI_ADDR, gpu());
		attr_u32(m, GPUPART_A_MODE, GPUPART_MODE_PARTITION);
		attr_u32(m, GPUPART_A_PARTITION_COUNT, 8);
		break;
	case 1:
		start(m, GPUPART_CMD_DEV_SET, req);
		attr_str(m, GPUPART_A_PCI_ADDR, gpu());
		attr_u32(m, GPUPART_A_MODE, 1 + rnd(3));
		break;
	case 2:
	case 3:
		start(m, GPUPART_CMD_VM_ASSIGN, req);
		attr_str(m, GPUPART_A_VM, name);
		break;
	case 4:
		start(m, GPUPART_CMD_VM_ASSIGN, req);
		attr_str(m, GPUPART_A_VM, name);
		attr_u32(m, GPUPART_A_KIND, GPUPART_KIND_DDA);
		break;
	case 5:
	case 6:
		start(m, GPUPART_CMD_VM_RELEASE, req);
		attr_str(m, GPUPART_A_VM, name);
		break;
	case 7:
		start(m, GPUPART_CMD_PARTITION_CLEAR, req);
		attr_str(m, GPUPART_A_PCI_ADDR, gpu());
		attr_u32(m, GPUPART_A_INDEX, rnd(10));
		break;
	case 8:
		start(m, GPUPART_CMD_DEV_GET, req | NLM_F_DUMP);
		break;
	default:
		start(m, GPUPART_CMD_VM_GET, req | NLM_F_DUMP);
	}
}

static const uint64_t bounds[] = {
	0, 1, 2, 3, 4, 7, 8, 16, 24, 48, 63, 64, 65, 127, 128, 255, 256,
	0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ull, ~0ull,
};

/* A string payload: the values that sit at the family's limits. */
static size_t fuzz_string(char *p, size_t room)
{
	size_t len, i;

	switch (rnd(8)) {
	case 0:
		return snprintf(p, room, "%s", gpu()) + 1;
	case 1:	/* a GPU address with one character off */
		len = snprintf(p, room, "%s", gpu());
		p[rnd(len)] = "0:.xZ \n"[rnd(7)];
		return len + rnd(2);
	case 2:
		return snprintf(p, room, "%x:%x:%x.%x", rnd(0x20000), rnd(0x200),
				rnd(0x40), rnd(9)) + 1;
	default:
		len = bounds[rnd(sizeof(bounds) / sizeof(bounds[0]))] % (room - 1);
		if (rnd(2))
			len = rnd(300) % (room - 1);
		for (i = 0; i < len; i++)
			p[i] = rnd(4) ? "abcXYZ019._:@-"[rnd(14)] : (char)rnd(256);
		p[len] = '\0';
		return len + rnd(2);	/* with or without its NUL */
	}
}

static void fuzz_attrs(struct msg *m, int depth)
{
	int n = rnd(6), i;
	char p[320];

	for (i = 0; i < n; i++) {
		uint16_t type = rnd(4) ? 1 + rnd(GPUPART_A_MAX) : rnd(64);
		uint64_t v = bounds[rnd(sizeof(bounds) / sizeof(bounds[0]))];
		size_t at, len;

		switch (rnd(7)) {
		case 0:
			attr(m, type, &v, 1 << rnd(4));	/* 1, 2, 4 or 8 bytes */
			break;
		case 1:
		case 2:
			attr(m, type, &v, 4);
			break;
		case 3:
		case 4:
			len = fuzz_string(p, sizeof(p));
			attr(m, type, p, len);
			break;
		case 5:
			if (depth < 3) {
				at = attr(m, type | (rnd(2) ? NLA_F_NESTED : 0), NULL, 0);
				fuzz_attrs(m, depth + 1);
				((struct nlattr *)(m->buf + at))->nla_len = m->len - at;
				break;
			}
			/* fall through */
		default:	/* a length that lies */
			at = attr(m, type, &v, rnd(9));
			((struct nlattr *)(m->buf + at))->nla_len = rnd(2) ? rnd(4) : rnd(200);
		}
	}
}

static void fuzz(struct msg *m)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	struct genlmsghdr *g;

	if (!rnd(8))
		flags = rnd(0x10000);
	else if (!rnd(4))
		flags |= NLM_F_DUMP;
	start(m, rnd(GPUPART_CMD_MAX + 4), flags);
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	if (!rnd(10))
		g->version = rnd(256);
	if (!rnd(10))
		g->reserved = rnd(0x10000);
	fuzz_attrs(m, 0);
}

static void mutate(struct msg *m)
{
	int n = 1 + rnd(4);

	valid(m);
	while (n--)
		m->buf[NLMSG_HDRLEN + rnd(m->len - NLMSG_HDRLEN)] ^= 1 << rnd(8);
	if (!rnd(4))
		m->len -= rnd(m->len - NLMSG_HDRLEN);	/* truncated */
}

/* Read until @want's answer (an error/ack or the end of a dump). */
static int answer(uint32_t want, bool wait)
{
	char buf[65536];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int waited = 0;

	for (;;) {
		ssize_t n;
		struct nlmsghdr *h;

		if (poll(&pfd, 1, wait ? 1000 : 0) <= 0) {
			if (!wait)
				return 0;
			if (++waited >= ANSWER_S)
				return -ETIMEDOUT;
			continue;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == ENOBUFS)
				continue;
			return -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			int err = 0;

			if (h->nlmsg_type == NLMSG_ERROR)
				err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			else if (h->nlmsg_type != NLMSG_DONE)
				continue;
			if (h->nlmsg_seq != want)
				continue;
			answers[err >= 0 && err < MAX_ERRNO ? err : MAX_ERRNO]++;
			return 1;
		}
	}
}

static int resolve(void)
{
	struct msg m;
	char buf[4096];
	struct nlattr *a;
	ssize_t n;
	int len;

	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = GENL_ID_CTRL;
	m.nlh.nlmsg_flags = NLM_F_REQUEST;
	m.len = NLMSG_HDRLEN;
	put(&m, &(struct genlmsghdr){ .cmd = CTRL_CMD_GETFAMILY, .version = 1 },
	    GENL_HDRLEN);
	attr_str(&m, CTRL_ATTR_FAMILY_NAME, GPUPART_FAMILY_NAME);
	m.nlh.nlmsg_len = m.len;
	if (send(fd, m.buf, m.len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)(NLMSG_HDRLEN + GENL_HDRLEN) ||
	    ((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR)
		return -ENOENT;
	len = n - NLMSG_HDRLEN - GENL_HDRLEN;
	for (a = (struct nlattr *)(buf + NLMSG_HDRLEN + GENL_HDRLEN);
	     len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			family = *(uint16_t *)((char *)a + NLA_HDRLEN);
	return family ? 0 : -ENOENT;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	unsigned long total, e;
	int one = 1, rc, bufsz = 1 << 20;
	struct msg m;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4) {
		fprintf(stderr, "usage: gpupart_fuzz MESSAGES SEED GPU...\n");
		return 2;
	}
	total = strtoul(argv[1], NULL, 0);
	seed = strtoul(argv[2], NULL, 0);
	gpus = (const char **)argv + 3;
	n_gpus = argc - 3;
	printf("# fuzz: %lu messages, seed %u\n", total, seed);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("netlink socket");
		return 1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	rc = resolve();
	if (rc) {
		printf("# family %s: %s\n", GPUPART_FAMILY_NAME, strerror(-rc));
		return 1;
	}

	for (sent = 0; sent < total; sent++) {
		uint32_t r = rnd(8);

		if (r < 2)
			valid(&m);
		else if (r < 3)
			mutate(&m);
		else
			fuzz(&m);
		if (m.len < NLMSG_HDRLEN + GENL_HDRLEN && !rnd(2))
			m.len = NLMSG_HDRLEN + GENL_HDRLEN;
		m.nlh.nlmsg_len = rnd(16) ? m.len : rnd(m.len + 64);
		if (send(fd, m.buf, m.len, 0) < 0) {
			answers[errno < MAX_ERRNO ? errno : MAX_ERRNO]++;
			continue;
		}
		/* A request that asks for an ack must get an answer. */
		rc = answer(m.nlh.nlmsg_seq, (m.nlh.nlmsg_flags & NLM_F_REQUEST) &&
			    (m.nlh.nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)) &&
			    m.nlh.nlmsg_len == m.len);
		if (rc == -ETIMEDOUT) {
			printf("# message %lu (seq %u, command %u) unanswered for %d s\n",
			       sent, m.nlh.nlmsg_seq,
			       ((struct genlmsghdr *)(m.buf + NLMSG_HDRLEN))->cmd, ANSWER_S);
			return 1;
		}
		if (rc < 0) {
			printf("# receive failed: %s\n", strerror(-rc));
			return 1;
		}
		unanswered_ok += !rc;
		if (sent && !(sent % 100000))
			printf("# %lu sent\n", sent);
	}
	printf("# sent %lu, %lu needed no answer; answers:", sent, unanswered_ok);
	for (e = 0; e <= MAX_ERRNO; e++)
		if (answers[e])
			printf(" %s %lu", e ? strerrorname_np(e) ?: "other" : "ok",
			       answers[e]);
	printf("\n");
	return 0;
}
