/* A small single-threaded HTTP/1.1 server on epoll, for the network tests
 * and for `make bench` (the same binary runs in amphi and in the Linux VM).
 *
 *   net_httpd [-6] [-s] PORT [DOCROOT]
 *
 * GET or HEAD of "/" answers a fixed small page; any other path is a file
 * under DOCROOT (a path ending in / means its index.html), else 404.
 * Keep-alive (HTTP/1.1 default, "Connection: close" honoured, HTTP/1.0
 * closes unless asked to keep alive), pipelined requests, Content-Length
 * on every answer.  -6 listens on [::] instead of 0.0.0.0; -s sends file
bodies with sendfile(2) instead of pread and send (nginx's "sendfile on").
 *
 * Once listening it prints "net_httpd: listening on port PORT" on stdout.
 * Malformed requests get 400 (431 when the head is too long, 501 for other
 * methods) and the connection is closed; the server itself never stops on
 * a client's error.  Running out of descriptors drops the newest
 * connection instead of spinning (one spare descriptor kept for that). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD_MAX	8192		/* request line and headers */
#define CHUNK		65536		/* file bytes read per refill */
#define MAX_EVENTS	256

static const char PAGE[] =
	"<!DOCTYPE html>\n<html><head><title>amphi</title></head>\n"
	"<body><h1>Hello from amphi</h1><p>net_httpd serves this page.</p></body></html>\n";

static const char *docroot;
static int use_sendfile;
static int epfd, spare_fd = -1;

struct conn {
	int fd;
	char in[HEAD_MAX];
	size_t in_len;
	char *out;		/* pending output: out[out_off..out_len) */
	size_t out_off, out_len, out_cap;
	int file;		/* a file body still to send, or -1 */
	off_t file_off, file_left;
	int close_after;	/* close once everything is sent */
};

static void die(const char *what)
{
	fprintf(stderr, "net_httpd: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void out_append(struct conn *c, const void *p, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = (c->out_len + n) * 2;
		char *o = realloc(c->out, cap);
		if (!o) {
			fprintf(stderr, "net_httpd: out of memory\n");
			exit(1);
		}
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

static void conn_close(struct conn *c)
{
	close(c->fd);		/* also leaves the epoll set */
	if (c->file >= 0)
		close(c->file);
	free(c->out);
	free(c);
}

/* Interest follows the state: write while output is pending, read only
 * once it is all out (memory stays bounded whatever a client pipelines). */
static int conn_watch(struct conn *c, int op)
{
	struct epoll_event ev = { .events = c->out_off < c->out_len || c->file >= 0 ? EPOLLOUT
										      : EPOLLIN,
				  .data.ptr = c };
	return epoll_ctl(epfd, op, c->fd, &ev);
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	default: return "Error";
	}
}

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm")))
		return "text/html";
	if (dot && !strcmp(dot, ".txt"))
		return "text/plain";
	return "application/octet-stream";
}

static void respond_head(struct conn *c, int status, const char *type, off_t len)
{
	char h[256];
	int n = snprintf(h, sizeof h,
			 "HTTP/1.1 %d %s\r\nServer: net_httpd\r\nContent-Type: %s\r\n"
			 "Content-Length: %lld\r\nConnection: %s\r\n\r\n",
			 status, status_text(status), type, (long long)len,
			 c->close_after ? "close" : "keep-alive");
	out_append(c, h, (size_t)n);
}

static void respond_text(struct conn *c, int status, int head_only)
{
	char body[64];
	int n = snprintf(body, sizeof body, "%d %s\n", status, status_text(status));

	respond_head(c, status, "text/plain", n);
	if (!head_only)
		out_append(c, body, (size_t)n);
}

/* A path under DOCROOT, or -1: no "..", nothing outside it. */
static int open_file(const char *path, off_t *size)
{
	char full[4096];
	struct stat st;

	if (!docroot || strstr(path, "/..") || path[0] != '/')
		return -1;
	int n = snprintf(full, sizeof full, "%s%s%s", docroot, path,
			 path[strlen(path) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof full)
		return -1;
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = st.st_size;
	return fd;
}

static void serve(struct conn *c, const char *path, int head_only)
{
	off_t size;

	if (!strcmp(path, "/")) {
		respond_head(c, 200, "text/html", sizeof PAGE - 1);
		if (!head_only)
			out_append(c, PAGE, sizeof PAGE - 1);
		return;
	}
	int fd = open_file(path, &size);
	if (fd < 0) {
		respond_text(c, 404, head_only);
		return;
	}
	respond_head(c, 200, content_type(path), size);
	if (head_only || size == 0) {
		close(fd);
		return;
	}
	c->file = fd;
	c->file_off = 0;
	c->file_left = size;
}

/* Does the header block hold "Connection: <word>"? */
static int connection_is(const char *headers, const char *word)
{
	for (const char *h = headers; (h = strstr(h, "\r\n")); h += 2) {
		if (strncasecmp(h + 2, "connection:", 11))
			continue;
		const char *v = h + 13;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!strncasecmp(v, word, strlen(word)))
			return 1;
	}
	return 0;
}

/* One complete head in c->in[0..len) (NUL-terminated at its blank line). */
static void handle_request(struct conn *c, char *head)
{
	char method[16], path[2048], version[16];
	char *eol = strstr(head, "\r\n");

	*eol = 0;
	if (sscanf(head, "%15s %2047s %15s", method, path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) || (version[7] != '0' && version[7] != '1') ||
	    version[8] || path[0] != '/') {
		c->close_after = 1;
		respond_text(c, 400, 0);
		return;
	}
	*eol = '\r';
	int v10 = version[7] == '0';
	if (connection_is(eol, "close") || (v10 && !connection_is(eol, "keep-alive")))
		c->close_after = 1;
	/* Bodies are not read: a request announcing one cannot be framed. */
	if (strcasestr(eol, "\r\ncontent-length:") || strcasestr(eol, "\r\ntransfer-encoding:"))
		c->close_after = 1;
	int head_only = !strcmp(method, "HEAD");
	if (!head_only && strcmp(method, "GET")) {
		c->close_after = 1;
		respond_text(c, 501, 0);
		return;
	}
	serve(c, path, head_only);
}

/* Answers every complete request in the buffer, stopping at a file body
 * (its bytes must go out before the next answer) or a closing answer. */
static void parse_requests(struct conn *c)
{
	while (c->file < 0 && !c->close_after) {
		char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
		if (!end) {
			if (c->in_len == sizeof c->in) {
				c->close_after = 1;
				respond_text(c, 431, 0);
			}
			return;
		}
		size_t used = (size_t)(end - c->in) + 4;
		end[2] = 0;	/* keeps the last header's CRLF for the scan */
		if (memchr(c->in, 0, used - 2)) {	/* binary junk, not text */
			c->close_after = 1;
			respond_text(c, 400, 0);
			return;
		}
		handle_request(c, c->in);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
}

/* Refills the output from the file being sent. */
static int refill(struct conn *c)
{
	char buf[CHUNK];
	size_t want = c->file_left < CHUNK ? (size_t)c->file_left : CHUNK;
	ssize_t n = pread(c->file, buf, want, c->file_off);

	if (n <= 0) {		/* file shrank or failed: the length is a lie now */
		c->close_after = 1;
		return -1;
	}
	c->out_off = c->out_len = 0;
	out_append(c, buf, (size_t)n);
	c->file_off += n;
	c->file_left -= n;
	if (c->file_left == 0) {
		close(c->file);
		c->file = -1;
	}
	return 0;
}

/* The file's next bytes straight from the file to the socket: 0 when
 * some went, 1 when the socket is full, -1 to close. */
static int send_file(struct conn *c)
{
	ssize_t n = sendfile(c->fd, c->file, &c->file_off, (size_t)c->file_left);

	if (n < 0)
		return errno == EAGAIN ? 1 : -1;
	if (n == 0) {		/* file shrank: the length is a lie now */
		c->close_after = 1;
		return -1;
	}
	c->file_left -= n;
	if (c->file_left == 0) {
		close(c->file);
		c->file = -1;
	}
	return 0;
}

/* Returns 0 when all is out, 1 when the socket is full, -1 to close. */
static int flush(struct conn *c)
{
	for (;;) {
		if (c->out_off == c->out_len) {
			if (c->file < 0) {
				c->out_off = c->out_len = 0;
				return 0;
			}
			if (use_sendfile) {
				int r = send_file(c);
				if (r)
					return r;
				continue;
			}
			if (refill(c) < 0)
				return -1;
		}
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? 1 : -1;
		c->out_off += (size_t)n;
	}
}

static int conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
		if (n == 0)
			return -1;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->in_len += (size_t)n;
		parse_requests(c);
		if (c->out_len || c->file >= 0 || c->close_after || c->in_len == sizeof c->in)
			return 0;
	}
}

static void conn_event(struct conn *c, unsigned events)
{
	int r = 0;

	if (events & EPOLLIN)
		r = conn_read(c);
	while (r == 0) {
		r = flush(c);
		if (r != 0)
			break;
		if (c->close_after) {
			r = -1;
			break;
		}
		size_t before = c->out_len;
		parse_requests(c);	/* pipelined requests left behind */
		if (c->out_len == before && c->file < 0 && !c->close_after)
			break;
	}
	if (r < 0 || (events & (EPOLLHUP | EPOLLERR) && !(events & EPOLLIN))) {
		conn_close(c);
		return;
	}
	if (conn_watch(c, EPOLL_CTL_MOD) < 0)
		conn_close(c);
}

/* Out of descriptors: accept with the spare one and drop the connection,
 * so the backlog drains instead of waking epoll forever. */
static void shed_one(int lfd)
{
	close(spare_fd);
	int fd = accept(lfd, NULL, NULL);
	if (fd >= 0)
		close(fd);
	spare_fd = open("/", O_RDONLY | O_CLOEXEC);
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				shed_one(lfd);
			return;	/* EAGAIN; ENOBUFS, ECONNABORTED...: next time */
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->file = -1;
		if (conn_watch(c, EPOLL_CTL_ADD) < 0)
			conn_close(c);
	}
}

static int listen_on(int port, int v6)
{
	int one = 1, zero = 0;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (v6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port),
					  .sin6_addr = IN6ADDR_ANY_INIT };
		if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
			die("bind");
	} else {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
					 .sin_addr.s_addr = htonl(INADDR_ANY) };
		if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
			die("bind");
	}
	if (listen(fd, 1024) < 0)
		die("listen");
	return fd;
}

int main(int argc, char **argv)
{
	int v6 = 0;
	while (argc > 1 && (!strcmp(argv[1], "-6") || !strcmp(argv[1], "-s"))) {
		if (argv[1][1] == '6')
			v6 = 1;
		else
			use_sendfile = 1;
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 3 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: net_httpd [-6] PORT [DOCROOT]\n");
		return 2;
	}
	docroot = argc == 3 ? argv[2] : NULL;
	signal(SIGPIPE, SIG_IGN);
	spare_fd = open("/", O_RDONLY | O_CLOEXEC);
	int lfd = listen_on(atoi(argv[1]), v6);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1");
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll_ctl");
	printf("net_httpd: listening on port %s\n", argv[1]);
	fflush(stdout);
	struct epoll_event evs[MAX_EVENTS];
	for (;;) {
		int n = epoll_wait(epfd, evs, MAX_EVENTS, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			if (!evs[i].data.ptr)
				accept_all(lfd);
			else
				conn_event(evs[i].data.ptr, evs[i].events);
		}
	}
}
